#include "core/io/ExrDecoder.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <tinyexr.h>

#include "core/base/Checked.h"
#include "core/base/Parallel.h"
#include "core/image/PlanarImage.h"
#include "core/io/ExrHeader.h"
#include "core/io/OpenExrDecoder.h"
#include "core/io/OpenExrRegion.h"
#include "core/io/TinyExr.h"

namespace tessera::core {
namespace {

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

Image make_image(const EXRHeader& header, const ExrPart& part, std::shared_ptr<PlanarImage> planes,
                 std::size_t index, std::size_t count) {
    return exr_image(std::move(planes), part, index, count, storage_of(header));
}

// A single-part scanline image, decoded in bands of chunks on our own threads (tinyexr's are off:
// see TinyExr.cpp). Each band is decoded by tinyexr as an image of just its rows, then copied
// into place; a failure or exception in a band is caught on its thread and reported.
Result<std::shared_ptr<PlanarImage>> decode_in_bands(const EXRHeader& header, const ExrPart& part,
                                                     std::span<const std::byte> bytes) {
    const Box2i& window = part.data_window;
    const auto width = static_cast<std::size_t>(window.width());
    auto image = std::make_shared<PlanarImage>(window.width(), window.height());
    const auto channels = static_cast<std::size_t>(header.num_channels);
    for (std::size_t c = 0; c < channels; ++c) {
        image->add_channel(header.channels[c].name,
                           sample_type_of(header.requested_pixel_types[c]));
    }
    const std::uint64_t lines = static_cast<std::uint64_t>(exr_lines_per_block(part.compression));
    const std::uint64_t blocks = part.chunk_count;
    const std::size_t bands =
        static_cast<std::size_t>(std::min<std::uint64_t>(blocks, worker_count(blocks) * 4));
    const auto* file = reinterpret_cast<const unsigned char*>(bytes.data());
    std::vector<std::string> errors(bands);
    std::vector<char> failed(bands, 0);
    parallel_for(bands, [&](unsigned, std::size_t band) {
        EXRImage decoded;
        InitEXRImage(&decoded);
        bool holds_pixels = false;
        try {
            const std::uint64_t first = blocks * band / bands;
            const std::uint64_t last = blocks * (band + 1) / bands;
            EXRHeader narrowed = header;  // shares the original's arrays but pixel_types
            std::vector<int> pixel_types(header.pixel_types, header.pixel_types + channels);
            narrowed.pixel_types = pixel_types.data();  // tinyexr writes these
            narrowed.data_window.min_y = static_cast<int>(window.min_y + first * lines);
            narrowed.data_window.max_y = static_cast<int>(
                std::min<std::int64_t>(window.max_y, window.min_y + last * lines - 1));
            narrowed.chunk_count = static_cast<int>(last - first);
            decoded.num_channels = header.num_channels;
            const char* err = nullptr;
            const int result = decode_exr_scanline_chunks(&decoded, &narrowed, file,
                                                          file + part.offset_table + first * 8,
                                                          bytes.size(), &err);
            if (result != TINYEXR_SUCCESS) {
                failed[band] = 1;  // tinyexr has freed the band
                errors[band] = tinyexr_message(err, result);
                return;
            }
            holds_pixels = true;
            const auto row0 = static_cast<std::size_t>(narrowed.data_window.min_y - window.min_y);
            const auto rows = static_cast<std::size_t>(narrowed.data_window.max_y -
                                                       narrowed.data_window.min_y + 1);
            for (std::size_t c = 0; c < channels; ++c) {
                const std::size_t row_bytes = width * sample_size(image->channels()[c].type);
                std::memcpy(image->plane(c).data() + row0 * row_bytes, decoded.images[c],
                            rows * row_bytes);
            }
        } catch (...) {
            failed[band] = 1;
            holds_pixels = true;  // an exception leaves tinyexr's allocations in the image
        }
        if (holds_pixels) {
            FreeEXRImage(&decoded);
        }
    });
    for (std::size_t band = 0; band < bands; ++band) {
        if (failed[band]) {
            return Error{fmt::format(
                "cannot decode OpenEXR pixels: {}",
                errors[band].empty() ? std::string("the decoder failed") : errors[band])};
        }
    }
    return image;
}

// Whether the file is too large to decode whole (LoadOptions::decode_whole_below).
bool by_region(const std::vector<ExrPart>& parts, const LoadOptions& options) {
    bool large = false;
    for (const ExrPart& part : parts) {
        std::uint64_t pixel_bytes = 0;
        for (const ExrChannel& channel : part.channels) {
            if (channel.x_sampling != 1 || channel.y_sampling != 1) {
                return false;  // converted to RGB by OpenEXR's RGBA interface, whole
            }
            pixel_bytes += channel.pixel_type == 1 ? 2 : 4;
        }
        const auto bytes =
            checked_product({static_cast<std::uint64_t>(part.data_window.width()),
                             static_cast<std::uint64_t>(part.data_window.height()), pixel_bytes});
        large = large || !bytes || *bytes > options.decode_whole_below;
    }
    return large;
}

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
    // Everything tinyexr would trust is validated first (ExrHeader.h). Files read by region may
    // exceed max_pixels, up to a million pixels a side.
    constexpr std::uint64_t kMostPixelsByRegion = std::uint64_t{1} << 40;
    auto parts = scan_exr(bytes, ExrLimits{std::max(options.max_pixels, kMostPixelsByRegion)});
    if (!parts) {
        return parts.error();
    }
    if (by_region(*parts, options)) {
        return read_exr_by_region(file, *parts, options.max_chunk_bytes);
    }
    for (std::size_t i = 0; i < parts->size(); ++i) {
        const Box2i& window = (*parts)[i].data_window;
        const auto w = static_cast<std::uint64_t>(window.width());
        const auto h = static_cast<std::uint64_t>(window.height());
        if (!product_at_most({w, h}, options.max_pixels)) {
            return Error{fmt::format(
                "OpenEXR {}data window claims {}x{} pixels, more than the limit of {} pixels",
                parts->size() > 1 ? fmt::format("part {} ", i) : std::string(), w, h,
                options.max_pixels)};
        }
    }
    using Library = LoadOptions::ExrLibrary;
    const bool openexr_faster = std::all_of(parts->begin(), parts->end(), [](const ExrPart& p) {
        return p.compression == 3 || p.compression == 4;  // ZIP, PIZ
    });
    const bool needs_openexr = std::any_of(parts->begin(), parts->end(), exr_needs_openexr);
    if (needs_openexr && options.exr_library == Library::TinyExr) {
        return Error{
            "tinyexr does not support this file's compression or subsampling (forced "
            "to tinyexr)"};
    }
    if (needs_openexr || options.exr_library == Library::OpenExr ||
        (options.exr_library == Library::Fastest && openexr_faster)) {
        return decode_exr_openexr(bytes, *parts);
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
    // tinyexr writes the rows of a DECREASING_Y file bottom-up, turning the picture upside down;
    // the line order only says how blocks lie in the file, and each block names its own lines,
    // so every file is decoded as INCREASING_Y.
    for (EXRHeader* header : cleanup.headers) {
        header->line_order = 0;
    }
    if (!version.multipart && !cleanup.headers[0]->tiled) {
        auto planes = decode_in_bands(*cleanup.headers[0], parts->front(), bytes);
        if (!planes) {
            return planes.error();
        }
        std::vector<Image> images;
        images.push_back(
            make_image(*cleanup.headers[0], parts->front(), std::move(planes).value(), 0, 1));
        return images;
    }
    cleanup.images.resize(cleanup.headers.size());
    for (std::size_t i = 0; i < cleanup.images.size(); ++i) {
        InitEXRImage(&cleanup.images[i]);
        // tinyexr frees a failed load itself, but only num_channels planes, which its scanline
        // path sets on success alone: set it first so that its cleanup frees everything.
        cleanup.images[i].num_channels = cleanup.headers[i]->num_channels;
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
        images.push_back(
            make_image(header, scanned, std::move(planar).value(), i, cleanup.headers.size()));
    }
    return images;
}

}  // namespace tessera::core
