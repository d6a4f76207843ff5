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
    if (family == "tiff") {
        return format == "TIFF";
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
    // Files read by region (TIFF, OpenEXR) are decoded whole only when small, so both paths are
    // fuzzed.
    options.decode_whole_below = std::uint64_t{1} << 18;
    // A few KB of ZSTD can be a gigabyte strip; each read of a corner below decodes it again.
    options.max_chunk_bytes = std::size_t{1} << 24;
    auto images = load_images(file, options);
    if (!images) {
        return 0;
    }
    for (const Image& image : images.value()) {
        const ImageSource& source = *image.source;
        const auto pixels = static_cast<std::uint64_t>(source.width()) *
                            static_cast<std::uint64_t>(source.height()) *
                            static_cast<std::uint64_t>(source.planes_per_channel());
        if (pixels <= options.max_pixels) {
            auto statistics = compute_statistics(source);
            (void)statistics;
            continue;
        }
        // A huge image read by region (a few KB of TIFF may claim gigapixels): what the viewer
        // reads first, a tile at each corner and one in the middle of every channel.
        const std::int64_t w = std::min<std::int64_t>(source.width(), 64);
        const std::int64_t h = std::min<std::int64_t>(source.height(), 64);
        std::vector<std::byte> dst(static_cast<std::size_t>(w * h) * 4);
        for (std::size_t c = 0; c < source.channel_count(); ++c) {
            for (const Rect rect :
                 {Rect{0, 0, w, h}, Rect{source.width() - w, source.height() - h, w, h},
                  Rect{source.width() / 2, source.height() / 2, w / 2, h / 2}}) {
                auto read = source.read_region({c}, rect, dst);
                (void)read;
            }
        }
    }
    return 0;
}
