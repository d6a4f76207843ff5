#include "core/compare/Difference.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>

#include <fmt/format.h>

#include "core/base/Parallel.h"

namespace tessera::core {
namespace {

constexpr std::array<std::string_view, kErrorMetricCount> kShort = {"E", "AE", "SE", "RAE", "RSE"};
constexpr std::array<std::string_view, kErrorMetricCount> kLong = {
    "error", "absolute error", "squared error", "relative absolute error",
    "relative squared error"};

bool same_text(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

double type_peak(SampleType type) {
    switch (type) {
        case SampleType::U8:
            return 255.0;
        case SampleType::U16:
            return 65535.0;
        case SampleType::U32:
            return 4294967295.0;
        case SampleType::F16:
        case SampleType::F32:
            return 1.0;
    }
    return 1.0;
}

constexpr std::int64_t kBandRows = 64;

// Sums over one band of rows, merged in band order so the result never depends on threads.
struct Partial {
    std::uint64_t pixels = 0;
    std::uint64_t non_finite = 0;
    double error = 0;
    double absolute = 0;
    double squared = 0;
    double relative_absolute = 0;
    double relative_squared = 0;
    double max_absolute = -1;
    std::int64_t max_x = -1;
    std::int64_t max_y = -1;

    void merge(const Partial& later) {
        pixels += later.pixels;
        non_finite += later.non_finite;
        error += later.error;
        absolute += later.absolute;
        squared += later.squared;
        relative_absolute += later.relative_absolute;
        relative_squared += later.relative_squared;
        if (later.max_absolute > max_absolute) {  // ties keep the earlier pixel
            max_absolute = later.max_absolute;
            max_x = later.max_x;
            max_y = later.max_y;
        }
    }
};

Result<void> read_floats(const CompareInput& input, std::size_t channel, Rect rect,
                         std::vector<std::byte>& bytes, std::vector<float>& values) {
    const ImageSource& source = *input.source;
    bytes.resize(source.region_bytes(channel, rect));
    if (auto read = source.read_region({channel, input.position}, rect, bytes); !read) {
        return read;
    }
    values.resize(static_cast<std::size_t>(rect.area()));
    samples_as_floats(bytes.data(), source.channels()[channel].type, values.size(), values.data());
    return {};
}

}  // namespace

std::string_view short_name(ErrorMetric metric) {
    return kShort[static_cast<std::size_t>(metric)];
}

std::string_view long_name(ErrorMetric metric) {
    return kLong[static_cast<std::size_t>(metric)];
}

std::optional<ErrorMetric> parse_error_metric(std::string_view text) {
    for (int i = 0; i < kErrorMetricCount; ++i) {
        if (same_text(text, kShort[static_cast<std::size_t>(i)]) ||
            same_text(text, kLong[static_cast<std::size_t>(i)])) {
            return static_cast<ErrorMetric>(i);
        }
    }
    return std::nullopt;
}

float apply_error_metric(float a, float b, ErrorMetric metric) {
    if (!std::isfinite(a) || !std::isfinite(b)) {
        return std::numeric_limits<float>::quiet_NaN();
    }
    const float d = a - b;
    switch (metric) {
        case ErrorMetric::Error:
            return d;
        case ErrorMetric::AbsoluteError:
            return std::fabs(d);
        case ErrorMetric::SquaredError:
            return d * d;
        case ErrorMetric::RelativeAbsoluteError:
            return std::fabs(d) / (std::fabs(b) + kRelativeEpsilon);
        case ErrorMetric::RelativeSquaredError:
            return d * d / (b * b + kRelativeEpsilon);
    }
    return d;
}

ChannelMatch match_channels(const std::vector<ChannelInfo>& a, const std::vector<ChannelInfo>& b) {
    ChannelMatch match;
    std::vector<bool> used(b.size(), false);
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto partner = std::find_if(b.begin(), b.end(), [&](const ChannelInfo& channel) {
            return channel.name == a[i].name;
        });
        if (partner != b.end()) {
            const auto j = static_cast<std::size_t>(partner - b.begin());
            used[j] = true;
            match.pairs.push_back({i, j, a[i].name});
        }
    }
    if (match.pairs.empty() && a.size() == b.size()) {
        for (std::size_t i = 0; i < a.size(); ++i) {
            match.pairs.push_back({i, i, a[i].name});
        }
        return match;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::none_of(match.pairs.begin(), match.pairs.end(),
                         [&](const ChannelPair& pair) { return pair.a == i; })) {
            match.only_a.push_back(a[i].name);
        }
    }
    for (std::size_t j = 0; j < b.size(); ++j) {
        if (!used[j]) {
            match.only_b.push_back(b[j].name);
        }
    }
    return match;
}

