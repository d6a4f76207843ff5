// The level-of-detail pyramid and the tile scheduler, without GL.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

#include <gtest/gtest.h>

#include "core/image/LabelSource.h"
#include "core/image/PlanarImage.h"
#include "core/lod/LruBudget.h"
#include "core/lod/Pyramid.h"
#include "core/lod/TileScheduler.h"

namespace tessera::core {
namespace {

std::shared_ptr<PlanarImage> coordinate_image(int width, int height, SampleType type) {
    auto image = std::make_shared<PlanarImage>(width, height);
    image->add_channel("v", type);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            const std::size_t i = static_cast<std::size_t>(y) * width + x;
            const int v = (x * 3 + y * 5) % 250;
            if (type == SampleType::U8) {
                image->samples<std::uint8_t>(0)[i] = static_cast<std::uint8_t>(v);
            } else {
                image->samples<float>(0)[i] = static_cast<float>(v) + 0.25f;
            }
        }
    }
    return image;
}

void store(std::byte* at, SampleType type, double v) {
    const auto put = [&](auto value) {
        std::memcpy(at, &value, sizeof value);
    };
    switch (type) {
        case SampleType::U8:
            return put(static_cast<std::uint8_t>(v));
        case SampleType::U16:
            return put(static_cast<std::uint16_t>(v));
        case SampleType::U32:
            return put(static_cast<std::uint32_t>(v));
        case SampleType::F16:
            return put(float_to_half(static_cast<float>(v)));
        case SampleType::F32:
            return put(static_cast<float>(v));
    }
}

template <typename T>
std::vector<T> read(const Pyramid& pyramid, int level, Rect rect) {
    std::vector<T> out(static_cast<std::size_t>(rect.area()));
    EXPECT_TRUE(pyramid.read_region({0}, level, rect, std::as_writable_bytes(std::span(out))).ok());
    return out;
}

TEST(LevelGeometry, LevelsHalveDownToOneTileAndZoomPicksTheFinestSufficientLevel) {
    const LevelGeometry g = LevelGeometry::of(32914, 46000, 256);
    EXPECT_EQ(g.level_width(1), 16457);
    EXPECT_EQ(g.level_height(8), 180);
    EXPECT_EQ(g.levels, 9);  // level 8 is 129 x 180
    EXPECT_EQ(g.level_for_zoom(4.0), 0);
    EXPECT_EQ(g.level_for_zoom(1.0), 0);
    EXPECT_EQ(g.level_for_zoom(0.5), 1);
    EXPECT_EQ(g.level_for_zoom(0.3), 1);  // level 2 would have fewer pixels than the screen
    EXPECT_EQ(g.level_for_zoom(0.25), 2);
    EXPECT_EQ(g.level_for_zoom(1e-6), 8);  // clamped to the coarsest
}

TEST(Pyramid, LevelOneIsTheMeanOfEachTwoByTwoBlockRoundedForIntegers) {
    auto image = coordinate_image(7, 5, SampleType::U8);  // odd sizes: edge blocks are partial
    const Pyramid pyramid(image, 1 << 20, 2);             // tiny tiles: many tiles per read
    const auto level1 = read<std::uint8_t>(pyramid, 1, {0, 0, 4, 3});
    const auto source = image->samples<std::uint8_t>(0);
    for (int y = 0; y < 3; ++y) {
        for (int x = 0; x < 4; ++x) {
            double sum = 0;
            int count = 0;
            for (int dy = 0; dy < 2; ++dy) {
                for (int dx = 0; dx < 2; ++dx) {
                    if (x * 2 + dx < 7 && y * 2 + dy < 5) {
                        sum += source[static_cast<std::size_t>((y * 2 + dy) * 7 + x * 2 + dx)];
                        ++count;
                    }
                }
            }
            EXPECT_EQ(level1[static_cast<std::size_t>(y * 4 + x)], std::lround(sum / count))
                << x << "," << y;
        }
    }
}

// A source that stores its own level 1 (as an OME-TIFF's SubIFDs do), filled with a value no
// mean of the base could give, and a level 2 of the wrong size.
class StoredLevels final : public ImageSource {
  public:
    StoredLevels(std::shared_ptr<PlanarImage> base, std::shared_ptr<PlanarImage> level1,
                 std::shared_ptr<PlanarImage> wrong2)
        : m_base(std::move(base)), m_level1(std::move(level1)), m_wrong2(std::move(wrong2)) {}
    std::int64_t width() const override { return m_base->width(); }
    std::int64_t height() const override { return m_base->height(); }
    const std::vector<ChannelInfo>& channels() const override { return m_base->channels(); }
    Result<void> read_region(const Plane& plane, Rect rect,
                             std::span<std::byte> dst) const override {
        return m_base->read_region(plane, rect, dst);
    }
    std::shared_ptr<const ImageSource> stored_level(int level) const override {
        return level == 1 ? m_level1 : level == 2 ? m_wrong2 : nullptr;
    }

