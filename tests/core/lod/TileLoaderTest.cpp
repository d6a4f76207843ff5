// The tile loader without GL: planes, dropping, generations, damage at every level, and one
// loader with one CPU cache shared by two images. Loaders here are manual (no threads): each job
// runs when the test says, so nothing depends on the machine's speed.
#include <algorithm>
#include <cstring>

#include <gtest/gtest.h>

#include "core/image/PlanarImage.h"
#include "core/lod/TileLoader.h"
#include "core/stats/ChannelStatistics.h"

namespace tessera::core {
namespace {

// f32 values that name their plane and pixel: t * 1000 + z * 100 + (x + y * width) / 1e4.
float value_at(std::int64_t t, std::int64_t z, std::int64_t x, std::int64_t y, std::int64_t w) {
    return static_cast<float>(t * 1000 + z * 100) + static_cast<float>(x + y * w) * 1e-4f;
}

std::shared_ptr<PlanarImage> stack(std::int64_t w, std::int64_t h, std::int64_t times,
                                   std::int64_t depths) {
    auto image =
        std::make_shared<PlanarImage>(w, h, std::vector<Axis>{{"T", times}, {"Z", depths}});
    image->add_channel("v", SampleType::F32);
    for (std::int64_t t = 0; t < times; ++t) {
        for (std::int64_t z = 0; z < depths; ++z) {
            auto bytes = image->plane(Plane{0, {t, z}});
            auto* values = reinterpret_cast<float*>(bytes.data());
            for (std::int64_t y = 0; y < h; ++y) {
                for (std::int64_t x = 0; x < w; ++x) {
                    values[y * w + x] = value_at(t, z, x, y, w);
                }
            }
        }
    }
    return image;
}

std::shared_ptr<PlanarImage> flat(std::int64_t w, std::int64_t h, float value = 1.0f) {
    auto image = std::make_shared<PlanarImage>(w, h);
    image->add_channel("v", SampleType::F32);
    for (float& v : image->samples<float>(0)) {
        v = value;
    }
    return image;
}

float texel(const TileResult& result, int x, int y) {  // texel (x, y) includes the gutter
    float v = 0;
    std::memcpy(&v,
                result.texels.data.data() +
                    (static_cast<std::size_t>(y) * result.texels.width + x) * sizeof(float),
                sizeof v);
    return v;
}

TEST(PlanarStack, EveryPlaneOfAThreeAxisSourceReadsItsOwnPixels) {
    auto image = stack(37, 23, 4, 3);  // T, Z, and the channel: 12 planes
    EXPECT_EQ(image->planes_per_channel(), 12);
    std::vector<float> out(5 * 4);
    for (std::int64_t t = 0; t < 4; ++t) {
        for (std::int64_t z = 0; z < 3; ++z) {
            ASSERT_TRUE(image
                            ->read_region(Plane{0, {t, z}}, {30, 17, 5, 4},
                                          std::as_writable_bytes(std::span(out)))
                            .ok());
            for (int y = 0; y < 4; ++y) {
                for (int x = 0; x < 5; ++x) {
                    EXPECT_EQ(out[static_cast<std::size_t>(y * 5 + x)],
                              value_at(t, z, 30 + x, 17 + y, 37))
                        << t << "," << z;
                }
            }
        }
    }
    // Missing trailing indices are 0; indices outside an axis are errors naming it.
    ASSERT_TRUE(
        image->read_region(Plane{0, {2}}, {0, 0, 1, 1}, std::as_writable_bytes(std::span(out)))
            .ok());
    EXPECT_EQ(out[0], value_at(2, 0, 0, 0, 37));
    auto outside =
        image->read_region(Plane{0, {0, 3}}, {0, 0, 1, 1}, std::as_writable_bytes(std::span(out)));
    ASSERT_FALSE(outside.ok());
    EXPECT_NE(outside.error().message.find("axis Z"), std::string::npos) << outside.error().message;
    EXPECT_FALSE(
        image
            ->read_region(Plane{0, {0, 0, 0}}, {0, 0, 1, 1}, std::as_writable_bytes(std::span(out)))
            .ok());
}

TEST(PlanarStack, StatisticsArePerPlane) {
    auto image = stack(20, 10, 4, 3);
    for (std::int64_t t = 0; t < 4; ++t) {
        StatisticsOptions options;
        options.position = {t, 2};
        auto statistics = compute_statistics(*image, options);
        ASSERT_TRUE(statistics.ok()) << statistics.error().message;
        EXPECT_EQ((*statistics)[0].min, value_at(t, 2, 0, 0, 20));
        EXPECT_EQ((*statistics)[0].max, value_at(t, 2, 19, 9, 20));
    }
    StatisticsOptions outside;
    outside.position = {4};
    EXPECT_FALSE(compute_statistics(*image, outside).ok());
}

TEST(PlanarStack, PyramidLevelsAreBuiltPerPlane) {
    auto image = stack(64, 64, 4, 3);
    const Pyramid pyramid(image, std::size_t{1} << 20, 8);
    std::vector<float> out(1);
    for (std::int64_t t = 0; t < 4; ++t) {
        for (std::int64_t z = 0; z < 3; ++z) {
            ASSERT_TRUE(pyramid
                            .read_region(Plane{0, {t, z}}, 1, {3, 5, 1, 1},
                                         std::as_writable_bytes(std::span(out)))
                            .ok());
            const float mean = (value_at(t, z, 6, 10, 64) + value_at(t, z, 7, 10, 64) +
                                value_at(t, z, 6, 11, 64) + value_at(t, z, 7, 11, 64)) /
                               4;
            EXPECT_NEAR(out[0], mean, 1e-3) << t << "," << z;
        }
    }
}

TEST(TileLoader, EveryPlaneOfAStackStreamsThroughTheLoader) {
    auto image = stack(300, 200, 4, 3);
    TileLoader loader({0, true});
    TileStream stream(loader, image, 128);
    std::set<TileKey> wanted{{0, 1, 1}};
    stream.set_wanted(wanted);
    for (std::int64_t t = 0; t < 4; ++t) {
        for (std::int64_t z = 0; z < 3; ++z) {
            stream.request({{0, 1, 1}, Plane{0, {t, z}}, false});
        }
    }
    EXPECT_EQ(loader.run_pending(), 12u) << "each position is a batch of its own";
    const std::vector<TileResult> results = stream.take_ready();
    ASSERT_EQ(results.size(), 12u);
    for (const TileResult& result : results) {
        ASSERT_TRUE(result.error.empty()) << result.error;
        const std::int64_t t = result.job.plane.position[0];
        const std::int64_t z = result.job.plane.position[1];
        // Texel (1, 1) is the tile's first content pixel, (128, 128).
        EXPECT_EQ(texel(result, 1, 1), value_at(t, z, 128, 128, 300)) << t << "," << z;
        EXPECT_EQ(texel(result, 0, 0), value_at(t, z, 127, 127, 300)) << "the gutter";
    }
}

// A slice switched to while the next slices' reads are queued (read ahead at the previous stop):
// its own strided coverage goes first, then its exact tiles, then the slices ahead, each in the
// order asked for.
TEST(TileLoader, TheShownPositionsJobsGoFirstItsProvisionalOnesBeforeExactOnes) {
    auto image = stack(300, 200, 4, 3);
    TileLoader loader({0, true});
    TileStream stream(loader, image, 128);
    const std::vector<std::int64_t> shown{1, 0};
    std::set<TileKey> wanted{{0, 0, 0}, {0, 1, 0}, {1, 0, 0}};
    stream.set_wanted(wanted, {{1, 0}, {2, 0}, {3, 0}}, shown);
    stream.request({{0, 0, 0}, Plane{0, {2, 0}}, false});  // ahead, queued earlier
    stream.request({{0, 1, 0}, Plane{0, {3, 0}}, false});
    stream.request({{0, 0, 0}, Plane{0, shown}, false});  // this slice, exact
    stream.request({{0, 1, 0}, Plane{0, shown}, false});
    stream.request({{1, 0, 0}, Plane{0, shown}, true});   // this slice, coverage
    stream.request({{1, 0, 0}, Plane{0, {2, 0}}, true});  // ahead, coverage
    std::vector<TileJob> order;
    while (loader.run_pending(1) == 1) {
        for (const TileResult& result : stream.take_ready()) {
            ASSERT_TRUE(result.error.empty()) << result.error;
            order.push_back(result.job);
        }
    }
    const std::vector<TileJob> expected{
        {{1, 0, 0}, Plane{0, shown}, true},   {{0, 0, 0}, Plane{0, shown}, false},
        {{0, 1, 0}, Plane{0, shown}, false},  {{0, 0, 0}, Plane{0, {2, 0}}, false},
        {{0, 1, 0}, Plane{0, {3, 0}}, false}, {{1, 0, 0}, Plane{0, {2, 0}}, true}};
    EXPECT_EQ(order, expected);
    // Without a shown position, jobs run in the order asked for.
    stream.set_wanted(wanted, {{2, 0}, {3, 0}});
    stream.request({{0, 1, 0}, Plane{0, {3, 0}}, true});
    stream.request({{0, 0, 0}, Plane{0, {2, 0}}, true});
    ASSERT_EQ(loader.run_pending(1), 1u);
    const auto first = stream.take_ready();
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].job.tile, (TileKey{0, 1, 0}));
}

