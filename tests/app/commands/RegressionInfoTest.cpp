// `tessera info` on every regression input and on files that are not regular: a clean refusal
// naming the file, exit status 1 (0 for the valid-* ones), no signal, no hang (each run is killed
// after 60 s by the test itself), and, outside the sanitizers, a resident set no larger than a
// small file justifies.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/support/Fixtures.h"
#include "tests/support/Process.h"
#include "tests/support/TestEnvironment.h"

namespace tessera::app {
namespace {

using testing::run_command;
using testing::shell_quote;

const std::string kTessera = shell_quote(TESSERA_EXECUTABLE);

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
// The program itself takes about 6 MB; 64 MB leaves room for a generous header but not for one
// of the gigabyte images these files claim.
constexpr long kMaxRssKib = 64 * 1024;

testing::ProcessResult info(const std::filesystem::path& path) {
    return run_command("timeout -s KILL 60 " + kTessera + " info " + shell_quote(path.string()));
}

class RegressionInfo : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(RegressionInfo, IsRefusedCleanlyQuicklyAndWithinMemory) {
    const std::filesystem::path& path = GetParam();
    const auto result = info(path);
    const bool valid = path.filename().string().starts_with("valid-");
    EXPECT_EQ(result.exit_code, valid ? 0 : 1) << "137 means killed: it hung; above 128 a signal\n"
                                               << result.output;
    if (!valid) {
        EXPECT_NE(result.output.find("tessera: " + path.string() + ": "), std::string::npos)
            << result.output;
    }
    if (!kSanitized) {
        EXPECT_LT(result.max_rss_kib, kMaxRssKib)
            << "KiB resident for a file of " << std::filesystem::file_size(path) << " bytes";
    }
}

std::string test_name(const ::testing::TestParamInfo<std::filesystem::path>& param) {
    return testing::file_test_name(param.param);
}

INSTANTIATE_TEST_SUITE_P(Inputs, RegressionInfo, ::testing::ValuesIn(testing::regression_files()),
                         test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RegressionInfo);

TEST(RegressionInfo, AFifoAmongGoodFilesIsRefusedAndTheOthersAreStillReported) {
    const auto fifo = testing::temp_path("info-pipe.exr");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const auto good = testing::temp_path("info-good.npy");
    std::vector<float> values(6, 1.0f);
    testing::write_npy(good, {"<f4", {2, 3}}, testing::bytes_of(values));
    const auto result = run_command("timeout -s KILL 60 " + kTessera + " info " +
                                    shell_quote(fifo.string()) + " " + shell_quote(good.string()));
    ::unlink(fifo.c_str());
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_NE(result.output.find(fifo.string() + ": is a named pipe"), std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("info-good.npy: NumPy, 3 x 2"), std::string::npos)
        << result.output;
}

}  // namespace
}  // namespace tessera::app