  private:
    std::shared_ptr<PlanarImage> m_base, m_level1, m_wrong2;
};

TEST(Pyramid, LabelLevelsKeepRealIdsTheMostFrequentNonZeroOfEachBlock) {
    // 5 x 3 u16 ids: blocks with a majority, a tie (the first in reading order wins), only
    // background (0), background outnumbering one id (the id wins), and 1-wide edge blocks.
    const std::vector<std::uint16_t> ids{
        7, 7, 3, 4, 9,  //
        7, 2, 4, 3, 0,  //
        0, 5, 0, 0, 6,
    };
    auto plain = std::make_shared<PlanarImage>(5, 3);
    plain->add_channel("labels", SampleType::U16);
    std::copy(ids.begin(), ids.end(), plain->samples<std::uint16_t>(0).begin());
    const auto labels = as_labels(plain);
    ASSERT_TRUE(labels->channels()[0].labels);
    EXPECT_FALSE(plain->channels()[0].labels);
    Pyramid pyramid(labels, std::size_t{1} << 20, 2);  // 2-pixel tiles: built from level 1 too
    EXPECT_EQ(read<std::uint16_t>(pyramid, 1, {0, 0, 3, 2}),
              (std::vector<std::uint16_t>{7, 3, 9, 5, 0, 6}));
    EXPECT_EQ(read<std::uint16_t>(pyramid, 2, {0, 0, 2, 1}), (std::vector<std::uint16_t>{7, 9}));
    // Random ids over a larger image: every level holds only ids of level 0, whichever way it
    // is built (from the level below, or straight from level 0).
    auto big = std::make_shared<PlanarImage>(97, 61);
    big->add_channel("labels", SampleType::U8);
    auto samples = big->samples<std::uint8_t>(0);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        samples[i] = static_cast<std::uint8_t>((i * 2654435761u >> 7) % 5 * 40);  // 0, 40, ... 160
    }
    for (const bool coarsest_first : {false, true}) {
        Pyramid levels(as_labels(big), std::size_t{1} << 20, 8);
        ASSERT_GE(levels.level_count(), 4);
        for (int k = 1; k < 4; ++k) {
            const int level = coarsest_first ? 4 - k : k;
            const Rect all{0, 0, levels.geometry().level_width(level),
                           levels.geometry().level_height(level)};
            for (const std::uint8_t id : read<std::uint8_t>(levels, level, all)) {
                EXPECT_EQ(id % 40, 0) << "level " << level << " made id " << int{id};
            }
        }
    }
    // The same source as intensities: means (7, 7, 7, 2 -> 6).
    Pyramid means(plain, std::size_t{1} << 20, 2);
    EXPECT_EQ(read<std::uint16_t>(means, 1, {0, 0, 1, 1}), (std::vector<std::uint16_t>{6}));
}

TEST(Pyramid, LevelsTheSourceStoresAreReadNotBuilt) {
    auto base = coordinate_image(40, 24, SampleType::U8);
    auto level1 = std::make_shared<PlanarImage>(20, 12);
    level1->add_channel(base->channels()[0].name, SampleType::U8);
    std::fill(level1->plane(0).begin(), level1->plane(0).end(), std::byte{201});
    auto wrong2 = std::make_shared<PlanarImage>(9, 6);  // level 2 is 10 x 6
    wrong2->add_channel(base->channels()[0].name, SampleType::U8);
    std::fill(wrong2->plane(0).begin(), wrong2->plane(0).end(), std::byte{202});
    const Pyramid pyramid(std::make_shared<StoredLevels>(base, level1, wrong2), 1 << 20, 4);
    ASSERT_GE(pyramid.level_count(), 3);
    const auto stored = read<std::uint8_t>(pyramid, 1, {3, 2, 5, 4});
    EXPECT_TRUE(std::all_of(stored.begin(), stored.end(), [](auto v) { return v == 201; }));
    std::vector<std::uint8_t> sampled(5 * 4);
    ASSERT_TRUE(
        pyramid
            .read_region_sampled({0}, 1, {3, 2, 5, 4}, std::as_writable_bytes(std::span(sampled)))
            .ok());
    EXPECT_EQ(sampled, stored);
    EXPECT_EQ(pyramid.tiles_built(), 0u);
    // Level 2 is built from the base: the stored copy has the wrong size.
    const auto built = read<std::uint8_t>(pyramid, 2, {0, 0, 10, 6});
    EXPECT_TRUE(std::none_of(built.begin(), built.end(), [](auto v) { return v == 202; }));
    EXPECT_GT(pyramid.tiles_built(), 0u);
}