TEST(TileLoader, JobsWhoseTileLeftTheViewAreDroppedBeforeTheyRun) {
    auto image = flat(1000, 1000);
    TileLoader loader({0, true});
    TileStream stream(loader, image, 100);
    stream.set_wanted({{0, 0, 0}, {0, 1, 0}, {0, 2, 0}});
    for (std::int64_t c = 0; c < 3; ++c) {
        stream.request({{0, c, 0}, {0}, false});
    }
    stream.request({{0, 0, 0}, {0}, false});  // already queued: not twice
    stream.set_wanted({{0, 1, 0}});
    EXPECT_EQ(stream.dropped(), 2u);
    EXPECT_EQ(loader.run_pending(), 1u);
    const auto results = stream.take_ready();
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].job.tile, (TileKey{0, 1, 0}));
    EXPECT_FALSE(stream.busy());
}

TEST(TileLoader, AResultReadBeforeAChangeItTouchesIsMarkedSupersededOthersAreNot) {
    auto image = flat(1000, 1000);
    TileLoader loader({0, true});
    TileStream stream(loader, image, 100);
    stream.set_wanted({{0, 0, 0}, {0, 5, 5}});
    stream.request({{0, 0, 0}, {0}, false});
    stream.request({{0, 5, 5}, {0}, false});
    EXPECT_EQ(loader.run_pending(), 2u);  // both read: the old pixels
    const std::vector<float> two(10 * 10, 2.0f);
    ASSERT_TRUE(image->write_region({0}, {520, 530, 10, 10}, std::as_bytes(std::span(two))).ok());
    const std::vector<Damage> damage = stream.poll_damage();
    ASSERT_EQ(damage.size(), 1u);
    EXPECT_EQ(damage[0].rect, (Rect{520, 530, 10, 10}));
    auto results = stream.take_ready();
    ASSERT_EQ(results.size(), 2u);
    std::sort(results.begin(), results.end(),
              [](const TileResult& a, const TileResult& b) { return a.job < b.job; });
    EXPECT_EQ(results[0].job.tile, (TileKey{0, 0, 0}));
    EXPECT_FALSE(results[0].superseded);
    EXPECT_EQ(results[1].job.tile, (TileKey{0, 5, 5}));
    EXPECT_TRUE(results[1].superseded) << "the read of tile (5, 5) showed the old pixels";
    EXPECT_EQ(stream.discarded(), 1u);
    // Asked again, the tile shows the new pixels.
    stream.request({{0, 5, 5}, {0}, false});
    loader.run_pending();
    const auto again = stream.take_ready();
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(texel(again[0], 1 + 20, 1 + 30), 2.0f);
    EXPECT_EQ(texel(again[0], 1 + 19, 1 + 30), 1.0f);
    EXPECT_TRUE(stream.poll_damage().empty()) << "each change is reported once";
}

