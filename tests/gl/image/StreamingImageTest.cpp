// A huge procedural image streamed through the pyramid: exact pixels at 1:1 anywhere, a correct
// overview at fit, texture memory always within the budget, stale requests dropped.
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/display/CpuCompositor.h"
#include "core/image/PlanarImage.h"
#include "core/view/Dims.h"
#include "gl/image/StreamingImage.h"
#include "gl/objects/Framebuffer.h"
#include "gl/objects/Readback.h"
#include "tests/gl/GlTest.h"

namespace tessera::gl {
namespace {

// Holds reads of whole tiles until opened, counting those that arrived: a test knows a read is
// in flight without sleeping.
class Gate {
  public:
    void enter() const {
        std::unique_lock lock(m_mutex);
        ++m_entered;
        m_changed.notify_all();
        m_changed.wait(lock, [&] { return m_open; });
    }
    int entered() const {
        std::lock_guard lock(m_mutex);
        return m_entered;
    }
    void wait_for_entries(int count) const {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] { return m_entered >= count; });
    }
    void open() {
        std::lock_guard lock(m_mutex);
        m_open = true;
        m_changed.notify_all();
    }
    void close() {
        std::lock_guard lock(m_mutex);
        m_open = false;
    }

  private:
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_changed;
    mutable int m_entered = 0;
    bool m_open = false;
};

