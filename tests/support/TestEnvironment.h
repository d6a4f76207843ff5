// What tests need from their environment: the external test images (one setting, the CMake cache
// variable TESSERA_TESTDATA_DIR) and whether this run is CI, where a missing prerequisite fails
// the test instead of skipping it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/Process.h"

namespace tessera::testing {

bool running_in_ci();

// The testdata folder if it exists; nullopt otherwise.
std::optional<std::filesystem::path> testdata_dir();
std::string testdata_setting();  // the configured path, for messages

// Every input that once crashed, hung or ballooned a decoder: testdata's regressions/ (when the
// testdata folder is present) and the project's own tests/regressions/, sorted.
std::vector<std::filesystem::path> regression_files();
// A gtest parameter name for a file: its name with every other character than [A-Za-z0-9] as _.
std::string file_test_name(const std::filesystem::path& path);

}  // namespace tessera::testing

// Skips the test with a visible message when the external test images are absent; fails under
// CI=true. Declares `testdata` (a std::filesystem::path) in the calling scope.
#define TESSERA_REQUIRE_TESTDATA(testdata)                                   \
    const auto testdata##_found = ::tessera::testing::testdata_dir();        \
    if (!testdata##_found) {                                                 \
        const std::string message = "external test images not found at " +   \
                                    ::tessera::testing::testdata_setting() + \
                                    " (set -DTESSERA_TESTDATA_DIR=...)";     \
        if (::tessera::testing::running_in_ci()) {                           \
            FAIL() << message << "; CI=true requires them";                  \
        }                                                                    \
        GTEST_SKIP() << message;                                             \
    }                                                                        \
    const std::filesystem::path testdata = *testdata##_found

// Skips the test with a visible message when xvfb-run is missing; fails under CI=true.
#define TESSERA_REQUIRE_XVFB_RUN()                                                      \
    if (::tessera::testing::run_command("command -v xvfb-run").exit_code != 0) {        \
        if (::tessera::testing::running_in_ci()) {                                      \
            FAIL() << "xvfb-run is not installed (CI=true requires it; see .ci/setup)"; \
        }                                                                               \
        GTEST_SKIP() << "xvfb-run is not installed";                                    \
    }