TEST(TileLoader, DamageTouchesOnlyTheTilesThatHoldItAtEveryLevel) {
    // 4096^2 in tiles of 510 (textures of 512 with the gutter): 9x9 tiles at level 0.
    auto image = flat(4096, 4096);
    TileLoader loader({0, true});
    TileStream stream(loader, image, 510);
    const TileScheduler& scheduler = stream.scheduler();
    const Rect damage{600, 1100, 10, 10};  // inside tile (1, 2) of level 0
    std::vector<std::vector<TileKey>> touched(
        static_cast<std::size_t>(scheduler.geometry().levels));
    for (int level = 0; level < scheduler.geometry().levels; ++level) {
        for (std::int64_t r = 0; r < scheduler.rows(level); ++r) {
            for (std::int64_t c = 0; c < scheduler.columns(level); ++c) {
                if (scheduler.touches({level, c, r}, damage)) {
                    touched[static_cast<std::size_t>(level)].push_back({level, c, r});
                }
            }
        }
    }
    EXPECT_EQ(touched[0], (std::vector<TileKey>{{0, 1, 2}}));
    EXPECT_EQ(touched[1], (std::vector<TileKey>{{1, 0, 1}}));  // level 1: 2048^2, x 300, y 550
    for (int level = 2; level < scheduler.geometry().levels; ++level) {
        EXPECT_EQ(touched[static_cast<std::size_t>(level)], (std::vector<TileKey>{{level, 0, 0}}));
    }
    // At a tile's edge the gutter counts: a change one pixel left of tile (2, 2) touches it too.
    EXPECT_TRUE(scheduler.touches({0, 2, 2}, {1019, 1100, 1, 1}));
    EXPECT_FALSE(scheduler.touches({0, 2, 2}, {1018, 1100, 1, 1}));
}

