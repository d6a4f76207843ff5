// The CPU reference compositor against values worked out by hand from the contract in
// core/CompositeMath.h.
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "core/display/CompositeMath.h"
#include "core/display/CpuCompositor.h"
#include "core/image/LabelSource.h"
#include "core/image/PlanarImage.h"

namespace tessera::core {
namespace {

std::array<int, 3> rgb_at(const RgbaImage& image, int x, int y) {
    const std::uint8_t* p = image.at(x, y);
    return {p[0], p[1], p[2]};
}

int to8(float v) {
    return static_cast<int>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
}

// Two f32 channels, 4x1 pixels, values chosen so every t is exact.
struct TwoChannels {
    PlanarImage image{4, 1};
    DisplaySettings settings;
    TwoChannels() {
        image.add_channel("a", SampleType::F32);
        image.add_channel("b", SampleType::F32);
        auto a = image.samples<float>(0);
        auto b = image.samples<float>(1);
        const float av[] = {0.0f, 0.25f, 0.5f, 1.0f};
        const float bv[] = {1.0f, 0.5f, 0.25f, 0.0f};
        std::copy(av, av + 4, a.begin());
        std::copy(bv, bv + 4, b.begin());
        settings.channels = {{true, named_colormap("magenta"), 0, 1, 1, 1},
                             {true, named_colormap("green"), 0, 1, 1, 1}};
    }
    RgbaImage render() {
        View view = View::of_rect(0, 0, 4, 1, 4, 1);
        view.sampling = Sampling::Nearest;
        auto out = composite_cpu(image, settings, view);
        EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
        return out.ok() ? std::move(out).value() : RgbaImage(4, 1);
    }
};

TEST(CpuCompositor, AdditiveSumsEachChannelsColour) {
    TwoChannels two;
    const RgbaImage out = two.render();
    EXPECT_EQ(rgb_at(out, 1, 0), (std::array<int, 3>{to8(0.25f), to8(0.5f), to8(0.25f)}));
    EXPECT_EQ(rgb_at(out, 0, 0), (std::array<int, 3>{0, 255, 0}));
}

TEST(CpuCompositor, MaxMinAndOverBlendAsSpecified) {
    TwoChannels two;
    two.settings.blend = BlendMode::Max;
    EXPECT_EQ(rgb_at(two.render(), 1, 0), (std::array<int, 3>{to8(0.25f), to8(0.5f), to8(0.25f)}));
    two.settings.blend = BlendMode::Min;
    // Min starts from white: magenta (0.25, 0, 0.25) then green (0, 0.5, 0) -> all zero.
    EXPECT_EQ(rgb_at(two.render(), 1, 0), (std::array<int, 3>{0, 0, 0}));
    two.settings.blend = BlendMode::Over;
    two.settings.channels[1].opacity = 0.5f;
    // Over: acc = rgb_c * opacity + acc * (1 - opacity) = green*0.5 over magenta*0.25.
    const RgbaImage over = two.render();
    EXPECT_EQ(rgb_at(over, 1, 0),
              (std::array<int, 3>{to8(0.25f * 0.5f), to8(0.5f * 0.5f), to8(0.25f * 0.5f)}));
}

TEST(CpuCompositor, LimitsAndGammaShapeTheRamp) {
    TwoChannels two;
    two.settings.channels[1].visible = false;
    two.settings.channels[0].lo = 0.25;
    two.settings.channels[0].hi = 0.75;
    two.settings.channels[0].gamma = 2.0f;
    const RgbaImage out = two.render();
    EXPECT_EQ(out.at(1, 0)[0], 0);           // at lo
    EXPECT_EQ(out.at(2, 0)[0], to8(0.25f));  // t = 0.5, squared
    EXPECT_EQ(out.at(3, 0)[0], 255);         // above hi
}

TEST(CpuCompositor, NonFiniteSamplesShowTheNanColour) {
    TwoChannels two;
    two.image.samples<float>(1)[2] = std::numeric_limits<float>::quiet_NaN();
    two.image.samples<float>(1)[3] = -std::numeric_limits<float>::infinity();
    two.settings.nan_colour = {1.0f, 0.5f, 0.0f};
    const RgbaImage out = two.render();
    EXPECT_EQ(rgb_at(out, 2, 0), (std::array<int, 3>{255, 128, 0}));
    EXPECT_EQ(rgb_at(out, 3, 0), (std::array<int, 3>{255, 128, 0}));
    two.settings.channels[1].visible = false;  // hidden channels do not count
    EXPECT_NE(rgb_at(two.render(), 2, 0), (std::array<int, 3>{255, 128, 0}));
}

TEST(CpuCompositor, EightBitColourImagesRoundTripAtZeroExposure) {
    PlanarImage image(256, 1);
    for (const char* name : {"R", "G", "B"}) {
        image.add_channel(name, SampleType::U8);
    }
    for (std::size_t i = 0; i < 256; ++i) {
        image.samples<std::uint8_t>(0)[i] = static_cast<std::uint8_t>(i);
        image.samples<std::uint8_t>(1)[i] = static_cast<std::uint8_t>(255 - i);
        image.samples<std::uint8_t>(2)[i] = static_cast<std::uint8_t>(i / 2);
    }
    const std::vector<ChannelStatistics> statistics(3);
    DisplaySettings settings = default_display(image.channels(), statistics, Transfer::Srgb);
    ASSERT_TRUE(settings.colour);
    View view = View::of_rect(0, 0, 256, 1, 256, 1);
    view.sampling = Sampling::Nearest;
    auto out = composite_cpu(image, settings, view);
    ASSERT_TRUE(out.ok());
    for (int i = 0; i < 256; ++i) {
        EXPECT_NEAR(out->at(i, 0)[0], i, 1) << i;
        EXPECT_NEAR(out->at(i, 0)[1], 255 - i, 1) << i;
        EXPECT_NEAR(out->at(i, 0)[2], i / 2, 1) << i;
    }
    settings.exposure = 1.0f;  // one stop brighter: linear values double
    auto brighter = composite_cpu(image, settings, view);
    ASSERT_TRUE(brighter.ok());
    const float linear = srgb_to_linear(100.0f / 255.0f) * 2.0f;
    EXPECT_NEAR(brighter->at(100, 0)[0], to8(linear_to_srgb(linear)), 1);
}

TEST(CpuCompositor, LinearColourIsEncodedAsSrgbAndAlphaShowsTheCheckerboard) {
    PlanarImage image(16, 1);
    for (const char* name : {"A", "B", "G", "R"}) {
        image.add_channel(name, SampleType::F32);
    }
    for (std::size_t i = 0; i < 16; ++i) {
        image.samples<float>(0)[i] = 0.0f;  // fully transparent
        image.samples<float>(3)[i] = 0.0f;
    }
    const std::vector<ChannelStatistics> statistics(4);
    DisplaySettings settings = default_display(image.channels(), statistics, Transfer::Linear);
    ASSERT_TRUE(settings.colour);
    EXPECT_EQ(settings.alpha_channel, 0);
    View view = View::of_rect(0, 0, 16, 1, 16, 1);
    auto out = composite_cpu(image, settings, view);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->at(0, 0)[0], to8(0.4f));  // dark square, shown as it is meant
    EXPECT_EQ(out->at(8, 0)[0], to8(0.6f));  // light square
}

TEST(CpuCompositor, LinearSamplingInterpolatesAndClampsAtTheEdges) {
    PlanarImage image(2, 1);
    image.add_channel("v", SampleType::F32);
    image.samples<float>(0)[0] = 0.0f;
    image.samples<float>(0)[1] = 1.0f;
    DisplaySettings settings;
    settings.channels = {{true, named_colormap("gray"), 0, 1, 1, 1}};
    View view = View::of_rect(0, 0, 2, 1, 8, 1);  // 4x magnified
    view.sampling = Sampling::Linear;
    auto out = composite_cpu(image, settings, view);
    ASSERT_TRUE(out.ok());
    // Output pixel i samples x = (i + 0.5) / 4; bilinear between texel centres 0.5 and 1.5.
    EXPECT_EQ(out->at(0, 0)[0], 0);            // x = 0.125: clamped to texel 0
    EXPECT_EQ(out->at(3, 0)[0], to8(0.375f));  // x = 0.875
    EXPECT_EQ(out->at(7, 0)[0], 255);          // x = 1.875: clamped to texel 1
}

TEST(CpuCompositor, OutsideTheImageIsBackgroundAndBadSettingsAreErrors) {
    TwoChannels two;
    two.settings.background = {0.0f, 0.0f, 1.0f};
    View view = View::of_rect(-2, 0, 2, 1, 4, 1);
    auto out = composite_cpu(two.image, two.settings, view);
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(rgb_at(*out, 0, 0), (std::array<int, 3>{0, 0, 255}));
    two.settings.channels[0].lo = 2;  // lo >= hi
    auto bad = composite_cpu(two.image, two.settings, view);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("channel a: the low limit"), std::string::npos);
}

