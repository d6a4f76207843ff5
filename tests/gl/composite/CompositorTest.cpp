// The GPU compositor against the CPU reference (core/CpuCompositor), tiled against untiled, and
// the upload counter against display changes.
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/display/CpuCompositor.h"
#include "core/image/LabelSource.h"
#include "core/image/PlanarImage.h"
#include "gl/composite/Compositor.h"
#include "gl/image/StreamingImage.h"
#include "gl/objects/Framebuffer.h"
#include "gl/objects/Readback.h"
#include "tests/gl/GlTest.h"

namespace tessera::gl {
namespace {

using core::SampleType;

// Each sample is a function of its coordinates and channel, so a misplaced texel shows.
std::shared_ptr<core::PlanarImage> make_image(SampleType type, int width, int height, int channels,
                                              bool non_finite = true) {
    auto image = std::make_shared<core::PlanarImage>(width, height);
    for (int c = 0; c < channels; ++c) {
        image->add_channel(fmt::format("c{}", c), type);
    }
    for (int c = 0; c < channels; ++c) {
        const auto cc = static_cast<std::size_t>(c);
        for (int y = 0; y < height; ++y) {
            for (int x = 0; x < width; ++x) {
                const std::size_t i = static_cast<std::size_t>(y) * width + x;
                switch (type) {
                    case SampleType::U8:
                        image->samples<std::uint8_t>(cc)[i] =
                            static_cast<std::uint8_t>((x * 7 + y * 13 + c * 40) % 256);
                        break;
                    case SampleType::U16:
                        image->samples<std::uint16_t>(cc)[i] =
                            static_cast<std::uint16_t>((x * 701 + y * 1301 + c * 4000) % 65536);
                        break;
                    case SampleType::U32:
                        image->samples<std::uint32_t>(cc)[i] = static_cast<std::uint32_t>(
                            (x * 70001 + y * 13001 + c * 400000) % (1 << 24));
                        break;
                    case SampleType::F16:
                        image->samples<std::uint16_t>(cc)[i] = core::float_to_half(
                            static_cast<float>(x - y) * 0.37f + static_cast<float>(c));
                        break;
                    case SampleType::F32:
                        image->samples<float>(cc)[i] =
                            60.0f * std::sin(static_cast<float>(x) * 0.3f +
                                             static_cast<float>(y) * 0.17f + static_cast<float>(c));
                        break;
                }
            }
        }
        if (non_finite && core::is_float(type)) {
            const float specials[] = {std::numeric_limits<float>::quiet_NaN(),
                                      std::numeric_limits<float>::infinity(),
                                      -std::numeric_limits<float>::infinity()};
            for (int k = 0; k < 3; ++k) {
                const std::size_t i = static_cast<std::size_t>((5 + 3 * k) * width + 4 + 5 * k + c);
                if (type == SampleType::F16) {
                    image->samples<std::uint16_t>(cc)[i] = core::float_to_half(specials[k]);
                } else {
                    image->samples<float>(cc)[i] = specials[k];
                }
            }
        }
    }
    return image;
}

core::DisplaySettings settings_for(SampleType type, int channels) {
    core::DisplaySettings settings;
    const double full = type == SampleType::U8    ? 255
                        : type == SampleType::U16 ? 65535
                        : type == SampleType::U32 ? (1 << 24)
                                                  : 0;
    static const char* kMaps[] = {"viridis", "magenta", "fire",     "green_r",
                                  "turbo",   "HiLo",    "twilight", "ice"};
    for (int c = 0; c < channels; ++c) {
        core::ChannelDisplay d;
        d.colormap = *core::parse_colormap(kMaps[c % 8]);
        d.lo = full > 0 ? full * 0.1 : -40.0;
        d.hi = full > 0 ? full * 0.9 : 45.0;
        d.gamma = c % 2 ? 0.7f : 1.0f;
        d.opacity = c % 3 ? 0.8f : 1.0f;
        settings.channels.push_back(d);
    }
    return settings;
}

class CompositorTest : public GlTest {
  protected:
    void SetUp() override {
        GlTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) {
            return;
        }
        auto compositor = Compositor::create();
        ASSERT_TRUE(compositor.ok()) << compositor.error().message;
        m_compositor.emplace(std::move(compositor).value());
    }

    // Every tile of the view at full resolution, uploaded before drawing.
    static std::unique_ptr<StreamingImage> upload_all(
        std::shared_ptr<const core::ImageSource> image, int tile_size = 2048,
        int max_texture_size = 0) {
        StreamingOptions options;
        options.policy = StreamingPolicy::FullResolution;
        options.tile_size = tile_size;
        options.max_texture_size = max_texture_size;
        options.gpu_budget = std::numeric_limits<std::size_t>::max();
        options.upload_budget = std::numeric_limits<std::size_t>::max();
        options.workers = 1;
        return std::make_unique<StreamingImage>(std::move(image), options);
    }