TEST(TileLoader, DamageForgetsTheCachedPyramidTilesItTouchesAndNoOthers) {
    auto image = flat(1024, 1024);
    TileLoader loader({0, true});
    TileStream stream(loader, image, 64);
    // Build every tile of levels 1 and 2 into the cache.
    std::set<TileKey> wanted;
    for (int level = 1; level <= 2; ++level) {
        for (std::int64_t r = 0; r < stream.scheduler().rows(level); ++r) {
            for (std::int64_t c = 0; c < stream.scheduler().columns(level); ++c) {
                wanted.insert({level, c, r});
            }
        }
    }
    stream.set_wanted(wanted);
    for (const TileKey& tile : wanted) {
        stream.request({tile, {0}, false});
    }
    loader.run_pending();
    (void)stream.take_ready();
    const std::size_t tile_bytes = 64 * 64 * sizeof(float);
    const std::size_t all = stream.cached_bytes();
    EXPECT_EQ(all, (8 * 8 + 4 * 4) * tile_bytes);
    const std::vector<float> two(4, 2.0f);
    ASSERT_TRUE(image->write_region({0}, {200, 300, 2, 2}, std::as_bytes(std::span(two))).ok());
    ASSERT_EQ(stream.poll_damage().size(), 1u);
    EXPECT_EQ(stream.cached_bytes(), all - 2 * tile_bytes) << "one tile of level 1, one of 2";
    // Rebuilt, level 1 holds the mean of the new pixels.
    stream.request({{1, 1, 2}, {0}, false});
    loader.run_pending();
    const auto results = stream.take_ready();
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(texel(results[0], 1 + 100 - 64, 1 + 150 - 128), 2.0f);
}