TEST(Pyramid, EveryTypeMatchesTheMeanOfFiniteValuesAtOddEdges) {
    // 9x7: partial blocks at the right (1 wide), the bottom (1 high) and the corner (1 pixel).
    for (const SampleType type :
         {SampleType::U8, SampleType::U16, SampleType::U32, SampleType::F16, SampleType::F32}) {
        SCOPED_TRACE(to_string(type));
        auto image = std::make_shared<PlanarImage>(9, 7);
        image->add_channel("v", type);
        const std::size_t size = sample_size(type);
        std::vector<double> values(63);
        for (std::size_t i = 0; i < values.size(); ++i) {
            const double v = static_cast<double>((i * 37 + 11) % 61);
            std::byte* at = image->plane(0).data() + i * size;
            switch (type) {
                case SampleType::U8:
                    values[i] = v * 4;
                    break;
                case SampleType::U16:
                    values[i] = v * 1000 + 1;
                    break;
                case SampleType::U32:
                    values[i] = 4'000'000'000.0 + v * 7;
                    break;  // beyond float
                case SampleType::F16:
                    values[i] = v / 8;
                    break;
                case SampleType::F32:
                    values[i] = v / 3;
                    break;
            }
            if (type == SampleType::F32 && i == 10) {
                values[i] = std::numeric_limits<double>::quiet_NaN();
            }
            store(at, type, values[i]);
            if (type == SampleType::F32) {
                values[i] = sample_as_float(at, type);  // what the image holds
            }
        }
        const Pyramid pyramid(image, 1 << 20, 3);
        const Rect rect{0, 0, 5, 4};
        std::vector<std::byte> level1(static_cast<std::size_t>(rect.area()) * size);
        ASSERT_TRUE(pyramid.read_region({0}, 1, rect, level1).ok());
        for (int y = 0; y < 4; ++y) {
            for (int x = 0; x < 5; ++x) {
                double sum = 0;
                int finite = 0;
                for (int dy = 0; dy < 2; ++dy) {
                    for (int dx = 0; dx < 2; ++dx) {
                        if (x * 2 + dx < 9 && y * 2 + dy < 7) {
                            const double v =
                                values[static_cast<std::size_t>((y * 2 + dy) * 9 + x * 2 + dx)];
                            if (std::isfinite(v)) {
                                sum += v;
                                ++finite;
                            }
                        }
                    }
                }
                const double mean = sum / finite;
                const double expected =
                    type == SampleType::U8 || type == SampleType::U16 || type == SampleType::U32
                        ? static_cast<double>(std::llround(mean))
                    : type == SampleType::F16
                        ? half_to_float(float_to_half(static_cast<float>(mean)))
                        : static_cast<float>(mean);
                const std::byte* got = level1.data() + static_cast<std::size_t>(y * 5 + x) * size;
                const double value =
                    type == SampleType::U32
                        ? static_cast<double>(*reinterpret_cast<const std::uint32_t*>(got))
                        : sample_as_float(got, type);
                EXPECT_EQ(value, expected) << x << "," << y;
            }
        }
    }
}

TEST(Pyramid, CoarserLevelsAreMeansOfTheLevelBelowAndNanStaysVisible) {
    auto image = coordinate_image(64, 32, SampleType::F32);
    image->samples<float>(0)[0] = std::numeric_limits<float>::quiet_NaN();  // one NaN in a block
    for (int i : {62, 63, 126, 127}) {
        image->samples<float>(0)[static_cast<std::size_t>(i)] =
            std::numeric_limits<float>::infinity();
    }
    const Pyramid pyramid(image, 1 << 20, 8);
    EXPECT_EQ(pyramid.level_count(), 4);  // 64x32, 32x16, 16x8, 8x4
    const auto level1 = read<float>(pyramid, 1, {0, 0, 32, 16});
    const auto level2 = read<float>(pyramid, 2, {0, 0, 16, 8});
    const auto source = image->samples<float>(0);
    EXPECT_FLOAT_EQ(level1[0], (source[1] + source[64] + source[65]) / 3.0f);  // NaN left out
    EXPECT_TRUE(std::isinf(level1[31]));  // a block of infinities stays infinite
    EXPECT_FLOAT_EQ(level2[5], (level1[10] + level1[11] + level1[42] + level1[43]) / 4.0f);
}

