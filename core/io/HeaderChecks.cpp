#include "core/io/HeaderChecks.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <zlib.h>

#include "core/base/ByteOrder.h"
#include "core/base/Checked.h"
#include "core/base/Parallel.h"

namespace tessera::core {
namespace {

unsigned byte_at(std::span<const std::byte> bytes, std::size_t at) {
    return std::to_integer<unsigned>(bytes[at]);
}

// Refuses a claim of more pixels than `per_byte` pixels for every byte of the file.
Result<void> check_density(std::string_view format, std::span<const std::byte> bytes,
                           ImageClaim claim, std::uint64_t per_byte, std::string_view why) {
    const auto pixels = checked_mul(claim.width, claim.height);
    const auto most = checked_mul(bytes.size(), per_byte);
    if (!pixels || (most && *pixels > *most)) {
        return Error{fmt::format(
            "{} header claims {}x{} pixels, more than its {} bytes can hold (at most {} pixels "
            "per byte: {}); the file is truncated or corrupt",
            format, claim.width, claim.height, bytes.size(), per_byte, why)};
    }
    return {};
}

Error truncated(std::string_view format, std::string_view what, std::uint64_t needed,
                std::uint64_t have) {
    return Error{fmt::format(
        "{} {} need {} bytes, the file has {}: the file is truncated or its header is corrupt",
        format, what, needed, have)};
}

}  // namespace

namespace {

struct PngChunk {
    std::size_t offset;  // of its length field
    std::uint32_t length;
};

// CRC-32 of each chunk's type and data, checked in pieces of at most 1 MB on every core (a
// large PNG's checksums take as long as reading it) and combined per chunk. Returns the index
// of the first chunk whose stored CRC differs, or chunks.size().
std::size_t first_bad_crc(std::span<const std::byte> bytes, const std::vector<PngChunk>& chunks) {
    constexpr std::size_t kPiece = std::size_t{1} << 20;
    struct Piece {
        std::size_t chunk;
        std::size_t begin;
        std::size_t length;
        std::uint32_t crc = 0;
    };
    std::vector<Piece> pieces;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        const std::size_t begin = chunks[i].offset + 4;
        const std::size_t length = std::size_t{chunks[i].length} + 4;
        for (std::size_t at = 0; at == 0 || at < length; at += kPiece) {
            pieces.push_back({i, begin + at, std::min(kPiece, length - at)});
        }
    }
    const auto crc_of = [&](Piece& piece) {
        piece.crc = static_cast<std::uint32_t>(
            crc32(crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(bytes.data() + piece.begin),
                  static_cast<uInt>(piece.length)));
    };
    parallel_for(
        pieces.size(), [&](unsigned, std::size_t k) { crc_of(pieces[k]); },
        bytes.size() < (std::size_t{4} << 20) ? 1 : 0);
    std::size_t k = 0;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        uLong crc = pieces[k].crc;
        for (++k; k < pieces.size() && pieces[k].chunk == i; ++k) {
            crc = crc32_combine(crc, pieces[k].crc, static_cast<z_off_t>(pieces[k].length));
        }
        const std::size_t stored_at = chunks[i].offset + 8 + chunks[i].length;
        if (load_be32(bytes.data() + stored_at) != static_cast<std::uint32_t>(crc)) {
            return i;
        }
    }
    return chunks.size();
}

}  // namespace

