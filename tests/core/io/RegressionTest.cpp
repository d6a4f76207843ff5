// Every input that ever crashed, hung or ballooned a decoder (../shared/testdata/regressions and
// tests/regressions) is refused with a message that starts with its path (a file read by region:
// opens, and reading its data is an error), or, named valid-*, opens with statistics. One test
// per file;
// the asan preset replays them under AddressSanitizer and UndefinedBehaviorSanitizer, and
// tests/app/RegressionInfoTest bounds the time and memory `tessera info` spends on each.
#include <gtest/gtest.h>

#include "core/io/ImageLoader.h"
#include "core/stats/ChannelStatistics.h"
#include "tests/support/TestEnvironment.h"

namespace tessera::core {
namespace {

class Regression : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(Regression, IsRefusedWithAMessageNamingTheFileOrOpensWhenValid) {
    const std::filesystem::path& path = GetParam();
    auto images = load_images(path);
    if (path.filename().string().starts_with("valid-")) {
        ASSERT_TRUE(images.ok()) << images.error().message;
        for (const Image& image : *images) {
            EXPECT_TRUE(compute_statistics(*image.source).ok());
        }
        return;
    }
    if (images.ok()) {
        // A file read by region (TIFF) opens from its headers; damage in its data is an error
        // when the data is read, which `tessera info` reports under the file's name.
        std::string reason;
        for (const Image& image : *images) {
            if (auto statistics = compute_statistics(*image.source); !statistics.ok()) {
                reason = statistics.error().message;
            }
        }
        EXPECT_NE(images->front().metadata.storage.find("read by region"), std::string::npos)
            << path << " opened whole";
        EXPECT_GT(reason.size(), 20u) << path << " opened and read without an error: " << reason;
        std::printf("%s\n", reason.c_str());
        return;
    }
    const std::string& message = images.error().message;
    EXPECT_EQ(message.rfind(path.string() + ": ", 0), 0u) << message;
    EXPECT_GT(message.size(), path.string().size() + 20) << "the reason is missing: " << message;
    std::printf("%s\n", message.c_str());
}

std::string test_name(const ::testing::TestParamInfo<std::filesystem::path>& info) {
    return testing::file_test_name(info.param);
}

INSTANTIATE_TEST_SUITE_P(Inputs, Regression, ::testing::ValuesIn(testing::regression_files()),
                         test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Regression);

TEST(RegressionInputs, AreAllPresent) {
    TESSERA_REQUIRE_TESTDATA(testdata);
    std::size_t shared = 0;
    for (const auto& entry : std::filesystem::directory_iterator(testdata / "regressions")) {
        shared += entry.path().extension() != ".md";
    }
    EXPECT_GE(shared, 22u) << "the 22 reproducers of issue 18";
}

}  // namespace
}  // namespace tessera::core
