#include "core/stats/ChannelStatistics.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <optional>
#include <vector>

#include "core/base/Parallel.h"

namespace tessera::core {
namespace {

constexpr std::size_t kBandBytes = std::size_t{4} << 20;

// The bands one pass reads: of about kBandBytes over every channel (whole rows of the source's
// read units), or the sampled rows or units when row_step > 1.
std::vector<Rect> bands_of(const ImageSource& image, std::size_t bytes_per_pixel,
                           std::int64_t row_step) {
    std::vector<Rect> bands;
    const std::int64_t width = image.width();
    const Rect unit = image.read_unit();
    if (row_step > 1 && unit.height > 1) {
        // As many whole units as the sample needs, on an even grid over the image: a tiled
        // compressed file decodes a few dozen tiles instead of every tile that rows cross.
        const std::int64_t columns = (width + unit.width - 1) / unit.width;
        const std::int64_t rows = (image.height() + unit.height - 1) / unit.height;
        const std::int64_t wanted = std::max<std::int64_t>(
            1, width * image.height() / row_step / std::max<std::int64_t>(1, unit.area()));
        const double aspect = static_cast<double>(columns) / static_cast<double>(rows);
        const std::int64_t across = std::clamp<std::int64_t>(
            std::llround(std::sqrt(static_cast<double>(wanted) * aspect)), 1, columns);
        const std::int64_t down = std::clamp<std::int64_t>((wanted + across - 1) / across, 1, rows);
        for (std::int64_t j = 0; j < down; ++j) {
            const std::int64_t cy = (2 * j + 1) * rows / (2 * down);
            for (std::int64_t i = 0; i < across; ++i) {
                const std::int64_t cx = (2 * i + 1) * columns / (2 * across);
                const Rect chunk{cx * unit.width, cy * unit.height, unit.width, unit.height};
                bands.push_back(intersection(chunk, image.bounds()));
            }
        }
        return bands;
    }
    if (row_step > 1) {
        for (std::int64_t y = 0; y < image.height(); y += row_step) {
            bands.push_back({0, y, width, 1});
        }
        return bands;
    }
    const std::size_t row_bytes =
        std::max<std::size_t>(1, static_cast<std::size_t>(width) * bytes_per_pixel);
    auto rows = static_cast<std::int64_t>(std::max<std::size_t>(1, kBandBytes / row_bytes));
    if (unit.height > 1) {
        // Whole rows of units, so that each compressed tile or strip is decoded once.
        rows = std::max<std::int64_t>(1, rows / unit.height) * unit.height;
    }
    for (std::int64_t y = 0; y < image.height(); y += rows) {
        bands.push_back({0, y, width, std::min(rows, image.height() - y)});
    }
    return bands;
}

// Count, mean and sum of squared deviations of finite values; merged with Chan et al.'s formula
// so that per-band partial results combine without cancellation.
struct Moments {
    std::uint64_t n = 0;
    double mean = 0;
    double m2 = 0;
    double min = INFINITY;
    double max = -INFINITY;