Result<void> check_png(std::span<const std::byte> bytes, std::uint64_t max_pixels) {
    // Structure first, then checksums; a bad checksum is reported before a structural error
    // that follows it, as a reader going chunk by chunk would.
    std::size_t offset = 8;
    std::uint64_t idat_bytes = 0;
    bool seen_idat = false;
    std::vector<PngChunk> chunks;
    std::optional<Error> structure;
    for (int index = 0;; ++index) {
        if (offset == bytes.size()) {
            structure = Error{"PNG ends without an IEND chunk (the file is truncated)"};
            break;
        }
        if (offset + 12 > bytes.size()) {
            structure =
                Error{fmt::format("PNG is truncated inside a chunk header at byte {}", offset)};
            break;
        }
        const std::uint32_t length = load_be32(bytes.data() + offset);
        const std::byte* type = bytes.data() + offset + 4;
        const std::string name(reinterpret_cast<const char*>(type), 4);
        if (!std::all_of(name.begin(), name.end(),
                         [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); })) {
            structure = Error{fmt::format("PNG has an invalid chunk type at byte {}", offset)};
            break;
        }
        if (length > 0x7fffffffu || bytes.size() - offset - 12 < length) {
            structure = Error{
                fmt::format("PNG chunk {} at byte {} runs past the end of the file", name, offset)};
            break;
        }
        if (index == 0 && (name != "IHDR" || length != 13)) {
            structure = Error{fmt::format(
                "PNG does not start with a 13-byte IHDR chunk (found {}, {} bytes)", name, length)};
            break;
        }
        chunks.push_back({offset, length});
        if (name == "IDAT") {
            seen_idat = true;
            idat_bytes += length;
        }
        if (name == "IEND") {
            break;
        }
        offset += 12 + length;
    }
    if (const std::size_t bad = first_bad_crc(bytes, chunks); bad < chunks.size()) {
        const PngChunk& chunk = chunks[bad];
        const std::string name(reinterpret_cast<const char*>(bytes.data() + chunk.offset + 4), 4);
        const auto stored = load_be32(bytes.data() + chunk.offset + 8 + chunk.length);
        const auto computed = static_cast<std::uint32_t>(crc32(
            crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(bytes.data() + chunk.offset + 4),
            chunk.length + 4));
        return Error{fmt::format(
            "PNG chunk {} at byte {} has a bad CRC (stored {:08x}, computed {:08x}): the file is "
            "corrupt",
            name, chunk.offset, stored, computed)};
    }
    if (structure) {
        return *structure;
    }
    if (!seen_idat) {
        return Error{"PNG has no IDAT chunk: it holds no image data"};
    }
    const std::uint64_t width = load_be32(bytes.data() + 16);
    const std::uint64_t height = load_be32(bytes.data() + 20);
    const unsigned depth = byte_at(bytes, 24);
    const unsigned colour = byte_at(bytes, 25);
    static constexpr unsigned kChannels[] = {1, 0, 3, 1, 2, 0, 4};
    const unsigned channels = colour < 7 ? kChannels[colour] : 0;
    if (width == 0 || height == 0 || channels == 0 || depth == 0 || depth > 16) {
        return Error{fmt::format("PNG header is invalid ({}x{}, colour type {}, bit depth {})",
                                 width, height, colour, depth)};
    }
    if (!product_at_most({width, height}, max_pixels)) {
        return Error{fmt::format("PNG header claims {}x{} pixels, more than the limit of {} pixels",
                                 width, height, max_pixels)};
    }
    // Each row: a filter byte and its packed samples; deflate expands at most 1032:1.
    const auto row = checked_add(1, (width * channels * depth + 7) / 8);
    const auto raw = row ? checked_mul(*row, height) : std::nullopt;
    const std::uint64_t most = (idat_bytes + 1) * 1032;
    if (!raw || *raw > most) {
        return Error{fmt::format(
            "PNG header claims {}x{} pixels, more than its {} bytes of compressed data can hold; "
            "the file is truncated or corrupt",
            width, height, idat_bytes)};
    }
    return {};
}

Result<void> check_jpeg(std::span<const std::byte> bytes, ImageClaim claim) {
    return check_density("JPEG", bytes, claim, 512, "one bit per 8x8 block");
}

