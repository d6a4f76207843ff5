// Comparing against a reference: tev's five metrics at ordinary values, zero and negative
// references, NaN and infinities; statistics against a long-double brute force on random images
// with NaN, the same on one thread and on two; channel pairing; the difference as a source that
// follows a live input's damage; how a difference is shown.
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "core/compare/Difference.h"
#include "core/image/PlanarImage.h"

namespace tessera::core {
namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

std::shared_ptr<PlanarImage> f32_image(std::int64_t w, std::int64_t h,
                                       const std::vector<std::vector<float>>& channels,
                                       const std::vector<std::string>& names) {
    auto image = std::make_shared<PlanarImage>(w, h);
    for (std::size_t c = 0; c < channels.size(); ++c) {
        image->add_channel(names[c], SampleType::F32);
        std::memcpy(image->plane(c).data(), channels[c].data(), channels[c].size() * 4);
    }
    return image;
}

std::vector<float> read_all(const ImageSource& image, std::size_t channel) {
    std::vector<float> values(static_cast<std::size_t>(image.bounds().area()));
    EXPECT_TRUE(
        image.read_region({channel, {}}, image.bounds(), std::as_writable_bytes(std::span(values)))
            .ok());
    return values;
}

TEST(Difference, TheFiveMetricsFollowTevWithAPositiveDenominator) {
    EXPECT_FLOAT_EQ(apply_error_metric(3, 5, ErrorMetric::Error), -2);
    EXPECT_FLOAT_EQ(apply_error_metric(3, 5, ErrorMetric::AbsoluteError), 2);
    EXPECT_FLOAT_EQ(apply_error_metric(3, 5, ErrorMetric::SquaredError), 4);
    EXPECT_FLOAT_EQ(apply_error_metric(3, 5, ErrorMetric::RelativeAbsoluteError), 2 / 5.01f);
    EXPECT_FLOAT_EQ(apply_error_metric(3, 5, ErrorMetric::RelativeSquaredError), 4 / 25.01f);
    // A zero reference divides by the epsilon alone; a negative one by its size.
    EXPECT_FLOAT_EQ(apply_error_metric(0.5f, 0, ErrorMetric::RelativeAbsoluteError), 50);
    EXPECT_FLOAT_EQ(apply_error_metric(0.5f, 0, ErrorMetric::RelativeSquaredError), 25);
    EXPECT_FLOAT_EQ(apply_error_metric(-1, -2, ErrorMetric::RelativeAbsoluteError), 1 / 2.01f);
    EXPECT_FLOAT_EQ(apply_error_metric(-0.01f, -0.01f, ErrorMetric::RelativeAbsoluteError), 0);
    for (int m = 0; m < kErrorMetricCount; ++m) {
        const auto metric = static_cast<ErrorMetric>(m);
        EXPECT_TRUE(std::isnan(apply_error_metric(kNan, 1, metric))) << short_name(metric);
        EXPECT_TRUE(std::isnan(apply_error_metric(1, kNan, metric))) << short_name(metric);
        EXPECT_TRUE(std::isnan(apply_error_metric(kInf, kInf, metric))) << short_name(metric);
        EXPECT_TRUE(std::isnan(apply_error_metric(1, -kInf, metric))) << short_name(metric);
        EXPECT_EQ(apply_error_metric(2, 2, metric), 0.0f) << short_name(metric);
        EXPECT_EQ(parse_error_metric(short_name(metric)), metric);
        EXPECT_EQ(parse_error_metric(long_name(metric)), metric);
    }
    EXPECT_EQ(parse_error_metric("rae"), ErrorMetric::RelativeAbsoluteError);
    EXPECT_FALSE(parse_error_metric("MAPE"));
}

TEST(Difference, ChannelsPairByNameOrElseByPosition) {
    const std::vector<ChannelInfo> rgba{{"R"}, {"G"}, {"B"}, {"A"}};
    const std::vector<ChannelInfo> bgr{{"B"}, {"G"}, {"R"}, {"Z"}};
    const ChannelMatch named = match_channels(rgba, bgr);
    ASSERT_EQ(named.pairs.size(), 3u);
    EXPECT_EQ(named.pairs[0].name, "R");
    EXPECT_EQ(named.pairs[0].b, 2u);
    EXPECT_EQ(named.pairs[2].name, "B");
    EXPECT_EQ(named.pairs[2].b, 0u);
    EXPECT_EQ(named.only_a, std::vector<std::string>{"A"});
    EXPECT_EQ(named.only_b, std::vector<std::string>{"Z"});
    const ChannelMatch positional = match_channels({{"c0"}, {"c1"}}, {{"Y"}, {"X"}});
    ASSERT_EQ(positional.pairs.size(), 2u);
    EXPECT_EQ(positional.pairs[1].a, 1u);
    EXPECT_EQ(positional.pairs[1].b, 1u);
    const ChannelMatch none = match_channels({{"c0"}}, {{"Y"}, {"X"}});
    EXPECT_TRUE(none.pairs.empty());
    EXPECT_EQ(none.only_b.size(), 2u);
}

TEST(Difference, StatisticsMatchABruteForceAndDoNotDependOnThreads) {
    // 157 x 203: bands of 64 rows, the last partial. u16 image against an f32 reference.
    const std::int64_t w = 157;
    const std::int64_t h = 203;
    std::mt19937 random(7);
    std::uniform_int_distribution<int> code(0, 65535);
    std::normal_distribution<float> noise(0, 300);
    auto a = std::make_shared<PlanarImage>(w, h);
    a->add_channel("Y", SampleType::U16);
    auto b = std::make_shared<PlanarImage>(w, h);
    b->add_channel("Y", SampleType::F32);
    auto av = a->samples<std::uint16_t>(0);
    auto bv = b->samples<float>(0);
    for (std::size_t i = 0; i < av.size(); ++i) {
        av[i] = static_cast<std::uint16_t>(code(random));
        bv[i] = static_cast<float>(av[i]) + noise(random);
    }
    bv[5] = kNan;
    bv[9000] = kInf;
    // Two pixels share the largest error: the first in reading order is reported.
    bv[4 * w + 3] = static_cast<float>(av[4 * w + 3]) - 50000;
    bv[150 * w + 100] = static_cast<float>(av[150 * w + 100]) - 50000;
    long double n = 0, e = 0, ae = 0, se = 0, rae = 0, rse = 0;
    for (std::size_t i = 0; i < av.size(); ++i) {
        const long double x = av[i];
        const long double r = bv[i];
        if (!std::isfinite(bv[i])) {
            continue;
        }
        const long double d = x - r;
        n += 1;
        e += d;
        ae += std::fabs(d);
        se += d * d;
        rae += std::fabs(d) / (std::fabs(r) + 0.01L);
        rse += d * d / (r * r + 0.01L);
    }
    const CompareInput ia{a, {}};
    const CompareInput ib{b, {}};
    const std::vector<ChannelPair> pairs{{0, 0, "Y"}};
    const auto one = difference_statistics(ia, ib, pairs, 1);
    const auto two = difference_statistics(ia, ib, pairs, 2);
    ASSERT_TRUE(one.ok()) << one.error().message;
    ASSERT_TRUE(two.ok()) << two.error().message;
    const DifferenceStatistics& s = one->front();
    EXPECT_EQ(s.pixels, static_cast<std::uint64_t>(w * h - 2));
    EXPECT_EQ(s.non_finite, 2u);
    EXPECT_NEAR(s.mean_error, static_cast<double>(e / n), 1e-9 * 50000);
    EXPECT_NEAR(s.mean_absolute_error, static_cast<double>(ae / n), 1e-9 * 50000);
    EXPECT_NEAR(s.mean_squared_error, static_cast<double>(se / n),
                1e-9 * static_cast<double>(se / n));
    EXPECT_NEAR(s.rmse, std::sqrt(static_cast<double>(se / n)), 1e-6);
    EXPECT_NEAR(s.mean_relative_absolute_error, static_cast<double>(rae / n), 1e-9);
    EXPECT_NEAR(s.mean_relative_squared_error, static_cast<double>(rse / n), 1e-9);
    EXPECT_EQ(s.peak, 65535);
    EXPECT_NEAR(s.psnr, 10 * std::log10(65535.0 * 65535.0 / static_cast<double>(se / n)), 1e-9);
    EXPECT_EQ(s.max_absolute_error, 50000);
    EXPECT_EQ(s.max_x, 3);
    EXPECT_EQ(s.max_y, 4);
    const DifferenceStatistics& t = two->front();
    EXPECT_EQ(t.mean_error, s.mean_error);
    EXPECT_EQ(t.mean_squared_error, s.mean_squared_error);
    EXPECT_EQ(t.max_x, s.max_x);
    EXPECT_EQ(t.max_y, s.max_y);
}

TEST(Difference, IdenticalImagesHaveInfinitePsnrAndNoFiniteValuesGiveNan) {
    auto a = f32_image(2, 1, {{1, 2}}, {"Y"});
    const auto same = difference_statistics({a, {}}, {a, {}}, {{0, 0, "Y"}});
    ASSERT_TRUE(same.ok());
    EXPECT_EQ(same->front().mean_squared_error, 0);
    EXPECT_TRUE(std::isinf(same->front().psnr));
    auto nan = f32_image(2, 1, {{kNan, kInf}}, {"Y"});
    const auto none = difference_statistics({a, {}}, {nan, {}}, {{0, 0, "Y"}});
    ASSERT_TRUE(none.ok());
    EXPECT_EQ(none->front().pixels, 0u);
    EXPECT_EQ(none->front().non_finite, 2u);
    EXPECT_TRUE(std::isnan(none->front().rmse));
    auto wide = f32_image(3, 1, {{1, 2, 3}}, {"Y"});
    const auto mismatch = difference_statistics({a, {}}, {wide, {}}, {{0, 0, "Y"}});
    ASSERT_FALSE(mismatch.ok());
    EXPECT_NE(mismatch.error().message.find("2x1 and 3x1"), std::string::npos);
}

TEST(Difference, TheDifferenceImageIsComputedAsReadAndFollowsALiveInput) {
    auto a = f32_image(4, 3, {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, std::vector<float>(12, 1)},
                       {"R", "G"});
    auto b = f32_image(4, 3, {std::vector<float>(12, 1), std::vector<float>(12, 2)}, {"G", "R"});
    const ChannelMatch match = match_channels(a->channels(), b->channels());
    auto difference = DifferenceImage::create({a, {}}, {b, {}}, match.pairs, ErrorMetric::Error);
    ASSERT_TRUE(difference.ok()) << difference.error().message;
    const DifferenceImage& image = **difference;
    ASSERT_EQ(image.channel_count(), 2u);
    EXPECT_EQ(image.channels()[0].name, "R");
    EXPECT_EQ(image.channels()[0].type, SampleType::F32);
    const auto r = read_all(image, 0);  // R - R: a's 1..12 less 2
    const auto g = read_all(image, 1);  // G - G: 1 - 1
    for (std::size_t i = 0; i < 12; ++i) {
        EXPECT_EQ(r[i], static_cast<float>(i + 1) - 2) << i;
        EXPECT_EQ(g[i], 0) << i;
    }
    // A live write into the reference: the difference's revision moves and its damage covers
    // the rectangle written, and a read shows the new values.
    const std::uint64_t before = image.revision();
    const std::vector<float> patch{7, 7};
    ASSERT_TRUE(b->write_region({1, {}}, {2, 1, 2, 1}, std::as_bytes(std::span(patch))).ok());
    EXPECT_GT(image.revision(), before);
    const auto damage = image.damage_since(before);
    ASSERT_FALSE(damage.empty());
    bool covered = false;
    for (const Damage& d : damage) {
        covered = covered || (d.rect.x <= 2 && d.rect.y <= 1 && d.rect.x + d.rect.width >= 4 &&
                              d.rect.y + d.rect.height >= 2);
    }
    EXPECT_TRUE(covered);
    EXPECT_TRUE(image.damage_since(image.revision()).empty());
    const auto changed = read_all(image, 0);
    EXPECT_EQ(changed[6], 7 - 7);
    EXPECT_EQ(changed[7], 8 - 7);
    EXPECT_EQ(changed[5], 6 - 2);
    // Refused: different sizes, nothing to pair.
    auto small = f32_image(2, 2, {std::vector<float>(4, 0)}, {"R"});
    EXPECT_FALSE(DifferenceImage::create({a, {}}, {small, {}}, match.pairs, ErrorMetric::Error));
    EXPECT_FALSE(DifferenceImage::create({a, {}}, {b, {}}, {}, ErrorMetric::Error));
}

TEST(Difference, ASignedDifferenceIsShownDivergingAroundZeroAndAlphaIsNotCoverage) {
    ChannelStatistics s;
    s.p0_1 = -3;
    s.p99_9 = 2;
    const DisplaySettings one = difference_display({{"Y"}}, {s}, ErrorMetric::Error);
    ASSERT_EQ(one.channels.size(), 1u);
    EXPECT_EQ(colormap_name(one.channels[0].colormap), "coolwarm");
    EXPECT_EQ(one.channels[0].lo, -3);
    EXPECT_EQ(one.channels[0].hi, 3);
    const DisplaySettings unsigned_one =
        difference_display({{"Y"}}, {s}, ErrorMetric::SquaredError);
    EXPECT_EQ(colormap_name(unsigned_one.channels[0].colormap), "inferno");
    EXPECT_EQ(unsigned_one.channels[0].lo, 0);
    ChannelStatistics zero;
    const DisplaySettings rgba = difference_display(
        {{"R"}, {"G"}, {"B"}, {"A"}}, {s, zero, zero, zero}, ErrorMetric::AbsoluteError);
    EXPECT_TRUE(rgba.colour);
    EXPECT_EQ(rgba.alpha_channel, -1);
    EXPECT_FALSE(rgba.channels[3].visible);
    for (std::size_t c = 0; c < 3; ++c) {
        EXPECT_EQ(rgba.channels[c].lo, 0) << c;
        EXPECT_EQ(rgba.channels[c].hi, 3) << c;  // shared: the largest over the channels
    }
}

}  // namespace
}  // namespace tessera::core