    core::Result<CompositeStats> draw(StreamingImage& image, const core::DisplaySettings& settings,
                                      const core::View& view, const Target& target) {
        if (auto ok = core::check_display(settings, image.source()->channels()); !ok) {
            return ok.error();  // before anything is uploaded
        }
        auto frame = image.prepare_final(view, settings.visible_channels());
        if (!frame) {
            return frame.error();
        }
        return m_compositor->draw_tiles(*image.source(), frame->draws, settings, view, target);
    }

    core::RgbaImage render(StreamingImage& image, const core::DisplaySettings& settings,
                           const core::View& view) {
        const Texture2D target = Texture2D::create(view.width, view.height, PixelFormat{}).value();
        auto framebuffer = Framebuffer::create(target);
        EXPECT_TRUE(framebuffer.ok());
        auto drawn =
            draw(image, settings, view, {framebuffer->id(), 0, 0, view.width, view.height});
        EXPECT_TRUE(drawn.ok()) << (drawn.ok() ? "" : drawn.error().message);
        framebuffer->bind();
        core::RgbaImage pixels = read_rgba8(0, 0, view.width, view.height);
        Framebuffer::bind_default();
        return pixels;
    }

    std::optional<Compositor> m_compositor;
};

// The largest per-component difference, and where.
struct Difference {
    int max = 0;
    int x = -1;
    int y = -1;
};

Difference compare(const core::RgbaImage& a, const core::RgbaImage& b) {
    Difference d;
    for (int y = 0; y < a.height; ++y) {
        for (int x = 0; x < a.width; ++x) {
            for (int k = 0; k < 4; ++k) {
                const int diff = std::abs(a.at(x, y)[k] - b.at(x, y)[k]);
                if (diff > d.max) {
                    d = {diff, x, y};
                }
            }
        }
    }
    return d;
}

std::vector<core::View> test_views(int width, int height) {
    std::vector<core::View> views;
    views.push_back(core::View::of_rect(0, 0, width, height, width, height));  // 1:1
    views.push_back(core::View::of_rect(5.25, 3.5, 21.25, 15.5, 64, 48));      // 4x in
    views.push_back(
        core::View::of_rect(-3, -2, 2.0 * width - 3, 2.0 * height - 2, width, height));  // 2x out
    views.push_back(
        core::View::of_rect(1.1, 0.7, 1.1 + width * 0.61, 0.7 + height * 0.61, width, height));
    return views;
}

class GpuMatchesCpu
    : public CompositorTest,
      public ::testing::WithParamInterface<std::tuple<SampleType, core::BlendMode>> {};

TEST_P(GpuMatchesCpu, WithinOneStepPerComponentAtEveryZoomAndSampling) {
    const auto [type, blend] = GetParam();
    auto image = make_image(type, 40, 30, 3);
    core::DisplaySettings settings = settings_for(type, 3);
    settings.blend = blend;
    const auto tiled = upload_all(image);
    for (core::View view : test_views(40, 30)) {
        for (auto sampling : {core::Sampling::Nearest, core::Sampling::Linear}) {
            view.sampling = sampling;
            const core::RgbaImage gpu = render(*tiled, settings, view);
            auto cpu = core::composite_cpu(*image, settings, view);
            ASSERT_TRUE(cpu.ok()) << cpu.error().message;
            const Difference d = compare(gpu, *cpu);
            EXPECT_LE(d.max, 1) << "at " << d.x << "," << d.y << " view scale " << view.x_scale
                                << (sampling == core::Sampling::Linear ? " linear" : " nearest");
        }
    }
}

std::string gpu_test_name(
    const ::testing::TestParamInfo<std::tuple<SampleType, core::BlendMode>>& info) {
    return std::string(core::to_string(std::get<0>(info.param))) + "_" +
           std::string(core::to_string(std::get<1>(info.param)));
}

INSTANTIATE_TEST_SUITE_P(
    Types, GpuMatchesCpu,
    ::testing::Combine(::testing::Values(SampleType::U8, SampleType::U16, SampleType::U32,
                                         SampleType::F16, SampleType::F32),
                       ::testing::Values(core::BlendMode::Additive, core::BlendMode::Max,
                                         core::BlendMode::Min, core::BlendMode::Over)),
    gpu_test_name);

// An 8-bit sRGB photograph (R, G, B) and a linear half-float image with alpha (A, B, G, R).
std::pair<std::shared_ptr<core::PlanarImage>, std::shared_ptr<core::PlanarImage>> colour_images(
    int width, int height) {
    auto photo = std::make_shared<core::PlanarImage>(width, height);
    auto hdr = std::make_shared<core::PlanarImage>(width, height);
    for (const char* name : {"R", "G", "B"}) {
        photo->add_channel(name, SampleType::U8);
    }
    for (const char* name : {"A", "B", "G", "R"}) {
        hdr->add_channel(name, SampleType::F16);
    }
    for (std::size_t i = 0; i < static_cast<std::size_t>(width) * height; ++i) {
        for (std::size_t c = 0; c < 3; ++c) {
            photo->samples<std::uint8_t>(c)[i] = static_cast<std::uint8_t>((i * (c + 3)) % 256);
        }
        hdr->samples<std::uint16_t>(0)[i] = core::float_to_half(static_cast<float>(i % 11) / 10.0f);
        for (std::size_t c = 1; c < 4; ++c) {
            hdr->samples<std::uint16_t>(c)[i] =
                core::float_to_half(static_cast<float>((i * c) % 37) / 9.0f);
        }
    }
    return {photo, hdr};
}

TEST_F(CompositorTest, ColourModesMatchTheCpuReference) {
    // An 8-bit sRGB photograph and a linear half-float RGBA image with alpha and exposure.
    auto [photo, hdr] = colour_images(33, 21);
    hdr->samples<std::uint16_t>(3)[40] =
        core::float_to_half(std::numeric_limits<float>::quiet_NaN());
    const std::vector<core::ChannelStatistics> none3(3), none4(4);
    core::DisplaySettings photo_settings =
        core::default_display(photo->channels(), none3, core::Transfer::Srgb);
    core::DisplaySettings hdr_settings =
        core::default_display(hdr->channels(), none4, core::Transfer::Linear);
    hdr_settings.exposure = -1.5f;
    hdr_settings.offset = 0.01f;
    ASSERT_TRUE(photo_settings.colour && hdr_settings.colour);
    for (auto& [image, settings] :
         {std::pair{photo, photo_settings}, std::pair{hdr, hdr_settings}}) {
        const auto tiled = upload_all(image);
        for (core::View view : test_views(33, 21)) {
            const core::RgbaImage gpu = render(*tiled, settings, view);
            auto cpu = core::composite_cpu(*image, settings, view);
            ASSERT_TRUE(cpu.ok());
            const Difference d = compare(gpu, *cpu);
            EXPECT_LE(d.max, 1) << "at " << d.x << "," << d.y << " scale " << view.x_scale;
        }
    }
}

TEST_F(CompositorTest, TiledEqualsUntiledExactlyForNearestAndLinear) {
    auto image = make_image(SampleType::F32, 200, 150, 2, false);
    const core::DisplaySettings settings = settings_for(SampleType::F32, 2);
    const auto untiled = upload_all(image);
    const auto tiled = upload_all(image, 64, 64);
    EXPECT_EQ(untiled->scheduler().columns(0), 1);
    EXPECT_EQ(tiled->scheduler().tile_size(), 62);  // 64-texel textures, gutter included
    EXPECT_EQ(tiled->scheduler().columns(0), 4);
    const std::vector<core::View> views{
        core::View::of_rect(0, 0, 200, 150, 200, 150),
        core::View::of_rect(50.3, 40.7, 90.3, 70.7, 160, 120),     // 4x, across tile edges
        core::View::of_rect(61.5, 61.25, 63.5, 63.25, 64, 64),     // 32x on a tile corner
        core::View::of_rect(-10.2, -5.1, 389.8, 294.9, 200, 150),  // 2x out
        core::View::of_rect(0.37, 0.19, 140.37, 105.19, 100, 75),  // 1.4x out, odd offsets
    };
    for (core::View view : views) {
        for (auto sampling : {core::Sampling::Nearest, core::Sampling::Linear}) {
            view.sampling = sampling;
            const Difference d =
                compare(render(*untiled, settings, view), render(*tiled, settings, view));
            EXPECT_EQ(d.max, 0) << "seam at " << d.x << "," << d.y << " view x0 " << view.x0;
        }
    }
}

TEST_F(CompositorTest, AnImageWiderThanTheTextureLimitRendersAtFullResolution) {
    GLint limit = 0;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &limit);
    const int width = limit + 3616;  // 20000 on llvmpipe's 16384
    auto image = std::make_shared<core::PlanarImage>(width, 64);
    image->add_channel("x", SampleType::U16);
    auto samples = image->samples<std::uint16_t>(0);
    for (int y = 0; y < 64; ++y) {
        for (int x = 0; x < width; ++x) {
            samples[static_cast<std::size_t>(y) * width + x] =
                static_cast<std::uint16_t>((x * 31 + y * 977) % 65536);
        }
    }
    core::DisplaySettings settings;
    settings.channels = {{true, core::named_colormap("turbo"), 0, 65535, 1, 1}};
    const auto tiled =
        upload_all(image, limit);  // tiles as large as the GPU allows: the limit forces the split
    EXPECT_EQ(tiled->scheduler().columns(0), 2);
    for (double x0 : {0.0, static_cast<double>(limit) - 300, static_cast<double>(width) - 512}) {
        core::View view = core::View::of_rect(x0, 0, x0 + 512, 64, 512, 64);
        view.sampling = core::Sampling::Nearest;
        auto cpu = core::composite_cpu(*image, settings, view);
        ASSERT_TRUE(cpu.ok());
        const Difference d = compare(render(*tiled, settings, view), *cpu);
        EXPECT_LE(d.max, 1) << "window at x " << x0 << ": " << d.x << "," << d.y;
    }
}

