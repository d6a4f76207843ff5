// `tessera info` end to end: text and JSON records, every file tried, exit 1 if any failed.
#include <cstring>
#include <filesystem>

#include <gtest/gtest.h>
#include <stb_image_write.h>

#include "tests/support/Fixtures.h"
#include "tests/support/Process.h"
#include "tests/support/TestEnvironment.h"

namespace tessera::app {
namespace {

using testing::run_command;
using testing::shell_quote;

const std::string kTessera = shell_quote(TESSERA_EXECUTABLE);

std::string make_png() {
    const auto path = testing::temp_path("info.png");
    std::vector<std::uint8_t> pixels(8 * 4 * 3);
    for (std::size_t i = 0; i < pixels.size(); ++i) {
        pixels[i] = static_cast<std::uint8_t>(i);
    }
    stbi_write_png(path.c_str(), 8, 4, 3, pixels.data(), 24);
    return path.string();
}

TEST(TesseraInfo, PrintsEachImageAndReportsEachFailureByName) {
    const std::string png = make_png();
    const std::string missing = testing::temp_path("missing.exr").string();
    const auto result = run_command(kTessera + " info " + shell_quote(png) + " " +
                                    shell_quote(missing) + " " + shell_quote(png));
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_NE(result.output.find("info.png: PNG, 8 x 4, 3 channels (sRGB)"), std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("tessera: " + missing + ": cannot open"), std::string::npos)
        << result.output;
    // The file after the failure is still reported.
    EXPECT_NE(result.output.rfind("info.png: PNG"), result.output.find("info.png: PNG"));
}

TEST(TesseraInfo, JsonIsValidAndCarriesStatisticsPerChannel) {
    const std::string png = make_png();
    const std::string json = testing::temp_path("info.json").string();
    const auto result =
        run_command(kTessera + " info --json " + shell_quote(png) + " > " + shell_quote(json));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    // python3 is part of the build dependencies (glad); it checks the JSON independently.
    const auto check = run_command(
        "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=d[\"files\"][0]; "
        "i=f[\"images\"][0]; c=i[\"channels\"][1]; s=c[\"statistics\"]; "
        "assert f[\"ok\"] and i[\"format\"]==\"PNG\" and i[\"width\"]==8 and c[\"name\"]==\"G\"; "
        "assert c[\"type\"]==\"u8\" and s[\"min\"]==1 and s[\"max\"]==94 and s[\"exact\"]; "
        "assert i[\"data_window\"]==[0,0,7,3] and \"p99_9\" in s; print(\"ok\")' " +
        shell_quote(json));
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_EQ(check.output, "ok\n");
}

// A (10, 8, 16, 24) uint16 array: T 10, Z 8 by the default rule.
std::string make_stack_npy() {
    const auto path = testing::temp_path("stack.npy");
    std::vector<std::byte> data(10 * 8 * 16 * 24 * 2);
    for (std::size_t i = 0; i < data.size() / 2; ++i) {
        const auto v = static_cast<std::uint16_t>(i % 1000);
        std::memcpy(data.data() + i * 2, &v, 2);
    }
    testing::write_npy(path, {"<u2", {10, 8, 16, 24}}, data);
    return path.string();
}

TEST(TesseraInfo, StacksPrintTheirAxesAndExtentsInTextAndJson) {
    const std::string npy = make_stack_npy();
    const auto text = run_command(kTessera + " info " + shell_quote(npy));
    ASSERT_EQ(text.exit_code, 0) << text.output;
    EXPECT_NE(text.output.find("axes TZYX"), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("stack: T 10, Z 8 (80 planes per channel; statistics of 80 planes)"),
              std::string::npos)
        << text.output;
    const std::string json = testing::temp_path("stack.json").string();
    ASSERT_EQ(run_command(kTessera + " info --json --axes ZTYX " + shell_quote(npy) + " > " +
                          shell_quote(json))
                  .exit_code,
              0);
    const auto check = run_command(
        "python3 -c 'import json,sys; i=json.load(open(sys.argv[1]))[\"files\"][0][\"images\"][0]; "
        "assert i[\"array_axes\"]==\"ZTYX\", i[\"array_axes\"]; "
        "assert i[\"axes\"]==[{\"name\":\"Z\",\"extent\":10},{\"name\":\"T\",\"extent\":8}], "
        "i[\"axes\"]; assert len(i[\"channels\"])==1; print(\"ok\")' " +
        shell_quote(json));
    EXPECT_EQ(check.output, "ok\n") << check.output;
    const auto bad = run_command(kTessera + " info --axes TZQX " + shell_quote(npy));
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
    EXPECT_NE(bad.output.find("'Q' is not one of T, Z, C, Y, X"), std::string::npos) << bad.output;
    const auto wrong = run_command(kTessera + " info --axes ZYX " + shell_quote(npy));
    EXPECT_EQ(wrong.exit_code, 1) << wrong.output;
    EXPECT_NE(wrong.output.find("name 3 axes, the array has 4"), std::string::npos) << wrong.output;
}

TEST(TesseraInfo, JsonReportsFailuresInline) {
    const std::string missing = testing::temp_path("gone.npy").string();
    const auto result = run_command(kTessera + " info --json " + shell_quote(missing));
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.output.find("\"ok\": false"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("\"error\": \"" + missing + ": cannot open"), std::string::npos)
        << result.output;
}

TEST(TesseraInfo, NamesFromFilesReachTheTerminalAndJsonSafely) {
    // A file name with a terminal escape sequence and a byte that is not UTF-8.
    const std::string png = make_png();
    const auto odd = testing::temp_path("odd-\x1b[2J-\xff.png");
    std::filesystem::copy_file(png, odd, std::filesystem::copy_options::overwrite_existing);
    const auto missing = testing::temp_path("gone-\x1b[31m.png");
    const auto text = run_command(kTessera + " info " + shell_quote(odd.string()) + " " +
                                  shell_quote(missing.string()));
    EXPECT_EQ(text.output.find('\x1b'), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("odd-\\x1b[2J-\xEF\xBF\xBD.png: PNG"), std::string::npos)
        << text.output;
    EXPECT_NE(text.output.find("gone-\\x1b[31m.png: cannot open"), std::string::npos)
        << text.output;
    const std::string json = testing::temp_path("odd.json").string();
    (void)run_command(kTessera + " info --json " + shell_quote(odd.string()) + " > " +
                      shell_quote(json));
    // Python reads it as strict UTF-8 JSON.
    const auto check = run_command(
        "python3 -c 'import json,sys; d=json.load(open(sys.argv[1], encoding=\"utf-8\")); "
        "assert d[\"files\"][0][\"ok\"]; print(d[\"files\"][0][\"path\"][-9:])' " +
        shell_quote(json));
    EXPECT_EQ(check.exit_code, 0) << check.output;
    EXPECT_EQ(check.output, "[2J-\xEF\xBF\xBD.png\n");
}

TEST(TesseraInfo, NeedsAFile) {
    const auto result = run_command(kTessera + " info");
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.output.find("info needs at least one FILE"), std::string::npos);
}

TEST(TesseraOpen, AFileThatCannotBeOpenedIsNamedAndNothingElseIsLost) {
    TESSERA_REQUIRE_XVFB_RUN();
    const std::string bad = testing::temp_path("bad.png").string();
    testing::write_text(bad, "\x89PNG\r\n\x1a\nnot really");
    const std::string good = make_png();
    const std::string shot = testing::temp_path("bad-and-good.png").string();
    // The window opens with both in its list; the failure is printed and shown, not fatal.
    const auto result =
        run_command("xvfb-run -a " + kTessera + " --size 800x500 --frames 3 --screenshot " +
                    shell_quote(shot) + " " + shell_quote(bad) + " " + shell_quote(good));
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("tessera: " + bad + ": PNG"), std::string::npos) << result.output;
    EXPECT_TRUE(std::filesystem::exists(shot));
}

}  // namespace
}  // namespace tessera::app
