// Messages for the terminal: "tessera: " and the message, made terminal-safe (a message quotes
// names from files, which may hold escape sequences or bytes that are not UTF-8).
#pragma once

#include <cstdio>
#include <string_view>

namespace tessera::app {

void report_error(std::FILE* err, std::string_view message);

}  // namespace tessera::app
