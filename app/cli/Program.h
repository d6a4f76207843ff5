// The `tessera` program: parses the command line and runs the window, `info` or `render`.
#pragma once

namespace tessera::app {

// Returns the process exit code: 0 success, 1 a runtime failure, 2 a usage error.
int run_tessera(int argc, char** argv);

}  // namespace tessera::app
