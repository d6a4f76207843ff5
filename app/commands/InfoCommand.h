// `tessera info [--json] FILE...`: one record per image (or EXR part) with format, size, windows,
// layers and per-channel statistics. Every file is tried; failures are reported (stderr for
// text, in the JSON otherwise) and the exit code is 1 if any file failed, 0 otherwise.
#pragma once

#include <cstdio>

#include "app/cli/Options.h"

namespace tessera::app {

int run_info(const Options& options, std::FILE* out, std::FILE* err);

}  // namespace tessera::app
