#include "tests/support/Process.h"

#include <array>
#include <cstdio>

#include <sys/resource.h>
#include <sys/wait.h>

namespace tessera::testing {

ProcessResult run_command(const std::string& command) {
    ProcessResult result;
    const std::string full = command + " 2>&1";
    FILE* pipe = popen(full.c_str(), "r");
    if (pipe == nullptr) {
        result.output = "popen failed for: " + command;
        return result;
    }
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
        result.output += buffer.data();
    }
    const int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    struct rusage usage {};
    if (getrusage(RUSAGE_CHILDREN, &usage) == 0) {
        result.max_rss_kib = usage.ru_maxrss;
    }
    return result;
}

std::string shell_quote(const std::string& text) {
    std::string quoted = "'";
    for (char c : text) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

}  // namespace tessera::testing
