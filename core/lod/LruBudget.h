// LruBudget: which entries leave when a byte budget is reached. Entries are kept in order of use;
// victims() names the least recently used ones to evict so that an incoming entry fits, skipping
// those the caller protects (what a view is drawing). GPU textures of every image on screen
// share one (gl/image/TextureCache).
#pragma once

#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <vector>

namespace tessera::core {

template <typename Key>
class LruBudget {
  public:
    void insert(const Key& key, std::size_t bytes) {
        erase(key);
        m_order.push_front(key);
        m_entries[key] = {bytes, m_order.begin()};
        m_bytes += bytes;
    }
    void touch(const Key& key) {
        if (const auto found = m_entries.find(key); found != m_entries.end()) {
            m_order.splice(m_order.begin(), m_order, found->second.second);
        }
    }
    void erase(const Key& key) {
        if (const auto found = m_entries.find(key); found != m_entries.end()) {
            m_bytes -= found->second.first;
            m_order.erase(found->second.second);
            m_entries.erase(found);
        }
    }
    bool contains(const Key& key) const { return m_entries.count(key) != 0; }
    std::size_t bytes() const { return m_bytes; }
    std::size_t size() const { return m_entries.size(); }

    // Least recently used entries to evict so that `incoming` more bytes fit within `budget`,
    // skipping protected ones. Empty with room to spare; may not free enough if protected
    // entries alone exceed the budget (the caller then refuses the new entry).
    std::vector<Key> victims(std::size_t incoming, std::size_t budget,
                             const std::function<bool(const Key&)>& is_protected) const {
        std::vector<Key> out;
        std::size_t bytes = m_bytes;
        for (auto it = m_order.rbegin(); it != m_order.rend() && bytes + incoming > budget; ++it) {
            if (is_protected && is_protected(*it)) {
                continue;
            }
            out.push_back(*it);
            bytes -= m_entries.at(*it).first;
        }
        return out;
    }

  private:
    std::list<Key> m_order;  // most recent first
    std::map<Key, std::pair<std::size_t, typename std::list<Key>::iterator>> m_entries;
    std::size_t m_bytes = 0;
};

}  // namespace tessera::core
