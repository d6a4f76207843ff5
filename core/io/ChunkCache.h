// ChunkCache: decoded strips, tiles and chunks of a file read by region, kept within a byte
// budget, least recently used out first (core/lod/LruBudget). Channels of one interleaved chunk
// are read one after another (the pyramid reads every plane of a strip in turn): the chunk is
// decoded once for all of them. Thread-safe; a chunk over half the budget is never kept.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>

#include "core/lod/LruBudget.h"

namespace tessera::core {

// The first `size` bytes of a decoded chunk. Left uninitialised until decoded: a chunk whose
// compressed data is missing fails before a gigabyte of zeros is written.
struct DecodedChunk {
    std::unique_ptr<std::byte[]> bytes;
    std::size_t size = 0;
};

template <typename Key>
class ChunkCache {
  public:
    using Data = std::shared_ptr<const DecodedChunk>;

    explicit ChunkCache(std::size_t budget) : m_budget(budget) {}

    std::size_t budget() const { return m_budget; }

    Data find(const Key& key) {
        std::lock_guard lock(m_mutex);
        const auto found = m_data.find(key);
        if (found == m_data.end()) {
            return nullptr;
        }
        m_order.touch(key);
        return found->second;
    }

    void insert(const Key& key, Data data) {
        if (data->size > m_budget / 2) {
            return;
        }
        std::lock_guard lock(m_mutex);
        for (const Key& victim : m_order.victims(data->size, m_budget, nullptr)) {
            m_order.erase(victim);
            m_data.erase(victim);
        }
        m_order.insert(key, data->size);
        m_data[key] = std::move(data);
    }

  private:
    std::size_t m_budget;
    std::mutex m_mutex;
    LruBudget<Key> m_order;
    std::map<Key, Data> m_data;
};

}  // namespace tessera::core