TEST_F(CompositorTest, TwentyFourChannelsCompositeInSeveralPassesCorrectly) {
    auto image = make_image(SampleType::U16, 24, 16, 24);
    core::DisplaySettings settings = settings_for(SampleType::U16, 24);
    for (auto& channel : settings.channels) {
        channel.opacity = 0.04f;  // keep the sum of 24 channels below saturation
    }
    const auto tiled = upload_all(image);
    core::View view = core::View::of_rect(0, 0, 24, 16, 48, 32);
    view.sampling = core::Sampling::Linear;
    auto drawn_target = Texture2D::create(48, 32, PixelFormat{}).value();
    auto framebuffer = Framebuffer::create(drawn_target);
    ASSERT_TRUE(framebuffer.ok());
    auto stats = draw(*tiled, settings, view, {framebuffer->id(), 0, 0, 48, 32});
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->passes, 3);
    auto cpu = core::composite_cpu(*image, settings, view);
    ASSERT_TRUE(cpu.ok());
    const Difference d = compare(render(*tiled, settings, view), *cpu);
    EXPECT_LE(d.max, 1) << "at " << d.x << "," << d.y;
    // And the composite really depends on the last pass's channels.
    settings.channels[23].visible = false;
    const Difference without_last = compare(render(*tiled, settings, view), *cpu);
    EXPECT_GT(without_last.max, 1);
}