TEST(DisplayDefaults, FollowNapariAndFijiConventions) {
    const std::vector<ChannelInfo> three{
        {"c0", SampleType::U16}, {"c1", SampleType::U16}, {"c2", SampleType::U16}};
    std::vector<ChannelStatistics> statistics(3);
    statistics[0].p0_1 = 10;
    statistics[0].p99_9 = 900;
    const DisplaySettings d = default_display(three, statistics, Transfer::Linear);
    EXPECT_FALSE(d.colour);
    EXPECT_EQ(colormap_name(d.channels[0].colormap), "cyan");
    EXPECT_EQ(colormap_name(d.channels[1].colormap), "magenta");
    EXPECT_EQ(colormap_name(d.channels[2].colormap), "yellow");
    EXPECT_EQ(d.channels[0].lo, 10);
    EXPECT_EQ(d.channels[0].hi, 900);
    EXPECT_EQ(d.blend, BlendMode::Additive);
    const std::vector<ChannelInfo> two{{"a"}, {"b"}};
    const DisplaySettings d2 =
        default_display(two, std::vector<ChannelStatistics>(2), Transfer::Linear);
    EXPECT_EQ(colormap_name(d2.channels[0].colormap), "magenta");
    EXPECT_EQ(colormap_name(d2.channels[1].colormap), "green");
    const std::vector<ChannelInfo> many(40, ChannelInfo{"c", SampleType::F32});
    const DisplaySettings d40 =
        default_display(many, std::vector<ChannelStatistics>(40), Transfer::Linear);
    EXPECT_EQ(
        std::count_if(d40.channels.begin(), d40.channels.end(), [](auto& c) { return c.visible; }),
        4);
    EXPECT_TRUE(d40.channels[3].visible);
    EXPECT_FALSE(d40.channels[4].visible);
    const std::vector<ChannelInfo> one{{"Y"}};
    EXPECT_EQ(
        colormap_name(default_display(one, std::vector<ChannelStatistics>(1), Transfer::Linear)
                          .channels[0]
                          .colormap),
        "gray");
}

