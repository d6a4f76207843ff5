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

TEST(CpuPreview, DefaultLimitsSpanEachChannelsFiniteRange) {
    PlanarImage image(3, 1);
    image.add_channel("f", SampleType::F32);
    auto f = image.samples<float>(0);
    f[0] = -2.0f;
    f[1] = 6.0f;
    f[2] = std::numeric_limits<float>::quiet_NaN();
    auto channels = default_preview_channels(image);
    ASSERT_TRUE(channels.ok());
    EXPECT_EQ(channels.value()[0].lo, -2.0f);
    EXPECT_EQ(channels.value()[0].hi, 6.0f);
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
