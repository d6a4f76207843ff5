#include "core/base/Parallel.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace tessera::core {

unsigned worker_count(std::size_t count, unsigned threads) {
    const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
    const unsigned wanted = threads == 0 ? hardware : threads;
    return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(wanted, count)));
}

void parallel_for(std::size_t count, const std::function<void(unsigned, std::size_t)>& fn,
                  unsigned threads) {
    const unsigned workers = worker_count(count, threads);
    std::atomic<std::size_t> next{0};
    const auto run = [&](unsigned worker) {
        for (std::size_t i = next++; i < count; i = next++) {
            fn(worker, i);
        }
    };
    std::vector<std::jthread> pool;
    for (unsigned w = 1; w < workers; ++w) {
        pool.emplace_back(run, w);
    }
    run(0);
}

}  // namespace tessera::core
