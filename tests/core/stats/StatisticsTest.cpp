#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <numeric>
#include <set>

#include <gtest/gtest.h>

#include "core/image/PlanarImage.h"
#include "core/stats/ChannelStatistics.h"

namespace tessera::core {
namespace {

// numpy.percentile's default ("linear") on a sorted copy: the reference for exact percentiles.
double reference_percentile(std::vector<double> values, double q) {
    std::sort(values.begin(), values.end());
    const double rank = q / 100.0 * static_cast<double>(values.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(rank));
    const auto above = std::min(below + 1, values.size() - 1);
    return values[below] + (values[above] - values[below]) * (rank - static_cast<double>(below));
}

TEST(Statistics, SixteenBitStatisticsAndPercentilesAreExact) {
    PlanarImage image(301, 97);
    image.add_channel("u16", SampleType::U16);
    auto samples = image.samples<std::uint16_t>(0);
    std::vector<double> values;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        samples[i] = static_cast<std::uint16_t>((i * 7919) % 60000);
        values.push_back(samples[i]);
    }
    auto result = compute_statistics(image);
    ASSERT_TRUE(result.ok());
    const ChannelStatistics& s = (*result)[0];
    const double mean =
        std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    double m2 = 0;
    for (double v : values) {
        m2 += (v - mean) * (v - mean);
    }
    EXPECT_EQ(s.finite, values.size());
    EXPECT_EQ(s.min, *std::min_element(values.begin(), values.end()));
    EXPECT_EQ(s.max, *std::max_element(values.begin(), values.end()));
    EXPECT_NEAR(s.mean, mean, 1e-9 * mean);
    EXPECT_NEAR(s.stddev, std::sqrt(m2 / static_cast<double>(values.size())), 1e-6);
    EXPECT_DOUBLE_EQ(s.p0_1, reference_percentile(values, 0.1));
    EXPECT_DOUBLE_EQ(s.p50, reference_percentile(values, 50));
    EXPECT_DOUBLE_EQ(s.p99_9, reference_percentile(values, 99.9));
    EXPECT_TRUE(s.exact);
}

TEST(Statistics, FloatChannelsCountNanAndInfinitiesSeparately) {
    PlanarImage image(100, 10);
    image.add_channel("f32", SampleType::F32);
    auto samples = image.samples<float>(0);
    std::vector<double> finite;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        samples[i] = static_cast<float>(i) * 0.5f - 100.0f;
        if (i % 100 == 3)
            samples[i] = std::numeric_limits<float>::quiet_NaN();
        else if (i % 100 == 4)
            samples[i] = std::numeric_limits<float>::infinity();
        else if (i % 100 == 5)
            samples[i] = -std::numeric_limits<float>::infinity();
        else
            finite.push_back(samples[i]);
    }
    auto result = compute_statistics(image);
    ASSERT_TRUE(result.ok());
    const ChannelStatistics& s = (*result)[0];
    EXPECT_EQ(s.nan, 10u);
    EXPECT_EQ(s.pos_inf, 10u);
    EXPECT_EQ(s.neg_inf, 10u);
    EXPECT_EQ(s.finite, finite.size());
    EXPECT_EQ(s.samples, 1000u);
    EXPECT_EQ(s.min, -100.0);
    EXPECT_EQ(s.max, 399.5);
    // Histogram percentiles land within one bin of the exact value.
    const double bin = (s.max - s.min) / kHistogramBins;
    EXPECT_NEAR(s.p50, reference_percentile(finite, 50), 2 * bin);
    EXPECT_NEAR(s.p99_9, reference_percentile(finite, 99.9), 2 * bin);
    std::uint64_t histogram_total = 0;
    for (auto count : s.histogram.bins)
        histogram_total += count;
    EXPECT_EQ(histogram_total, s.finite);
}

TEST(Statistics, HalfChannelsKnowTheirNanAndInfCodes) {
    PlanarImage image(4, 1);
    image.add_channel("f16", SampleType::F16);
    auto samples = image.samples<std::uint16_t>(0);
    samples[0] = 0x7e00;  // NaN
    samples[1] = 0xfc00;  // -Inf
    samples[2] = float_to_half(-2.5f);
    samples[3] = float_to_half(0.75f);
    auto result = compute_statistics(image);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ((*result)[0].nan, 1u);
    EXPECT_EQ((*result)[0].neg_inf, 1u);
    EXPECT_EQ((*result)[0].min, -2.5);
    EXPECT_EQ((*result)[0].max, 0.75);
    EXPECT_EQ((*result)[0].mean, -0.875);
}

