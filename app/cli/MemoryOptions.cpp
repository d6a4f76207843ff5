#include "app/cli/MemoryOptions.h"

#include <fmt/format.h>

#include "app/cli/DisplayOptions.h"

namespace tessera::app {

core::Result<bool> parse_memory_option(std::span<const std::string_view> arguments, std::size_t& i,
                                       MemoryRequest& request) {
    const std::string_view argument = arguments[i];
    int* target = nullptr;
    int minimum = 1;
    if (argument == "--gpu-memory") {
        target = &request.gpu_memory_mb;
        minimum = 16;
    } else if (argument == "--cpu-cache") {
        target = &request.cpu_cache_mb;
        minimum = 16;
    } else if (argument == "--upload-budget") {
        target = &request.upload_mb;
    } else {
        return false;
    }
    auto text = option_value(arguments, i);
    if (!text) {
        return text.error();
    }
    const auto n = parse_int(text.value());
    if (!n || *n < minimum || *n > (1 << 20)) {
        return core::Error{fmt::format("{} expects megabytes from {} to {}, got '{}'", argument,
                                       minimum, 1 << 20, text.value())};
    }
    *target = *n;
    return true;
}

std::string memory_options_help() {
    return "  --gpu-memory MB          texture memory budget, never exceeded (default 1024)\n"
           "  --cpu-cache MB           pyramid tiles kept in memory (default 256)\n"
           "  --upload-budget MB       bytes uploaded to the GPU per frame (default 48)\n";
}

gl::StreamingOptions streaming_options(const MemoryRequest& request) {
    gl::StreamingOptions options;
    options.gpu_budget = static_cast<std::size_t>(request.gpu_memory_mb) << 20;
    options.cpu_cache = static_cast<std::size_t>(request.cpu_cache_mb) << 20;
    options.upload_budget = static_cast<std::size_t>(request.upload_mb) << 20;
    return options;
}

}  // namespace tessera::app
