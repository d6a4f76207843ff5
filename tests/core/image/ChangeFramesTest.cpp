#include "core/image/ChangeFrames.h"

#include <gtest/gtest.h>

namespace tessera::core {
namespace {

Damage of(std::int64_t x, std::int64_t y, std::int64_t w, std::int64_t h,
          std::vector<Plane> planes = {{0, {}}}) {
    return {{x, y, w, h}, std::move(planes)};
}

TEST(ChangeFrames, AFrameSentTileByTileEndsWhenTheNextOneBegins) {
    // 4096^2 in 128^2 tiles, row by row, as tev's Python client sends them: three frames.
    ChangeFrames frames;
    int begun = 0;
    for (int frame = 0; frame < 3; ++frame) {
        for (int y = 0; y < 4096; y += 128) {
            for (int x = 0; x < 4096; x += 128) {
                const bool begins = frames.add(of(x, y, 128, 128));
                EXPECT_EQ(begins, frame > 0 && x == 0 && y == 0) << frame << " " << x << " " << y;
                begun += begins ? 1 : 0;
                EXPECT_LE(frames.regions(), 2u) << "rows swept merge into one rectangle";
            }
        }
    }
    EXPECT_EQ(begun, 2);
}

TEST(ChangeFrames, WholeImageUpdatesAreAFrameEach) {
    ChangeFrames frames;
    EXPECT_FALSE(frames.add(of(0, 0, 640, 480)));
    EXPECT_TRUE(frames.add(of(0, 0, 640, 480)));
    EXPECT_TRUE(frames.add(of(0, 0, 640, 480)));
}

TEST(ChangeFrames, RegionsThatOnlyShareAnEdgeAreOneFrameAndAnOverlapOfOnePixelEndsIt) {
    ChangeFrames frames;
    EXPECT_FALSE(frames.add(of(0, 0, 100, 100)));
    EXPECT_FALSE(frames.add(of(100, 0, 50, 100)));  // beside it
    EXPECT_FALSE(frames.add(of(0, 100, 10, 10)));   // below it
    EXPECT_FALSE(frames.add(of(300, 300, 7, 9)));   // apart, not mergeable
    EXPECT_EQ(frames.regions(), 3u);
    EXPECT_TRUE(frames.add(of(149, 99, 5, 5)));  // one pixel of the second
    EXPECT_EQ(frames.regions(), 1u) << "the new frame holds the change that began it";
    EXPECT_FALSE(frames.add(of(0, 0, 100, 100)));
}

TEST(ChangeFrames, ChannelsWrittenOneAfterAnotherAreOneFrame) {
    const std::vector<Plane> r{{0, {}}}, g{{1, {}}}, b{{2, {}}};
    ChangeFrames frames;
    for (int frame = 0; frame < 2; ++frame) {
        for (int x = 0; x < 256; x += 128) {
            EXPECT_EQ(frames.add(of(x, 0, 128, 128, r)), frame == 1 && x == 0);
            EXPECT_FALSE(frames.add(of(x, 0, 128, 128, g)));
            EXPECT_FALSE(frames.add(of(x, 0, 128, 128, b)));
        }
    }
}

TEST(ChangeFrames, AReloadOfEveryPlaneIsAFrameAndTheOneAfterItStartsAfresh) {
    ChangeFrames frames;
    EXPECT_FALSE(frames.add(of(0, 0, 10, 10)));
    EXPECT_TRUE(frames.add(of(0, 0, 64, 64, {})));
    EXPECT_FALSE(frames.add(of(0, 0, 10, 10)));
    EXPECT_FALSE(frames.add({{5, 5, 0, 3}, {{0, {}}}})) << "an empty change changes nothing";
}

TEST(ChangeFrames, TilesInNoOrderMergeLessAndAFrameTooScatteredEndsEarly) {
    ChangeFrames frames(8);
    // Every other tile of a row: nothing merges.
    for (int i = 0; i < 8; ++i) {
        EXPECT_FALSE(frames.add(of(i * 20, 0, 10, 10)));
    }
    EXPECT_EQ(frames.regions(), 8u);
    EXPECT_TRUE(frames.add(of(500, 500, 10, 10))) << "beyond the bound: a frame ends";
    EXPECT_EQ(frames.regions(), 1u);
}

}  // namespace
}  // namespace tessera::core