TEST(Pyramid, TilesBuiltFromLevelZeroEqualTilesBuiltLevelByLevel) {
    // A cold pyramid builds level 3 straight from level 0, strip by strip; a warm one builds it
    // from cached tiles of level 2 (themselves from level 1). Same bits, for integer rounding,
    // NaN blocks and odd edges, and for several channels read together.
    for (const SampleType type : {SampleType::U8, SampleType::F32}) {
        SCOPED_TRACE(to_string(type));
        auto image = coordinate_image(203, 117, type);
        image->add_channel("w", type);
        for (std::size_t i = 0; i < 203 * 117; ++i) {
            const double v = static_cast<double>((i * 7919) % 251);
            if (type == SampleType::U8) {
                image->samples<std::uint8_t>(1)[i] = static_cast<std::uint8_t>(v);
            } else {
                image->samples<float>(1)[i] =
                    i % 97 < 40 ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(v);
            }
        }
        const Pyramid cold(image, 1 << 20, 8);
        const Pyramid warm(image, 1 << 20, 8);
        const std::size_t size = sample_size(type);
        for (int level = 1; level <= 2; ++level) {  // fill the warm cache level by level
            const Rect all{0, 0, warm.geometry().level_width(level),
                           warm.geometry().level_height(level)};
            std::vector<std::byte> scratch(static_cast<std::size_t>(all.area()) * size);
            ASSERT_TRUE(warm.read_region({0}, level, all, scratch).ok());
            ASSERT_TRUE(warm.read_region({1}, level, all, scratch).ok());
        }
        const Rect level3{0, 0, cold.geometry().level_width(3), cold.geometry().level_height(3)};
        std::vector<std::byte> a0(static_cast<std::size_t>(level3.area()) * size), a1 = a0, b0 = a0,
                                                                                   b1 = a0;
        const Plane both[] = {{0}, {1}};
        const std::span<std::byte> cold_out[] = {a0, a1};
        ASSERT_TRUE(cold.read_regions(both, 3, level3, cold_out).ok());
        ASSERT_TRUE(warm.read_region({0}, 3, level3, b0).ok());
        ASSERT_TRUE(warm.read_region({1}, 3, level3, b1).ok());
        EXPECT_EQ(a0, b0);
        EXPECT_EQ(a1, b1);
    }
}

TEST(Pyramid, TheCacheStaysWithinItsBudgetAndConcurrentReadsAgree) {
    auto image = coordinate_image(512, 512, SampleType::F32);
    const Pyramid pyramid(image, std::size_t{64 * 64 * 4 * 3}, 64);  // room for three tiles
    const auto expected = read<float>(pyramid, 1, {0, 0, 256, 256});
    EXPECT_LE(pyramid.cached_bytes(), std::size_t{64 * 64 * 4 * 3});
    std::vector<std::thread> threads;
    std::vector<std::vector<float>> results(4);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            results[static_cast<std::size_t>(t)] = read<float>(pyramid, 1, {0, 0, 256, 256});
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    for (const auto& result : results) {
        EXPECT_EQ(result, expected);
    }
}

TEST(Pyramid, SampledReadsPickEveryNthPixelOfLevelZero) {
    auto image = coordinate_image(40, 40, SampleType::U8);
    const Pyramid pyramid(image, std::size_t{1} << 20, 4);  // levels down to 3x3
    std::vector<std::uint8_t> out(5 * 5);
    ASSERT_TRUE(
        pyramid.read_region_sampled({0}, 3, {0, 0, 5, 5}, std::as_writable_bytes(std::span(out)))
            .ok());
    EXPECT_EQ(out[6], image->samples<std::uint8_t>(0)[8 * 40 + 8]);
    EXPECT_EQ(out[24], image->samples<std::uint8_t>(0)[32 * 40 + 32]);
}

TileScheduler scheduler_for(std::int64_t w, std::int64_t h) {
    return TileScheduler(LevelGeometry::of(w, h, 256), 256);
}

TEST(TileScheduler, OneToOneUsesLevelZeroAndOnlyTheVisibleTiles) {
    const TileScheduler s = scheduler_for(200000, 200000);
    const View view = View::of_rect(100000, 50000, 101000, 50700, 1000, 700);
    EXPECT_EQ(s.level_for(view), 0);
    const auto tiles = s.visible(0, view);
    EXPECT_EQ(tiles.size(), 5u * 4u);  // 1000x700 pixels straddle 5 x 4 tiles of 256
    for (const TileKey& t : tiles) {
        const Rect r = s.image_rect(t);
        EXPECT_LT(r.x, 101000);
        EXPECT_GT(r.x + r.width, 100000);
    }
}

