// Slices of a stack: stepping, playback by the clock (skipping, never queueing), reading ahead.
// The clock is a number the test passes in: no sleeping, nothing depends on the machine's speed.
#include <gtest/gtest.h>

#include "core/view/Dims.h"

namespace tessera::core {
namespace {

TEST(Playback, StepsClampWrapOrReflectAtTheEnds) {
    int direction = 1;
    EXPECT_EQ(step_index(3, 4, 5, LoopMode::Once, direction), 4);
    EXPECT_EQ(step_index(3, 7, 5, LoopMode::Loop, direction), 0);
    // Back and forth over 0..4: 3 -> 4 -> 3 -> 2, turning round at the top.
    EXPECT_EQ(step_index(3, 3, 5, LoopMode::BackAndForth, direction), 2);
    EXPECT_EQ(direction, -1);
    EXPECT_EQ(step_index(2, 3, 5, LoopMode::BackAndForth, direction), 1) << "going down";
    EXPECT_EQ(direction, 1) << "turned at 0";
    EXPECT_EQ(step_index(0, 5, 1, LoopMode::Loop, direction), 0);
}

TEST(Playback, FollowsTheClockSoSlowFramesSkipSlicesInsteadOfQueueingThem) {
    Playback playback;
    playback.set_fps(10);
    playback.set_mode(LoopMode::Loop);
    playback.start(0, 2, 30, 100.0);
    EXPECT_EQ(playback.index_at(100.0, 30), 2);
    EXPECT_EQ(playback.index_at(100.1, 30), 3);
    // A frame that took 0.9 s: the slice due is shown; the eight in between are never shown.
    EXPECT_EQ(playback.index_at(101.0, 30), 12);
    EXPECT_EQ(playback.index_at(103.9, 30), 11) << "2 + 39 frames, wrapped round";
}

TEST(Playback, OnceStopsAtTheEndAndStartsAgainFromTheBeginning) {
    Playback playback;
    playback.set_fps(5);
    playback.set_mode(LoopMode::Once);
    playback.start(0, 7, 10, 0.0);
    EXPECT_EQ(playback.index_at(10.0, 10), 9);
    EXPECT_FALSE(playback.playing());
    playback.start(0, 9, 10, 20.0);
    EXPECT_EQ(playback.index_at(20.0, 10), 0);
    EXPECT_TRUE(playback.playing());
}

TEST(Playback, FrameRatesAreClampedToWhatMakesSense) {
    Playback playback;
    playback.set_fps(0);
    EXPECT_DOUBLE_EQ(playback.fps(), 0.1);
    playback.set_fps(1e9);
    EXPECT_DOUBLE_EQ(playback.fps(), 240);
}

TEST(Dims, SlidersForLongAxesStepKeysMoveTheAxisUsedLast) {
    Dims dims({{"T", 20}, {"Z", 16}, {"Q", 1}});
    EXPECT_EQ(dims.slider_axes(), (std::vector<std::size_t>{0, 1}));
    EXPECT_EQ(dims.step_axis(), 1u) << "Z first";
    dims.step(1);
    dims.step(1);
    EXPECT_EQ(dims.position(), (std::vector<std::int64_t>{0, 2, 0}));
    dims.set(0, 5);  // the T slider
    dims.step(-1);
    EXPECT_EQ(dims.position(), (std::vector<std::int64_t>{4, 2, 0}));
    dims.step(-100);
    EXPECT_EQ(dims.position()[0], 0) << "clamped at the start";
    dims.set(1, 99);
    EXPECT_EQ(dims.position()[1], 15) << "clamped at the end";
}

TEST(Dims, ReadsAheadInTheDirectionOfTravel) {
    Dims dims({{"Z", 10}});
    dims.set(0, 4);
    dims.step(1);  // now 5, going up
    EXPECT_EQ(dims.ahead(3), (std::vector<std::vector<std::int64_t>>{{6}}));
    dims.step(-1);  // 4, going down
    EXPECT_EQ(dims.ahead(3), (std::vector<std::vector<std::int64_t>>{{3}}));
    dims.playback().set_mode(LoopMode::Loop);
    dims.set(0, 8);
    dims.toggle_play(0.0);
    EXPECT_EQ(dims.ahead(3), (std::vector<std::vector<std::int64_t>>{{9}, {0}, {1}}));
    dims.playback().set_fps(10);
    EXPECT_TRUE(dims.advance(0.25));  // two frames due
    EXPECT_EQ(dims.position(), (std::vector<std::int64_t>{0}));
    dims.set(0, 3);  // the user takes the slider: playback stops
    EXPECT_FALSE(dims.playback().playing());
    EXPECT_FALSE(dims.advance(10.0));
}

TEST(Dims, BackAndForthReadsAheadAcrossTheTurn) {
    Dims dims({{"T", 5}});
    dims.playback().set_mode(LoopMode::BackAndForth);
    dims.playback().set_fps(1);
    dims.set(0, 3);
    dims.toggle_play(0.0);
    EXPECT_EQ(dims.ahead(3), (std::vector<std::vector<std::int64_t>>{{4}, {2}, {1}}))
        << "the slice shown is passed again, not read again";
    dims.advance(1.0);  // at 4, turning
    EXPECT_EQ(dims.ahead(2), (std::vector<std::vector<std::int64_t>>{{3}, {2}}));
}

TEST(Dims, PlayingReadsAheadTheSlicesTheNextFramesWillBeDueToShow) {
    Dims dims({{"Z", 100}});
    dims.set(0, 10);
    dims.playback().set_fps(60);
    dims.toggle_play(0.0);
    // Frames of 50 ms at 60 slices a second: each frame is three slices on, a stride of 3.
    EXPECT_EQ(dims.plan_ahead(0.0, 0.05, 3),
              (std::vector<std::vector<std::int64_t>>{{13}, {16}, {19}}));
    EXPECT_EQ(dims.playback().stride(), 3);
    dims.advance(0.06);  // 3.6 slices due: the stride's 3
    EXPECT_EQ(dims.position(), (std::vector<std::int64_t>{13}));
    // Frames shorter than a slice: one slice a step.
    EXPECT_EQ(dims.plan_ahead(0.06, 0.001, 2),
              (std::vector<std::vector<std::int64_t>>{{14}, {15}}));
    dims.toggle_play(1.0);  // stopped: the next slice only
    EXPECT_EQ(dims.plan_ahead(1.0, 0.05, 3), dims.ahead(1));
}

}  // namespace
}  // namespace tessera::core