    void merge(const Moments& o) {
        if (o.n == 0) {
            return;
        }
        const double total = static_cast<double>(n + o.n);
        const double delta = o.mean - mean;
        mean += delta * static_cast<double>(o.n) / total;
        m2 += o.m2 + delta * delta * static_cast<double>(n) * static_cast<double>(o.n) / total;
        n += o.n;
        min = std::min(min, o.min);
        max = std::max(max, o.max);
    }
};

// Fills mean, stddev, min, max, the histogram and exact percentiles from (value, count) pairs of
// the finite values, sorted by value.
void finish_from_values(ChannelStatistics& s,
                        const std::vector<std::pair<double, std::uint64_t>>& values) {
    if (values.empty()) {
        return;
    }
    s.min = values.front().first;
    s.max = values.back().first;
    double sum = 0;
    for (const auto& [v, c] : values) {
        sum += v * static_cast<double>(c);
    }
    s.mean = sum / static_cast<double>(s.finite);
    double m2 = 0;
    for (const auto& [v, c] : values) {
        m2 += (v - s.mean) * (v - s.mean) * static_cast<double>(c);
    }
    s.stddev = std::sqrt(m2 / static_cast<double>(s.finite));
    s.histogram = {s.min, s.max, std::vector<std::uint64_t>(kHistogramBins)};
    const double span = s.max - s.min;
    for (const auto& [v, c] : values) {
        const auto bin = span > 0 ? static_cast<std::size_t>((v - s.min) / span * kHistogramBins)
                                  : std::size_t{0};
        s.histogram.bins[std::min(bin, kHistogramBins - 1)] += c;
    }
    // numpy's default ("linear"): rank q*(n-1), interpolated between the neighbouring values.
    const auto value_at_rank = [&](std::uint64_t rank) {
        std::uint64_t seen = 0;
        for (const auto& [v, c] : values) {
            seen += c;
            if (rank < seen) {
                return v;
            }
        }
        return values.back().first;
    };
    const auto exact = [&](double q) {
        const double rank = q / 100.0 * static_cast<double>(s.finite - 1);
        const auto below = static_cast<std::uint64_t>(std::floor(rank));
        const double lo = value_at_rank(below);
        const double hi = value_at_rank(std::min(below + 1, s.finite - 1));
        return lo + (hi - lo) * (rank - static_cast<double>(below));
    };
    s.p0_1 = exact(0.1);
    s.p1 = exact(1);
    s.p50 = exact(50);
    s.p99 = exact(99);
    s.p99_9 = exact(99.9);
}

bool counted_by_code(SampleType type) {
    return type == SampleType::U8 || type == SampleType::U16 || type == SampleType::F16;
}

template <typename T>
double as_double(const std::byte* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return static_cast<double>(v);
}

// One channel's counts on one worker: per code (u8, u16, f16), or moments, non-finite counts and
// then histogram bins (u32, f32).
struct Partial {
    std::vector<std::uint64_t> counts;
    Moments moments;
    std::uint64_t nan = 0, pos_inf = 0, neg_inf = 0;
    std::vector<std::uint64_t> bins;
};

void count_codes(SampleType type, const std::byte* data, std::size_t n, Partial& p) {
    auto& count = p.counts;
    if (type == SampleType::U8) {
        const auto* v = reinterpret_cast<const std::uint8_t*>(data);
        for (std::size_t i = 0; i < n; ++i) {
            ++count[v[i]];
        }
    } else {
        const auto* v = reinterpret_cast<const std::uint16_t*>(data);
        for (std::size_t i = 0; i < n; ++i) {
            ++count[v[i]];
        }
    }
}

void add_moments(SampleType type, const std::byte* data, std::size_t n, Partial& p) {
    const auto value = type == SampleType::U32 ? as_double<std::uint32_t> : as_double<float>;
    Moments band;
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double v = value(data + i * 4);
        if (std::isnan(v)) {
            ++p.nan;
        } else if (std::isinf(v)) {
            ++(v > 0 ? p.pos_inf : p.neg_inf);
        } else {
            sum += v;
            ++band.n;
            band.min = std::min(band.min, v);
            band.max = std::max(band.max, v);
        }
    }
    if (band.n > 0) {
        band.mean = sum / static_cast<double>(band.n);
        for (std::size_t i = 0; i < n; ++i) {
            const double v = value(data + i * 4);
            if (std::isfinite(v)) {
                band.m2 += (v - band.mean) * (v - band.mean);
            }
        }
    }
    p.moments.merge(band);
}

void add_bins(SampleType type, const std::byte* data, std::size_t n, double min, double span,
              Partial& p) {
    const auto value = type == SampleType::U32 ? as_double<std::uint32_t> : as_double<float>;
    for (std::size_t i = 0; i < n; ++i) {
        const double v = value(data + i * 4);
        if (std::isfinite(v)) {
            const auto bin = span > 0 ? static_cast<std::size_t>((v - min) / span * kHistogramBins)
                                      : std::size_t{0};
            ++p.bins[std::min(bin, kHistogramBins - 1)];
        }
    }
}

// u8, u16, f16: every code counted, so percentiles are exact.
ChannelStatistics finish_codes(SampleType type, const std::vector<std::uint64_t>& counts) {
    ChannelStatistics s;
    std::vector<std::pair<double, std::uint64_t>> values;
    for (std::size_t code = 0; code < counts.size(); ++code) {
        const std::uint64_t c = counts[code];
        if (c == 0) {
            continue;
        }
        s.samples += c;
        const double v = type == SampleType::F16
                             ? static_cast<double>(half_to_float(static_cast<std::uint16_t>(code)))
                             : static_cast<double>(code);
        if (std::isnan(v)) {
            s.nan += c;
        } else if (std::isinf(v)) {
            (v > 0 ? s.pos_inf : s.neg_inf) += c;
        } else {
            s.finite += c;
            values.emplace_back(v == 0 ? 0.0 : v, c);  // -0 and +0 are one value
        }
    }
    std::sort(values.begin(), values.end());
    // Merge the two zeros of f16 into one entry.
    auto last = std::unique(values.begin(), values.end(), [](auto& a, const auto& b) {
        if (a.first == b.first) {
            a.second += b.second;
            return true;
        }
        return false;
    });
    values.erase(last, values.end());
    finish_from_values(s, values);
    return s;
}

// u32, f32, first pass: moments and extremes (the histogram over [min, max] comes next).
ChannelStatistics finish_moments(const std::vector<const Partial*>& partials) {
    ChannelStatistics s;
    Moments all;
    for (const Partial* p : partials) {
        all.merge(p->moments);
        s.nan += p->nan;
        s.pos_inf += p->pos_inf;
        s.neg_inf += p->neg_inf;
    }
    s.finite = all.n;
    s.samples = s.finite + s.nan + s.pos_inf + s.neg_inf;
    if (s.finite > 0) {
        s.min = all.min;
        s.max = all.max;
        s.mean = all.mean;
        s.stddev = std::sqrt(all.m2 / static_cast<double>(all.n));
    }
    return s;
}

void finish_histogram(ChannelStatistics& s, const std::vector<const Partial*>& partials) {
    s.histogram = {s.min, s.max, std::vector<std::uint64_t>(kHistogramBins)};
    for (const Partial* p : partials) {
        for (std::size_t i = 0; i < kHistogramBins; ++i) {
            s.histogram.bins[i] += p->bins[i];
        }
    }
    s.p0_1 = s.percentile(0.1);
    s.p1 = s.percentile(1);
    s.p50 = s.percentile(50);
    s.p99 = s.percentile(99);
    s.p99_9 = s.percentile(99.9);
}

// Channels whose per-worker counts together stay within this many bytes are counted in one pass
// over the image (64 K codes of 8 bytes per u16 channel and worker).
constexpr std::size_t kCountBytes = std::size_t{64} << 20;

}  // namespace

