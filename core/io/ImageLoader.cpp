#include "core/io/ImageLoader.h"

#include <array>
#include <cstring>

#include <fmt/format.h>

#include "core/image/LabelSource.h"
#include "core/io/ExrDecoder.h"
#include "core/io/HdrDecoder.h"
#include "core/io/JpegDecoder.h"
#include "core/io/NpyDecoder.h"
#include "core/io/PngDecoder.h"
#include "core/io/PnmDecoder.h"
#include "core/io/PsdDecoder.h"
#include "core/io/StbDecoder.h"
#include "core/io/TiffDecoder.h"

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
// Classic TIFF (42) and BigTIFF (43), little- and big-endian.
bool sniff_tiff(std::span<const std::byte> b) {
    return starts_with(b, std::string_view("II*\0", 4)) ||
           starts_with(b, std::string_view("MM\0*", 4)) ||
           starts_with(b, std::string_view("II+\0", 4)) ||
           starts_with(b, std::string_view("MM\0+", 4));
}

// Order matters only where signatures are weak: every format with a real magic number comes
// first; BMP's two-byte "BM" after the longer signatures; TGA has no signature at all, so it is
// tried last, with a header plausibility test of our own.
constexpr std::array kDecoders{
    Decoder{"PNG", ".png", sniff_png, false, decode_png},
    Decoder{"OpenEXR", ".exr", sniff_exr, false, decode_exr},
    Decoder{"NumPy", ".npy", sniff_npy, true, decode_npy},
    Decoder{"TIFF", ".tif .tiff .ome.tif .btf", sniff_tiff, true, decode_tiff},
    Decoder{"JPEG", ".jpg .jpeg", sniff_jpeg, false, decode_jpeg},
    Decoder{"GIF", ".gif", sniff_gif, false, decode_gif},
    Decoder{"PSD", ".psd", sniff_psd, false, decode_psd},
    Decoder{"Radiance HDR", ".hdr .pic", sniff_hdr, false, decode_hdr},
    Decoder{"PNM", ".pbm .pgm .ppm .pnm", sniff_pnm, false, decode_pnm},
    Decoder{"BMP", ".bmp", sniff_bmp, false, decode_bmp},
    Decoder{"TGA", ".tga", sniff_tga, false, decode_tga},
};

std::string first_bytes(std::span<const std::byte> bytes) {
    std::string hex;
    for (std::size_t i = 0; i < std::min<std::size_t>(bytes.size(), 8); ++i) {
        hex += fmt::format("{}{:02x}", i ? " " : "", std::to_integer<unsigned>(bytes[i]));
    }
    return hex;
}

}  // namespace

std::vector<Image> whole_image(std::shared_ptr<const ImageSource> source, Transfer transfer,
                               std::string storage, std::string compression) {
    Image image;
    image.metadata.transfer = transfer;
    image.metadata.data_window = full_window(source->width(), source->height());
    image.metadata.display_window = image.metadata.data_window;
    image.metadata.storage = std::move(storage);
    image.metadata.compression = std::move(compression);
    image.source = std::move(source);
    std::vector<Image> images;
    images.push_back(std::move(image));
    return images;
}

std::span<const Decoder> decoders() {
    return kDecoders;
}

const Decoder* find_decoder(std::span<const std::byte> head) {
    head = head.first(std::min(head.size(), kSniffBytes));
    for (const Decoder& decoder : kDecoders) {
        if (decoder.sniff(head)) {
            return &decoder;
        }
    }
    return nullptr;
}

namespace {

Error unrecognised(const std::filesystem::path& path, std::span<const std::byte> head) {
    return Error{fmt::format(
        "{}: unrecognised image format (first bytes: {}); Tessera reads PNG, JPEG, BMP, TGA, "
        "GIF, PSD, PNM, Radiance HDR, OpenEXR, TIFF and NumPy .npy files",
        path.string(), first_bytes(head))};
}

Result<std::vector<Image>> decode_with(const Decoder& decoder,
                                       const std::shared_ptr<const MappedFile>& file,
                                       const LoadOptions& options) {
    const std::string path = file->path().string();
    Result<std::vector<Image>> images = Error{};
    try {
        images = decoder.decode(file, options);
    } catch (const std::bad_alloc&) {
        return Error{
            fmt::format("{}: out of memory while decoding the {} file", path, decoder.format)};
    } catch (const std::exception& error) {
        return Error{
            fmt::format("{}: the {} decoder failed: {}", path, decoder.format, error.what())};
    }
    if (!images) {
        return Error{fmt::format("{}: {}", path, images.error().message)};
    }
    for (Image& image : images.value()) {
        if (options.labels) {
            image.source = as_labels(std::move(image.source));
        }
        image.metadata.path = path;
        if (image.metadata.format.empty()) {
            image.metadata.format = std::string(decoder.format);
        }
    }
    return images;
}

}  // namespace

Result<std::vector<Image>> load_images(const std::filesystem::path& path,
                                       const LoadOptions& options) {
    auto head = MappedFile::read_head(path, kSniffBytes);
    if (!head) {
        return head.error();
    }
    if (head->empty()) {
        return Error{fmt::format("{}: file is empty", path.string())};
    }
    const Decoder* decoder = find_decoder(*head);
    if (decoder == nullptr) {
        return unrecognised(path, *head);
    }
    auto file = decoder->mapped ? MappedFile::open(path) : MappedFile::read(path);
    if (!file) {
        return file.error();
    }
    return decode_with(*decoder, file.value(), options);
}

Result<std::vector<Image>> load_images(const std::shared_ptr<const MappedFile>& file,
                                       const LoadOptions& options) {
    if (file->size() == 0) {
        return Error{fmt::format("{}: file is empty", file->path().string())};
    }
    const Decoder* decoder = find_decoder(file->bytes());
    if (decoder == nullptr) {
        return unrecognised(file->path(), file->bytes());
    }
    return decode_with(*decoder, file, options);
}

}  // namespace tessera::core
