// Runs a shell command and collects its exit code and combined output, for end-to-end tests of
// the tessera executable.
#pragma once

#include <string>

namespace tessera::testing {

struct ProcessResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
    // The largest resident set (KiB) of any child this process has waited for, this command's
    // included. ctest runs each test in a process of its own, so within a test that runs one
    // command it is that command's peak.
    long max_rss_kib = 0;
};

ProcessResult run_command(const std::string& command);
std::string shell_quote(const std::string& text);

}  // namespace tessera::testing