double ChannelStatistics::percentile(double q) const {
    if (finite == 0 || histogram.bins.empty()) {
        return 0;
    }
    // The same rank convention as numpy's default: q * (n - 1), the k-th sample (0-based) taken
    // as filling the histogram's cumulative count from k to k + 1.
    const double target = std::clamp(q, 0.0, 100.0) / 100.0 * static_cast<double>(finite - 1) + 0.5;
    const double width = (histogram.hi - histogram.lo) / static_cast<double>(histogram.bins.size());
    double seen = 0;
    for (std::size_t i = 0; i < histogram.bins.size(); ++i) {
        const auto count = static_cast<double>(histogram.bins[i]);
        if (count > 0 && seen + count >= target) {
            const double within = (target - seen) / count;
            return std::clamp(histogram.lo + (static_cast<double>(i) + within) * width, min, max);
        }
        seen += count;
    }
    return max;
}

StatisticsOptions statistics_options_for(std::int64_t width, std::int64_t height) {
    constexpr std::int64_t kExactUpTo = std::int64_t{64} << 20;
    constexpr std::int64_t kSampled = std::int64_t{4} << 20;
    StatisticsOptions options;
    const std::int64_t pixels = width * height;
    if (pixels > kExactUpTo) {
        options.row_step = std::max<std::int64_t>(1, (pixels + kSampled - 1) / kSampled);
    }
    return options;
}

std::vector<std::vector<std::int64_t>> spread_positions(const ImageSource& image,
                                                        std::int64_t max_planes) {
    const std::vector<Axis>& axes = image.axes();
    const std::int64_t total = image.planes_per_channel();
    const std::int64_t count = max_planes > 0 ? std::min(total, max_planes) : total;
    std::vector<std::vector<std::int64_t>> positions;
    for (std::int64_t k = 0; k < count; ++k) {
        // Evenly spaced flat indices, the first and last plane included.
        const std::int64_t flat = count == 1 ? 0 : k * (total - 1) / (count - 1);
        positions.push_back(position_of(axes, flat));
    }
    return positions;
}

