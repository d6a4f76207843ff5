// parallel_for: runs fn(worker, index) for every index in [0, count) on up to `threads` threads
// (0: one per hardware thread), the calling thread included. Indices are handed out in order
// from a shared counter; worker ids are dense in [0, worker_count) for per-worker accumulators.
#pragma once

#include <cstddef>
#include <functional>

namespace tessera::core {

unsigned worker_count(std::size_t count, unsigned threads = 0);

void parallel_for(std::size_t count, const std::function<void(unsigned, std::size_t)>& fn,
                  unsigned threads = 0);

}  // namespace tessera::core
