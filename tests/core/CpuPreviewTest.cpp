#include <cmath>
#include <cstdint>

#include <gtest/gtest.h>

#include "core/CpuPreview.h"
#include "core/PlanarImage.h"

namespace tessera::core {
namespace {

TEST(CpuPreview, DefaultTintsFollowNapariConventions) {
    EXPECT_EQ(default_tint(0, 1), (std::array<float, 3>{1, 1, 1}));
    EXPECT_EQ(default_tint(0, 2), (std::array<float, 3>{1, 0, 1}));
    EXPECT_EQ(default_tint(1, 2), (std::array<float, 3>{0, 1, 0}));
    EXPECT_EQ(default_tint(0, 3), (std::array<float, 3>{0, 1, 1}));
    EXPECT_EQ(default_tint(6, 7), default_tint(0, 7));
}

TEST(CpuPreview, DefaultLimitsAreThePercentilesOfFiniteValues) {
    PlanarImage image(1001, 1);
    image.add_channel("f", SampleType::U16);
    auto f = image.samples<std::uint16_t>(0);
    for (std::size_t i = 0; i < f.size(); ++i) {
        f[i] = static_cast<std::uint16_t>(i * 10);  // 0..10000: p0.1 = 10, p99.9 = 9990
    }
    auto statistics = compute_statistics(image);
    ASSERT_TRUE(statistics.ok());
    const auto channels = default_preview_channels(image.channels(), statistics.value());
    EXPECT_FLOAT_EQ(channels[0].lo, 10.0f);
    EXPECT_FLOAT_EQ(channels[0].hi, 9990.0f);
}

TEST(CpuPreview, ColourImagesShowRedGreenBlueAndHideAlpha) {
    const std::vector<ChannelInfo> rgba{{"R"}, {"G"}, {"B"}, {"A"}};
    const std::vector<ChannelStatistics> statistics(4);
    const auto channels = default_preview_channels(rgba, statistics);
    EXPECT_EQ(channels[0].tint, (std::array<float, 3>{1, 0, 0}));
    EXPECT_EQ(channels[2].tint, (std::array<float, 3>{0, 0, 1}));
    EXPECT_FALSE(channels[3].visible);
    EXPECT_EQ(channels[3].hi, 1.0f);  // a constant channel still gets an ordered range
}

TEST(CpuPreview, LargeImagesArePreviewedAtAStride) {
    PlanarImage image(100, 40);
    image.add_channel("x", SampleType::U8);
    auto x = image.samples<std::uint8_t>(0);
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = static_cast<std::uint8_t>(i % 100);
    }
    EXPECT_EQ(preview_stride(image, 30), 4);
    auto out = composite_preview(image, {{true, {1, 1, 1}, 0, 99}}, 30);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->width, 25);
    EXPECT_EQ(out->height, 10);
    EXPECT_EQ(out->at(1, 0)[0], static_cast<std::uint8_t>(std::lround(4 * 255 / 99.0)));
}

TEST(CpuPreview, ChannelsAddTheirTintsScaledBetweenLimits) {
    PlanarImage image(2, 1);
    image.add_channel("a", SampleType::U8);
    image.add_channel("b", SampleType::U16);
    image.samples<std::uint8_t>(0)[0] = 255;
    image.samples<std::uint8_t>(0)[1] = 0;
    image.samples<std::uint16_t>(1)[0] = 500;
    image.samples<std::uint16_t>(1)[1] = 1000;
    const std::vector<PreviewChannel> channels{{true, {1, 0, 1}, 0, 255},
                                               {true, {0, 1, 0}, 0, 1000}};
    auto out = composite_preview(image, channels);
    ASSERT_TRUE(out.ok());
    const std::uint8_t* p0 = out->at(0, 0);
    EXPECT_EQ(p0[0], 255);
    EXPECT_EQ(p0[1], 128);  // 500 of 0..1000 -> 0.5 -> 127.5 rounds to 128
    EXPECT_EQ(p0[2], 255);
    EXPECT_EQ(p0[3], 255);
    const std::uint8_t* p1 = out->at(1, 0);
    EXPECT_EQ(p1[0], 0);
    EXPECT_EQ(p1[1], 255);

    auto hidden = channels;
    hidden[1].visible = false;
    auto without_green = composite_preview(image, hidden);
    ASSERT_TRUE(without_green.ok());
    EXPECT_EQ(without_green->at(0, 0)[1], 0);
}

}  // namespace
}  // namespace tessera::core
