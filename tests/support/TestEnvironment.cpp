#include "tests/support/TestEnvironment.h"

#include <algorithm>
#include <cctype>
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

std::vector<std::filesystem::path> regression_files() {
    std::vector<std::filesystem::path> folders{TESSERA_SOURCE_DIR "/tests/regressions"};
    if (const auto testdata = testdata_dir()) {
        folders.push_back(*testdata / "regressions");
    }
    std::vector<std::filesystem::path> files;
    for (const auto& folder : folders) {
        std::error_code error;
        for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
            if (entry.is_regular_file() && entry.path().extension() != ".md") {
                files.push_back(entry.path());
            }
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string file_test_name(const std::filesystem::path& path) {
    std::string name;
    for (char ch : path.filename().string()) {
        name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    }
    return name;
}

}  // namespace tessera::testing
