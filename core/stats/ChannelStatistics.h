// Per-channel statistics, computed once per image, off the UI thread and in parallel: min, max,
// mean, standard deviation and percentiles of the finite values, counts of NaN and +-Inf, and a
// histogram for display. 8- and 16-bit channels (u8, u16, f16) are counted per code in a single
// pass, so their percentiles are exact; u32/f32 take a second pass for a 4096-bin histogram and
// interpolate percentiles within a bin. A row_step > 1 reads every n-th row only: a quick
// provisional result, marked exact = false.
#pragma once

#include <cstdint>
#include <vector>

#include "core/image/ImageSource.h"

namespace tessera::core {

inline constexpr std::size_t kHistogramBins = 4096;

struct Histogram {
    double lo = 0;  // left edge of the first bin
    double hi = 0;  // right edge of the last bin
    std::vector<std::uint64_t> bins;
};

struct ChannelStatistics {
    std::uint64_t samples = 0;  // samples read (all rows, or the sampled ones)
    std::uint64_t finite = 0;
    std::uint64_t nan = 0;
    std::uint64_t pos_inf = 0;
    std::uint64_t neg_inf = 0;
    double min = 0;  // of finite values; all statistics below are 0 when finite == 0
    double max = 0;
    double mean = 0;
    double stddev = 0;  // population standard deviation (ddof = 0, as numpy's default)
    double p0_1 = 0;    // percentiles 0.1, 1, 50, 99, 99.9 of the finite values
    double p1 = 0;
    double p50 = 0;
    double p99 = 0;
    double p99_9 = 0;
    Histogram histogram;  // kHistogramBins bins over [min, max]
    bool exact = true;    // every row of every plane asked for (for a stack: of every plane)
    std::int64_t row_step = 1;
    std::int64_t planes = 1;  // planes read (a stack's statistics pool several)

    // Any percentile q in [0, 100] from the histogram (linear within a bin).
    double percentile(double q) const;
};

struct StatisticsOptions {
    std::int64_t row_step = 1;  // 1: every row (exact); n: rows 0, n, 2n, ... (provisional)
    unsigned threads = 0;       // 0: one per hardware thread
    // The plane of each channel: an index on each of the source's axes (missing ones are 0).
    std::vector<std::int64_t> position;
    // When not empty: statistics pooled over these planes of each channel (a stack's limits that
    // do not jump from slice to slice), instead of `position`.
    std::vector<std::vector<std::int64_t>> positions;
};

// Exact statistics up to 64 Mpixel; beyond, every n-th row so that about 4 M samples are read
// (a memory-mapped image is then touched only where those rows lie).
StatisticsOptions statistics_options_for(std::int64_t width, std::int64_t height);
// Up to max_planes positions spread evenly over a stack, its first and last plane included (every
// plane when max_planes is 0 or the stack has fewer); one empty position for a 2-D image.
std::vector<std::vector<std::int64_t>> spread_positions(const ImageSource& image,
                                                        std::int64_t max_planes);

Result<std::vector<ChannelStatistics>> compute_statistics(const ImageSource& image,
                                                          const StatisticsOptions& options = {});

}  // namespace tessera::core
