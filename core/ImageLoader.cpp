#include "core/ImageLoader.h"

#include <array>
#include <cstring>

#include <fmt/format.h>

#include "core/ExrDecoder.h"
#include "core/NpyDecoder.h"
#include "core/PnmDecoder.h"
#include "core/StbDecoder.h"

namespace tessera::core {
namespace {

bool starts_with(std::span<const std::byte> bytes, std::string_view magic) {
    return bytes.size() >= magic.size() &&
           std::memcmp(bytes.data(), magic.data(), magic.size()) == 0;
}

bool sniff_png(std::span<const std::byte> b) {
    return starts_with(b, "\x89PNG\r\n\x1a\n");
}
bool sniff_jpeg(std::span<const std::byte> b) {
    return starts_with(b, "\xff\xd8\xff");
}
bool sniff_bmp(std::span<const std::byte> b) {
    return starts_with(b, "BM");
}
bool sniff_gif(std::span<const std::byte> b) {
    return starts_with(b, "GIF87a") || starts_with(b, "GIF89a");
}
bool sniff_psd(std::span<const std::byte> b) {
    return starts_with(b, "8BPS");
}
bool sniff_hdr(std::span<const std::byte> b) {
    return starts_with(b, "#?RADIANCE") || starts_with(b, "#?RGBE");
}
bool sniff_pnm(std::span<const std::byte> b) {
    return b.size() >= 3 && b[0] == std::byte{'P'} && b[1] >= std::byte{'1'} &&
           b[1] <= std::byte{'6'} && std::isspace(std::to_integer<int>(b[2]));
}
bool sniff_exr(std::span<const std::byte> b) {
    return starts_with(b, "\x76\x2f\x31\x01");
}
bool sniff_npy(std::span<const std::byte> b) {
    return starts_with(b, "\x93NUMPY");
}

// Order matters only where signatures are weak: every format with a real magic number comes
// first; BMP's two-byte "BM" after the longer signatures; TGA has no signature at all, so it is
// tried last, with stb_image's header plausibility test.
constexpr std::array kDecoders{
    Decoder{"PNG", ".png", sniff_png, decode_stb},
    Decoder{"OpenEXR", ".exr", sniff_exr, decode_exr},
    Decoder{"NumPy", ".npy", sniff_npy, decode_npy},
    Decoder{"JPEG", ".jpg .jpeg", sniff_jpeg, decode_stb},
    Decoder{"GIF", ".gif", sniff_gif, decode_stb},
    Decoder{"PSD", ".psd", sniff_psd, decode_stb},
    Decoder{"Radiance HDR", ".hdr .pic", sniff_hdr, decode_stb},
    Decoder{"PNM", ".pbm .pgm .ppm .pnm", sniff_pnm, decode_pnm},
    Decoder{"BMP", ".bmp", sniff_bmp, decode_stb},
    Decoder{"TGA", ".tga", sniff_tga, decode_stb},
};

std::string first_bytes(std::span<const std::byte> bytes) {
    std::string hex;
    for (std::size_t i = 0; i < std::min<std::size_t>(bytes.size(), 8); ++i) {
        hex += fmt::format("{}{:02x}", i ? " " : "", std::to_integer<unsigned>(bytes[i]));
    }
    return hex;
}

}  // namespace

std::span<const Decoder> decoders() {
    return kDecoders;
}

Result<std::vector<Image>> load_images(const std::filesystem::path& path,
                                       const LoadOptions& options) {
    auto file = MappedFile::open(path);
    if (!file) {
        return file.error();
    }
    const auto bytes = file.value()->bytes();
    if (bytes.empty()) {
        return Error{fmt::format("{}: file is empty", path.string())};
    }
    for (const Decoder& decoder : kDecoders) {
        if (!decoder.sniff(bytes)) {
            continue;
        }
        auto images = decoder.decode(file.value(), options);
        if (!images) {
            return Error{fmt::format("{}: {}", path.string(), images.error().message)};
        }
        for (Image& image : images.value()) {
            image.metadata.path = path.string();
            if (image.metadata.format.empty()) {
                image.metadata.format = std::string(decoder.format);
            }
        }
        return images;
    }
    return Error{fmt::format(
        "{}: unrecognised image format (first bytes: {}); Tessera reads PNG, JPEG, BMP, TGA, "
        "GIF, PSD, PNM, Radiance HDR, OpenEXR and NumPy .npy files",
        path.string(), first_bytes(bytes))};
}

}  // namespace tessera::core
