#include <algorithm>
#include <cstdint>

#include <gtest/gtest.h>

#include "assets/DemoImage.h"

namespace tessera::assets {
namespace {

TEST(DemoImage, HasThreeNamedSixteenBitChannels) {
    const auto demo = make_fluorescence_demo(256, 192);
    ASSERT_EQ(demo->channel_count(), 3u);
    EXPECT_EQ(demo->width(), 256);
    EXPECT_EQ(demo->height(), 192);
    EXPECT_EQ(demo->channels()[0].name, "DAPI");
    EXPECT_EQ(demo->channels()[1].name, "Actin");
    EXPECT_EQ(demo->channels()[2].name, "Mito");
    for (const auto& channel : demo->channels()) {
        EXPECT_EQ(channel.type, core::SampleType::U16);
    }
}

TEST(DemoImage, EveryChannelHasStructureAboveItsBackground) {
    const auto demo = make_fluorescence_demo(256, 192);
    for (std::size_t c = 0; c < demo->channel_count(); ++c) {
        auto samples = demo->samples<std::uint16_t>(c);
        const auto [lo, hi] = std::minmax_element(samples.begin(), samples.end());
        EXPECT_LT(*lo, 2000) << demo->channels()[c].name;
        EXPECT_GT(*hi, 8000) << demo->channels()[c].name;
    }
}

TEST(DemoImage, IsTheSameOnEveryCall) {
    const auto a = make_fluorescence_demo(128, 96);
    const auto b = make_fluorescence_demo(128, 96);
    for (std::size_t c = 0; c < a->channel_count(); ++c) {
        EXPECT_TRUE(std::ranges::equal(a->plane(c), b->plane(c)));
    }
}

}  // namespace
}  // namespace tessera::assets