Result<std::vector<ChannelStatistics>> compute_statistics(const ImageSource& image,
                                                          const StatisticsOptions& options) {
    const std::int64_t step = std::max<std::int64_t>(1, options.row_step);
    std::vector<std::vector<std::int64_t>> positions = options.positions;
    if (positions.empty()) {
        positions.push_back(options.position);
    }
    const std::size_t channels = image.channel_count();
    std::vector<ChannelStatistics> result(channels);
    std::mutex error_mutex;
    std::optional<Error> first_error;
    // Every channel of a band is read before the next band, so that an interleaved source (a
    // compressed chunk holding every channel, a mapped pixel-interleaved array) is decoded or
    // paged in once for all of them; channels are taken in groups whose counts fit kCountBytes.
    std::size_t bytes_per_pixel = 0;
    for (const ChannelInfo& channel : image.channels()) {
        bytes_per_pixel += sample_size(channel.type);
    }
    const std::vector<Rect> bands = bands_of(image, bytes_per_pixel, step);
    std::vector<Rect> items;  // every band of every position
    std::vector<std::size_t> item_position;
    for (std::size_t p = 0; p < positions.size(); ++p) {
        for (const Rect& band : bands) {
            items.push_back(band);
            item_position.push_back(p);
        }
    }
    const unsigned workers = worker_count(items.size(), options.threads);
    const std::size_t group_size =
        std::max<std::size_t>(1, kCountBytes / (std::size_t{65536} * 8 * workers));
    for (std::size_t first = 0; first < channels; first += group_size) {
        const std::size_t count = std::min(group_size, channels - first);
        if (step > 1) {
            for (std::size_t k = 0; k < items.size(); ++k) {
                for (std::size_t c = first; c < first + count; ++c) {
                    image.prefetch_region({c, positions[item_position[k]]}, items[k]);
                }
            }
        }
        std::vector<std::vector<Partial>> partials(workers, std::vector<Partial>(count));
        for (auto& worker : partials) {
            for (std::size_t k = 0; k < count; ++k) {
                const SampleType type = image.channels()[first + k].type;
                if (counted_by_code(type)) {
                    worker[k].counts.assign(type == SampleType::U8 ? 256 : 65536, 0);
                } else {
                    worker[k].bins.assign(kHistogramBins, 0);
                }
            }
        }
        std::vector<std::vector<std::byte>> buffers(workers);
        std::atomic<bool> failed{false};
        // Reads every channel of the group wanted by `wanted` in item `k`, in turn, then hands
        // their pages back (a multi-GB file is read once, not kept resident).
        const auto pass = [&](const auto& wanted, const auto& add) {
            parallel_for(
                items.size(),
                [&](unsigned w, std::size_t k) {
                    if (failed) {
                        return;
                    }
                    const Plane base{0, positions[item_position[k]]};
                    for (std::size_t j = 0; j < count; ++j) {
                        const std::size_t c = first + j;
                        if (!wanted(c)) {
                            continue;
                        }
                        Plane plane = base;
                        plane.channel = c;
                        buffers[w].resize(image.region_bytes(c, items[k]));
                        if (auto ok = image.read_region(plane, items[k], buffers[w]); !ok) {
                            std::lock_guard lock(error_mutex);
                            first_error = first_error.value_or(ok.error());
                            failed = true;
                            return;
                        }
                        add(c, buffers[w].data(), static_cast<std::size_t>(items[k].area()),
                            partials[w][j]);
                    }
                    for (std::size_t j = 0; j < count; ++j) {
                        Plane plane = base;
                        plane.channel = first + j;
                        image.release_region(plane, items[k]);
                    }
                },
                options.threads);
        };
        const auto type_of = [&](std::size_t c) {
            return image.channels()[c].type;
        };
        pass([](std::size_t) { return true; },
             [&](std::size_t c, const std::byte* data, std::size_t n, Partial& p) {
                 if (counted_by_code(type_of(c))) {
                     count_codes(type_of(c), data, n, p);
                 } else {
                     add_moments(type_of(c), data, n, p);
                 }
             });
        if (failed) {
            return first_error.value_or(Error{"cannot read pixels for statistics"});
        }
        bool histograms = false;
        for (std::size_t j = 0; j < count; ++j) {
            const std::size_t c = first + j;
            std::vector<const Partial*> each;
            for (const auto& worker : partials) {
                each.push_back(&worker[j]);
            }
            if (counted_by_code(type_of(c))) {
                for (unsigned w = 1; w < workers; ++w) {
                    for (std::size_t code = 0; code < partials[0][j].counts.size(); ++code) {
                        partials[0][j].counts[code] += partials[w][j].counts[code];
                    }
                }
                result[c] = finish_codes(type_of(c), partials[0][j].counts);
            } else {
                result[c] = finish_moments(each);
                histograms = histograms || result[c].finite > 0;
            }
        }
        // u32 and f32: a second pass bins every value over [min, max].
        const auto binned = [&](std::size_t c) {
            return !counted_by_code(type_of(c)) && result[c].finite > 0;
        };
        if (histograms) {
            pass(binned, [&](std::size_t c, const std::byte* data, std::size_t n, Partial& p) {
                add_bins(type_of(c), data, n, result[c].min, result[c].max - result[c].min, p);
            });
            if (failed) {
                return first_error.value_or(Error{"cannot read pixels for statistics"});
            }
        }
        for (std::size_t j = 0; j < count; ++j) {
            const std::size_t c = first + j;
            if (binned(c)) {
                std::vector<const Partial*> each;
                for (const auto& worker : partials) {
                    each.push_back(&worker[j]);
                }
                finish_histogram(result[c], each);
            }
        }
    }
    for (ChannelStatistics& s : result) {
        s.exact = step == 1 &&
                  (options.positions.empty() ||
                   static_cast<std::int64_t>(positions.size()) == image.planes_per_channel());
        s.row_step = step;
        s.planes = static_cast<std::int64_t>(positions.size());
    }
    return result;
}

}  // namespace tessera::core