// Values computed from coordinates: a gradient (box means keep it exact) plus fine detail.
class ProceduralSource final : public core::ImageSource {
  public:
    ProceduralSource(std::int64_t w, std::int64_t h, bool detail, float offset = 0,
                     Gate* gate = nullptr)
        : m_w(w), m_h(h), m_detail(detail), m_offset(offset), m_gate(gate) {
        m_channels = {{"v", core::SampleType::F32}};
    }
    std::int64_t width() const override { return m_w; }
    std::int64_t height() const override { return m_h; }
    const std::vector<core::ChannelInfo>& channels() const override { return m_channels; }
    core::Result<void> read_region(const core::Plane& plane, core::Rect r,
                                   std::span<std::byte> dst) const override {
        if (auto ok = check_read(plane, r, dst.size()); !ok) {
            return ok;
        }
        if (m_gate && r.height > 1) {  // a read of a tile (strided row reads pass)
            m_gate->enter();
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
    float m_offset;
    Gate* m_gate;
    std::vector<core::ChannelInfo> m_channels;
};

class StreamingImageTest : public GlTest {
  protected:
    core::RgbaImage render(StreamingImage& image, const core::DisplaySettings& settings,
                           const core::View& view, bool final = true) {
        auto compositor = Compositor::create();
        EXPECT_TRUE(compositor.ok());
        const Texture2D target = Texture2D::create(view.width, view.height, PixelFormat{}).value();
        auto framebuffer = Framebuffer::create(target);
        auto frame = final ? image.prepare_final(view, {0}) : image.prepare(view, {0});
        EXPECT_TRUE(frame.ok()) << (frame.ok() ? "" : frame.error().message);
        auto drawn = compositor->draw_tiles(*image.source(), frame->draws, settings, view,
                                            {framebuffer->id(), 0, 0, view.width, view.height});
        EXPECT_TRUE(drawn.ok()) << (drawn.ok() ? "" : drawn.error().message);
        framebuffer->bind();
        core::RgbaImage pixels = read_rgba8(0, 0, view.width, view.height);
        Framebuffer::bind_default();
        return pixels;
    }
    // The 40x40 pixels from (x, y) drawn one to one (limits 0 to 1), against the CPU reference:
    // how many differ.
    int differences_from_source(StreamingImage& image, std::int64_t x, std::int64_t y) {
        const core::DisplaySettings s = settings(0, 1);
        core::View close =
            core::View::of_rect(static_cast<double>(x), static_cast<double>(y),
                                static_cast<double>(x + 40), static_cast<double>(y + 40), 40, 40);
        close.sampling = core::Sampling::Nearest;
        auto cpu = core::composite_cpu(*image.source(), s, close);
        EXPECT_TRUE(cpu.ok());
        return cpu.ok() ? difference(render(image, s, close), *cpu) : -1;
    }
    static core::DisplaySettings settings(double lo, double hi);
    static int difference(const core::RgbaImage& a, const core::RgbaImage& b, int margin = 0);
};

core::DisplaySettings StreamingImageTest::settings(double lo, double hi) {
    core::DisplaySettings s;
    s.channels = {{true, core::named_colormap("viridis"), lo, hi, 1, 1}};
    return s;
}

int StreamingImageTest::difference(const core::RgbaImage& a, const core::RgbaImage& b, int margin) {
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
    // A manual loader: jobs run only when the test says, so what is dropped and what is evicted
    // does not depend on how busy the machine is.
    auto source = std::make_shared<ProceduralSource>(100000, 4000, true);
    core::TileLoader loader({0, true});
    auto textures = std::make_shared<TextureCache>(std::size_t{6} << 20);  // six 512x512 f32
    StreamingImage image(source, loader, textures);
    // A fast fling first: tiles leave the view before any is read, so their requests drop.
    for (int step = 0; step < 40; ++step) {
        const double x = step * 1500.0;
        ASSERT_TRUE(image.prepare(core::View::of_rect(x, 1000, x + 600, 1400, 600, 400), {0}).ok());
    }
    EXPECT_GT(image.stats().dropped, 0u) << "requests for tiles that left the view are dropped";
    EXPECT_EQ(image.stats().uploads, 0u);
    // Then a slow pan where every frame's tiles arrive: the trail behind is evicted.
    for (int step = 0; step < 60; ++step) {
        const double x = 60000.0 + step * 300.0;
        const core::View view = core::View::of_rect(x, 1000, x + 600, 1400, 600, 400);
        ASSERT_TRUE(image.prepare(view, {0}).ok());
        loader.run_pending();
        auto frame = image.prepare(view, {0});
        ASSERT_TRUE(frame.ok()) << frame.error().message;
        EXPECT_LE(image.texture_bytes(), textures->budget());
    }
    EXPECT_GT(image.stats().evicted, 0u)
        << "uploads " << image.stats().uploads << " resident " << image.resident_tiles();
    // And the last view still ends exact.
    const core::View last = core::View::of_rect(77700, 1000, 78300, 1400, 600, 400);
    auto frame = image.prepare_final(last, {0});
    ASSERT_TRUE(frame.ok());
    EXPECT_TRUE(frame->final);
    EXPECT_LE(image.texture_bytes(), textures->budget());
}

TEST_F(StreamingImageTest, AViewThatCannotFitTheBudgetIsAnErrorNotAWait) {
    auto source = std::make_shared<ProceduralSource>(10000, 10000, true);
    StreamingOptions options;
    options.gpu_budget = std::size_t{1} << 20;  // one tile; the view straddles four
    StreamingImage image(source, options);
    const core::View view = core::View::of_rect(4900, 4900, 5300, 5300, 400, 400);
    auto frame = image.prepare_final(view, {0}, {}, std::chrono::seconds(30));
    ASSERT_FALSE(frame.ok());
    EXPECT_NE(frame.error().message.find("GPU budget of 1 MB"), std::string::npos)
        << frame.error().message;
    EXPECT_LE(image.texture_bytes(), options.gpu_budget);
}

TEST_F(StreamingImageTest, TheFirstFramesShowCoarseCoverageBeforeFineTiles) {
    // With the loader run one job at a time, the first job is the coarse coverage, and the frame
    // after it draws the coarse tile where the fine ones are still missing.
    auto source = std::make_shared<ProceduralSource>(20000, 20000, true);
    core::TileLoader loader({0, true});
    StreamingImage image(source, loader, std::make_shared<TextureCache>());
    const core::View view = core::View::of_rect(8000, 8000, 8600, 8400, 600, 400);
    auto frame = image.prepare(view, {0});
    ASSERT_TRUE(frame.ok());
    EXPECT_TRUE(frame->draws.empty());
    EXPECT_EQ(loader.run_pending(1), 1u);
    frame = image.prepare(view, {0});
    ASSERT_TRUE(frame.ok());
    ASSERT_FALSE(frame->draws.empty());
    EXPECT_TRUE(frame->covered) << "missing fine tiles are covered by a coarser tile meanwhile";
    EXPECT_FALSE(frame->final);
    for (const TileDraw& d : frame->draws) {
        EXPECT_EQ(d.level, image.scheduler().geometry().levels - 1);
    }
}

TEST_F(StreamingImageTest, AReloadedSourceReplacesEveryTileEvenWhileTilesAreInFlight) {
    auto before_gate = std::make_unique<Gate>();
    auto before = std::make_shared<ProceduralSource>(4000, 2000, true, 0.0f, before_gate.get());
    StreamingOptions options;
    options.workers = 1;
    StreamingImage image(before, options);
    const core::DisplaySettings s = settings(0, 2);
    core::View fit = core::View::fit(4000, 2000, 300, 150);
    before_gate->open();
    render(image, s, fit);
    // Tiles of a 1:1 view are being read from the old source when the new one arrives.
    before_gate->close();
    const int entered = before_gate->entered();
    core::View middle = core::View::of_rect(2000, 1000, 2300, 1150, 300, 150);
    middle.sampling = core::Sampling::Nearest;
    ASSERT_TRUE(image.prepare(middle, {0}).ok());
    before_gate->wait_for_entries(entered + 1);  // the worker is inside a read of the old source
    auto after = std::make_shared<ProceduralSource>(4000, 2000, true, 0.5f);
    ASSERT_TRUE(image.replace_source(after).ok());
    before_gate->open();
    StreamingImage fresh(after);  // what opening the new file shows
    for (const core::View& view : {middle, fit}) {
        const core::RgbaImage gpu = render(image, s, view);
        EXPECT_EQ(difference(gpu, render(fresh, s, view)), 0);
        auto stale = core::composite_cpu(*before, s, view);
        ASSERT_TRUE(stale.ok());
        EXPECT_GT(difference(gpu, *stale, 2), 20) << "old pixels are still shown";
    }
    EXPECT_GT(image.stats().discarded, 0u) << "the read of the old source was discarded";
    auto different = std::make_shared<ProceduralSource>(4001, 2000, true);
    EXPECT_FALSE(image.replace_source(different).ok());
}

TEST_F(StreamingImageTest, ACoarseTileOfASourceThatKeepsChangingIsReReadStridedExactOnceSettled) {
    for (const bool keeps_changing : {true, false}) {
        auto source = std::make_shared<core::PlanarImage>(4096, 4096);
        source->add_channel("v", core::SampleType::F32);
        core::TileLoader loader({0, true});
        StreamingOptions options;
        // The clock cannot matter: still changing for a year, or settled at once. A year is
        // longer than the machine has been up: an image that never changed is not changing,
        // whatever the steady clock reads (its epoch is the boot).
        options.settle =
            keeps_changing ? std::chrono::hours(24 * 365) : std::chrono::milliseconds(0);
        StreamingImage image(source, loader, std::make_shared<TextureCache>(), options);
        const core::View fit = core::View::fit(4096, 4096, 512, 512);  // level 3
        ASSERT_TRUE(image.prepare_final(fit, {0}).ok());
        const std::vector<float> bright(10 * 10, 0.75f);
        ASSERT_TRUE(
            source->write_region({0}, {600, 1100, 10, 10}, std::as_bytes(std::span(bright))));
        ASSERT_TRUE(image.prepare(fit, {0}).ok());  // the changed tile is asked for again
        EXPECT_EQ(loader.run_pending(), 1u);
        auto frame = image.prepare(fit, {0});
        ASSERT_TRUE(frame.ok());
        EXPECT_GE(frame->oldest_revision, source->revision()) << "the change is on screen";
        if (keeps_changing) {
            EXPECT_FALSE(frame->final) << "strided: final once the source settles";
            EXPECT_EQ(loader.run_pending(), 0u) << "no exact read while it keeps changing";
        } else {
            EXPECT_TRUE(frame->final) << "settled: the exact tile at once";
        }
    }
}

TEST_F(StreamingImageTest, ADamagedRegionReuploadsOnlyTheTilesThatHoldItInPlace) {
    // 4096^2 shown whole at 1:1: 9x9 level-0 tiles of 510 (textures of 512 with the gutter).
    auto source = std::make_shared<core::PlanarImage>(4096, 4096);
    source->add_channel("v", core::SampleType::F32);
    for (float& v : source->samples<float>(0)) {
        v = 0.25f;
    }
    core::TileLoader loader({0, true});
    StreamingImage image(source, loader, std::make_shared<TextureCache>());
    core::View view = core::View::of_rect(0, 0, 4096, 4096, 4096, 4096);
    view.sampling = core::Sampling::Nearest;
    auto frame = image.prepare_final(view, {0});
    ASSERT_TRUE(frame.ok()) << frame.error().message;
    ASSERT_EQ(frame->draws.size(), 81u);
    const StreamingStats before = image.stats();
    const GLuint name = image.texture({0, 1, 2}, {0})->id();

    const std::vector<float> bright(10 * 10, 0.75f);
    ASSERT_TRUE(source->write_region({0}, {600, 1100, 10, 10}, std::as_bytes(std::span(bright))));
    frame = image.prepare(view, {0});
    ASSERT_TRUE(frame.ok());
    EXPECT_FALSE(frame->final) << "the damaged tile is shown, but not as final";
    EXPECT_EQ(frame->not_final, (std::vector<core::Rect>{{510, 1020, 510, 510}}));
    frame = image.prepare_final(view, {0});
    ASSERT_TRUE(frame.ok());
    const StreamingStats after = image.stats();
    // The one drawn tile that holds the region (the coarse coverage tile is resident but not
    // drawn: it is marked stale and re-read only when it is drawn again).
    EXPECT_EQ(after.uploads - before.uploads, 1u);
    EXPECT_EQ(after.textures_created, before.textures_created) << "updated in place";
    EXPECT_EQ(image.texture({0, 1, 2}, {0})->id(), name);
    EXPECT_EQ(after.damaged - before.damaged, 2u);  // the level-0 tile and the coverage tile
    EXPECT_EQ(differences_from_source(image, 590, 1090), 0) << "the new pixels are shown";
}

// A 2048^2 float image in memory shown whole at 1:1 (5 x 5 tiles of 510) through a manual loader,
// re-reads of changed tiles held for `hold` at most.
struct ChangingImage {
    static StreamingOptions options(std::chrono::milliseconds hold) {
        StreamingOptions options;
        options.prefetch_ring = 0;
        options.refresh_hold = hold;
        return options;
    }
    static std::shared_ptr<core::PlanarImage> make_source() {
        auto source = std::make_shared<core::PlanarImage>(2048, 2048);
        source->add_channel("v", core::SampleType::F32);
        return source;
    }
    explicit ChangingImage(std::chrono::milliseconds hold = std::chrono::hours(24 * 365))
        : image(source, loader, std::make_shared<TextureCache>(), options(hold)) {
        view.sampling = core::Sampling::Nearest;
    }
    // A client's update: 20 x 20 pixels from (x, y) set to 0.75.
    bool change(std::int64_t x, std::int64_t y) {
        const std::vector<float> bright(20 * 20, 0.75f);
        return source->write_region({0}, {x, y, 20, 20}, std::as_bytes(std::span(bright))).ok();
    }

    std::shared_ptr<core::PlanarImage> source = make_source();
    core::TileLoader loader{{0, true}};
    StreamingImage image;
    core::View view = core::View::of_rect(0, 0, 2048, 2048, 2048, 2048);
};

TEST_F(StreamingImageTest, AChangesReReadsAreUploadedTogetherOnceTheyAllCameBack) {
    // A change across the corner of four tiles.
    for (const bool hold : {true, false}) {
        SCOPED_TRACE(hold ? "held" : "not held");
        ChangingImage changing(hold ? std::chrono::hours(24 * 365) : std::chrono::milliseconds(0));
        auto& [source, loader, image, view] = changing;
        ASSERT_TRUE(image.prepare_final(view, {0}).ok());
        ASSERT_TRUE(changing.change(500, 1010));
        ASSERT_TRUE(image.prepare(view, {0}).ok());  // the four tiles are asked for again
        const std::uint64_t before = image.stats().uploads;
        EXPECT_EQ(loader.run_pending(1), 1u);
        auto frame = image.prepare(view, {0});
        ASSERT_TRUE(frame.ok());
        EXPECT_EQ(image.stats().uploads - before, hold ? 0u : 1u)
            << "one of four back: held while the others are read";
        EXPECT_EQ(loader.run_pending(), 3u);
        frame = image.prepare(view, {0});
        ASSERT_TRUE(frame.ok());
        EXPECT_EQ(image.stats().uploads - before, 4u) << "all four, in one frame when held";
        EXPECT_TRUE(frame->final);
        EXPECT_GE(frame->oldest_revision, source->revision());
    }
}

TEST_F(StreamingImageTest, AFrameSentRegionByRegionShowsWholeOnceTheNextFrameBegins) {
    // A client streaming frames region by region: a frame's re-reads are held while it keeps
    // arriving (nothing is drawn tile by tile), and go up together once the next frame begins,
    // even though that one has changed tiles again already.
    ChangingImage changing;
    auto& [source, loader, image, view] = changing;
    ASSERT_TRUE(image.prepare_final(view, {0}).ok());
    const std::uint64_t before = image.stats().uploads;
    // Frame 1: three regions, each in a tile of its own; each re-read comes back before the
    // next region arrives.
    ASSERT_TRUE(changing.change(10, 10));  // tile (0, 0)
    ASSERT_TRUE(image.prepare(view, {0}).ok());
    ASSERT_TRUE(changing.change(600, 10));  // tile (1, 0)
    EXPECT_EQ(loader.run_pending(), 1u);
    ASSERT_TRUE(image.prepare(view, {0}).ok());
    ASSERT_TRUE(changing.change(1200, 10));  // tile (2, 0)
    EXPECT_EQ(loader.run_pending(), 1u);
    ASSERT_TRUE(image.prepare(view, {0}).ok());
    const std::uint64_t frame_1 = source->revision();
    EXPECT_EQ(image.stats().uploads - before, 0u) << "held while the frame keeps arriving";
    // Frame 2 begins where frame 1 began.
    ASSERT_TRUE(changing.change(10, 10));
    EXPECT_EQ(loader.run_pending(), 1u);  // tile (2, 0)
    auto frame = image.prepare(view, {0});
    ASSERT_TRUE(frame.ok());
    EXPECT_EQ(image.stats().uploads - before, 0u) << "tile (0, 0) is read again first";
    ASSERT_TRUE(changing.change(10, 600));  // tile (0, 1), frame 2
    EXPECT_EQ(loader.run_pending(), 1u);    // tile (0, 0)
    frame = image.prepare(view, {0});
    ASSERT_TRUE(frame.ok());
    EXPECT_EQ(image.stats().uploads - before, 3u) << "frame 1's three tiles, in one frame";
    EXPECT_GE(frame->oldest_revision, frame_1) << "frame 1 is on screen whole";
    EXPECT_FALSE(frame->final) << "tile (0, 1) of frame 2 is not";
    frame = image.prepare_final(view, {0});
    ASSERT_TRUE(frame.ok()) << frame.error().message;
    EXPECT_EQ(differences_from_source(image, 0, 0), 0);
    EXPECT_EQ(differences_from_source(image, 0, 590), 0);
}

TEST_F(StreamingImageTest, AFrameThatEndedOutOfViewDoesNotLetTheNextOneUpTileByTile) {
    // The view shows a quarter of the image; a frame ends (a region is written again) where
    // the view does not reach. The next frame's changes in the view still show together.
    ChangingImage changing;
    auto& [source, loader, image, _] = changing;
    core::View view = core::View::of_rect(0, 0, 1020, 1020, 1020, 1020);
    view.sampling = core::Sampling::Nearest;
    ASSERT_TRUE(image.prepare_final(view, {0}).ok());
    ASSERT_TRUE(changing.change(1500, 1500));
    ASSERT_TRUE(image.prepare(view, {0}).ok());
    ASSERT_TRUE(changing.change(1500, 1500));  // a frame ends
    ASSERT_TRUE(image.prepare(view, {0}).ok());
    EXPECT_EQ(loader.run_pending(), 0u) << "nothing in view changed";
    const std::uint64_t before = image.stats().uploads;
    ASSERT_TRUE(changing.change(10, 10));  // tile (0, 0)
    ASSERT_TRUE(image.prepare(view, {0}).ok());
    ASSERT_TRUE(changing.change(600, 10));  // tile (1, 0)
    EXPECT_EQ(loader.run_pending(1), 1u);   // tile (0, 0)
    ASSERT_TRUE(image.prepare(view, {0}).ok());
    EXPECT_EQ(image.stats().uploads - before, 0u) << "held for tile (1, 0)";
    EXPECT_EQ(loader.run_pending(), 1u);
    auto frame = image.prepare(view, {0});
    ASSERT_TRUE(frame.ok());
    EXPECT_EQ(image.stats().uploads - before, 2u) << "both, in one frame";
    EXPECT_TRUE(frame->final);
    EXPECT_EQ(differences_from_source(image, 0, 0), 0);
}

TEST_F(StreamingImageTest, AHeldTileThatKeepsChangingIsReadAgainOnlyOnceItsFrameEnded) {
    // While a client sweeps over a tile, its held re-read is out of date again and again;
    // reading it again each time would be work for nothing until the frame is over.
    ChangingImage changing;
    auto& [source, loader, image, view] = changing;
    ASSERT_TRUE(image.prepare_final(view, {0}).ok());
    ASSERT_TRUE(changing.change(10, 10));
    ASSERT_TRUE(image.prepare(view, {0}).ok());
    ASSERT_TRUE(changing.change(600, 10));  // keeps tile 1 held
    EXPECT_EQ(loader.run_pending(), 1u);
    ASSERT_TRUE(image.prepare(view, {0}).ok());  // tile (0, 0) held
    for (int x = 40; x < 400; x += 40) {         // the sweep goes on over tile (0, 0)
        ASSERT_TRUE(changing.change(x, 10));
        ASSERT_TRUE(image.prepare(view, {0}).ok());
        EXPECT_EQ(loader.run_pending(), x == 40 ? 1u : 0u) << "only tile (1, 0) was asked for";
    }
    ASSERT_TRUE(changing.change(10, 10));  // the next frame
    ASSERT_TRUE(image.prepare(view, {0}).ok());
    EXPECT_EQ(loader.run_pending(), 1u) << "now tile (0, 0) is read again";
    auto frame = image.prepare(view, {0});
    ASSERT_TRUE(frame.ok());
    EXPECT_TRUE(frame->final);
    EXPECT_EQ(differences_from_source(image, 0, 0), 0);
}

TEST_F(StreamingImageTest, AHeldReReadThatAnotherChangeOvertakesIsReadAgain) {
    ChangingImage changing;
    auto& [source, loader, image, view] = changing;
    ASSERT_TRUE(image.prepare_final(view, {0}).ok());
    const std::vector<float> first(20 * 20, 0.5f);
    ASSERT_TRUE(source->write_region({0}, {500, 1010, 20, 20}, std::as_bytes(std::span(first))));
    ASSERT_TRUE(image.prepare(view, {0}).ok());
    EXPECT_EQ(loader.run_pending(1), 1u);
    ASSERT_TRUE(image.prepare(view, {0}).ok());  // one re-read held
    // A second change over the same four tiles after that read: the held one is out of date.
    const std::vector<float> second(20 * 20, 0.25f);
    ASSERT_TRUE(source->write_region({0}, {500, 1010, 20, 20}, std::as_bytes(std::span(second))));
    auto frame = image.prepare_final(view, {0});
    ASSERT_TRUE(frame.ok()) << frame.error().message;
    EXPECT_GE(frame->oldest_revision, source->revision());
    EXPECT_EQ(differences_from_source(image, 490, 1000), 0) << "the second change is shown";
}

TEST_F(StreamingImageTest, TwoImagesOnScreenStreamWithinOneSharedBudget) {
    auto a = std::make_shared<ProceduralSource>(6000, 3000, true);
    auto b = std::make_shared<ProceduralSource>(6000, 3000, true, 0.5f);
    core::TileLoader loader({0, true});
    // Each view needs 2x2 tiles and a coarse one: ten 512x512 f32 textures of the twelve that
    // fit; prefetched neighbours give way.
    const std::size_t budget = std::size_t{12} << 20;
    auto textures = std::make_shared<TextureCache>(budget);
    StreamingImage left(a, loader, textures);
    StreamingImage right(b, loader, textures);
    const core::DisplaySettings s = settings(0, 2);
    core::View view = core::View::of_rect(1000, 1000, 1400, 1300, 400, 300);  // 2x2 tiles each
    view.sampling = core::Sampling::Nearest;
    for (int frame = 0; frame < 6; ++frame) {
        ASSERT_TRUE(left.prepare(view, {0}).ok());
        ASSERT_TRUE(right.prepare(view, {0}).ok());
        loader.run_pending();
        EXPECT_LE(textures->bytes(), budget);
    }
    // Both are final on screen together, within the one budget, and each shows its own pixels.
    auto left_frame = left.prepare_final(view, {0});
    auto right_frame = right.prepare_final(view, {0});
    ASSERT_TRUE(left_frame.ok()) << left_frame.error().message;
    ASSERT_TRUE(right_frame.ok()) << right_frame.error().message;
    EXPECT_TRUE(left.prepare(view, {0})->final);
    EXPECT_TRUE(right.prepare(view, {0})->final);
    EXPECT_LE(textures->bytes(), budget);
    EXPECT_EQ(textures->bytes(), left.texture_bytes() + right.texture_bytes());
    auto expected_left = core::composite_cpu(*a, s, view);
    auto expected_right = core::composite_cpu(*b, s, view);
    ASSERT_TRUE(expected_left.ok() && expected_right.ok());
    EXPECT_LE(difference(render(left, s, view), *expected_left), 1);
    EXPECT_LE(difference(render(right, s, view), *expected_right), 1);
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

// A Z-stack of 8 slices whose values say where they come from (x, y and the slice), counting
// the reads of each slice: a test sees which slices were read without timing anything.
class StackSource final : public core::ImageSource {
  public:
    StackSource(std::int64_t w, std::int64_t h) : m_w(w), m_h(h), m_reads(8) {
        m_channels = {{"v", core::SampleType::F32}};
        m_axes = {{"Z", 8}};
    }
    std::int64_t width() const override { return m_w; }
    std::int64_t height() const override { return m_h; }
    const std::vector<core::ChannelInfo>& channels() const override { return m_channels; }
    const std::vector<core::Axis>& axes() const override { return m_axes; }
    core::Result<void> read_region(const core::Plane& plane, core::Rect r,
                                   std::span<std::byte> dst) const override {
        if (auto ok = check_read(plane, r, dst.size()); !ok) {
            return ok;
        }
        const std::int64_t z = plane.position.empty() ? 0 : plane.position[0];
        {
            std::lock_guard lock(m_mutex);
            ++m_reads[static_cast<std::size_t>(z)];
        }
        auto* out = reinterpret_cast<float*>(dst.data());
        for (std::int64_t y = 0; y < r.height; ++y) {
            for (std::int64_t x = 0; x < r.width; ++x) {
                out[y * r.width + x] = value(r.x + x, r.y + y, z);
            }
        }
        return {};
    }
    static float value(std::int64_t x, std::int64_t y, std::int64_t z) {
        return static_cast<float>((x / 16 + y / 16) % 2) * 0.25f + static_cast<float>(z) * 0.1f;
    }
    std::vector<int> reads() const {
        std::lock_guard lock(m_mutex);
        return m_reads;
    }

  private:
    std::int64_t m_w;
    std::int64_t m_h;
    std::vector<core::ChannelInfo> m_channels;
    std::vector<core::Axis> m_axes;
    mutable std::mutex m_mutex;
    mutable std::vector<int> m_reads;
};

TEST_F(StreamingImageTest, SliceKOfAStackRendersExactlyItsOwnPixels) {
    auto source = std::make_shared<StackSource>(1500, 900);
    StreamingImage image(source);
    auto compositor = Compositor::create();
    ASSERT_TRUE(compositor.ok());
    const core::DisplaySettings s = settings(0, 1.1);
    core::View view = core::View::of_rect(100, 50, 700, 450, 600, 400);
    view.sampling = core::Sampling::Nearest;
    for (std::int64_t z : {0, 5, 7, 2}) {
        auto frame = image.prepare_final(view, {0}, {z});
        ASSERT_TRUE(frame.ok()) << frame.error().message;
        EXPECT_EQ(frame->position, std::vector<std::int64_t>{z});
        const Texture2D target = Texture2D::create(view.width, view.height, PixelFormat{}).value();
        auto framebuffer = Framebuffer::create(target);
        ASSERT_TRUE(compositor
                        ->draw_tiles(*source, frame->draws, s, view,
                                     {framebuffer->id(), 0, 0, view.width, view.height})
                        .ok());
        framebuffer->bind();
        const core::RgbaImage gpu = read_rgba8(0, 0, view.width, view.height);
        Framebuffer::bind_default();
        auto cpu = core::composite_cpu(*source, s, view, {z});
        ASSERT_TRUE(cpu.ok());
        EXPECT_LE(difference(gpu, *cpu), 1) << "slice " << z;
    }
}

// A stack streamed on a manual loader (reads run when the test says), seen in a 600x400 view.
struct ManualStack {
    std::shared_ptr<StackSource> source = std::make_shared<StackSource>(1500, 900);
    core::TileLoader loader{{0, true}};
    std::shared_ptr<TextureCache> textures = std::make_shared<TextureCache>(std::size_t{64} << 20);
    StreamingImage image{source, loader, textures};
    core::View view = core::View::of_rect(0, 0, 600, 400, 600, 400);
};

TEST_F(StreamingImageTest, ASliceSwitchKeepsThePreviousSliceOnScreenUntilTheNewOneCoversIt) {
    ManualStack stack;
    auto& [source, loader, textures, image, view] = stack;
    ASSERT_TRUE(image.prepare(view, {0}, {0}).ok());
    loader.run_pending();
    auto first = image.prepare(view, {0}, {0});
    ASSERT_TRUE(first.ok());
    ASSERT_TRUE(first->covered);
    // Slice 3 asked for, nothing of it read yet: slice 0 stays, not final.
    auto switched = image.prepare(view, {0}, {3});
    ASSERT_TRUE(switched.ok());
    EXPECT_EQ(switched->position, std::vector<std::int64_t>{0});
    EXPECT_FALSE(switched->final);
    EXPECT_FALSE(switched->draws.empty());
    EXPECT_FALSE(switched->not_final.empty());
    loader.run_pending();
    auto arrived = image.prepare(view, {0}, {3});
    ASSERT_TRUE(arrived.ok());
    EXPECT_EQ(arrived->position, std::vector<std::int64_t>{3});
}

// The slice read ahead gets its coverage tile first, so the next step shows at once even when its
// exact tiles are not read yet; and none of it is read, or uploaded, before what the slice on
// screen needs.
TEST_F(StreamingImageTest, ASliceReadAheadIsCoveredFirstAndNeverDelaysTheSliceShown) {
    ManualStack stack;
    auto& [source, loader, textures, image, view] = stack;
    const std::vector<std::vector<std::int64_t>> ahead{{1}};
    ASSERT_TRUE(image.prepare(view, {0}, {0}, ahead).ok());
    // Slice 0's reads all run before slice 1's first one.
    int jobs = 0;
    while (source->reads()[1] == 0) {
        ASSERT_EQ(loader.run_pending(1), 1u) << "slice 1 was never read";
        ++jobs;
        if (source->reads()[1] == 0) {
            EXPECT_GT(source->reads()[0], 0);
        }
    }
    EXPECT_GE(jobs, 3) << "slice 0's coverage and two exact tiles came first";
    // Both have arrived: the frame uploads what it needs, slice 0's tiles, and not slice 1's.
    const int top = image.scheduler().geometry().levels - 1;
    const core::TileKey coverage{top, 0, 0};
    auto shown = image.prepare(view, {0}, {0}, ahead);
    ASSERT_TRUE(shown.ok());
    EXPECT_TRUE(shown->final);
    EXPECT_EQ(image.texture(coverage, core::Plane{0, {1}}), nullptr) << "waits for a frame";
    ASSERT_TRUE(image.prepare(view, {0}, {0}, ahead).ok());
    EXPECT_NE(image.texture(coverage, core::Plane{0, {1}}), nullptr);
    // One step on: slice 1 covers the view from its coverage tile alone, at once.
    auto stepped = image.prepare(view, {0}, {1}, {{2}});
    ASSERT_TRUE(stepped.ok());
    EXPECT_EQ(stepped->position, std::vector<std::int64_t>{1});
    EXPECT_FALSE(stepped->final) << "its exact tiles are still to come";
    loader.run_pending();
    auto exact = image.prepare(view, {0}, {1}, {{2}});
    ASSERT_TRUE(exact.ok());
    EXPECT_TRUE(exact->final);
}

// The first frame of a switch puts up the new slice's coverage tile alone when it has arrived,
// even if its exact tiles have too: the slice shows on that frame, exactly on the next.
TEST_F(StreamingImageTest, TheFirstFrameOfASwitchUploadsTheCoverageTileAlone) {
    ManualStack stack;
    auto& [source, loader, textures, image, view] = stack;
    ASSERT_TRUE(image.prepare_final(view, {0}, {0}).ok());
    ASSERT_TRUE(image.prepare(view, {0}, {3}).ok());  // asks for slice 3
    loader.run_pending();                             // everything of it arrives
    const std::uint64_t uploads = image.stats().uploads;
    auto first = image.prepare(view, {0}, {3});
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->position, std::vector<std::int64_t>{3});
    EXPECT_FALSE(first->final);
    EXPECT_EQ(image.stats().uploads, uploads + 1) << "the coverage tile alone";
    auto second = image.prepare(view, {0}, {3});
    ASSERT_TRUE(second.ok());
    EXPECT_TRUE(second->final);
}

TEST_F(StreamingImageTest, ScrubbingDropsTheReadsOfSlicesAlreadyLeft) {
    ManualStack stack;
    auto& [source, loader, textures, image, view] = stack;
    for (std::int64_t z = 0; z < 8; ++z) {  // the slider dragged across, faster than reads
        ASSERT_TRUE(image.prepare(view, {0}, {z}).ok());
    }
    EXPECT_GT(image.stats().dropped, 0u);
    loader.run_pending();
    const std::vector<int> reads = source->reads();
    for (std::size_t z = 0; z < 7; ++z) {
        EXPECT_EQ(reads[z], 0) << "slice " << z << " was left before any of it was read";
    }
    EXPECT_GT(reads[7], 0);
    auto frame = image.prepare_final(view, {0}, {7});
    ASSERT_TRUE(frame.ok());
    EXPECT_EQ(frame->position, std::vector<std::int64_t>{7});
}

TEST_F(StreamingImageTest, WhilePlayingASliceIsShownFromItsCoverageTilesAloneThenExactOnceStopped) {
    ManualStack stack;
    auto& [source, loader, textures, image, view] = stack;
    ASSERT_TRUE(image.prepare(view, {0}, {3}, {}, /*moving=*/true).ok());
    loader.run_pending();
    auto playing = image.prepare(view, {0}, {3}, {}, true);
    ASSERT_TRUE(playing.ok());
    EXPECT_EQ(playing->position, std::vector<std::int64_t>{3});
    EXPECT_TRUE(playing->covered);
    EXPECT_FALSE(playing->final);
    const int top = image.scheduler().geometry().levels - 1;
    EXPECT_EQ(image.resident_tiles(), image.scheduler().visible(top, view).size())
        << "only the coarsest level was read";
    auto stopped = image.prepare_final(view, {0}, {3});
    ASSERT_TRUE(stopped.ok());
    EXPECT_TRUE(stopped->final);
}

TEST_F(StreamingImageTest, SlicesLeftGiveTheirTexturesBackToABudgetThatHoldsOneSlice) {
    // Room for about one slice's tiles: each new slice must evict the last one's, although
    // they lie at the same tiles.
    auto source = std::make_shared<StackSource>(1500, 900);
    StreamingOptions options;
    options.gpu_budget = std::size_t{4} << 20;  // four 512x512 float tiles
    StreamingImage image(source, options);
    const core::View view = core::View::of_rect(0, 0, 600, 400, 600, 400);
    for (std::int64_t z : {0, 1, 2, 5}) {
        auto frame = image.prepare_final(view, {0}, {z});
        ASSERT_TRUE(frame.ok()) << "slice " << z << ": " << frame.error().message;
        EXPECT_EQ(frame->position, std::vector<std::int64_t>{z});
        EXPECT_LE(image.texture_bytes(), options.gpu_budget);
    }
    EXPECT_GT(image.stats().evicted, 0u);
    // The new slice's tiles refill the textures the last one's gave back, of the same size.
    EXPECT_GT(image.stats().textures_reused, 0u);
}

TEST_F(StreamingImageTest, PlayingFasterThanSlicesArriveSkipsSlicesInsteadOfQueueingThem) {
    // 30 frames a second, but the loader runs only one job every third frame: data is slow.
    ManualStack stack;
    auto& [source, loader, textures, image, view] = stack;
    ASSERT_TRUE(image.prepare_final(view, {0}, {0}).ok());  // slice 0 on screen
    loader.run_pending();                                   // and its neighbours read
    core::Dims dims({{"Z", 8}});
    dims.playback().set_fps(30);
    dims.playback().set_mode(core::LoopMode::Once);
    dims.toggle_play(0.0);
    std::set<std::int64_t> shown;
    std::size_t ran = 0;
    for (int frame = 0; frame < 24; ++frame) {
        dims.advance(frame / 30.0);
        auto planned = image.prepare(view, {0}, dims.position(), dims.ahead(2));
        ASSERT_TRUE(planned.ok());
        shown.insert(planned->position.front());
        if (frame % 3 == 2) {
            ran += loader.run_pending(1);
        }
    }
    EXPECT_EQ(dims.position().front(), 7) << "playback kept to the clock";
    EXPECT_FALSE(dims.playback().playing()) << "once: stopped at the end";
    EXPECT_LT(shown.size(), 8u) << "slices that arrived late were skipped";
    EXPECT_GT(image.stats().dropped, 0u) << "their reads were dropped";
    // Nothing piled up: what is still queued is for the last slice only.
    const std::vector<int> before = source->reads();
    const std::size_t left = loader.run_pending();
    const std::vector<int> after = source->reads();
    for (std::size_t z = 0; z < 7; ++z) {
        EXPECT_EQ(after[z], before[z]) << "a read of slice " << z << " was still queued";
    }
    EXPECT_LE(left, 8u) << "ran " << ran << " during playback";
    auto last = image.prepare_final(view, {0}, dims.position());
    ASSERT_TRUE(last.ok());
    EXPECT_EQ(last->position, std::vector<std::int64_t>{7});
}

}  // namespace
}  // namespace tessera::gl
