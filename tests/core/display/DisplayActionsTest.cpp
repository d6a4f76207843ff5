// The display actions users take, on settings alone.
#include <gtest/gtest.h>

#include "core/display/Colormap.h"
#include "core/display/DisplayActions.h"

namespace tessera::core {
namespace {

DisplaySettings three_channels() {
    DisplaySettings d;
    d.channels.resize(3);
    for (auto& c : d.channels) {
        c.visible = true;
    }
    return d;
}

TEST(DisplayActions, ToggleAndSoloChangeVisibilityOnly) {
    DisplaySettings d = three_channels();
    toggle_channel(d, 1);
    EXPECT_FALSE(d.channels[1].visible);
    toggle_channel(d, 7);  // ignored
    solo_channel(d, 2);
    EXPECT_EQ(d.visible_channels(), (std::vector<std::size_t>{2}));
    solo_channel(d, 2);  // solo again: everything back
    EXPECT_EQ(d.visible_channels(), (std::vector<std::size_t>{0, 1, 2}));
    set_channel_visible(d, 0, false);
    EXPECT_EQ(d.visible_channels(), (std::vector<std::size_t>{1, 2}));
}

TEST(DisplayActions, AutoUsesPercentilesFullUsesTheRangeAndFlatChannelsStayDrawable) {
    DisplaySettings d = three_channels();
    std::vector<ChannelStatistics> s(3);
    s[0].min = 0, s[0].max = 1000, s[0].p0_1 = 10, s[0].p99_9 = 900;
    s[1].min = 5, s[1].max = 5, s[1].p0_1 = 5, s[1].p99_9 = 5;
    auto_contrast(d, s, 0);
    EXPECT_EQ(d.channels[0].lo, 10);
    EXPECT_EQ(d.channels[0].hi, 900);
    full_range(d, s, 0);
    EXPECT_EQ(d.channels[0].lo, 0);
    EXPECT_EQ(d.channels[0].hi, 1000);
    auto_contrast(d, s, 1);  // a constant channel: a range of one, not zero
    EXPECT_EQ(d.channels[1].lo, 5);
    EXPECT_EQ(d.channels[1].hi, 6);
    d.channels[2].visible = false;
    d.channels[0].lo = -1;
    auto_contrast_visible(d, s);
    EXPECT_EQ(d.channels[0].lo, 10);
    auto_contrast(d, std::span(s).first(1), 2);  // no statistics for it: ignored
}

TEST(DisplayActions, ColormapsCycleAndASetColormapLeavesColourMode) {
    DisplaySettings d = three_channels();
    d.colour = true;
    const std::size_t count = colormap_names().size();
    for (std::size_t i = 0; i < count; ++i) {
        cycle_colormap(d, 0);
    }
    EXPECT_EQ(d.channels[0].colormap.index, 0);
    set_colormap(d, 1, named_colormap("magma"));
    EXPECT_EQ(d.channels[1].colormap, named_colormap("magma"));
    EXPECT_FALSE(d.colour);
}

}  // namespace
}  // namespace tessera::core
