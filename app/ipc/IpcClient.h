// IpcClient: what `tessera FILE...` does when a window already listens: it sends the files there
// (tev's OpenImageV2, canonical paths, the first one shown) instead of opening a second window.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "app/ipc/Endpoint.h"

namespace tessera::app {

// Nothing when no window listens at `endpoint` (the caller opens its own); otherwise the exit
// status: 0 when every file was sent, 1 when some did not exist (named on `err`) or sending failed.
std::optional<int> forward_files(const Endpoint& endpoint, const std::vector<std::string>& files,
                                 std::FILE* out, std::FILE* err);

}  // namespace tessera::app
