#include "app/cli/Report.h"

#include <fmt/format.h>

#include "core/base/Text.h"

namespace tessera::app {

void report_error(std::FILE* err, std::string_view message) {
    fmt::print(err, "tessera: {}\n", core::terminal_safe(message));
}

}  // namespace tessera::app
