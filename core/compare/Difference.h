// Comparing an image with a reference (a render against last night's, a result against ground
// truth): tev's five per-pixel error metrics, the statistics of the difference per channel, and
// the difference itself as an image source (computed region by region as it is read, so it
// streams, tiles and exports like a file).
//
// Channels are paired by name (R with R); images without a name in common but with as many
// channels are paired by position. Pixels where either value is NaN or infinite are counted and
// left out of the statistics; the metric of such a pixel is NaN (shown in the NaN colour).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/Result.h"
#include "core/display/DisplaySettings.h"
#include "core/image/ImageSource.h"
#include "core/stats/ChannelStatistics.h"

namespace tessera::core {

// A = the image, B = the reference.
enum class ErrorMetric : std::uint8_t {
    Error,                  // A - B
    AbsoluteError,          // |A - B|
    SquaredError,           // (A - B)^2
    RelativeAbsoluteError,  // |A - B| / (|B| + 0.01)
    RelativeSquaredError,   // (A - B)^2 / (B^2 + 0.01)
};
inline constexpr int kErrorMetricCount = 5;
// tev's epsilon. tev divides by B + 0.01, which is zero or negative for negative references;
// |B| + 0.01 keeps the denominator positive and equals tev's wherever B >= 0.
inline constexpr float kRelativeEpsilon = 0.01f;

std::string_view short_name(ErrorMetric metric);  // E, AE, SE, RAE, RSE (tev's abbreviations)
std::string_view long_name(ErrorMetric metric);   // "absolute error", ...
// A short or long name, any case.
std::optional<ErrorMetric> parse_error_metric(std::string_view text);
// Signed metrics want a diverging colormap centred on 0.
inline bool is_signed(ErrorMetric metric) {
    return metric == ErrorMetric::Error;
}

// The metric of one pair of values, in float as the shader computes it. NaN when either is not
// finite.
float apply_error_metric(float a, float b, ErrorMetric metric);

struct ChannelPair {
    std::size_t a = 0;
    std::size_t b = 0;
    std::string name;  // A's channel name
};

struct ChannelMatch {
    std::vector<ChannelPair> pairs;
    std::vector<std::string> only_a;  // channels of A without a partner (not compared)
    std::vector<std::string> only_b;
};
ChannelMatch match_channels(const std::vector<ChannelInfo>& a, const std::vector<ChannelInfo>& b);

// The statistics of A - B over one pair of channels.
struct DifferenceStatistics {
    std::string channel;
    std::uint64_t pixels = 0;      // compared: both values finite
    std::uint64_t non_finite = 0;  // left out: either value NaN or infinite
    double mean_error = 0;         // of A - B
    double mean_absolute_error = 0;
    double mean_squared_error = 0;
    double rmse = 0;
    double mean_relative_absolute_error = 0;
    double mean_relative_squared_error = 0;
    // 10 log10(peak^2 / MSE) with peak = the largest value of the sample type (255, 65535) for
    // integer data and 1 for floating point, as idiff and oiiotool normalise; +inf when equal.
    double psnr = 0;
    double peak = 1;
    double max_absolute_error = 0;
    std::int64_t max_x = -1;  // the first pixel (in reading order) with the largest |A - B|
    std::int64_t max_y = -1;
};

// What one input of a comparison is: a plane position of a source.
struct CompareInput {
    std::shared_ptr<const ImageSource> source;
    std::vector<std::int64_t> position;  // on the source's axes; missing ones are 0
};

// Statistics per pair, read in bands of rows on up to `threads` threads (0: every core). The
// sources must have the same size. The result does not depend on the thread count.
Result<std::vector<DifferenceStatistics>> difference_statistics(
    const CompareInput& a, const CompareInput& b, const std::vector<ChannelPair>& pairs,
    unsigned threads = 0);

// The metric of A against B as a float32 source with one channel per pair (named as A's), 2-D.
// Computed as it is read; it changes when either input does (revision and damage are theirs).
class DifferenceImage : public ImageSource {
  public:
    static Result<std::shared_ptr<DifferenceImage>> create(CompareInput a, CompareInput b,
                                                           std::vector<ChannelPair> pairs,
                                                           ErrorMetric metric);

    std::int64_t width() const override { return m_a.source->width(); }
    std::int64_t height() const override { return m_a.source->height(); }
    const std::vector<ChannelInfo>& channels() const override { return m_channels; }
    Result<void> read_region(const Plane& plane, Rect rect,
                             std::span<std::byte> dst) const override;
    Rect read_unit() const override { return m_a.source->read_unit(); }
    std::uint64_t revision() const override;
    std::vector<Damage> damage_since(std::uint64_t since) const override;

    ErrorMetric metric() const { return m_metric; }
    const std::vector<ChannelPair>& pairs() const { return m_pairs; }

  private:
    DifferenceImage(CompareInput a, CompareInput b, std::vector<ChannelPair> pairs,
                    ErrorMetric metric);

    CompareInput m_a;
    CompareInput m_b;
    std::vector<ChannelPair> m_pairs;
    ErrorMetric m_metric;
    std::vector<ChannelInfo> m_channels;
};

// How a difference is shown: one channel with a colormap (coolwarm centred on 0 for the signed
// error, inferno from 0 otherwise); several (R, G, B) as the image's own colours, alpha hidden
// (its error is not a coverage). Limits are
// shared by every channel so that colours compare: [-m, m] or [0, m], m the largest 99.9th
// percentile of |metric| over the channels (1 when every value is 0).
DisplaySettings difference_display(const std::vector<ChannelInfo>& channels,
                                   const std::vector<ChannelStatistics>& statistics,
                                   ErrorMetric metric);

// The settings of a difference (one per pair) indexed by A's channels instead, as the GPU draws
// a comparison over A's channels: each paired channel gets its pair's settings, others are
// hidden. And back: the pairs' settings out of A-indexed ones.
DisplaySettings settings_over_a(const DisplaySettings& difference,
                                const std::vector<ChannelPair>& pairs, std::size_t a_channels);
DisplaySettings settings_over_pairs(const DisplaySettings& over_a,
                                    const std::vector<ChannelPair>& pairs);

}  // namespace tessera::core
