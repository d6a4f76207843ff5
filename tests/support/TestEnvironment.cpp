#include "tests/support/TestEnvironment.h"

#include <cstdlib>
#include <string_view>

namespace tessera::testing {

bool running_in_ci() {
    const char* ci = std::getenv("CI");
    return ci != nullptr && (std::string_view(ci) == "true" || std::string_view(ci) == "1");
}

std::string testdata_setting() {
    return TESSERA_TESTDATA_DIR;
}

std::optional<std::filesystem::path> testdata_dir() {
    std::error_code error;
    const std::filesystem::path path =
        std::filesystem::weakly_canonical(TESSERA_TESTDATA_DIR, error);
    if (error || !std::filesystem::is_directory(path, error)) {
        return std::nullopt;
    }
    return path;
}

}  // namespace tessera::testing