TEST_F(CompositorTest, DisplayChangesPerformZeroUploads) {
    auto image = make_image(SampleType::F32, 300, 200, 4);
    core::DisplaySettings settings = settings_for(SampleType::F32, 4);
    settings.channels[3].visible = false;
    const auto tiled = upload_all(image, 128);
    const core::View view = core::View::fit(300, 200, 150, 100);
    render(*tiled, settings, view);
    const StreamingStats first = tiled->stats();
    EXPECT_EQ(first.uploads, 6u * 3u);  // 3x2 tiles, three visible channels
    EXPECT_GT(first.bytes, 0u);

    settings.channels[0].colormap = core::named_colormap("magma");
    settings.channels[1].lo = -10;
    settings.channels[1].hi = 10;
    settings.channels[2].gamma = 2.2f;
    settings.channels[0].opacity = 0.3f;
    settings.blend = core::BlendMode::Max;
    render(*tiled, settings, view);
    settings.channels[1].visible = false;
    render(*tiled, settings, view);
    settings.channels[1].visible = true;
    render(*tiled, settings, view);
    EXPECT_EQ(tiled->stats().uploads, first.uploads);
    EXPECT_EQ(tiled->stats().bytes, first.bytes);

    settings.channels[3].visible = true;  // a channel never shown before: uploaded once
    render(*tiled, settings, view);
    EXPECT_EQ(tiled->stats().uploads, first.uploads + 6u);
    render(*tiled, settings, view);
    EXPECT_EQ(tiled->stats().uploads, first.uploads + 6u);
}