TEST(DisplayDefaults, AChannelsOwnColourChoosesTheNearestRamp) {
    using Rgb = std::array<std::uint8_t, 3>;
    const std::vector<ChannelInfo> channels{
        {"DAPI", SampleType::U16, Rgb{0, 0, 255}},      {"GFP", SampleType::U16, Rgb{0, 128, 0}},
        {"mCherry", SampleType::U16, Rgb{230, 20, 10}}, {"Cy5", SampleType::U16, Rgb{255, 0, 255}},
        {"dim", SampleType::U16, Rgb{0, 0, 0}},         {"other", SampleType::U16}};
    const DisplaySettings d =
        default_display(channels, std::vector<ChannelStatistics>(6), Transfer::Linear);
    EXPECT_EQ(colormap_name(d.channels[0].colormap), "blue");
    EXPECT_EQ(colormap_name(d.channels[1].colormap), "green");
    EXPECT_EQ(colormap_name(d.channels[2].colormap), "red");
    EXPECT_EQ(colormap_name(d.channels[3].colormap), "magenta");
    EXPECT_EQ(colormap_name(d.channels[4].colormap), "gray");
    EXPECT_EQ(colormap_name(d.channels[5].colormap), "red");  // no colour: the cycle's sixth
}

}  // namespace
}  // namespace tessera::core

