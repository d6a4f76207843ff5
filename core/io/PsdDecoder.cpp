#include "core/io/PsdDecoder.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "core/base/ByteOrder.h"
#include "core/base/Checked.h"
#include "core/image/PlanarImage.h"

namespace tessera::core {
namespace {

// Decodes one PackBits row into exactly `out.size()` bytes.
bool unpack_bits(std::span<const std::byte> in, std::span<std::byte> out) {
    std::size_t i = 0;
    std::size_t o = 0;
    while (i < in.size()) {
        const int n = static_cast<std::int8_t>(std::to_integer<int>(in[i++]));
        if (n >= 0) {
            const auto count = static_cast<std::size_t>(n) + 1;
            if (in.size() - i < count || out.size() - o < count) {
                return false;
            }
            std::memcpy(out.data() + o, in.data() + i, count);
            i += count;
            o += count;
        } else if (n != -128) {
            const auto count = static_cast<std::size_t>(1 - n);
            if (i >= in.size() || out.size() - o < count) {
                return false;
            }
            std::memset(out.data() + o, std::to_integer<int>(in[i++]), count);
            o += count;
        }
    }
    return o == out.size();
}

// Big-endian samples of `size` bytes into native order, in place.
void to_native(std::span<std::byte> plane, std::size_t size) {
    for (std::size_t at = 0; at + size <= plane.size(); at += size) {
        std::reverse(plane.begin() + static_cast<std::ptrdiff_t>(at),
                     plane.begin() + static_cast<std::ptrdiff_t>(at + size));
    }
}

std::string channel_name(unsigned mode, std::size_t c) {
    static constexpr const char* kRgb[] = {"R", "G", "B", "A"};
    static constexpr const char* kGrey[] = {"Y", "A"};
    if (mode == 3 && c < 4) {
        return kRgb[c];
    }
    if (mode == 1 && c < 2) {
        return kGrey[c];
    }
    return fmt::format("c{}", c);
}

}  // namespace

Result<std::vector<Image>> decode_psd(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options) {
    const auto bytes = file->bytes();
    if (bytes.size() < 26) {
        return Error{"PSD header is truncated"};
    }
    const std::byte* h = bytes.data();
    const unsigned version = load_be16(h + 4);
    const std::uint64_t channels = load_be16(h + 12);
    const std::uint64_t height = load_be32(h + 14);
    const std::uint64_t width = load_be32(h + 18);
    const unsigned depth = load_be16(h + 22);
    const unsigned mode = load_be16(h + 24);
    if (version != 1) {
        return Error{fmt::format("PSD version {} (large document PSB) is not supported", version)};
    }
    if (channels == 0 || channels > 56 || width == 0 || height == 0 || width > 300000 ||
        height > 300000) {
        return Error{
            fmt::format("PSD header is invalid ({}x{}, {} channels)", width, height, channels)};
    }
    if (depth != 8 && depth != 16 && depth != 32) {
        return Error{
            fmt::format("PSD with {}-bit samples is not supported (8, 16 and 32 are)", depth)};
    }
    if (mode != 1 && mode != 3 && mode != 7) {
        static constexpr const char* kModes[] = {"bitmap",  "greyscale", "indexed", "RGB",
                                                 "CMYK",    "",          "",        "multichannel",
                                                 "duotone", "Lab"};
        return Error{fmt::format(
            "PSD colour mode {} ({}) is not supported (greyscale, RGB and multichannel are)", mode,
            mode < 10 ? kModes[mode] : "unknown")};
    }
    if (!product_at_most({width, height}, options.max_pixels)) {
        return Error{fmt::format("header claims {}x{} pixels, more than the limit of {} pixels",
                                 width, height, options.max_pixels)};
    }
    // Three length-prefixed sections (colour mode data, resources, layers) precede the pixels.
    std::uint64_t at = 26;
    for (int section = 0; section < 3; ++section) {
        if (bytes.size() - at < 4) {
            return Error{"PSD is truncated before its pixel data"};
        }
        at += 4 + std::uint64_t{load_be32(h + at)};
        if (at > bytes.size()) {
            return Error{"PSD is truncated before its pixel data"};
        }
    }
    if (bytes.size() - at < 2) {
        return Error{"PSD is truncated before its pixel data"};
    }
    const unsigned compression = load_be16(h + at);
    at += 2;
    const std::uint64_t sample = depth / 8;
    const std::uint64_t row_bytes = width * sample;
    const std::uint64_t available = bytes.size() - at;
    if (compression == 0) {
        const auto needed = checked_product({channels, height, row_bytes});
        if (!needed || *needed > available) {
            return Error{fmt::format(
                "PSD pixels ({}x{}, {} channels of {} bits) need {} bytes, the file has {} "
                "(truncated)",
                width, height, channels, depth, needed.value_or(UINT64_MAX), available)};
        }
    } else if (compression == 1) {
        // A 2-byte count per row of every channel, then at least 2 bytes per 128 bytes of row.
        const std::uint64_t rows = channels * height;
        const std::uint64_t least = rows * 2 + rows * ((row_bytes + 127) / 128) * 2;
        if (least > available) {
            return Error{fmt::format(
                "PSD run-length pixels ({}x{}, {} channels) need at least {} bytes, the file has "
                "{} (truncated)",
                width, height, channels, least, available)};
        }
    } else {
        return Error{fmt::format("PSD compression {} (ZIP) is not supported (raw and RLE are)",
                                 compression)};
    }

    const SampleType type = depth == 8    ? SampleType::U8
                            : depth == 16 ? SampleType::U16
                                          : SampleType::F32;
    auto image = std::make_shared<PlanarImage>(static_cast<std::int64_t>(width),
                                               static_cast<std::int64_t>(height));
    for (std::size_t c = 0; c < channels; ++c) {
        image->add_channel(channel_name(mode, c), type);
    }
    const std::byte* data = h + at;
    const std::byte* counts = data;
    std::uint64_t rle_at = channels * height * 2;
    for (std::size_t c = 0; c < channels; ++c) {
        std::span<std::byte> plane = image->plane(c);
        if (compression == 0) {
            std::memcpy(plane.data(), data + c * height * row_bytes, plane.size());
        } else {
            for (std::uint64_t y = 0; y < height; ++y) {
                const std::uint64_t length = load_be16(counts + (c * height + y) * 2);
                if (length > available - rle_at) {
                    return Error{fmt::format(
                        "PSD run-length row {} of channel {} runs past the end of the file", y, c)};
                }
                if (!unpack_bits({data + rle_at, length},
                                 plane.subspan(y * row_bytes, row_bytes))) {
                    return Error{fmt::format(
                        "PSD run-length row {} of channel {} does not decode to {} bytes", y, c,
                        row_bytes)};
                }
                rle_at += length;
            }
        }
        if (sample > 1) {
            to_native(plane, sample);
        }
    }
    return whole_image(std::move(image), depth == 32 ? Transfer::Linear : Transfer::Srgb,
                       fmt::format("composite image, {} bits", depth),
                       compression == 0 ? "raw" : "RLE");
}

}  // namespace tessera::core
