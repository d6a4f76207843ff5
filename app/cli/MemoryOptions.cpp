#include "app/cli/MemoryOptions.h"

#include <fmt/format.h>

#include "app/cli/DisplayOptions.h"

namespace tessera::app {

core::Result<bool> parse_memory_option(std::span<const std::string_view> arguments, std::size_t& i,
                                       MemoryRequest& request) {
    const std::string_view argument = arguments[i];
    const bool budget = argument == "--gpu-memory" || argument == "--cpu-cache";
    if (!budget && argument != "--upload-budget") {
        return false;
    }
    const int minimum = budget ? 16 : 1;
    auto text = option_value(arguments, i);
    if (!text) {
        return text.error();
    }
    const auto n = parse_int(text.value());
    if (!n || *n < minimum || *n > (1 << 20)) {
        return core::Error{fmt::format("{} expects megabytes from {} to {}, got '{}'", argument,
                                       minimum, 1 << 20, text.value())};
    }
    if (argument == "--gpu-memory") {
        request.gpu_memory_mb = *n;
    } else if (argument == "--cpu-cache") {
        request.cpu_cache_mb = *n;
    } else {
        request.upload_mb = *n;
    }
    return true;
}

std::string memory_options_help() {
    return fmt::format(
        "  --gpu-memory MB          texture memory budget, never exceeded (default {}; {} on a\n"
        "                           software renderer, whose textures are main memory)\n"
        "  --cpu-cache MB           pyramid tiles kept in memory (default {}; {} on a software\n"
        "                           renderer)\n"
        "  --upload-budget MB       bytes uploaded to the GPU per frame (default 48)\n",
        kGpuMemoryDefaults.gpu_memory_mb, kSoftwareMemoryDefaults.gpu_memory_mb,
        kGpuMemoryDefaults.cpu_cache_mb, kSoftwareMemoryDefaults.cpu_cache_mb);
}

gl::StreamingOptions streaming_options(const MemoryRequest& request, bool software_renderer) {
    const MemoryDefaults defaults =
        software_renderer ? kSoftwareMemoryDefaults : kGpuMemoryDefaults;
    gl::StreamingOptions options;
    options.gpu_budget =
        static_cast<std::size_t>(request.gpu_memory_mb.value_or(defaults.gpu_memory_mb)) << 20;
    options.cpu_cache =
        static_cast<std::size_t>(request.cpu_cache_mb.value_or(defaults.cpu_cache_mb)) << 20;
    options.upload_budget = static_cast<std::size_t>(request.upload_mb) << 20;
    return options;
}

}  // namespace tessera::app