namespace tessera::core {
namespace {

// A 6 x 5 u16 label image: 0 background, a 3 x 3 square of id 1, id 2 beside it.
std::shared_ptr<const ImageSource> label_image() {
    auto image = std::make_shared<PlanarImage>(6, 5);
    image->add_channel("labels", SampleType::U16);
    const std::vector<std::uint16_t> ids{
        0, 0, 0, 0, 0, 0,  //
        0, 1, 1, 1, 2, 2,  //
        0, 1, 1, 1, 2, 2,  //
        0, 1, 1, 1, 2, 2,  //
        0, 0, 0, 0, 0, 0,
    };
    std::copy(ids.begin(), ids.end(), image->samples<std::uint16_t>(0).begin());
    return as_labels(image);
}

DisplaySettings label_settings(const ImageSource& image) {
    return default_display(image.channels(), {ChannelStatistics{}}, Transfer::Linear);
}

TEST(CpuCompositor, LabelColoursComeFromTheIdAndTheSeedAndZeroIsTransparent) {
    // Fixed for good: a palette change would recolour every saved screenshot and user habit.
    const auto rgb8 = [](std::uint32_t id, std::uint32_t seed) {
        const auto c = label_colour(id, seed);
        return std::array<int, 3>{to8(c[0]), to8(c[1]), to8(c[2])};
    };
    EXPECT_EQ(rgb8(1, 0), (std::array<int, 3>{204, 31, 99}));
    EXPECT_EQ(rgb8(2, 0), (std::array<int, 3>{42, 255, 38}));
    EXPECT_EQ(rgb8(3, 0), (std::array<int, 3>{195, 204, 92}));
    EXPECT_EQ(rgb8(1, 1), (std::array<int, 3>{31, 143, 204}));  // shuffled
    const auto image = label_image();
    DisplaySettings settings = label_settings(*image);
    const View view = View::fit(6, 5, 6, 5);
    const RgbaImage out = composite_cpu(*image, settings, view).value();
    EXPECT_EQ(rgb_at(out, 0, 0), (std::array<int, 3>{0, 0, 0}));  // 0: the background
    EXPECT_EQ(rgb_at(out, 2, 2), rgb8(1, 0));
    EXPECT_EQ(rgb_at(out, 5, 3), rgb8(2, 0));
    // Selected: the others dimmed to 30%.
    settings.labels.selected = 2;
    const RgbaImage selected = composite_cpu(*image, settings, view).value();
    EXPECT_EQ(rgb_at(selected, 5, 3), rgb8(2, 0));
    const auto one = label_colour(1, 0);
    EXPECT_EQ(rgb_at(selected, 2, 2),
              (std::array<int, 3>{to8(one[0] * 0.3f), to8(one[1] * 0.3f), to8(one[2] * 0.3f)}));
}

TEST(CpuCompositor, LabelsAreNeverInterpolatedAndContoursLieExactlyOnTheBoundaries) {
    const auto image = label_image();
    DisplaySettings settings = label_settings(*image);
    // Magnified 3.5x with linear sampling asked for: every pixel is one id's colour or black.
    View magnified = View::fit(6, 5, 21, 17);
    magnified.sampling = Sampling::Linear;
    const RgbaImage out = composite_cpu(*image, settings, magnified).value();
    const auto c1 = label_colour(1, 0);
    const auto c2 = label_colour(2, 0);
    const std::array<int, 3> one{to8(c1[0]), to8(c1[1]), to8(c1[2])};
    const std::array<int, 3> two{to8(c2[0]), to8(c2[1]), to8(c2[2])};
    for (int y = 0; y < out.height; ++y) {
        for (int x = 0; x < out.width; ++x) {
            const auto rgb = rgb_at(out, x, y);
            EXPECT_TRUE(rgb == one || rgb == two || rgb == (std::array<int, 3>{0, 0, 0}))
                << x << ", " << y;
        }
    }
    // Contours 1 pixel wide at 1:1: exactly the pixels of an id with a 4-neighbour of another
    // id (0 included) inside the image.
    settings.labels.contour = 1;
    const RgbaImage contours = composite_cpu(*image, settings, View::fit(6, 5, 6, 5)).value();
    const std::vector<std::string> expected{
        "......",  //
        ".11122",  //
        ".1.12.",  // the image's edge is not a boundary
        ".11122",  //
        "......",
    };
    for (int y = 0; y < 5; ++y) {
        for (int x = 0; x < 6; ++x) {
            const char e = expected[static_cast<std::size_t>(y)][static_cast<std::size_t>(x)];
            const auto rgb = rgb_at(contours, x, y);
            const std::array<int, 3> want = e == '1'   ? one
                                            : e == '2' ? two
                                                       : std::array<int, 3>{0, 0, 0};
            EXPECT_EQ(rgb, want) << x << ", " << y;
        }
    }
}

}  // namespace
}  // namespace tessera::core

namespace tessera::core {
namespace {

// The colour histogram's white point is the value the compositor brings to exactly 1, and
// dragging it there gives back the exposure.
TEST(ColourWhitePoint, IsTheValueShownAtFullBrightnessForEveryExposureOffsetAndEncoding) {
    for (const bool srgb : {false, true}) {
        for (const float exposure : {-2.0f, 0.0f, 1.5f}) {
            for (const float offset : {0.0f, 0.1f}) {
                ImageUniforms image;
                image.colour = true;
                image.srgb_input = srgb;
                image.exposure_scale = std::exp2(exposure);
                image.offset = offset;
                const ChannelUniforms c{0, 1, 1, 1, named_colormap("gray")};
                const double white = colour_white_point(0, 1, exposure, offset, srgb);
                if (std::isinf(white)) {
                    EXPECT_TRUE(srgb && (1 - offset) / std::exp2(exposure) > 1);
                    continue;
                }
                const auto shown = [&](double v) {
                    Accumulator acc = begin_accumulator(image);
                    accumulate(acc, static_cast<float>(v), c, image);
                    return acc.rgb[0];
                };
                EXPECT_NEAR(shown(white), 1.0f, 1e-5) << srgb << exposure << offset;
                EXPECT_LT(shown(white * 0.9), 0.999f) << srgb << exposure << offset;
                EXPECT_NEAR(exposure_for_white(white, 0, 1, offset, srgb), exposure, 1e-4);
            }
        }
    }
}

}  // namespace
}  // namespace tessera::core
