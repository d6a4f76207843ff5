// Text from files (channel and part names, attribute names, paths, messages that quote them)
// made safe before it is shown: as valid UTF-8 for JSON and the window, and without control
// characters for a terminal, where an escape sequence in a file could otherwise rewrite the
// screen.
#pragma once

#include <string>
#include <string_view>

namespace tessera::core {

// Valid UTF-8: every byte that does not begin or continue a well-formed sequence (overlong
// forms, surrogates and values beyond U+10FFFF included) becomes U+FFFD.
std::string valid_utf8(std::string_view text);

// valid_utf8, with control characters (C0, DEL, C1) written as visible escapes (\n, \t, \x1b,
// \u009b) so that printing it never moves the cursor or changes the terminal.
std::string terminal_safe(std::string_view text);

}  // namespace tessera::core