Result<std::vector<DifferenceStatistics>> difference_statistics(
    const CompareInput& a, const CompareInput& b, const std::vector<ChannelPair>& pairs,
    unsigned threads) {
    const ImageSource& sa = *a.source;
    const ImageSource& sb = *b.source;
    if (sa.width() != sb.width() || sa.height() != sb.height()) {
        return Error{fmt::format("the images differ in size: {}x{} and {}x{}", sa.width(),
                                 sa.height(), sb.width(), sb.height())};
    }
    const std::int64_t width = sa.width();
    const std::int64_t height = sa.height();
    const auto bands = static_cast<std::size_t>((height + kBandRows - 1) / kBandRows);
    std::vector<DifferenceStatistics> result;
    for (const ChannelPair& pair : pairs) {
        if (pair.a >= sa.channel_count() || pair.b >= sb.channel_count()) {
            return Error{fmt::format("channel pair {} ({} and {}) is out of range", pair.name,
                                     pair.a, pair.b)};
        }
        std::vector<Partial> partials(bands);
        std::mutex failure_mutex;
        std::optional<Error> failure;
        parallel_for(
            bands,
            [&](unsigned, std::size_t band) {
                const std::int64_t y0 = static_cast<std::int64_t>(band) * kBandRows;
                const Rect rect{0, y0, width, std::min(kBandRows, height - y0)};
                std::vector<std::byte> bytes;
                std::vector<float> va;
                std::vector<float> vb;
                auto read = read_floats(a, pair.a, rect, bytes, va);
                if (read) {
                    read = read_floats(b, pair.b, rect, bytes, vb);
                }
                if (!read) {
                    const std::lock_guard lock(failure_mutex);
                    failure = read.error();
                    return;
                }
                Partial& p = partials[band];
                for (std::size_t i = 0; i < va.size(); ++i) {
                    const float x = va[i];
                    const float r = vb[i];
                    if (!std::isfinite(x) || !std::isfinite(r)) {
                        ++p.non_finite;
                        continue;
                    }
                    const double d = static_cast<double>(x) - static_cast<double>(r);
                    const double ad = std::fabs(d);
                    ++p.pixels;
                    p.error += d;
                    p.absolute += ad;
                    p.squared += d * d;
                    p.relative_absolute += ad / (std::fabs(static_cast<double>(r)) +
                                                 static_cast<double>(kRelativeEpsilon));
                    p.relative_squared +=
                        d * d /
                        (static_cast<double>(r) * r + static_cast<double>(kRelativeEpsilon));
                    if (ad > p.max_absolute) {
                        p.max_absolute = ad;
                        p.max_x = static_cast<std::int64_t>(i) % width;
                        p.max_y = y0 + static_cast<std::int64_t>(i) / width;
                    }
                }
            },
            threads);
        if (failure) {
            return *failure;
        }
        Partial total;
        for (const Partial& p : partials) {
            total.merge(p);
        }
        DifferenceStatistics s;
        s.channel = pair.name;
        s.pixels = total.pixels;
        s.non_finite = total.non_finite;
        const SampleType ta = sa.channels()[pair.a].type;
        const SampleType tb = sb.channels()[pair.b].type;
        s.peak = std::max(type_peak(ta), type_peak(tb));
        if (total.pixels > 0) {
            const auto n = static_cast<double>(total.pixels);
            s.mean_error = total.error / n;
            s.mean_absolute_error = total.absolute / n;
            s.mean_squared_error = total.squared / n;
            s.rmse = std::sqrt(s.mean_squared_error);
            s.mean_relative_absolute_error = total.relative_absolute / n;
            s.mean_relative_squared_error = total.relative_squared / n;
            s.max_absolute_error = total.max_absolute;
            s.max_x = total.max_x;
            s.max_y = total.max_y;
            s.psnr = s.mean_squared_error > 0
                         ? 10.0 * std::log10(s.peak * s.peak / s.mean_squared_error)
                         : std::numeric_limits<double>::infinity();
        } else {
            const double nan = std::numeric_limits<double>::quiet_NaN();
            s.mean_error = s.mean_absolute_error = s.mean_squared_error = s.rmse = nan;
            s.mean_relative_absolute_error = s.mean_relative_squared_error = nan;
            s.max_absolute_error = s.psnr = nan;
        }
        result.push_back(std::move(s));
    }
    return result;
}

DifferenceImage::DifferenceImage(CompareInput a, CompareInput b, std::vector<ChannelPair> pairs,
                                 ErrorMetric metric)
    : m_a(std::move(a)), m_b(std::move(b)), m_pairs(std::move(pairs)), m_metric(metric) {
    for (const ChannelPair& pair : m_pairs) {
        m_channels.push_back({pair.name, SampleType::F32});
    }
}

