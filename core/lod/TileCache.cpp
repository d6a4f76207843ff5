#include "core/lod/TileCache.h"

#include <atomic>

namespace tessera::core {

std::uint64_t TileCache::new_owner() {
    static std::atomic<std::uint64_t> next{1};
    return next++;
}

TileCache::Data TileCache::find(const Key& key) {
    std::lock_guard lock(m_mutex);
    const auto found = m_entries.find(key);
    if (found == m_entries.end()) {
        return nullptr;
    }
    m_lru.splice(m_lru.begin(), m_lru, found->second.second);
    return found->second.first;
}

bool TileCache::contains(const Key& key) const {
    std::lock_guard lock(m_mutex);
    return m_entries.count(key) != 0;
}

TileCache::Data TileCache::store(const Key& key, Data data) {
    std::lock_guard lock(m_mutex);
    if (const auto found = m_entries.find(key); found != m_entries.end()) {
        return found->second.first;
    }
    m_lru.push_front(key);
    m_entries[key] = {data, m_lru.begin()};
    m_bytes += data->size();
    m_owner_bytes[key.owner] += data->size();
    ++m_stored;
    while (m_bytes > m_budget && m_lru.size() > 1) {
        const auto victim = m_entries.find(m_lru.back());
        m_bytes -= victim->second.first->size();
        m_owner_bytes[victim->first.owner] -= victim->second.first->size();
        m_entries.erase(victim);
        m_lru.pop_back();
    }
    return data;
}

void TileCache::erase(std::uint64_t owner, const std::function<bool(const Key&)>& match) {
    std::lock_guard lock(m_mutex);
    auto it = m_entries.lower_bound(Key{owner, {}, 0, 0, 0});
    while (it != m_entries.end() && it->first.owner == owner) {
        if (!match || match(it->first)) {
            m_bytes -= it->second.first->size();
            m_owner_bytes[owner] -= it->second.first->size();
            m_lru.erase(it->second.second);
            it = m_entries.erase(it);
        } else {
            ++it;
        }
    }
    if (!match) {
        m_owner_bytes.erase(owner);
    }
}

std::size_t TileCache::bytes() const {
    std::lock_guard lock(m_mutex);
    return m_bytes;
}

std::size_t TileCache::bytes_of(std::uint64_t owner) const {
    std::lock_guard lock(m_mutex);
    const auto found = m_owner_bytes.find(owner);
    return found == m_owner_bytes.end() ? 0 : found->second;
}

std::uint64_t TileCache::stored() const {
    std::lock_guard lock(m_mutex);
    return m_stored;
}

}  // namespace tessera::core
