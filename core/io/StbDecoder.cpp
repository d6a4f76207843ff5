#include "core/io/StbDecoder.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include <fmt/format.h>

#include <stb_image.h>

#include "core/base/Parallel.h"
#include "core/image/PlanarImage.h"
#include "core/io/HeaderChecks.h"

namespace tessera::core {
namespace {

// stb_image returns interleaved samples; Tessera keeps one plane per channel.
template <typename T>
std::shared_ptr<PlanarImage> deinterleave(const T* pixels, int width, int height, int channels,
                                          SampleType type) {
    auto image = std::make_shared<PlanarImage>(width, height);
    for (int c = 0; c < channels; ++c) {
        image->add_channel(interleaved_channel_name(c, channels), type);
    }
    // In bands of rows on every core: for large images this copy costs a tenth of the decode.
    const auto w = static_cast<std::size_t>(width);
    const auto n = static_cast<std::size_t>(channels);
    constexpr std::size_t kBandPixels = std::size_t{1} << 18;
    const std::size_t rows_per_band = std::max<std::size_t>(1, kBandPixels / w);
    const std::size_t bands =
        (static_cast<std::size_t>(height) + rows_per_band - 1) / rows_per_band;
    parallel_for(bands, [&](unsigned, std::size_t band) {
        const std::size_t begin = band * rows_per_band * w;
        const std::size_t end =
            std::min(static_cast<std::size_t>(height), (band + 1) * rows_per_band) * w;
        for (std::size_t c = 0; c < n; ++c) {
            auto plane = image->samples<T>(c);
            for (std::size_t i = begin; i < end; ++i) {
                plane[i] = pixels[i * n + c];
            }
        }
    });
    return image;
}

}  // namespace

const char* interleaved_channel_name(int channel, int channel_count) {
    static constexpr const char* kGray[] = {"Y", "A"};
    static constexpr const char* kColour[] = {"R", "G", "B", "A"};
    return channel_count <= 2 ? kGray[channel] : kColour[channel];
}

bool sniff_tga(std::span<const std::byte> bytes) {
    return parse_tga_header(bytes).has_value();
}

namespace {

enum class Format : std::uint8_t { Png, Bmp, Gif, Tga };

Result<void> check_header(Format format, std::span<const std::byte> bytes, ImageClaim claim) {
    switch (format) {
        case Format::Png:
            return {};  // checked in full before stb_image read the header
        case Format::Bmp:
            return check_bmp(bytes);
        case Format::Gif:
            return check_gif(bytes, claim);
        case Format::Tga:
            return check_tga(bytes);
    }
    return {};
}

Result<std::vector<Image>> decode(Format format, const std::shared_ptr<const MappedFile>& file,
                                  const LoadOptions& options, bool checked = false) {
    const auto bytes = file->bytes();
    if (bytes.size() > static_cast<std::size_t>(INT32_MAX)) {
        return Error{"file is larger than 2 GiB, which this decoder cannot read"};
    }
    // PNG structure and checksums are checked before stb_image reads even the header.
    if (format == Format::Png && !checked) {
        if (auto ok = check_png(bytes, options.max_pixels); !ok) {
            return ok.error();
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
    const ImageClaim claim{static_cast<std::uint64_t>(width), static_cast<std::uint64_t>(height)};
    if (auto ok = check_header(format, bytes, claim); !ok) {
        return ok.error();
    }

    std::shared_ptr<PlanarImage> planes;
    if (stbi_is_16_bit_from_memory(data, size)) {
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
    return whole_image(std::move(planes), Transfer::Srgb);
}

}  // namespace

Result<std::vector<Image>> decode_png_stb(const std::shared_ptr<const MappedFile>& file,
                                          const LoadOptions& options, bool checked) {
    return decode(Format::Png, file, options, checked);
}
Result<std::vector<Image>> decode_bmp(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options) {
    return decode(Format::Bmp, file, options);
}
Result<std::vector<Image>> decode_gif(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options) {
    return decode(Format::Gif, file, options);
}
Result<std::vector<Image>> decode_tga(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options) {
    return decode(Format::Tga, file, options);
}

}  // namespace tessera::core
