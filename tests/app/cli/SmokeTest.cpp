// End-to-end tests of the tessera executable: the CLI, and the window under xvfb-run.
#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "core/base/Version.h"
#include "core/image/RgbaImage.h"
#include "tests/support/Process.h"
#include "tests/support/TestEnvironment.h"

namespace tessera::app {
namespace {

using testing::run_command;
using testing::shell_quote;

const std::string kTessera = shell_quote(TESSERA_EXECUTABLE);

std::string xvfb(const std::string& arguments) {
    return "xvfb-run -a -s '-screen 0 1920x1200x24' " + kTessera + " " + arguments;
}

TEST(TesseraCli, VersionPrintsTheProjectVersion) {
    const auto result = run_command(kTessera + " --version");
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_EQ(result.output, std::string("tessera ") + core::kVersion + "\n");
}

TEST(TesseraCli, UnknownOptionPrintsTheUsageLineAndFails) {
    const auto result = run_command(kTessera + " --no-such-option");
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.output.find("unknown option '--no-such-option'"), std::string::npos);
    EXPECT_NE(result.output.find("usage: tessera"), std::string::npos);
}

TEST(TesseraCli, WithoutADisplayItSaysToUseXvfbRunAndExitsCleanly) {
    const auto result =
        run_command("env -u DISPLAY -u WAYLAND_DISPLAY " + kTessera + " --frames 1");
    EXPECT_EQ(result.exit_code, 1) << result.output;  // an exit, not a signal
    EXPECT_NE(result.output.find("cannot open a window"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("xvfb-run"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("tessera render FILE -o OUT.png"), std::string::npos)
        << result.output;
}

TEST(TesseraWindow, ScreenshotOfTheDemoHasTheRequestedSizeAndShowsTheImage) {
    TESSERA_REQUIRE_XVFB_RUN();
    const auto shot = std::filesystem::path(::testing::TempDir()) / "tessera_smoke.png";
    std::filesystem::remove(shot);
    const auto result =
        run_command(xvfb("--size 640x400 --frames 5 --screenshot " + shell_quote(shot.string())));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    auto image = core::read_rgba8(shot);
    ASSERT_TRUE(image.ok()) << image.error().message;
    EXPECT_EQ(image->width, 640);
    EXPECT_EQ(image->height, 400);

    // Not blank: many distinct colours overall. The demo fills the middle band of the viewport
    // right of the 300-pixel panel (not the clear colour), and its cells are coloured.
    const std::uint8_t* background = image->at(image->width - 1, 0);
    std::set<std::uint32_t> colours;
    int covered = 0;
    int coloured = 0;
    int band_pixels = 0;
    for (int y = 0; y < image->height; ++y) {
        for (int x = 0; x < image->width; ++x) {
            const std::uint8_t* p = image->at(x, y);
            colours.insert(p[0] << 16 | p[1] << 8 | p[2]);
            if (x >= 310 && y > 150 && y < 250) {
                ++band_pixels;
                covered += std::equal(p, p + 3, background) ? 0 : 1;
                const bool chroma = std::abs(p[0] - p[1]) > 40 || std::abs(p[1] - p[2]) > 40;
                coloured += chroma ? 1 : 0;
            }
        }
    }
    EXPECT_GT(colours.size(), 300u);
    EXPECT_GT(covered, band_pixels * 9 / 10) << "the demo image does not cover the viewport";
    EXPECT_GT(coloured, band_pixels / 50) << "the demo's coloured cells are not visible";
}

TEST(TesseraWindow, AScriptedRunWithoutScreenshotExitsCleanly) {
    TESSERA_REQUIRE_XVFB_RUN();
    const auto result = run_command(xvfb("--size 320x200 --frames 2"));
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(result.output.find("error"), std::string::npos) << result.output;
}

TEST(TesseraWindow, OpensAFileFromTheCorpusAndShowsIt) {
    TESSERA_REQUIRE_XVFB_RUN();
    TESSERA_REQUIRE_TESTDATA(testdata);
    const auto shot = std::filesystem::path(::testing::TempDir()) / "tessera_carrots.png";
    const auto exr = testdata / "exr/openexr-images/ScanLines/Carrots.exr";
    const auto result =
        run_command(xvfb("--size 900x500 --frames 3 --screenshot " + shell_quote(shot.string()) +
                         " " + shell_quote(exr.string())));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    auto image = core::read_rgba8(shot);
    ASSERT_TRUE(image.ok()) << image.error().message;
    // The 600x400 image fits 600x500 beside the panel: it fills the middle of the viewport.
    const std::uint8_t* background = image->at(image->width - 1, 5);
    int covered = 0;
    for (int x = 320; x < 880; x += 10) {
        const std::uint8_t* p = image->at(x, 250);
        covered += std::equal(p, p + 3, background) ? 0 : 1;
    }
    EXPECT_GT(covered, 50) << "the EXR is not visible";
}

}  // namespace
}  // namespace tessera::app
