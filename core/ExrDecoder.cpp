#include "core/ExrDecoder.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <tinyexr.h>

#include "core/ExrHeader.h"
#include "core/PlanarImage.h"

namespace tessera::core {
namespace {

constexpr std::array<const char*, 10> kCompressionNames{"NONE",  "RLE", "ZIPS", "ZIP",  "PIZ",
                                                        "PXR24", "B44", "B44A", "DWAA", "DWAB"};

std::string compression_name(int code) {
    return code >= 0 && code < static_cast<int>(kCompressionNames.size())
               ? kCompressionNames[static_cast<std::size_t>(code)]
               : fmt::format("unknown compression {}", code);
}

SampleType sample_type_of(int exr_pixel_type) {
    switch (exr_pixel_type) {
        case TINYEXR_PIXELTYPE_UINT:
            return SampleType::U32;
        case TINYEXR_PIXELTYPE_HALF:
            return SampleType::F16;
        default:
            return SampleType::F32;
    }
}

// Copies one decoded part (scanline planes, or level-0 tiles) into a PlanarImage.
Result<std::shared_ptr<PlanarImage>> to_planar(const EXRHeader& header, const EXRImage& decoded) {
    auto image = std::make_shared<PlanarImage>(decoded.width, decoded.height);
    for (int c = 0; c < header.num_channels; ++c) {
        image->add_channel(header.channels[c].name,
                           sample_type_of(header.requested_pixel_types[c]));
    }
    for (int c = 0; c < header.num_channels; ++c) {
        const std::size_t size = sample_size(image->channels()[static_cast<std::size_t>(c)].type);
        auto plane = image->plane(static_cast<std::size_t>(c));
        if (decoded.images != nullptr) {
            std::memcpy(plane.data(), decoded.images[c], plane.size());
            continue;
        }
        if (decoded.tiles == nullptr) {
            return Error{"OpenEXR decoder returned no pixels"};
        }
        for (int t = 0; t < decoded.num_tiles; ++t) {
            const EXRTile& tile = decoded.tiles[t];
            const std::int64_t x0 = static_cast<std::int64_t>(tile.offset_x) * header.tile_size_x;
            const std::int64_t y0 = static_cast<std::int64_t>(tile.offset_y) * header.tile_size_y;
            if (x0 < 0 || y0 < 0 || x0 + tile.width > decoded.width ||
                y0 + tile.height > decoded.height) {
                return Error{"OpenEXR tile lies outside the data window"};
            }
            for (int row = 0; row < tile.height; ++row) {
                std::memcpy(plane.data() + (static_cast<std::size_t>(y0 + row) *
                                                static_cast<std::size_t>(decoded.width) +
                                            static_cast<std::size_t>(x0)) *
                                               size,
                            tile.images[c] + static_cast<std::size_t>(row) *
                                                 static_cast<std::size_t>(header.tile_size_x) *
                                                 size,
                            static_cast<std::size_t>(tile.width) * size);
            }
        }
    }
    return image;
}

std::string storage_of(const EXRHeader& header) {
    if (!header.tiled) {
        return "scanline";
    }
    static constexpr const char* kModes[] = {"single level", "mip-map", "rip-map"};
    const int mode = std::clamp(header.tile_level_mode, 0, 2);
    return fmt::format("tiled {}x{} {}{}", header.tile_size_x, header.tile_size_y, kModes[mode],
                       mode ? " (level 0 shown)" : "");
}

std::string tinyexr_message(const char* err, int code) {
    std::string message = err != nullptr ? err : fmt::format("tinyexr error {}", code);
    FreeEXRErrorMessage(err);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
    }
    return message;
}

// Frees the tinyexr headers and images of a load, whatever path the load takes.
struct ExrCleanup {
    std::vector<EXRHeader*> headers;
    std::vector<EXRImage> images;
    // Whether the images hold tinyexr's allocations: after a success; after a multi-part failure
    // (tinyexr frees nothing then); after an exception. A failed single-part load has already
    // freed its image itself.
    bool free_images = false;
    EXRHeader** header_array = nullptr;  // from ParseEXRMultipartHeaderFromMemory
    ~ExrCleanup() {
        if (free_images) {
            for (EXRImage& image : images) {
                FreeEXRImage(&image);
            }
        }
        for (EXRHeader* header : headers) {
            FreeEXRHeader(header);
            if (header_array != nullptr) {
                std::free(header);  // tinyexr mallocs each multi-part header
            } else {
                delete header;
            }
        }
        std::free(header_array);
    }
};

}  // namespace

