// One libFuzzer target per decoder family, all through the entry point the viewer uses: the
// bytes are sniffed against the decoder table, decoded, and every channel's statistics computed
// (what `tessera info` does), under a lower pixel limit. Inputs that another family's decoder
// claims are ignored, so each target spends its time on its own family. TESSERA_FUZZ_FAMILY
// names the family at build time.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/io/ImageLoader.h"
#include "core/stats/ChannelStatistics.h"

namespace {

bool in_family(std::string_view format) {
    constexpr std::string_view family = TESSERA_FUZZ_FAMILY;
    if (family == "stb") {
        return format == "PNG" || format == "JPEG" || format == "GIF" || format == "PSD" ||
               format == "Radiance HDR" || format == "BMP" || format == "TGA";
    }
    if (family == "exr") {
        return format == "OpenEXR";
    }
    if (family == "pnm") {
        return format == "PNM";
    }
    if (family == "npy") {
        return format == "NumPy";
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tessera::core;
    const auto* begin = reinterpret_cast<const std::byte*>(data);
    const Decoder* decoder = find_decoder({begin, size});
    if (decoder == nullptr || !in_family(decoder->format)) {
        return 0;
    }
    auto file = MappedFile::from_bytes(std::vector<std::byte>(begin, begin + size), "fuzz-input");
    // A lower pixel limit than the viewer's 2^30 keeps every input to milliseconds (a 64 KB
    // OpenEXR may legitimately expand to a gigabyte), and the limit's own check is exercised
    // all the same.
    LoadOptions options;
    options.max_pixels = std::uint64_t{1} << 22;
    auto images = load_images(file, options);
    if (!images) {
        return 0;
    }
    for (const Image& image : images.value()) {
        auto statistics = compute_statistics(*image.source);
        (void)statistics;
    }
    return 0;
}
