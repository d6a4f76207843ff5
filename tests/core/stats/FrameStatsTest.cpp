#include <gtest/gtest.h>

#include "core/stats/FrameStats.h"

namespace tessera::core {
namespace {

TEST(FrameStats, PercentilesUseNearestRank) {
    std::vector<double> values;
    for (int i = 1; i <= 100; ++i) {
        values.push_back(i);
    }
    const Summary s = summarise(values);
    EXPECT_EQ(s.count, 100u);
    EXPECT_DOUBLE_EQ(s.mean, 50.5);
    EXPECT_DOUBLE_EQ(s.p50, 50);
    EXPECT_DOUBLE_EQ(s.p95, 95);
    EXPECT_DOUBLE_EQ(s.p99, 99);
    EXPECT_DOUBLE_EQ(s.max, 100);
    EXPECT_EQ(summarise({}).count, 0u);
}

TEST(FrameStats, TheWindowKeepsRecentFramesAndLateGpuTimesJoinTheirFrame) {
    FrameStats stats(10);
    for (std::uint64_t i = 0; i < 25; ++i) {
        stats.add({i, static_cast<double>(i) * 0.02, 5.0 + static_cast<double>(i % 3), std::nullopt,
                   i % 5 == 0 ? 1u : 0u, 1000, 4});
    }
    EXPECT_EQ(stats.frames().size(), 10u);
    EXPECT_EQ(stats.frames().front().index, 15u);
    EXPECT_NEAR(stats.fps(), 50.0, 1e-9);
    EXPECT_FALSE(stats.gpu().has_value());
    stats.set_gpu_ms(20, 3.5);
    ASSERT_TRUE(stats.gpu().has_value());
    EXPECT_DOUBLE_EQ(stats.gpu()->max, 3.5);
    EXPECT_DOUBLE_EQ(stats.upload_bytes_per_second(), 10000.0);  // ten frames within the second
}

TEST(FrameStats, CsvRowsLeaveUnknownGpuTimesEmpty) {
    EXPECT_EQ(csv_header(),
              "frame,timestamp_s,cpu_ms,gpu_ms,uploads,upload_bytes,tiles_resident\n");
    EXPECT_EQ(csv_row({3, 1.5, 2.25, std::nullopt, 1, 4096, 2}), "3,1.500000,2.250,,1,4096,2\n");
    EXPECT_EQ(csv_row({4, 2.0, 1.0, 0.5, 0, 0, 2}), "4,2.000000,1.000,0.500,0,0,2\n");
}

}  // namespace
}  // namespace tessera::core
