// TileCache: built pyramid tiles kept in memory, least recently used first out, within one byte
// budget shared by every pyramid of a session (two images on screen share it; neither has a
// budget of its own). Keys name their owner (one pyramid), the plane, the level and the tile.
// Thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "core/image/ImageSource.h"

namespace tessera::core {

class TileCache {
  public:
    using Data = std::shared_ptr<const std::vector<std::byte>>;
    struct Key {
        std::uint64_t owner = 0;
        Plane plane;
        int level = 0;
        std::int64_t column = 0;
        std::int64_t row = 0;
        auto operator<=>(const Key&) const = default;
    };

    explicit TileCache(std::size_t budget = std::size_t{256} << 20) : m_budget(budget) {}

    // A fresh owner id for a pyramid.
    static std::uint64_t new_owner();

    Data find(const Key& key);  // null when absent; a hit becomes the most recent
    bool contains(const Key& key) const;
    // Stores a tile unless another thread stored it meanwhile (then returns that one), and
    // evicts the least recently used tiles beyond the budget (never the one just stored).
    Data store(const Key& key, Data data);
    // Forgets an owner's tiles that match (all of them without a predicate).
    void erase(std::uint64_t owner, const std::function<bool(const Key&)>& match = {});

    std::size_t bytes() const;
    std::size_t bytes_of(std::uint64_t owner) const;  // one owner's share
    std::size_t budget() const { return m_budget; }
    std::uint64_t stored() const;  // tiles stored so far

  private:
    mutable std::mutex m_mutex;
    std::size_t m_budget;
    std::map<Key, std::pair<Data, std::list<Key>::iterator>> m_entries;
    std::list<Key> m_lru;  // most recent first
    std::size_t m_bytes = 0;
    std::map<std::uint64_t, std::size_t> m_owner_bytes;
    std::uint64_t m_stored = 0;
};

}  // namespace tessera::core