Result<void> check_bmp(std::span<const std::byte> bytes) {
    if (bytes.size() < 26) {
        return Error{"BMP header is truncated"};
    }
    const std::uint64_t offset = load_le32(bytes.data() + 10);
    const std::uint32_t header_size = load_le32(bytes.data() + 14);
    std::uint64_t width = 0;
    std::int64_t height = 0;
    unsigned bits = 0;
    std::uint32_t compression = 0;
    if (header_size == 12) {
        width = load_le16(bytes.data() + 18);
        height = load_le16(bytes.data() + 20);
        bits = load_le16(bytes.data() + 24);
    } else if (header_size == 40 || header_size == 56 || header_size == 108 || header_size == 124) {
        if (bytes.size() < 34) {
            return Error{"BMP header is truncated"};
        }
        const auto signed_width = static_cast<std::int32_t>(load_le32(bytes.data() + 18));
        height = static_cast<std::int32_t>(load_le32(bytes.data() + 22));
        bits = load_le16(bytes.data() + 28);
        compression = load_le32(bytes.data() + 30);
        if (signed_width <= 0) {
            return Error{fmt::format("BMP width {} is invalid", signed_width)};
        }
        width = static_cast<std::uint64_t>(signed_width);
    } else {
        return Error{fmt::format("BMP header of {} bytes is not supported", header_size)};
    }
    const std::uint64_t rows = static_cast<std::uint64_t>(height < 0 ? -height : height);
    if (width == 0 || rows == 0) {
        return Error{"BMP header claims an empty image"};
    }
    if (bits != 1 && bits != 4 && bits != 8 && bits != 16 && bits != 24 && bits != 32) {
        return Error{fmt::format("BMP has {} bits per pixel, which is invalid", bits)};
    }
    if (compression != 0 && compression != 3) {
        return Error{fmt::format(
            "BMP compression {} (run-length or embedded JPEG/PNG) is not supported", compression)};
    }
    // Rows are padded to 4 bytes; the last may lack its padding.
    const std::uint64_t row_bytes = (width * bits + 7) / 8;
    const std::uint64_t stride = (width * bits + 31) / 32 * 4;
    const std::uint64_t start = std::max<std::uint64_t>(offset, 14 + header_size);
    const auto needed = checked_add(start, (rows - 1) * stride + row_bytes);
    if (!needed || *needed > bytes.size()) {
        return truncated("BMP", fmt::format("pixels ({}x{}, {} bits)", width, rows, bits),
                         needed.value_or(UINT64_MAX), bytes.size());
    }
    return {};
}

Result<void> check_gif(std::span<const std::byte> bytes, ImageClaim claim) {
    return check_density("GIF", bytes, claim, 32768, "LZW codes of up to 4096 pixels");
}

std::optional<TgaHeader> parse_tga_header(std::span<const std::byte> bytes) {
    if (bytes.size() < 18) {
        return std::nullopt;
    }
    const unsigned id_length = byte_at(bytes, 0);
    const unsigned map_type = byte_at(bytes, 1);
    const unsigned image_type = byte_at(bytes, 2);
    const unsigned map_length = load_le16(bytes.data() + 5);
    const unsigned map_bits = byte_at(bytes, 7);
    TgaHeader header;
    header.width = load_le16(bytes.data() + 12);
    header.height = load_le16(bytes.data() + 14);
    header.bits_per_pixel = byte_at(bytes, 16);
    header.run_length = image_type >= 9;
    const unsigned base_type = image_type & 7u;
    if (map_type > 1 || header.width == 0 || header.height == 0 ||
        (image_type != 1 && image_type != 2 && image_type != 3 && image_type != 9 &&
         image_type != 10 && image_type != 11)) {
        return std::nullopt;
    }
    const auto valid_bits = [](unsigned b) {
        return b == 8 || b == 15 || b == 16 || b == 24 || b == 32;
    };
    if (base_type == 1) {
        // Colour-mapped: a map must be present, indices 8 or 16 bits wide.
        if (map_type != 1 || map_length == 0 || !valid_bits(map_bits) ||
            (header.bits_per_pixel != 8 && header.bits_per_pixel != 16)) {
            return std::nullopt;
        }
    } else {
        const bool grey = base_type == 3;
        if (grey ? (header.bits_per_pixel != 8 && header.bits_per_pixel != 16)
                 : !valid_bits(header.bits_per_pixel)) {
            return std::nullopt;
        }
        if (map_type == 1 && !valid_bits(map_bits)) {
            return std::nullopt;
        }
    }
    header.data_offset =
        18 + id_length + (map_type == 1 ? std::uint64_t{map_length} * ((map_bits + 7) / 8) : 0);
    return header;
}

Result<void> check_tga(std::span<const std::byte> bytes) {
    const auto header = parse_tga_header(bytes);
    if (!header) {
        return Error{"TGA header is invalid"};
    }
    const std::uint64_t pixels = header->width * header->height;
    const std::uint64_t pixel_bytes = (header->bits_per_pixel + 7) / 8;
    // Raw: every pixel stored. Run-length: a packet is a byte and one pixel, for up to 128.
    const std::uint64_t data =
        header->run_length ? (pixels + 127) / 128 * (1 + pixel_bytes) : pixels * pixel_bytes;
    const std::uint64_t needed = header->data_offset + data;
    if (needed > bytes.size()) {
        return truncated(
            "TGA",
            fmt::format("{}pixels ({}x{}, {} bits)", header->run_length ? "run-length " : "",
                        header->width, header->height, header->bits_per_pixel),
            needed, bytes.size());
    }
    return {};
}

}  // namespace tessera::core
