#include "core/io/PngDecoder.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>
#include <libdeflate.h>

#include "core/base/ByteOrder.h"
#include "core/base/Parallel.h"
#include "core/image/PlanarImage.h"
#include "core/io/HeaderChecks.h"
#include "core/io/StbDecoder.h"

namespace tessera::core {
namespace {

struct PngHeader {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    unsigned depth = 0;
    unsigned colour = 0;
    unsigned interlace = 0;
    unsigned channels = 0;
};

// The compressed image data: the IDAT chunks' bytes in order, and whether a chunk other than
// these makes the file one for stb_image (tRNS adds an alpha channel there).
struct PngData {
    std::vector<std::span<const std::byte>> idat;
    bool transparency = false;
};

// The chunks of a file check_png has accepted (so every length lies inside the file).
PngData chunks_of(std::span<const std::byte> bytes) {
    PngData data;
    for (std::size_t offset = 8; offset + 12 <= bytes.size();) {
        const std::uint32_t length = load_be32(bytes.data() + offset);
        const auto* type = reinterpret_cast<const char*>(bytes.data() + offset + 4);
        if (std::memcmp(type, "IDAT", 4) == 0) {
            data.idat.push_back(bytes.subspan(offset + 8, length));
        } else if (std::memcmp(type, "tRNS", 4) == 0) {
            data.transparency = true;
        } else if (std::memcmp(type, "IEND", 4) == 0) {
            break;
        }
        offset += 12 + std::size_t{length};
    }
    return data;
}

std::uint8_t paeth(int a, int b, int c) {
    const int p = a + b - c;
    const int pa = std::abs(p - a);
    const int pb = std::abs(p - b);
    const int pc = std::abs(p - c);
    return static_cast<std::uint8_t>(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
}

// Undoes the row filters in place: each row is a filter byte and `row` bytes of samples.
Result<void> unfilter(std::uint8_t* raw, std::size_t row, std::size_t height, std::size_t bpp) {
    const std::vector<std::uint8_t> zeros(row, 0);
    for (std::size_t y = 0; y < height; ++y) {
        std::uint8_t* line = raw + y * (row + 1);
        const unsigned filter = line[0];
        std::uint8_t* cur = line + 1;
        const std::uint8_t* prev = y == 0 ? zeros.data() : cur - (row + 1);
        switch (filter) {
            case 0:
                break;
            case 1:
                for (std::size_t i = bpp; i < row; ++i) {
                    cur[i] = static_cast<std::uint8_t>(cur[i] + cur[i - bpp]);
                }
                break;
            case 2:
                for (std::size_t i = 0; i < row; ++i) {
                    cur[i] = static_cast<std::uint8_t>(cur[i] + prev[i]);
                }
                break;
            case 3:
                for (std::size_t i = 0; i < bpp; ++i) {
                    cur[i] = static_cast<std::uint8_t>(cur[i] + (prev[i] >> 1));
                }
                for (std::size_t i = bpp; i < row; ++i) {
                    cur[i] = static_cast<std::uint8_t>(cur[i] + ((cur[i - bpp] + prev[i]) >> 1));
                }
                break;
            case 4:
                for (std::size_t i = 0; i < bpp; ++i) {
                    cur[i] = static_cast<std::uint8_t>(cur[i] + prev[i]);  // paeth(0, b, 0) = b
                }
                for (std::size_t i = bpp; i < row; ++i) {
                    cur[i] = static_cast<std::uint8_t>(cur[i] +
                                                       paeth(cur[i - bpp], prev[i], prev[i - bpp]));
                }
                break;
            default:
                return Error{fmt::format("PNG row {} has an unknown filter type {}", y, filter)};
        }
    }
    return {};
}

// Unfiltered rows into one plane per channel, in bands of rows on every core; 16-bit samples
// are big-endian in the file.
std::shared_ptr<PlanarImage> split(const std::uint8_t* raw, const PngHeader& header,
                                   std::size_t row) {
    auto image = std::make_shared<PlanarImage>(header.width, header.height);
    const bool wide = header.depth == 16;
    for (unsigned c = 0; c < header.channels; ++c) {
        image->add_channel(
            interleaved_channel_name(static_cast<int>(c), static_cast<int>(header.channels)),
            wide ? SampleType::U16 : SampleType::U8);
    }
    const std::size_t width = header.width;
    const std::size_t n = header.channels;
    constexpr std::size_t kBandPixels = std::size_t{1} << 18;
    const std::size_t rows_per_band = std::max<std::size_t>(1, kBandPixels / width);
    const std::size_t bands = (header.height + rows_per_band - 1) / rows_per_band;
    parallel_for(bands, [&](unsigned, std::size_t band) {
        const std::size_t end = std::min<std::size_t>(header.height, (band + 1) * rows_per_band);
        for (std::size_t y = band * rows_per_band; y < end; ++y) {
            const std::uint8_t* line = raw + y * (row + 1) + 1;
            for (std::size_t c = 0; c < n; ++c) {
                if (wide) {
                    auto* out = image->samples<std::uint16_t>(c).data() + y * width;
                    for (std::size_t x = 0; x < width; ++x) {
                        const std::uint8_t* s = line + 2 * (x * n + c);
                        out[x] = static_cast<std::uint16_t>(s[0] << 8 | s[1]);
                    }
                } else {
                    auto* out = image->samples<std::uint8_t>(c).data() + y * width;
                    for (std::size_t x = 0; x < width; ++x) {
                        out[x] = line[x * n + c];
                    }
                }
            }
        }
    });
    return image;
}

}  // namespace

Result<std::vector<Image>> decode_png(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options) {
    const auto bytes = file->bytes();
    if (auto checked = check_png(bytes, options.max_pixels); !checked) {
        return checked.error();
    }
    static constexpr unsigned kChannels[] = {1, 0, 3, 1, 2, 0, 4};
    PngHeader header;
    header.width = load_be32(bytes.data() + 16);
    header.height = load_be32(bytes.data() + 20);
    header.depth = std::to_integer<unsigned>(bytes[24]);
    header.colour = std::to_integer<unsigned>(bytes[25]);
    header.interlace = std::to_integer<unsigned>(bytes[28]);
    header.channels = header.colour < 7 ? kChannels[header.colour] : 0;
    PngData data = chunks_of(bytes);
    const bool ours = (header.depth == 8 || header.depth == 16) && header.interlace == 0 &&
                      header.colour != 3 && !data.transparency;
    if (!ours) {
        return decode_png_stb(file, options, /*checked=*/true);
    }
    const std::size_t row = std::size_t{header.width} * header.channels * (header.depth / 8);
    const std::size_t raw_bytes = (row + 1) * header.height;
    // One IDAT is inflated where it lies; several are joined first (libdeflate wants the whole
    // stream at once).
    std::span<const std::byte> stream = data.idat.front();
    std::vector<std::byte> joined;
    if (data.idat.size() > 1) {
        std::size_t total = 0;
        for (const auto& part : data.idat) {
            total += part.size();
        }
        joined.resize(total);
        std::size_t at = 0;
        for (const auto& part : data.idat) {
            std::memcpy(joined.data() + at, part.data(), part.size());
            at += part.size();
        }
        stream = joined;
    }
    auto raw = std::make_unique_for_overwrite<std::uint8_t[]>(raw_bytes + 1);
    libdeflate_decompressor* inflater = libdeflate_alloc_decompressor();
    if (inflater == nullptr) {
        throw std::bad_alloc();
    }
    std::size_t produced = 0;
    // One byte of room beyond the image: data that goes on past it is detected, not cut.
    const libdeflate_result result = libdeflate_zlib_decompress_ex(
        inflater, stream.data(), stream.size(), raw.get(), raw_bytes + 1, nullptr, &produced);
    libdeflate_free_decompressor(inflater);
    joined = {};
    if (result == LIBDEFLATE_BAD_DATA) {
        return Error{"PNG image data is not a valid zlib stream: the file is corrupt"};
    }
    if (result == LIBDEFLATE_INSUFFICIENT_SPACE || produced > raw_bytes) {
        return Error{fmt::format(
            "PNG image data holds more than the {} bytes its {}x{} pixels need: the file is "
            "corrupt",
            raw_bytes, header.width, header.height)};
    }
    if (result != LIBDEFLATE_SUCCESS || produced < raw_bytes) {
        return Error{fmt::format(
            "PNG image data ends after {} of the {} bytes its {}x{} pixels need: the file is "
            "truncated or corrupt",
            produced, raw_bytes, header.width, header.height)};
    }
    const std::size_t bpp = header.channels * (header.depth / 8);
    if (auto ok = unfilter(raw.get(), row, header.height, bpp); !ok) {
        return ok.error();
    }
    return whole_image(split(raw.get(), header, row), Transfer::Srgb);
}

}  // namespace tessera::core
