// `tessera compare` end to end: statistics worked out by hand, in JSON and text; --fail-above
// and the exit codes; the difference written as a PNG with the expected colours; bad requests
// refused naming the file or option and the reason.
#include <cmath>

#include <gtest/gtest.h>

#include "core/display/Colormap.h"
#include "core/image/RgbaImage.h"
#include "tests/support/Fixtures.h"
#include "tests/support/Process.h"

namespace tessera::app {
namespace {

using testing::run_command;
using testing::shell_quote;

const std::string kTessera = "env -u DISPLAY " + shell_quote(TESSERA_EXECUTABLE);

// a and b differ in one pixel, (3, 0), by -2: mean error -0.25, MAE 0.25, MSE 0.5.
struct Pair {
    std::string a;
    std::string b;
};

Pair write_pair() {
    const std::vector<float> a{1, 2, 3, 4, 5, 6, 7, 8};
    std::vector<float> b = a;
    b[3] = 6;
    const auto pa = testing::temp_path("compare-a.npy");
    const auto pb = testing::temp_path("compare-b.npy");
    testing::write_npy(pa, {"<f4", {2, 4}}, testing::bytes_of(a));
    testing::write_npy(pb, {"<f4", {2, 4}}, testing::bytes_of(b));
    return {shell_quote(pa.string()), shell_quote(pb.string())};
}

std::string compare(const Pair& pair, const std::string& options) {
    return kTessera + " compare " + pair.a + " " + pair.b + " " + options;
}

TEST(TesseraCompare, JsonReportsTheStatisticsWorkedOutByHand) {
    const Pair pair = write_pair();
    const auto result = run_command(compare(pair, "--json"));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    const std::string& out = result.output;
    for (const std::string expected :
         {"\"pixels\": 8", "\"non_finite\": 0", "\"mean_error\": -0.25", "\"mae\": 0.25",
          "\"mse\": 0.5", "\"max\": 2", "\"peak\": 1", "\"width\": 4", "\"height\": 2"}) {
        EXPECT_NE(out.find(expected), std::string::npos) << expected << "\n" << out;
    }
    EXPECT_NE(out.find("\"rmse\": 0.7071067811"), std::string::npos) << out;
    EXPECT_NE(out.find("\"psnr\": 3.0102999566"), std::string::npos) << out;
    EXPECT_NE(out.find("\"max_at\": [\n        3,\n        0\n"), std::string::npos) << out;
    EXPECT_NE(out.find("\"exceeded\": []"), std::string::npos) << out;
}

TEST(TesseraCompare, TextNamesBothFilesAndEachChannel) {
    const Pair pair = write_pair();
    const auto result = run_command(compare(pair, ""));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("against the reference"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("c0                    8        -0.25         0.25     0.707107"
                                 "      3.01            2  (3, 0)"),
              std::string::npos)
        << result.output;
}

TEST(TesseraCompare, FailAboveSetsTheExitCodeAndSaysWhichStatistic) {
    const Pair pair = write_pair();
    const auto above = run_command(compare(pair, "--fail-above rmse=0.5 --fail-above mae=1"));
    EXPECT_EQ(above.exit_code, 1) << above.output;
    EXPECT_NE(above.output.find("above the threshold: c0 rmse 0.707107 > 0.5"), std::string::npos)
        << above.output;
    EXPECT_EQ(above.output.find("mae"), std::string::npos) << "mae 0.25 is within 1";
    // At the threshold is not above it.
    const auto within = run_command(compare(pair, "--fail-above max=2 --fail-above mean=0.25"));
    EXPECT_EQ(within.exit_code, 0) << within.output;
    const auto bias = run_command(compare(pair, "--fail-above mean=0.2"));
    EXPECT_EQ(bias.exit_code, 1) << bias.output;
}

TEST(TesseraCompare, TheDifferenceIsWrittenWithADivergingColormapAroundZero) {
    const Pair pair = write_pair();
    const auto png = testing::temp_path("compare-diff.png");
    const auto result = run_command(compare(pair, "--error E -o " + shell_quote(png.string())));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("written (error)"), std::string::npos) << result.output;
    auto image = core::read_rgba8(png);
    ASSERT_TRUE(image.ok()) << image.error().message;
    ASSERT_EQ(image->width, 4);
    ASSERT_EQ(image->height, 2);
    const core::Colormap coolwarm = core::named_colormap("coolwarm");
    const auto expect_colour = [&](int x, int y, float t) {
        const auto rgb = core::sample_colormap(coolwarm, t);
        const std::uint8_t* p = image->pixels.data() + (static_cast<std::size_t>(y) * 4 + x) * 4;
        for (int k = 0; k < 3; ++k) {
            EXPECT_NEAR(p[k], std::lround(rgb[static_cast<std::size_t>(k)] * 255.0f), 1)
                << "pixel (" << x << ", " << y << ") component " << k;
        }
    };
    expect_colour(3, 0, 0.0f);  // -2: the blue end
    expect_colour(0, 0, 0.5f);  // 0: the middle
    expect_colour(3, 1, 0.5f);
}

TEST(TesseraCompare, BadRequestsAndIncomparableImagesAreRefusedWithTheirReasons) {
    const Pair pair = write_pair();
    struct Case {
        std::string command;
        int exit_code;
        std::string message;
    };
    const auto wide = testing::temp_path("compare-wide.npy");
    testing::write_npy(wide, {"<f4", {2, 5}}, testing::bytes_of(std::vector<float>(10, 0)));
    const std::vector<Case> cases{
        {kTessera + " compare " + pair.a, 2, "compare needs two files"},
        {compare(pair, "--fail-above psnr=30"), 2, "METRIC one of mean, mae, mse"},
        {compare(pair, "--fail-above rmse"), 2, "--fail-above expects METRIC=VALUE"},
        {compare(pair, "--error MAPE"), 2, "--error expects E, AE, SE, RAE or RSE"},
        {compare(pair, pair.a), 2, "is a third"},
        {compare(pair, "--frobnicate"), 2, "unknown option '--frobnicate'"},
        {kTessera + " compare --plane z=1 " + pair.a + " " + pair.b, 2,
         "--plane must follow the file"},
        {kTessera + " compare " + pair.a + " " + shell_quote(wide.string()), 3,
         "the images differ in size: 4x2 and 5x2"},
        {kTessera + " compare " + pair.a + " /nonexistent/b.npy", 3, "/nonexistent/b.npy"},
        {compare(pair, "--channels Q"), 3, "no channel 'Q' in both; the channels compared are: c0"},
    };
    for (const Case& c : cases) {
        const auto result = run_command(c.command);
        EXPECT_EQ(result.exit_code, c.exit_code) << c.command << "\n" << result.output;
        EXPECT_NE(result.output.find(c.message), std::string::npos) << c.command << "\n"
                                                                    << result.output;
    }
}

}  // namespace
}  // namespace tessera::app