TEST(TileLoader, TwoImagesShareTheWorkersFairlyAndOneCpuCacheBudget) {
    auto a = flat(2048, 2048, 1.0f);
    auto b = flat(2048, 2048, 2.0f);
    const std::size_t tile_bytes = 64 * 64 * sizeof(float);
    TileLoader loader({0, true, 10 * tile_bytes});
    TileStream first(loader, a, 64);
    TileStream second(loader, b, 64);
    std::set<TileKey> wanted;
    for (std::int64_t c = 0; c < 16; ++c) {
        wanted.insert({1, c, 0});
    }
    first.set_wanted(wanted);
    second.set_wanted(wanted);
    for (const TileKey& tile : wanted) {
        first.request({tile, {0}, false});
        second.request({tile, {0}, false});
    }
    // Jobs alternate between the images: two jobs, one result each.
    EXPECT_EQ(loader.run_pending(2), 2u);
    EXPECT_EQ(first.take_ready().size(), 1u);
    EXPECT_EQ(second.take_ready().size(), 1u);
    loader.run_pending();
    EXPECT_EQ(first.take_ready().size(), 15u);
    EXPECT_EQ(second.take_ready().size(), 15u);
    // At least 32 level-1 tiles were built (more: each read's gutter touches its neighbours, and
    // the small budget evicts them); the one budget holds ten, whoever built them.
    EXPECT_GE(first.tiles_built() + second.tiles_built(), 32u);
    EXPECT_LE(loader.cache()->bytes(), 10 * tile_bytes);
    EXPECT_EQ(first.cached_bytes() + second.cached_bytes(), loader.cache()->bytes());
}

TEST(TileLoader, AReloadIsAChangeOfEverythingAndADifferentShapeIsRefused) {
    auto before = flat(300, 300, 1.0f);
    auto after = flat(300, 300, 3.0f);
    TileLoader loader({0, true});
    TileStream stream(loader, before, 128);
    stream.set_wanted({{0, 0, 0}});
    stream.request({{0, 0, 0}, {0}, false});
    loader.run_pending();  // read from the old file, not taken yet
    ASSERT_TRUE(stream.replace_source(after).ok());
    const auto damage = stream.poll_damage();
    ASSERT_EQ(damage.size(), 1u);
    EXPECT_EQ(damage[0].rect, (Rect{0, 0, 300, 300}));
    const auto old = stream.take_ready();
    ASSERT_EQ(old.size(), 1u);
    EXPECT_TRUE(old[0].superseded) << "read from the old file";
    stream.request({{0, 0, 0}, {0}, false});
    loader.run_pending();
    const auto results = stream.take_ready();
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(texel(results[0], 5, 5), 3.0f);
    EXPECT_FALSE(stream.replace_source(flat(301, 300)).ok());
}

TEST(TileLoader, ThreadedWorkersStopWhenPausedAndResume) {
    auto image = flat(512, 512);
    TileLoader loader({2, false});
    TileStream stream(loader, image, 64);
    loader.pause();
    stream.set_wanted({{0, 0, 0}});
    stream.request({{0, 0, 0}, {0}, false});
    stream.notify();
    EXPECT_TRUE(stream.busy());
    EXPECT_EQ(loader.run_pending(), 1u) << "paused workers left the job to this thread";
    EXPECT_EQ(stream.take_ready().size(), 1u);
    loader.resume();
    stream.request({{0, 0, 0}, {0}, false});
    stream.notify();
    ASSERT_TRUE(stream.wait(std::chrono::steady_clock::now() + std::chrono::minutes(5)));
    EXPECT_EQ(stream.take_ready().size(), 1u);
}

}  // namespace
}  // namespace tessera::core