TEST_F(CompositorTest, ASameShapeReloadUpdatesTexturesInPlace) {
    auto before = make_image(SampleType::U16, 100, 70, 2);
    auto after = make_image(SampleType::U16, 100, 70, 2);
    for (auto& v : after->samples<std::uint16_t>(1)) {
        v = static_cast<std::uint16_t>(65535 - v);
    }
    const core::DisplaySettings settings = settings_for(SampleType::U16, 2);
    core::View view = core::View::fit(100, 70, 100, 70);
    view.sampling = core::Sampling::Nearest;
    const auto tiled = upload_all(before, 48);
    render(*tiled, settings, view);
    const StreamingStats loaded = tiled->stats();
    const GLuint name = tiled->texture({0, 0, 0}, {1})->id();

    ASSERT_TRUE(tiled->replace_source(after).ok());
    auto cpu = core::composite_cpu(*after, settings, view);
    ASSERT_TRUE(cpu.ok());
    EXPECT_LE(compare(render(*tiled, settings, view), *cpu).max, 1) << "the new pixels are shown";
    EXPECT_EQ(tiled->stats().textures_created, loaded.textures_created)
        << "no texture may be re-created";
    EXPECT_EQ(tiled->stats().uploads, loaded.uploads * 2);
    EXPECT_EQ(tiled->texture({0, 0, 0}, {1})->id(), name);

    auto other = make_image(SampleType::U16, 101, 70, 2);
    EXPECT_FALSE(tiled->replace_source(other).ok());
    EXPECT_EQ(tiled->source().get(), after.get());
}

TEST_F(CompositorTest, ATargetTooLargeForItsBuffersIsAnErrorNotACrash) {
    GLint limit = 0;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &limit);
    auto image = make_image(SampleType::U8, 8, 8, 1);
    const core::DisplaySettings settings = settings_for(SampleType::U8, 1);
    const core::View view = core::View::fit(8, 8, limit + 1, 2);
    auto drawn = m_compositor->draw_tiles(*image, {}, settings, view, {0, 0, 0, limit + 1, 2});
    ASSERT_FALSE(drawn.ok());
    EXPECT_NE(drawn.error().message.find("is larger than this GL draws"), std::string::npos)
        << drawn.error().message;
    // And the compositor still works afterwards.
    const auto tiled = upload_all(image);
    EXPECT_EQ(render(*tiled, settings, core::View::fit(8, 8, 8, 8)).width, 8);
}

TEST_F(CompositorTest, ALayerLiesOverTheImageAtItsPlacementAndScale) {
    // A mid-grey 64x64 image, and over it a 16x16 mask at 2x from (8, 8): ones in its left half.
    auto image = std::make_shared<core::PlanarImage>(64, 64);
    image->add_channel("v", SampleType::F32);
    for (float& v : image->samples<float>(0)) {
        v = 0.5f;
    }
    auto mask = std::make_shared<core::PlanarImage>(16, 16);
    mask->add_channel("m", SampleType::F32);
    auto samples = mask->samples<float>(0);
    for (int y = 0; y < 16; ++y) {
        for (int x = 0; x < 8; ++x) {
            samples[static_cast<std::size_t>(y * 16 + x)] = 1.0f;
        }
    }
    core::DisplaySettings base;
    base.channels = {{true, core::named_colormap("gray"), 0, 1, 1, 1}};
    core::DisplaySettings over;
    over.channels = {{true, core::named_colormap("red"), 0, 1, 1, 1}};
    const core::Placement placement{8, 8, 2};
    core::View view = core::View::of_rect(0, 0, 64, 64, 64, 64);
    view.sampling = core::Sampling::Nearest;
    const auto below = upload_all(image);
    const auto above = upload_all(mask);
    auto below_frame = below->prepare_final(view, {0});
    auto above_frame = above->prepare_final(placement.layer_view(view), {0});
    ASSERT_TRUE(below_frame.ok() && above_frame.ok());
    const LayerDraw layers[] = {{image.get(), &below_frame->draws, &base, {}},
                                {mask.get(), &above_frame->draws, &over, placement}};
    const Texture2D target = Texture2D::create(64, 64, PixelFormat{}).value();
    auto framebuffer = Framebuffer::create(target);
    ASSERT_TRUE(framebuffer.ok());
    auto drawn = m_compositor->draw_layers(layers, view, {framebuffer->id(), 0, 0, 64, 64});
    ASSERT_TRUE(drawn.ok()) << drawn.error().message;
    EXPECT_EQ(drawn->passes, 2);
    framebuffer->bind();
    const core::RgbaImage pixels = read_rgba8(0, 0, 64, 64);
    Framebuffer::bind_default();
    // Red added over grey inside the mask's ones; grey everywhere else, under the mask's zeros
    // as around it (a layer never hides what lies outside its rectangle).
    const auto rgb = [&](int x, int y) {
        const auto p = pixels.at(x, y);
        return std::array<int, 3>{p[0], p[1], p[2]};
    };
    const int grey = rgb(0, 0)[1];
    EXPECT_NEAR(grey, 128, 1);
    for (const auto& [x, y] : {std::pair{8, 8}, std::pair{23, 39}}) {
        EXPECT_EQ(rgb(x, y), (std::array<int, 3>{255, grey, grey})) << x << "," << y;
    }
    for (const auto& [x, y] : {std::pair{24, 20}, std::pair{7, 20}, std::pair{10, 40},
                               std::pair{63, 63}, std::pair{50, 5}}) {
        EXPECT_EQ(rgb(x, y), (std::array<int, 3>{grey, grey, grey})) << x << "," << y;
    }
}

