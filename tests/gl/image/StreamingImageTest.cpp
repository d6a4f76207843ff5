// A huge procedural image streamed through the pyramid: exact pixels at 1:1 anywhere, a correct
// overview at fit, texture memory always within the budget, stale requests dropped.
#include <cmath>
#include <thread>

#include <gtest/gtest.h>

#include "core/display/CpuCompositor.h"
#include "gl/image/StreamingImage.h"
#include "gl/objects/Framebuffer.h"
#include "gl/objects/Readback.h"
#include "tests/gl/GlTest.h"

namespace tessera::gl {
namespace {

// Values computed from coordinates: a gradient (box means keep it exact) plus fine detail.
class ProceduralSource final : public core::ImageSource {
  public:
    ProceduralSource(std::int64_t w, std::int64_t h, bool detail, int slow_tile_ms = 0,
                     float offset = 0)
        : m_w(w), m_h(h), m_detail(detail), m_slow_tile_ms(slow_tile_ms), m_offset(offset) {
        m_channels = {{"v", core::SampleType::F32}};
    }
    std::int64_t width() const override { return m_w; }
    std::int64_t height() const override { return m_h; }
    const std::vector<core::ChannelInfo>& channels() const override { return m_channels; }
    core::Result<void> read_region(std::size_t, int level, core::Rect r,
                                   std::span<std::byte> dst) const override {
        if (level != 0 || r.x < 0 || r.y < 0 || r.x + r.width > m_w || r.y + r.height > m_h) {
            return core::Error{"outside"};
        }
        if (m_slow_tile_ms > 0 && r.height > 1) {  // like a slow disk; strided row reads stay fast
            std::this_thread::sleep_for(std::chrono::milliseconds(m_slow_tile_ms));
        }
        auto* out = reinterpret_cast<float*>(dst.data());
        for (std::int64_t y = 0; y < r.height; ++y) {
            for (std::int64_t x = 0; x < r.width; ++x) {
                out[y * r.width + x] = value(r.x + x, r.y + y);
            }
        }
        return {};
    }
    float value(std::int64_t x, std::int64_t y) const {
        const float gradient =
            static_cast<float>(x) * 1e-5f + static_cast<float>(y) * 2e-5f + m_offset;
        return m_detail ? gradient + static_cast<float>((x * 7 + y * 13) % 16) * 0.01f : gradient;
    }