TEST(Statistics, ThreadCountDoesNotChangeTheResult) {
    PlanarImage image(2000, 3000);
    image.add_channel("f32", SampleType::F32);
    image.add_channel("u8", SampleType::U8);
    auto f = image.samples<float>(0);
    auto u = image.samples<std::uint8_t>(1);
    for (std::size_t i = 0; i < f.size(); ++i) {
        f[i] = std::sin(static_cast<float>(i) * 0.001f) * 1000.0f;
        u[i] = static_cast<std::uint8_t>(i * 13);
    }
    auto one = compute_statistics(image, {1, 1});
    auto many = compute_statistics(image, {1, 4});
    ASSERT_TRUE(one.ok() && many.ok());
    for (std::size_t c = 0; c < 2; ++c) {
        EXPECT_EQ((*one)[c].min, (*many)[c].min);
        EXPECT_EQ((*one)[c].max, (*many)[c].max);
        EXPECT_NEAR((*one)[c].mean, (*many)[c].mean, 1e-9);
        EXPECT_NEAR((*one)[c].stddev, (*many)[c].stddev, 1e-9);
        EXPECT_EQ((*one)[c].histogram.bins, (*many)[c].histogram.bins);
    }
}

TEST(Statistics, RowSamplingIsFastProvisionalAndSaysSo) {
    PlanarImage image(64, 640);
    image.add_channel("u8", SampleType::U8);
    auto u = image.samples<std::uint8_t>(0);
    for (std::size_t i = 0; i < u.size(); ++i) {
        u[i] = static_cast<std::uint8_t>((i / 64) % 200);  // the row number, modulo 200
    }
    auto sampled = compute_statistics(image, {32, 0});
    ASSERT_TRUE(sampled.ok());
    EXPECT_FALSE((*sampled)[0].exact);
    EXPECT_EQ((*sampled)[0].row_step, 32);
    EXPECT_EQ((*sampled)[0].samples, 20u * 64u);  // rows 0, 32, ..., 608
}

// A source that decodes 256 x 256 tiles (as a compressed tiled TIFF does), counting reads.
class TiledSource final : public ImageSource {
  public:
    explicit TiledSource(std::shared_ptr<PlanarImage> image) : m_image(std::move(image)) {}
    std::int64_t width() const override { return m_image->width(); }
    std::int64_t height() const override { return m_image->height(); }
    const std::vector<ChannelInfo>& channels() const override { return m_image->channels(); }
    Rect read_unit() const override { return {0, 0, 256, 256}; }
    Result<void> read_region(const Plane& plane, Rect rect,
                             std::span<std::byte> dst) const override {
        std::lock_guard lock(m_mutex);
        m_reads.push_back(rect);
        m_channels.push_back(plane.channel);
        return m_image->read_region(plane, rect, dst);
    }
    std::vector<Rect> reads() const {
        std::lock_guard lock(m_mutex);
        return m_reads;
    }
    // The channel of each read, in order.
    std::vector<std::size_t> channels_read() const {
        std::lock_guard lock(m_mutex);
        return m_channels;
    }

  private:
    std::shared_ptr<PlanarImage> m_image;
    mutable std::mutex m_mutex;
    mutable std::vector<Rect> m_reads;
    mutable std::vector<std::size_t> m_channels;
};