TEST_F(CompositorTest, LayersWithOffsetScaleOpacityAndLabelsMatchTheCpuReference) {
    // A u16 gradient; over it an f32 mask at 2x from (7, 5), blended over at 0.6 in red; and a
    // label image at 3x from (2, 9) (ids never interpolated, 0 transparent).
    auto base = std::make_shared<core::PlanarImage>(64, 48);
    base->add_channel("v", SampleType::U16);
    auto base_samples = base->samples<std::uint16_t>(0);
    for (std::size_t i = 0; i < base_samples.size(); ++i) {
        base_samples[i] = static_cast<std::uint16_t>((i % 64) * 700 + (i / 64) * 300);
    }
    auto mask = std::make_shared<core::PlanarImage>(20, 14);
    mask->add_channel("m", SampleType::F32);
    auto mask_samples = mask->samples<float>(0);
    for (std::size_t i = 0; i < mask_samples.size(); ++i) {
        mask_samples[i] = static_cast<float>((i * 7) % 11) / 10.0f;
    }
    auto plain = std::make_shared<core::PlanarImage>(12, 9);
    plain->add_channel("ids", SampleType::U16);
    auto ids = plain->samples<std::uint16_t>(0);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        ids[i] = static_cast<std::uint16_t>((i % 12) / 3 + 4 * ((i / 12) / 3));
    }
    const std::shared_ptr<const core::ImageSource> labels = core::as_labels(plain);
    core::DisplaySettings below;
    below.channels = {{true, core::named_colormap("gray"), 0, 60000, 1, 1}};
    core::DisplaySettings over;
    over.channels = {{true, core::named_colormap("red"), 0, 1, 1, 0.6f}};
    over.blend = core::BlendMode::Over;
    core::DisplaySettings label_display;
    label_display.channels = {{true, core::named_colormap("gray"), 0, 1, 1, 1}};
    label_display.labels.seed = 3;
    const core::Placement mask_at{7, 5, 2};
    const core::Placement labels_at{2, 9, 3};
    for (const core::Sampling sampling : {core::Sampling::Nearest, core::Sampling::Linear}) {
        core::View view = core::View::of_rect(0, 0, 64, 48, 128, 96);
        view.sampling = sampling;
        const auto a = upload_all(base);
        const auto b = upload_all(mask);
        const auto c = upload_all(labels);
        auto fa = a->prepare_final(view, {0});
        auto fb = b->prepare_final(mask_at.layer_view(view), {0});
        auto fc = c->prepare_final(labels_at.layer_view(view), {0});
        ASSERT_TRUE(fa.ok() && fb.ok() && fc.ok());
        const LayerDraw layers[] = {{base.get(), &fa->draws, &below, {}},
                                    {mask.get(), &fb->draws, &over, mask_at},
                                    {labels.get(), &fc->draws, &label_display, labels_at}};
        const Texture2D target = Texture2D::create(128, 96, PixelFormat{}).value();
        auto framebuffer = Framebuffer::create(target);
        ASSERT_TRUE(framebuffer.ok());
        auto drawn = m_compositor->draw_layers(layers, view, {framebuffer->id(), 0, 0, 128, 96});
        ASSERT_TRUE(drawn.ok()) << drawn.error().message;
        framebuffer->bind();
        const core::RgbaImage gpu = read_rgba8(0, 0, 128, 96);
        Framebuffer::bind_default();
        const core::CpuLayer cpu_layers[] = {{base.get(), &below, {}, {}},
                                             {mask.get(), &over, mask_at, {}},
                                             {labels.get(), &label_display, labels_at, {}}};
        const auto cpu = core::composite_layers_cpu(cpu_layers, view);
        ASSERT_TRUE(cpu.ok()) << cpu.error().message;
        int worst = 0;
        for (std::size_t i = 0; i < gpu.pixels.size(); ++i) {
            worst = std::max(worst, std::abs(gpu.pixels[i] - cpu->pixels[i]));
        }
        EXPECT_LE(worst, 1) << (sampling == core::Sampling::Linear ? "linear" : "nearest");
        // The layers show: the base alone differs where they lie, and only there.
        const auto alone = core::composite_cpu(*base, below, view).value();
        EXPECT_NE(alone.pixels, cpu->pixels);
        EXPECT_EQ(std::vector<std::uint8_t>(alone.at(0, 0), alone.at(0, 0) + 4),
                  std::vector<std::uint8_t>(cpu->at(0, 0), cpu->at(0, 0) + 4));
    }
}

