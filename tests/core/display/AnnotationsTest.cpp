// Colour bars: which channels get one, the colours along a bar, where the bars lie, and that the
// drawn pixels are those colours and a line of text under each gradient.
#include <gtest/gtest.h>

#include "core/display/Annotations.h"
#include "core/display/CompositeMath.h"

namespace tessera::core {
namespace {

std::vector<ChannelInfo> four_channels() {
    std::vector<ChannelInfo> channels{{"DAPI", SampleType::U16},
                                      {"hidden", SampleType::U8},
                                      {"ratio", SampleType::F32},
                                      {"cells", SampleType::U16}};
    channels[3].labels = true;
    return channels;
}

TEST(ColourBar, EveryVisibleChannelButLabelsGetsABarWithItsMapLimitsAndGamma) {
    const auto channels = four_channels();
    DisplaySettings display;
    display.channels.resize(4);
    display.channels[0] = {true, named_colormap("cyan"), 600, 37254.4, 0.5f, 1};
    display.channels[1].visible = false;
    display.channels[2] = {true, named_colormap("magma"), -0.25, 1.5, 1, 0.3f};
    const auto bars = colour_bars(display, channels);
    ASSERT_EQ(bars.size(), 2u);
    EXPECT_EQ(bars[0].name, "DAPI");
    EXPECT_TRUE(bars[0].integer);
    EXPECT_EQ(bars[0].gamma, 0.5f);
    EXPECT_EQ(bars[1].name, "ratio");
    EXPECT_FALSE(bars[1].integer);
    EXPECT_EQ(colour_bar_label(bars[0].hi, true), "37254");
    EXPECT_EQ(colour_bar_label(bars[1].lo, false), "-0.25");
    EXPECT_EQ(colour_bar_label(1.0 / 3.0, false), "0.3333");
    // The gradient is the map at t^gamma: what the compositor shows for that value alone.
    EXPECT_EQ(colour_bar_colour(bars[0], 0.25f), sample_colormap(named_colormap("cyan"), 0.5f));
    EXPECT_EQ(colour_bar_colour(bars[1], 2.0f), sample_colormap(named_colormap("magma"), 1.0f));
    display.colour = true;
    EXPECT_TRUE(colour_bars(display, channels).empty()) << "colour images show their own colours";
}

TEST(ColourBar, BarsAreDrawnInTheBottomLeftCornerOfTheirAreaAsTheLayoutSays) {
    const std::vector<ColourBar> bars{{"a", named_colormap("gray"), 1, 0, 255, true},
                                      {"b", named_colormap("viridis"), 2, 0, 1, false}};
    RgbaImage image(400, 300);
    const ColourBarRect area{100, 20, 300, 280};
    draw_colour_bars(image, bars, 1, area);
    const ColourBarLayout layout = colour_bar_layout(area, 2);
    ASSERT_EQ(layout.gradients.size(), 2u);
    EXPECT_EQ(layout.box.x, 110);
    EXPECT_EQ(layout.box.y + layout.box.height, 290) << "a 10-pixel margin at the bottom";
    EXPECT_LT(layout.gradients[0].y, layout.gradients[1].y) << "one row per bar, in order";
    for (std::size_t b = 0; b < 2; ++b) {
        const ColourBarRect& g = layout.gradients[b];
        for (const int x : {0, g.width / 3, g.width - 1}) {
            const float t = (static_cast<float>(x) + 0.5f) / static_cast<float>(g.width);
            const auto rgb = colour_bar_colour(bars[b], t);
            const std::uint8_t* p = image.at(g.x + x, g.y + g.height / 2);
            for (int k = 0; k < 3; ++k) {
                EXPECT_NEAR(p[k], rgb[static_cast<std::size_t>(k)] * 255.0f, 1.0f)
                    << "bar " << b << " x " << x;
            }
        }
        // White text under the gradient: the lower limit at its left end.
        int white = 0;
        for (int y = layout.names[b][1]; y < layout.names[b][1] + layout.text_height; ++y) {
            for (int x = g.x; x < g.x + 12; ++x) {
                white += image.at(x, y)[0] == 255 && image.at(x, y)[1] == 255;
            }
        }
        EXPECT_GT(white, 4) << "bar " << b;
    }
    // Outside the box nothing changes; inside it, behind the text, the image is darkened.
    EXPECT_EQ(image.at(105, 250)[3], 0);
    EXPECT_EQ(image.at(layout.box.x + 1, layout.box.y + 1)[3], 255);

    RgbaImage small(60, 40);
    draw_colour_bars(small, bars);
    for (std::size_t i = 3; i < small.pixels.size(); i += 4) {
        ASSERT_EQ(small.pixels[i], 0) << "no room: nothing drawn";
    }
}

}  // namespace
}  // namespace tessera::core

namespace tessera::core {
namespace {

TEST(ScaleBar, PixelSizesParseWithTheirUnitsAndMicronsByDefault) {
    const auto um = parse_physical_size("0.65um");
    ASSERT_TRUE(um);
    EXPECT_EQ(um->per_pixel, 0.65);
    EXPECT_EQ(um->unit, "µm");
    EXPECT_EQ(parse_physical_size("0.65 µm")->unit, "µm");
    EXPECT_EQ(parse_physical_size("120nm")->unit, "nm");
    EXPECT_EQ(parse_physical_size("2e-3 mm")->per_pixel, 2e-3);
    EXPECT_EQ(parse_physical_size("3")->unit, "µm");
    for (const char* bad : {"", "um", "-1um", "0um", "1 furlong", "nan", "1e999um", "1.2.3um"}) {
        EXPECT_FALSE(parse_physical_size(bad)) << bad;
    }
}

TEST(ScaleBar, TheLongestRoundLengthThatFitsInTheLargestUnitThatKeepsItAtLeastOne) {
    // 0.65 µm per pixel at 2x: 0.325 µm per screen pixel; at most 150 pixels is 48.75 µm.
    auto bar = scale_bar({0.65, "µm"}, 2.0);
    ASSERT_TRUE(bar);
    EXPECT_EQ(bar->length, 20);
    EXPECT_EQ(bar->unit, "µm");
    EXPECT_NEAR(bar->pixels, 20 / 0.325, 1e-9);
    EXPECT_EQ(bar->label(), "20 µm");
    EXPECT_EQ(scale_bar({0.65, "µm"}, 0.01)->label(), "5 mm") << "9.75 mm fit: 5 mm";
    EXPECT_EQ(scale_bar({120, "nm"}, 1.0)->label(), "10 µm") << "18 µm fit";
    EXPECT_EQ(scale_bar({0.1, "nm"}, 1.0)->label(), "10 nm");
    EXPECT_FALSE(scale_bar({0, "µm"}, 1.0));
    EXPECT_FALSE(scale_bar({1, "µm"}, 0));

    RgbaImage image(300, 200);
    draw_scale_bar(image, *bar);
    const ScaleBarLayout layout = scale_bar_layout({0, 0, 300, 200}, *bar, 0);
    EXPECT_EQ(layout.bar.width, static_cast<int>(std::lround(bar->pixels)));
    EXPECT_EQ(layout.box.x + layout.box.width, 290) << "a 10-pixel margin on the right";
    for (const int x : {layout.bar.x, layout.bar.x + layout.bar.width - 1}) {
        const std::uint8_t* p = image.at(x, layout.bar.y + 1);
        EXPECT_EQ(p[0], 255);
        EXPECT_EQ(p[1], 255);
    }
    EXPECT_EQ(image.at(layout.bar.x - 1, layout.bar.y + 1)[0], 0) << "the bar ends there";
}

}  // namespace
}  // namespace tessera::core