Result<std::vector<Image>> decode_exr(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options) {
    const auto bytes = file->bytes();
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    EXRVersion version;
    if (ParseEXRVersionFromMemory(&version, data, bytes.size()) != TINYEXR_SUCCESS) {
        return Error{"not a valid OpenEXR file (bad version field)"};
    }
    if (version.non_image && !version.multipart) {
        return Error{"OpenEXR file holds deep data, which Tessera does not support"};
    }
    // Everything tinyexr would trust is validated first (ExrHeader.h).
    auto parts = scan_exr(bytes, ExrLimits{options.max_pixels});
    if (!parts) {
        return parts.error();
    }

    ExrCleanup cleanup;
    const char* err = nullptr;
    if (version.multipart) {
        int count = 0;
        const int parsed = ParseEXRMultipartHeaderFromMemory(&cleanup.header_array, &count,
                                                             &version, data, bytes.size(), &err);
        if (parsed != TINYEXR_SUCCESS) {
            return Error{fmt::format("invalid OpenEXR header: {}", tinyexr_message(err, parsed))};
        }
        cleanup.headers.assign(cleanup.header_array, cleanup.header_array + count);
    } else {
        cleanup.headers.push_back(new EXRHeader);
        InitEXRHeader(cleanup.headers.back());
        const int parsed =
            ParseEXRHeaderFromMemory(cleanup.headers.back(), &version, data, bytes.size(), &err);
        if (parsed != TINYEXR_SUCCESS) {
            return Error{fmt::format("invalid OpenEXR header: {}", tinyexr_message(err, parsed))};
        }
    }
    if (cleanup.headers.size() != parts->size()) {
        return Error{fmt::format("OpenEXR header lists {} parts, but {} could be parsed",
                                 parts->size(), cleanup.headers.size())};
    }
    cleanup.images.resize(cleanup.headers.size());
    for (std::size_t i = 0; i < cleanup.images.size(); ++i) {
        InitEXRImage(&cleanup.images[i]);
        // tinyexr frees a failed load itself, but only num_channels planes, which its scanline
        // path sets on success alone: set it first so that its cleanup frees everything.
        cleanup.images[i].num_channels = cleanup.headers[i]->num_channels;
        // tinyexr writes the rows of a DECREASING_Y file bottom-up, turning the picture upside
        // down; the line order only says how blocks lie in the file, and each block names its
        // own lines, so every file is decoded as INCREASING_Y.
        cleanup.headers[i]->line_order = 0;
    }
    int loaded = TINYEXR_ERROR_INVALID_DATA;
    try {
        loaded =
            version.multipart
                ? LoadEXRMultipartImageFromMemory(
                      cleanup.images.data(), const_cast<const EXRHeader**>(cleanup.headers.data()),
                      static_cast<unsigned>(cleanup.headers.size()), data, bytes.size(), &err)
                : LoadEXRImageFromMemory(cleanup.images.data(), cleanup.headers[0], data,
                                         bytes.size(), &err);
    } catch (...) {
        cleanup.free_images = true;
        throw;  // the loader reports it
    }
    cleanup.free_images = loaded == TINYEXR_SUCCESS || version.multipart;
    if (loaded != TINYEXR_SUCCESS) {
        return Error{fmt::format("cannot decode OpenEXR pixels: {}", tinyexr_message(err, loaded))};
    }

    std::vector<Image> images;
    for (std::size_t i = 0; i < cleanup.headers.size(); ++i) {
        const EXRHeader& header = *cleanup.headers[i];
        const EXRImage& decoded = cleanup.images[i];
        const ExrPart& scanned = (*parts)[i];
        if (decoded.width != scanned.data_window.width() ||
            decoded.height != scanned.data_window.height()) {
            return Error{fmt::format("OpenEXR part {} decoded to {}x{}, not its {}x{} data window",
                                     i, decoded.width, decoded.height, scanned.data_window.width(),
                                     scanned.data_window.height())};
        }
        auto planar = to_planar(header, decoded);
        if (!planar) {
            return planar.error();
        }
        Image image;
        image.source = std::move(planar).value();
        image.metadata.part_name = scanned.name;
        image.metadata.part_index = static_cast<int>(i);
        image.metadata.part_count = static_cast<int>(cleanup.headers.size());
        image.metadata.transfer = Transfer::Linear;
        image.metadata.data_window = scanned.data_window;
        image.metadata.display_window = scanned.display_window;
        image.metadata.compression = compression_name(header.compression_type);
        image.metadata.storage = storage_of(header);
        images.push_back(std::move(image));
    }
    return images;
}

}  // namespace tessera::core