TEST_F(CompositorTest, RestoresTheGlStateItChanges) {
    auto image = make_image(SampleType::U8, 8, 8, 2);
    const auto tiled = upload_all(image);
    const Texture2D target = Texture2D::create(16, 16, PixelFormat{}).value();
    auto framebuffer = Framebuffer::create(target);
    ASSERT_TRUE(framebuffer.ok());
    const Texture2D unrelated = Texture2D::create(2, 2, PixelFormat{}).value();
    framebuffer->bind();
    glEnable(GL_BLEND);
    glEnable(GL_SCISSOR_TEST);
    glViewport(1, 2, 3, 4);
    glScissor(2, 3, 5, 6);
    unrelated.bind(3);
    glActiveTexture(GL_TEXTURE5);
    auto drawn = draw(*tiled, settings_for(SampleType::U8, 2), core::View::fit(8, 8, 8, 8),
                      {framebuffer->id(), 4, 4, 8, 8});
    ASSERT_TRUE(drawn.ok()) << drawn.error().message;
    EXPECT_TRUE(glIsEnabled(GL_BLEND));
    EXPECT_TRUE(glIsEnabled(GL_SCISSOR_TEST));
    GLint viewport[4] = {};
    glGetIntegerv(GL_VIEWPORT, viewport);
    EXPECT_EQ(viewport[0], 1);
    EXPECT_EQ(viewport[3], 4);
    GLint scissor[4] = {};
    glGetIntegerv(GL_SCISSOR_BOX, scissor);
    EXPECT_EQ((std::array<GLint, 4>{scissor[0], scissor[1], scissor[2], scissor[3]}),
              (std::array<GLint, 4>{2, 3, 5, 6}));
    GLint value = -1;
    glGetIntegerv(GL_CURRENT_PROGRAM, &value);
    EXPECT_EQ(value, 0);
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &value);
    EXPECT_EQ(static_cast<GLuint>(value), framebuffer->id());
    glGetIntegerv(GL_ACTIVE_TEXTURE, &value);
    EXPECT_EQ(value, GL_TEXTURE5);
    glActiveTexture(GL_TEXTURE3);
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &value);
    EXPECT_EQ(static_cast<GLuint>(value), unrelated.id());
    glDisable(GL_BLEND);
    glDisable(GL_SCISSOR_TEST);
    Framebuffer::bind_default();
}