TEST(Statistics, EveryChannelOfABandIsReadBeforeTheNextBand) {
    // An interleaved source (a compressed chunk holding every channel) decodes a band once for
    // all channels only if they are read together; the values are those of each channel alone.
    auto image = std::make_shared<PlanarImage>(1000, 1500);
    image->add_channel("u8", SampleType::U8);
    image->add_channel("f32", SampleType::F32);
    image->add_channel("u16", SampleType::U16);
    for (std::size_t i = 0; i < 1000u * 1500u; ++i) {
        image->samples<std::uint8_t>(0)[i] = static_cast<std::uint8_t>(i * 31 % 251);
        image->samples<float>(1)[i] = static_cast<float>(i % 977) * 0.25f - 3.0f;
        image->samples<std::uint16_t>(2)[i] = static_cast<std::uint16_t>(i * 7919 % 65521);
    }
    const TiledSource source(image);
    StatisticsOptions options;
    options.threads = 1;
    auto result = compute_statistics(source, options);
    ASSERT_TRUE(result.ok()) << result.error().message;
    const auto reads = source.reads();
    const auto channels = source.channels_read();
    // First pass: every band as (0, 1, 2) with one rectangle, whole rows of 256-row units; then
    // the float channel's histogram pass over the same bands.
    std::size_t k = 0;
    std::set<std::int64_t> band_rows;
    while (k + 2 < reads.size() && channels[k] == 0) {
        EXPECT_EQ(channels[k + 1], 1u);
        EXPECT_EQ(channels[k + 2], 2u);
        EXPECT_EQ(reads[k + 1], reads[k]);
        EXPECT_EQ(reads[k + 2], reads[k]);
        EXPECT_EQ(reads[k].y % 256, 0);
        band_rows.insert(reads[k].y);
        k += 3;
    }
    EXPECT_EQ(band_rows.size(), 3u);  // 4 MB bands of 7000-byte rows: 512 rows
    EXPECT_EQ(reads.size() - k, band_rows.size());
    for (; k < reads.size(); ++k) {
        EXPECT_EQ(channels[k], 1u);
    }
    for (std::size_t c = 0; c < 3; ++c) {
        PlanarImage alone(1000, 1500);
        alone.add_channel("one", image->channels()[c].type);
        std::memcpy(alone.plane(0).data(), image->plane(c).data(), image->plane(c).size());
        auto reference = compute_statistics(alone);
        ASSERT_TRUE(reference.ok());
        // Summed in other bands: equal up to rounding.
        EXPECT_NEAR((*result)[c].mean, (*reference)[0].mean, 1e-12 * (*reference)[0].mean) << c;
        EXPECT_EQ((*result)[c].min, (*reference)[0].min) << c;
        EXPECT_EQ((*result)[c].max, (*reference)[0].max) << c;
        EXPECT_EQ((*result)[c].p50, (*reference)[0].p50) << c;
        EXPECT_EQ((*result)[c].histogram.bins, (*reference)[0].histogram.bins) << c;
    }
}

TEST(Statistics, SamplingATiledSourceReadsWholeTilesSpreadOverIt) {
    auto image = std::make_shared<PlanarImage>(4096, 2048);
    image->add_channel("Y", SampleType::U16);
    auto samples = image->samples<std::uint16_t>(0);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        samples[i] = static_cast<std::uint16_t>((i % 4096) / 16 + (i / 4096) / 8);  // 0..511
    }
    const TiledSource source(image);
    StatisticsOptions options;
    options.row_step = 32;  // 8 M pixels / 32: about 4 tiles' worth of samples
    auto sampled = compute_statistics(source, options);
    ASSERT_TRUE(sampled.ok()) << sampled.error().message;
    const auto reads = source.reads();
    // About as many tiles as the sample needs (a grid of 3 x 2 here), of the 128 there are.
    ASSERT_GE(reads.size(), 4u);
    ASSERT_LE(reads.size(), 8u);
    std::set<std::int64_t> columns, rows;
    for (const Rect& read : reads) {
        EXPECT_EQ(read.x % 256, 0);
        EXPECT_EQ(read.y % 256, 0);
        EXPECT_EQ(read.width, 256);
        EXPECT_EQ(read.height, 256);
        columns.insert(read.x);
        rows.insert(read.y);
    }
    EXPECT_GE(columns.size(), 2u) << "tiles spread across the image";
    EXPECT_GE(rows.size(), 2u);
    EXPECT_FALSE((*sampled)[0].exact);
    // Spread: the sample's mean is near the whole image's (255.5 + ...), not a corner's.
    auto exact = compute_statistics(*image);
    ASSERT_TRUE(exact.ok());
    EXPECT_NEAR((*sampled)[0].mean, (*exact)[0].mean, 0.1 * (*exact)[0].mean);
}

TEST(Statistics, AChannelWithoutFiniteValuesHasZeroStatistics) {
    PlanarImage image(2, 2);
    image.add_channel("nan", SampleType::F32);
    for (float& v : image.samples<float>(0))
        v = std::numeric_limits<float>::quiet_NaN();
    auto result = compute_statistics(image);
    ASSERT_TRUE(result.ok());
    EXPECT_EQ((*result)[0].finite, 0u);
    EXPECT_EQ((*result)[0].nan, 4u);
    EXPECT_EQ((*result)[0].percentile(50), 0.0);
}

}  // namespace
}  // namespace tessera::core