  private:
    std::int64_t m_w;
    std::int64_t m_h;
    bool m_detail;
    int m_slow_tile_ms;
    float m_offset;
    std::vector<core::ChannelInfo> m_channels;
};

class StreamingImageTest : public GlTest {
  protected:
    core::RgbaImage render(StreamingImage& image, const core::DisplaySettings& settings,
                           const core::View& view, bool final = true) {
        auto compositor = Compositor::create();
        EXPECT_TRUE(compositor.ok());
        const Texture2D target = Texture2D::create(view.width, view.height, PixelFormat{});
        auto framebuffer = Framebuffer::create(target);
        auto frame = final ? image.prepare_final(view, {0}) : image.prepare(view, {0});
        EXPECT_TRUE(frame.ok()) << (frame.ok() ? "" : frame.error().message);
        auto drawn = compositor->draw_tiles(image.source(), frame->draws, settings, view,
                                            {framebuffer->id(), 0, 0, view.width, view.height});
        EXPECT_TRUE(drawn.ok()) << (drawn.ok() ? "" : drawn.error().message);
        framebuffer->bind();
        core::RgbaImage pixels = read_rgba8(0, 0, view.width, view.height);
        Framebuffer::bind_default();
        return pixels;
    }
};

core::DisplaySettings settings(double lo, double hi) {
    core::DisplaySettings s;
    s.channels = {{true, core::named_colormap("viridis"), lo, hi, 1, 1}};
    return s;
}

int difference(const core::RgbaImage& a, const core::RgbaImage& b, int margin = 0) {
    int worst = 0;
    for (int y = margin; y < a.height - margin; ++y) {
        for (int x = margin; x < a.width - margin; ++x) {
            for (int k = 0; k < 3; ++k) {
                worst = std::max(worst, std::abs(a.at(x, y)[k] - b.at(x, y)[k]));
            }
        }
    }
    return worst;
}

TEST_F(StreamingImageTest, AHugeImageShowsExactPixelsAtOneToOneAnywhere) {
    auto source = std::make_shared<ProceduralSource>(200000, 200000, true);
    StreamingOptions options;
    options.gpu_budget = std::size_t{64} << 20;
    StreamingImage image(source, options);
    EXPECT_GE(image.scheduler().geometry().levels, 9);
    const core::DisplaySettings s = settings(0, 6.5);
    for (const auto& [x, y] :
         {std::pair{0.0, 0.0}, std::pair{123456.0, 98765.0}, std::pair{199700.0, 199800.0}}) {
        core::View view = core::View::of_rect(x, y, x + 300, y + 200, 300, 200);
        view.sampling = core::Sampling::Nearest;
        const core::RgbaImage gpu = render(image, s, view);
        auto cpu = core::composite_cpu(*source, s, view);
        ASSERT_TRUE(cpu.ok());
        EXPECT_LE(difference(gpu, *cpu), 1) << "at " << x << "," << y;
        EXPECT_LE(image.texture_bytes(), options.gpu_budget);
    }
}

TEST_F(StreamingImageTest, TheOverviewAtFitIsTheBoxAveragedImage) {
    // A pure gradient, 240 Mpixel: exact overview tiles are the means of the whole image.
    auto source = std::make_shared<ProceduralSource>(20000, 12000, false);
    StreamingImage image(source);
    core::View view = core::View::fit(20000, 12000, 400, 240);
    view.sampling = core::Sampling::Linear;
    const core::DisplaySettings s = settings(0, 4.4);
    const core::RgbaImage gpu = render(image, s, view);
    auto cpu = core::composite_cpu(*source, s, view);  // samples level 0 at the same points
    ASSERT_TRUE(cpu.ok());
    // Box means of a gradient are the gradient at the block centres, so the level matches level 0
    // away from the edges (where means of partial blocks shift).
    EXPECT_LE(difference(gpu, *cpu, 2), 1);
    EXPECT_EQ(image.scheduler().level_for(view), 5);
}

TEST_F(StreamingImageTest, PanningNeverExceedsTheBudgetAndStaleRequestsAreDropped) {
    auto source = std::make_shared<ProceduralSource>(100000, 4000, true);
    StreamingOptions options;
    options.gpu_budget = std::size_t{6} << 20;  // six tiles of 512x512 f32
    options.workers = 1;
    StreamingImage image(source, options);
    // A fast fling first (tiles leave the view before they are read: their requests drop), then
    // a slow pan that leaves a trail of tiles behind (they are evicted to stay in the budget).
    for (int step = 0; step < 100; ++step) {
        const double x = step < 40 ? step * 1500.0 : 60000.0 + (step - 40) * 300.0;
        const core::View view = core::View::of_rect(x, 1000, x + 600, 1400, 600, 400);
        auto frame = image.prepare(view, {0});
        ASSERT_TRUE(frame.ok()) << frame.error().message;
        EXPECT_LE(image.texture_bytes(), options.gpu_budget);
        std::this_thread::sleep_for(std::chrono::milliseconds(step < 40 ? 2 : 25));
    }
    EXPECT_GT(image.stats().dropped, 0u)
        << "requests for tiles that left the view should be dropped";
    EXPECT_GT(image.stats().evicted, 0u)
        << "uploads " << image.stats().uploads << " resident " << image.resident_tiles()
        << " bytes " << image.texture_bytes() << " dropped " << image.stats().dropped;
    // And the last view still ends exact.
    const core::View last = core::View::of_rect(77700, 1000, 78300, 1400, 600, 400);
    auto frame = image.prepare_final(last, {0});
    ASSERT_TRUE(frame.ok());
    EXPECT_TRUE(frame->final);
    EXPECT_LE(image.texture_bytes(), options.gpu_budget);
}

TEST_F(StreamingImageTest, AViewThatCannotFitTheBudgetIsAnErrorNotAWait) {
    auto source = std::make_shared<ProceduralSource>(10000, 10000, true);
    StreamingOptions options;
    options.gpu_budget = std::size_t{1} << 20;  // one tile; the view straddles four
    StreamingImage image(source, options);
    const core::View view = core::View::of_rect(4900, 4900, 5300, 5300, 400, 400);
    auto frame = image.prepare_final(view, {0}, std::chrono::seconds(30));
    ASSERT_FALSE(frame.ok());
    EXPECT_NE(frame.error().message.find("GPU budget of 1 MB"), std::string::npos)
        << frame.error().message;
    EXPECT_LE(image.texture_bytes(), options.gpu_budget);
}

TEST_F(StreamingImageTest, TheFirstFramesShowCoarseCoverageBeforeFineTiles) {
    // Fine tiles take a second each (a slow disk); the coarse coverage, read as strided rows, is
    // cheap even under sanitizers, so it must be on screen long before them.
    auto source = std::make_shared<ProceduralSource>(20000, 20000, true, 1000);
    StreamingImage image(source);
    const core::View view = core::View::of_rect(8000, 8000, 8600, 8400, 600, 400);
    bool saw_coverage = false;
    for (int i = 0; i < 3000 && !saw_coverage; ++i) {
        auto frame = image.prepare(view, {0});
        ASSERT_TRUE(frame.ok());
        for (const TileDraw& d : frame->draws) {
            saw_coverage = saw_coverage || d.level > frame->level;
        }
        if (frame->final) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    EXPECT_TRUE(saw_coverage) << "missing fine tiles should be covered by a coarser tile meanwhile";
}

TEST_F(StreamingImageTest, AReloadedSourceReplacesEveryTileEvenWhileTilesAreInFlight) {
    auto before = std::make_shared<ProceduralSource>(4000, 2000, true, 5);
    StreamingImage image(before);
    const core::DisplaySettings s = settings(0, 2);
    core::View fit = core::View::fit(4000, 2000, 300, 150);
    render(image, s, fit);
    // Tiles of a 1:1 view are being read from the old source when the new one arrives.
    core::View middle = core::View::of_rect(2000, 1000, 2300, 1150, 300, 150);
    middle.sampling = core::Sampling::Nearest;
    ASSERT_TRUE(image.prepare(middle, {0}).ok());
    auto after = std::make_shared<ProceduralSource>(4000, 2000, true, 5, 0.5f);
    ASSERT_TRUE(image.replace_source(after).ok());
    StreamingImage fresh(after);  // what opening the new file shows
    for (const core::View& view : {middle, fit}) {
        const core::RgbaImage gpu = render(image, s, view);
        EXPECT_EQ(difference(gpu, render(fresh, s, view)), 0);
        auto stale = core::composite_cpu(*before, s, view);
        ASSERT_TRUE(stale.ok());
        EXPECT_GT(difference(gpu, *stale, 2), 20) << "old pixels are still shown";
    }
    auto different = std::make_shared<ProceduralSource>(4001, 2000, true);
    EXPECT_FALSE(image.replace_source(different).ok());
}

TEST_F(StreamingImageTest, ReleasingGivesBackEveryTextureAndCachedTileThenStreamsAgain) {
    auto source = std::make_shared<ProceduralSource>(8000, 4000, true);
    StreamingImage image(source);
    const core::DisplaySettings s = settings(0, 2);
    const core::View fit = core::View::fit(8000, 4000, 400, 200);
    const core::RgbaImage first = render(image, s, fit);
    EXPECT_GT(image.texture_bytes(), 0u);
    EXPECT_GT(image.cpu_cache_bytes(), 0u);
    image.release();
    EXPECT_EQ(image.texture_bytes(), 0u);
    EXPECT_EQ(image.resident_tiles(), 0u);
    EXPECT_EQ(image.cpu_cache_bytes(), 0u);
    EXPECT_EQ(difference(render(image, s, fit), first), 0);
}

}  // namespace
}  // namespace tessera::gl