// A view of one layer whose channels fit one pass is resolved by that pass straight into the
// target; any other goes through the accumulation buffer and the resolve pass. Both must give the
// same pixels, byte for byte, for every resolve mode: drawn here into a rectangle inside a larger
// framebuffer (the window's case), once alone and once under a layer that shows nothing (which
// forces the accumulated path without changing the picture).
TEST_F(CompositorTest, AOnePassViewDrawnStraightIntoTheTargetEqualsTheAccumulatedResolve) {
    auto grey = make_image(SampleType::F32, 37, 23, 3);  // NaN and infinities included
    auto [photo, hdr] = colour_images(37, 23);
    auto ids = std::make_shared<core::PlanarImage>(37, 23);
    ids->add_channel("ids", SampleType::U16);
    for (std::size_t i = 0; i < 37 * 23; ++i) {
        ids->samples<std::uint16_t>(0)[i] = static_cast<std::uint16_t>((i % 37) / 5 + (i / 37) / 4);
    }
    const std::shared_ptr<const core::ImageSource> labels = core::as_labels(ids);

    struct Case {
        std::string name;
        std::shared_ptr<const core::ImageSource> image;
        core::DisplaySettings settings;
    };
    std::vector<Case> cases;
    for (auto blend : {core::BlendMode::Additive, core::BlendMode::Max, core::BlendMode::Min,
                       core::BlendMode::Over}) {
        core::DisplaySettings settings = settings_for(SampleType::F32, 3);
        settings.blend = blend;
        settings.nan_colour = {0.2f, 0.9f, 0.4f};
        settings.background = {0.1f, 0.3f, 0.6f};
        cases.push_back({"grey " + std::string(core::to_string(blend)), grey, settings});
    }
    const std::vector<core::ChannelStatistics> none3(3), none4(4);
    cases.push_back(
        {"photo", photo, core::default_display(photo->channels(), none3, core::Transfer::Srgb)});
    // Linear data's alpha is premultiplied; sRGB-encoded data's is straight (CompositeMath.h).
    core::DisplaySettings premultiplied =
        core::default_display(hdr->channels(), none4, core::Transfer::Linear);
    premultiplied.exposure = -0.5f;
    ASSERT_TRUE(premultiplied.colour && premultiplied.alpha_channel >= 0);
    core::DisplaySettings straight = premultiplied;
    straight.srgb_input = true;
    cases.push_back({"premultiplied alpha", hdr, premultiplied});
    cases.push_back({"straight alpha", hdr, straight});
    core::DisplaySettings filled;
    filled.channels = {{true, core::named_colormap("gray"), 0, 1, 1, 1}};
    filled.labels.seed = 5;
    core::DisplaySettings contour = filled;
    contour.labels.contour = 1;
    contour.labels.selected = 3;
    cases.push_back({"labels", labels, filled});
    cases.push_back({"label contours", labels, contour});

    core::DisplaySettings nothing;  // the layer above: one channel, not visible
    nothing.channels = {{false, core::named_colormap("gray"), 0, 1, 1, 1}};
    auto small = make_image(SampleType::F32, 4, 4, 1, false);
    const auto above = upload_all(small);

    const Texture2D target = Texture2D::create(64, 48, PixelFormat{}).value();
    auto framebuffer = Framebuffer::create(target);
    ASSERT_TRUE(framebuffer.ok());
    const Target where{framebuffer->id(), 9, 5, 44, 30};
    for (const Case& c : cases) {
        ASSERT_TRUE(core::check_display(c.settings, c.image->channels()).ok()) << c.name;
        const auto tiled = upload_all(c.image, 16);  // several tiles, owned pixel by pixel
        for (core::View view : {core::View::of_rect(-4, -3, 41, 26, 44, 30),
                                core::View::of_rect(2.5, 1.25, 13.5, 8.75, 44, 30)}) {
            for (auto sampling : {core::Sampling::Nearest, core::Sampling::Linear}) {
                view.sampling = sampling;
                auto frame = tiled->prepare_final(view, c.settings.visible_channels());
                auto frame_above = above->prepare_final(view, {});
                ASSERT_TRUE(frame.ok() && frame_above.ok());
                const LayerDraw one{c.image.get(), &frame->draws, &c.settings, {}};
                const LayerDraw two[] = {one, {small.get(), &frame_above->draws, &nothing, {}}};
                std::array<core::RgbaImage, 2> pixels;
                for (std::size_t k = 0; k < 2; ++k) {
                    framebuffer->bind();
                    glClearColor(1.0f, 0.0f, 1.0f, 1.0f);
                    glClear(GL_COLOR_BUFFER_BIT);
                    auto drawn = k == 0 ? m_compositor->draw_layers(std::span(&one, 1), view, where)
                                        : m_compositor->draw_layers(two, view, where);
                    ASSERT_TRUE(drawn.ok()) << c.name << ": " << drawn.error().message;
                    framebuffer->bind();
                    pixels[k] = read_rgba8(0, 0, 64, 48);
                    Framebuffer::bind_default();
                }
                const Difference d = compare(pixels[0], pixels[1]);
                EXPECT_EQ(d.max, 0)
                    << c.name << " at " << d.x << "," << d.y << " scale " << view.x_scale;
                // Outside the target's rectangle (rows 13 to 42 from the top, columns 9 to 52),
                // the framebuffer is as it was.
                for (const auto& [x, y] : {std::pair{0, 0}, std::pair{8, 20}, std::pair{53, 40},
                                           std::pair{30, 12}, std::pair{30, 43}}) {
                    const auto p = pixels[0].at(x, y);
                    EXPECT_EQ((std::array<int, 3>{p[0], p[1], p[2]}),
                              (std::array<int, 3>{255, 0, 255}))
                        << c.name << " at " << x << "," << y;
                }
            }
        }
    }
}

TEST_F(CompositorTest, BadSettingsAreErrorsNotDraws) {
    auto image = make_image(SampleType::U8, 8, 8, 1);
    core::DisplaySettings settings = settings_for(SampleType::U8, 1);
    settings.channels[0].gamma = -1.0f;
    const auto tiled = upload_all(image);
    const Texture2D target = Texture2D::create(8, 8, PixelFormat{}).value();
    auto framebuffer = Framebuffer::create(target);
    ASSERT_TRUE(framebuffer.ok());
    auto drawn =
        draw(*tiled, settings, core::View::fit(8, 8, 8, 8), {framebuffer->id(), 0, 0, 8, 8});
    ASSERT_FALSE(drawn.ok());
    EXPECT_NE(drawn.error().message.find("gamma must be positive"), std::string::npos);
    EXPECT_EQ(tiled->stats().uploads, 0u);
}

}  // namespace
}  // namespace tessera::gl
