#include "gl/image/TextureCache.h"

#include <algorithm>
#include <atomic>

namespace tessera::gl {

std::uint64_t TextureCache::new_image() {
    static std::atomic<std::uint64_t> next{1};
    return next++;
}

TextureEntry* TextureCache::find(const TextureKey& key) {
    const auto found = m_entries.find(key);
    return found == m_entries.end() ? nullptr : &found->second;
}

const TextureEntry* TextureCache::find(const TextureKey& key) const {
    const auto found = m_entries.find(key);
    return found == m_entries.end() ? nullptr : &found->second;
}

void TextureCache::protect(std::uint64_t image, std::set<core::TileKey> essential,
                           std::set<core::TileKey> wanted, Positions essential_positions,
                           Positions wanted_positions) {
    m_protected[image] = {std::move(essential), std::move(wanted), std::move(essential_positions),
                          std::move(wanted_positions)};
}

bool TextureCache::make_room(std::size_t bytes, bool essential, std::uint64_t& evicted) {
    // An essential upload may displace anything but essential tiles; a prefetch only what no
    // view wants.
    const auto is_protected = [&](const TextureKey& key) {
        const auto found = m_protected.find(key.image);
        if (found == m_protected.end()) {
            return false;
        }
        const Protection& p = found->second;
        const auto at = [&](const Positions& positions) {
            return positions.empty() || positions.count(key.plane.position) != 0;
        };
        return (p.essential.count(key.tile) != 0 && at(p.essential_positions)) ||
               (!essential && p.wanted.count(key.tile) != 0 && at(p.wanted_positions));
    };
    const std::vector<TextureKey> victims = m_lru.victims(bytes, m_budget, is_protected);
    std::size_t freed = 0;
    for (const TextureKey& victim : victims) {
        freed += m_entries.at(victim).bytes;
    }
    if (m_lru.bytes() - freed + bytes > m_budget) {
        return false;  // never exceed the budget
    }
    for (const TextureKey& victim : victims) {
        TextureEntry& entry = m_entries.at(victim);
        m_image_bytes[victim.image] -= entry.bytes;
        m_spares.push_back(std::move(entry.texture));
        m_lru.erase(victim);
        m_entries.erase(victim);
        ++evicted;
    }
    return true;
}

std::size_t TextureCache::bytes_of(std::uint64_t image) const {
    const auto found = m_image_bytes.find(image);
    return found == m_image_bytes.end() ? 0 : found->second;
}

TextureEntry& TextureCache::insert(const TextureKey& key, TextureEntry entry) {
    if (const TextureEntry* old = find(key)) {
        m_image_bytes[key.image] -= old->bytes;
    }
    m_image_bytes[key.image] += entry.bytes;
    m_lru.insert(key, entry.bytes);
    m_peak = std::max(m_peak, m_lru.bytes());
    return m_entries[key] = std::move(entry);
}

std::optional<Texture2D> TextureCache::take_spare(int width, int height,
                                                  const PixelFormat& format) {
    const auto found = std::find_if(m_spares.begin(), m_spares.end(), [&](const Texture2D& t) {
        return t.width() == width && t.height() == height && t.format() == format;
    });
    if (found == m_spares.end()) {
        m_spares.clear();
        return std::nullopt;
    }
    std::optional<Texture2D> spare(std::move(*found));
    m_spares.erase(found);
    return spare;
}

void TextureCache::for_each(std::uint64_t image,
                            const std::function<void(const TextureKey&, TextureEntry&)>& fn) {
    for (auto it = m_entries.lower_bound(TextureKey{image, {}, {}});
         it != m_entries.end() && it->first.image == image; ++it) {
        fn(it->first, it->second);
    }
}

std::size_t TextureCache::tiles_of(std::uint64_t image) const {
    std::size_t count = 0;
    const core::TileKey* last = nullptr;
    for (auto it = m_entries.lower_bound(TextureKey{image, {}, {}});
         it != m_entries.end() && it->first.image == image; ++it) {
        if (last == nullptr || *last != it->first.tile) {
            ++count;
        }
        last = &it->first.tile;
    }
    return count;
}

void TextureCache::erase(std::uint64_t image) {
    for (auto it = m_entries.lower_bound(TextureKey{image, {}, {}});
         it != m_entries.end() && it->first.image == image;) {
        m_lru.erase(it->first);
        it = m_entries.erase(it);
    }
    m_protected.erase(image);
    m_image_bytes.erase(image);
}

}  // namespace tessera::gl
