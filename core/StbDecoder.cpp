#include "core/StbDecoder.h"

#include <cctype>
#include <cstring>

#include <fmt/format.h>
#include <zlib.h>

#include <stb_image.h>

#include "core/PlanarImage.h"

namespace tessera::core {
namespace {

std::uint32_t read_be32(const std::byte* p) {
    return std::to_integer<std::uint32_t>(p[0]) << 24 | std::to_integer<std::uint32_t>(p[1]) << 16 |
           std::to_integer<std::uint32_t>(p[2]) << 8 | std::to_integer<std::uint32_t>(p[3]);
}

const char* channel_name(int channel, int channel_count) {
    static constexpr const char* kGray[] = {"Y", "A"};
    static constexpr const char* kColour[] = {"R", "G", "B", "A"};
    return channel_count <= 2 ? kGray[channel] : kColour[channel];
}

// stb_image returns interleaved samples; Tessera keeps one plane per channel.
template <typename T>
std::shared_ptr<PlanarImage> deinterleave(const T* pixels, int width, int height, int channels,
                                          SampleType type) {
    auto image = std::make_shared<PlanarImage>(width, height);
    for (int c = 0; c < channels; ++c) {
        image->add_channel(channel_name(c, channels), type);
    }
    const std::size_t count = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
    for (int c = 0; c < channels; ++c) {
        auto plane = image->samples<T>(static_cast<std::size_t>(c));
        for (std::size_t i = 0; i < count; ++i) {
            plane[i] = pixels[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)];
        }
    }
    return image;
}

}  // namespace

bool sniff_tga(std::span<const std::byte> bytes) {
    if (bytes.size() < 18 || bytes.size() > static_cast<std::size_t>(INT32_MAX)) {
        return false;
    }
    int w = 0;
    int h = 0;
    int c = 0;
    return stbi_info_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                                 static_cast<int>(bytes.size()), &w, &h, &c) != 0;
}

Result<void> verify_png_structure(std::span<const std::byte> bytes) {
    std::size_t offset = 8;
    bool seen_idat = false;
    for (int index = 0;; ++index) {
        if (offset == bytes.size()) {
            return Error{"PNG ends without an IEND chunk (the file is truncated)"};
        }
        if (offset + 12 > bytes.size()) {
            return Error{fmt::format("PNG is truncated inside a chunk header at byte {}", offset)};
        }
        const std::uint32_t length = read_be32(bytes.data() + offset);
        const std::byte* type = bytes.data() + offset + 4;
        const std::string name(reinterpret_cast<const char*>(type), 4);
        for (char ch : name) {
            if (!std::isalpha(static_cast<unsigned char>(ch))) {
                return Error{fmt::format("PNG has an invalid chunk type at byte {}", offset)};
            }
        }
        if (length > 0x7fffffffu || bytes.size() - offset - 12 < length) {
            return Error{
                fmt::format("PNG chunk {} at byte {} runs past the end of the file", name, offset)};
        }
        if (index == 0 && (name != "IHDR" || length != 13)) {
            return Error{
                fmt::format("PNG does not start with a 13-byte IHDR chunk (found {}, {} "
                            "bytes)",
                            name, length)};
        }
        const auto stored = read_be32(type + 4 + length);
        const auto computed = static_cast<std::uint32_t>(
            crc32(crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(type), length + 4));
        if (stored != computed) {
            return Error{fmt::format(
                "PNG chunk {} at byte {} has a bad CRC (stored {:08x}, computed {:08x}): the "
                "file is corrupt",
                name, offset, stored, computed)};
        }
        seen_idat = seen_idat || name == "IDAT";
        if (name == "IEND") {
            break;
        }
        offset += 12 + length;
    }
    if (!seen_idat) {
        return Error{"PNG has no IDAT chunk: it holds no image data"};
    }
    return {};
}

Result<std::vector<Image>> decode_stb(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options) {
    const auto bytes = file->bytes();
    if (bytes.size() > static_cast<std::size_t>(INT32_MAX)) {
        return Error{"file is larger than 2 GiB, which this decoder cannot read"};
    }
    const bool is_png = bytes.size() >= 8 && std::memcmp(bytes.data(), "\x89PNG", 4) == 0;
    if (is_png) {
        if (auto verified = verify_png_structure(bytes); !verified) {
            return verified.error();
        }
        // stb_image refuses huge PNGs with a vague reason; check IHDR against our limit first.
        const std::uint64_t w = read_be32(bytes.data() + 16);
        const std::uint64_t h = read_be32(bytes.data() + 20);
        if (w * h > options.max_pixels) {
            return Error{
                fmt::format("PNG header claims {}x{} pixels, more than the limit of {} "
                            "pixels",
                            w, h, options.max_pixels)};
        }
    }
    const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
    const int size = static_cast<int>(bytes.size());
    int width = 0;
    int height = 0;
    int channels = 0;
    if (!stbi_info_from_memory(data, size, &width, &height, &channels)) {
        return Error{fmt::format("not a readable image: {}", stbi_failure_reason())};
    }
    const auto pixels = static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height);
    if (width <= 0 || height <= 0 || pixels > options.max_pixels) {
        return Error{fmt::format("header claims {}x{} pixels, more than the limit of {} pixels",
                                 width, height, options.max_pixels)};
    }

    Image image;
    image.metadata.transfer = Transfer::Srgb;
    std::shared_ptr<PlanarImage> planes;
    if (stbi_is_hdr_from_memory(data, size)) {
        float* decoded = stbi_loadf_from_memory(data, size, &width, &height, &channels, 0);
        if (decoded == nullptr) {
            return Error{fmt::format("cannot decode: {}", stbi_failure_reason())};
        }
        planes = deinterleave(decoded, width, height, channels, SampleType::F32);
        stbi_image_free(decoded);
        image.metadata.transfer = Transfer::Linear;
    } else if (stbi_is_16_bit_from_memory(data, size)) {
        stbi_us* decoded = stbi_load_16_from_memory(data, size, &width, &height, &channels, 0);
        if (decoded == nullptr) {
            return Error{fmt::format("cannot decode: {}", stbi_failure_reason())};
        }
        planes = deinterleave(decoded, width, height, channels, SampleType::U16);
        stbi_image_free(decoded);
    } else {
        stbi_uc* decoded = stbi_load_from_memory(data, size, &width, &height, &channels, 0);
        if (decoded == nullptr) {
            return Error{fmt::format("cannot decode: {}", stbi_failure_reason())};
        }
        planes = deinterleave(decoded, width, height, channels, SampleType::U8);
        stbi_image_free(decoded);
    }
    image.metadata.data_window = full_window(width, height);
    image.metadata.display_window = image.metadata.data_window;
    image.source = std::move(planes);
    std::vector<Image> images;
    images.push_back(std::move(image));
    return images;
}

}  // namespace tessera::core