Result<std::shared_ptr<DifferenceImage>> DifferenceImage::create(CompareInput a, CompareInput b,
                                                                 std::vector<ChannelPair> pairs,
                                                                 ErrorMetric metric) {
    if (!a.source || !b.source) {
        return Error{"a comparison needs two images"};
    }
    if (a.source->width() != b.source->width() || a.source->height() != b.source->height()) {
        return Error{fmt::format("the images differ in size: {}x{} and {}x{}", a.source->width(),
                                 a.source->height(), b.source->width(), b.source->height())};
    }
    if (pairs.empty()) {
        return Error{"the images have no channel in common to compare"};
    }
    for (const ChannelPair& pair : pairs) {
        if (pair.a >= a.source->channel_count() || pair.b >= b.source->channel_count()) {
            return Error{fmt::format("channel pair {} is out of range", pair.name)};
        }
    }
    for (CompareInput* input : {&a, &b}) {
        auto plane = input->source->complete({0, input->position});
        if (!plane) {
            return plane.error();
        }
        input->position = plane->position;
    }
    return std::shared_ptr<DifferenceImage>(
        new DifferenceImage(std::move(a), std::move(b), std::move(pairs), metric));
}

Result<void> DifferenceImage::read_region(const Plane& plane, Rect rect,
                                          std::span<std::byte> dst) const {
    if (auto ok = check_read(plane, rect, dst.size()); !ok) {
        return ok;
    }
    const ChannelPair& pair = m_pairs[plane.channel];
    std::vector<std::byte> bytes;
    std::vector<float> va;
    std::vector<float> vb;
    if (auto read = read_floats(m_a, pair.a, rect, bytes, va); !read) {
        return read;
    }
    if (auto read = read_floats(m_b, pair.b, rect, bytes, vb); !read) {
        return read;
    }
    for (std::size_t i = 0; i < va.size(); ++i) {
        va[i] = apply_error_metric(va[i], vb[i], m_metric);
    }
    std::memcpy(dst.data(), va.data(), va.size() * sizeof(float));
    return {};
}

std::uint64_t DifferenceImage::revision() const {
    return m_a.source->revision() + m_b.source->revision();
}

std::vector<Damage> DifferenceImage::damage_since(std::uint64_t since) const {
    if (since >= revision()) {
        return {};
    }
    // A sum of two revisions does not say how far each input had got; each got at least as far
    // as the sum less the other's revision now, and the damage since then covers the change.
    const std::uint64_t ra = m_a.source->revision();
    const std::uint64_t rb = m_b.source->revision();
    const std::array<std::uint64_t, 2> from = {since > rb ? since - rb : 0,
                                               since > ra ? since - ra : 0};
    std::vector<Damage> damage;
    const std::array<const CompareInput*, 2> inputs = {&m_a, &m_b};
    for (std::size_t k = 0; k < 2; ++k) {
        for (const Damage& d : inputs[k]->source->damage_since(from[k])) {
            damage.push_back({d.rect, {}});
        }
    }
    if (damage.empty()) {
        damage.push_back({bounds(), {}});
    }
    return damage;
}

DisplaySettings difference_display(const std::vector<ChannelInfo>& channels,
                                   const std::vector<ChannelStatistics>& statistics,
                                   ErrorMetric metric) {
    DisplaySettings settings = default_display(channels, statistics, Transfer::Linear);
    double m = 0;
    for (const ChannelStatistics& s : statistics) {
        m = std::max({m, std::fabs(s.p99_9), std::fabs(s.p0_1)});
    }
    if (!(m > 0) || !std::isfinite(m)) {
        m = 1;
    }
    // An alpha channel's error is a value like any other, not a coverage to composite with.
    if (settings.alpha_channel >= 0) {
        settings.channels[static_cast<std::size_t>(settings.alpha_channel)].visible = false;
        settings.alpha_channel = -1;
    }
    const bool alone = channels.size() == 1;
    for (ChannelDisplay& channel : settings.channels) {
        channel.lo = is_signed(metric) ? -m : 0.0;
        channel.hi = m;
        if (alone) {
            channel.colormap = named_colormap(is_signed(metric) ? "coolwarm" : "inferno");
        }
    }
    return settings;
}

DisplaySettings settings_over_a(const DisplaySettings& difference,
                                const std::vector<ChannelPair>& pairs, std::size_t a_channels) {
    DisplaySettings settings = difference;
    settings.channels.assign(a_channels, ChannelDisplay{});
    for (ChannelDisplay& channel : settings.channels) {
        channel.visible = false;
    }
    settings.alpha_channel = -1;
    for (std::size_t k = 0; k < pairs.size() && k < difference.channels.size(); ++k) {
        if (pairs[k].a < a_channels) {
            settings.channels[pairs[k].a] = difference.channels[k];
        }
    }
    return settings;
}

DisplaySettings settings_over_pairs(const DisplaySettings& over_a,
                                    const std::vector<ChannelPair>& pairs) {
    DisplaySettings settings = over_a;
    settings.channels.clear();
    settings.alpha_channel = -1;
    for (const ChannelPair& pair : pairs) {
        settings.channels.push_back(pair.a < over_a.channels.size() ? over_a.channels[pair.a]
                                                                    : ChannelDisplay{});
    }
    return settings;
}

}  // namespace tessera::core
