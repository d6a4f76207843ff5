// Runs a shell command and collects its exit code and combined output, for end-to-end tests of
// the tessera executable.
#pragma once

#include <string>

namespace tessera::testing {

struct ProcessResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

ProcessResult run_command(const std::string& command);
std::string shell_quote(const std::string& text);

}  // namespace tessera::testing