TEST(TileScheduler, FitPicksACoarseLevelWhoseTilesCoverTheImage) {
    const TileScheduler s = scheduler_for(32914, 46000);
    const View view = View::fit(32914, 46000, 1280, 720);
    const int level = s.level_for(view);
    // 46000 / 720 = 63.9 level-0 pixels per screen pixel: level 5 keeps 1438 rows for 720 screen
    // rows; level 6 would have fewer rows than the screen.
    EXPECT_EQ(level, 5);
    std::int64_t covered = 0;
    for (const TileKey& t : s.visible(level, view)) {
        covered += s.image_rect(t).area();
    }
    EXPECT_EQ(covered, std::int64_t{32914} * 46000);
}

TEST(TileScheduler, MissingFineTilesAreCoveredByTheNearestResidentAncestor) {
    const TileScheduler s = scheduler_for(4096, 4096);
    const View view = View::of_rect(1000, 1000, 1512, 1512, 512, 512);       // level 0, 3x3 tiles
    std::set<TileKey> resident{{2, 0, 0}, {2, 1, 0}, {2, 0, 1}, {2, 1, 1}};  // only coarse tiles
    const TilePlan plan = s.plan(view, [&](const TileKey& t) { return resident.count(t) != 0; });
    ASSERT_EQ(plan.level, 0);
    ASSERT_EQ(plan.draws.size(), 9u);
    for (const DrawItem& d : plan.draws) {
        EXPECT_FALSE(d.final);
        EXPECT_EQ(d.tile.level, 2);
        const Rect ancestor = s.image_rect(d.tile);
        EXPECT_GE(d.clip.x, ancestor.x);  // the ancestor really covers the clip
        EXPECT_LE(d.clip.x + d.clip.width, ancestor.x + ancestor.width);
    }
    // Coarsest first, then the nine ideal tiles, then the prefetch ring.
    EXPECT_EQ(plan.requests.front().level, s.geometry().levels - 1);
    EXPECT_EQ(std::count_if(plan.requests.begin(), plan.requests.end(),
                            [](auto& t) { return t.level == 0; }),
              9 + 16);
}

TEST(TileScheduler, ResidentIdealTilesAreDrawnAsFinal) {
    const TileScheduler s = scheduler_for(1000, 1000);
    const View view = View::of_rect(0, 0, 1000, 1000, 1000, 1000);
    const TilePlan plan = s.plan(view, [](const TileKey&) { return true; });
    EXPECT_EQ(plan.draws.size(), 16u);
    EXPECT_TRUE(std::all_of(plan.draws.begin(), plan.draws.end(), [](auto& d) { return d.final; }));
    EXPECT_TRUE(plan.requests.empty());
}

TEST(LruBudget, EvictsLeastRecentlyUsedFirstAndNeverWhatIsProtected) {
    LruBudget<TileKey> budget;
    for (int i = 0; i < 5; ++i) {
        budget.insert({0, i, 0}, 100);
    }
    budget.touch({0, 0, 0});  // now the most recent
    const auto victims = budget.victims(250, 500, [](const TileKey& t) {
        return t == TileKey{0, 1, 0};
    });
    // 500 held + 250 incoming within 500: free 250 -> three tiles of 100, oldest first, skipping 1.
    ASSERT_EQ(victims.size(), 3u);
    EXPECT_EQ(victims[0], (TileKey{0, 2, 0}));
    EXPECT_EQ(victims[1], (TileKey{0, 3, 0}));
    EXPECT_EQ(victims[2], (TileKey{0, 4, 0}));
    for (const TileKey& v : victims) {
        budget.erase(v);
    }
    EXPECT_EQ(budget.bytes(), 200u);
    EXPECT_TRUE(budget.victims(100, 500, {}).empty());
}

TEST(LruBudget, ABudgetIsNeverExceededWhateverTheOrderOfInsertions) {
    LruBudget<TileKey> budget;
    const std::size_t limit = 1000;
    for (int i = 0; i < 200; ++i) {
        const std::size_t bytes = 50 + static_cast<std::size_t>(i * 37 % 200);
        for (const TileKey& v : budget.victims(bytes, limit, {})) {
            budget.erase(v);
        }
        budget.insert({1, i, i % 7}, bytes);
        EXPECT_LE(budget.bytes(), limit);
    }
}

}  // namespace
}  // namespace tessera::core
