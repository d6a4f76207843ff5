#include "core/ExrDecoder.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <tinyexr.h>

#include "core/PlanarImage.h"

namespace tessera::core {
namespace {

constexpr std::array<const char*, 10> kCompressionNames{"NONE",  "RLE", "ZIPS", "ZIP",  "PIZ",
                                                        "PXR24", "B44", "B44A", "DWAA", "DWAB"};
constexpr int kFirstUnsupportedCompression = 5;  // PXR24 and everything after it

std::string compression_name(int code) {
    return code >= 0 && code < static_cast<int>(kCompressionNames.size())
               ? kCompressionNames[static_cast<std::size_t>(code)]
               : fmt::format("unknown compression {}", code);
}

struct ScannedChannel {
    std::string name;
    int pixel_type = 0;
    int x_sampling = 1;
    int y_sampling = 1;
};

struct ScannedPart {
    std::string name;
    std::string type;
    std::optional<int> compression;
    std::vector<ScannedChannel> channels;
    std::optional<Box2i> data_window;
    std::optional<Box2i> display_window;
};

// Reads attribute headers (name, type, size, value) without trusting any of them: every read is
// checked against the end of the file. Returns one entry per part.
class HeaderScanner {
  public:
    explicit HeaderScanner(std::span<const std::byte> bytes) : m_bytes(bytes) {}

    Result<std::vector<ScannedPart>> scan(bool multipart) {
        m_pos = 8;
        std::vector<ScannedPart> parts;
        while (true) {
            if (multipart && !parts.empty()) {
                if (m_pos >= m_bytes.size()) {
                    return Error{"OpenEXR multi-part header list is truncated"};
                }
                if (m_bytes[m_pos] == std::byte{0}) {
                    break;  // an empty header ends the list
                }
            }
            auto part = scan_part();
            if (!part) {
                return part.error();
            }
            parts.push_back(std::move(part).value());
            if (!multipart) {
                break;
            }
            if (parts.size() > 10000) {
                return Error{"OpenEXR header lists an absurd number of parts"};
            }
        }
        return parts;
    }

  private:
    Result<ScannedPart> scan_part() {
        ScannedPart part;
        for (int attributes = 0;; ++attributes) {
            auto name = read_string();
            if (!name) {
                return Error{"OpenEXR header is truncated"};
            }
            if (name->empty()) {
                return part;
            }
            auto type = read_string();
            auto size = read_i32();
            if (!type || !size || *size < 0 ||
                static_cast<std::size_t>(*size) > m_bytes.size() - m_pos) {
                return Error{fmt::format("OpenEXR header attribute '{}' is truncated", *name)};
            }
            const auto value = m_bytes.subspan(m_pos, static_cast<std::size_t>(*size));
            m_pos += static_cast<std::size_t>(*size);
            if (*name == "compression" && *type == "compression" && value.size() == 1) {
                part.compression = std::to_integer<int>(value[0]);
            } else if (*name == "channels" && *type == "chlist") {
                part.channels = parse_channels(value);
            } else if (*name == "dataWindow" && *type == "box2i" && value.size() == 16) {
                part.data_window = parse_box(value);
            } else if (*name == "displayWindow" && *type == "box2i" && value.size() == 16) {
                part.display_window = parse_box(value);
            } else if (*name == "name" && *type == "string") {
                part.name.assign(reinterpret_cast<const char*>(value.data()), value.size());
            } else if (*name == "type" && *type == "string") {
                part.type.assign(reinterpret_cast<const char*>(value.data()), value.size());
            }
            if (attributes > 100000) {
                return Error{"OpenEXR header has an absurd number of attributes"};
            }
        }
    }

    std::optional<std::string> read_string() {
        const auto* start = m_bytes.data() + m_pos;
        const std::size_t limit = std::min<std::size_t>(m_bytes.size() - m_pos, 256);
        const void* end = std::memchr(start, 0, limit);
        if (end == nullptr) {
            return std::nullopt;
        }
        const auto length = static_cast<std::size_t>(static_cast<const std::byte*>(end) - start);
        m_pos += length + 1;
        return std::string(reinterpret_cast<const char*>(start), length);
    }
    std::optional<std::int32_t> read_i32() {
        if (m_bytes.size() - m_pos < 4) {
            return std::nullopt;
        }
        const std::int32_t value = le32(m_bytes.data() + m_pos);
        m_pos += 4;
        return value;
    }
    static std::int32_t le32(const std::byte* p) {
        std::uint32_t v = 0;
        for (int i = 3; i >= 0; --i) {
            v = v << 8 | std::to_integer<std::uint32_t>(p[i]);
        }
        return static_cast<std::int32_t>(v);
    }
    static Box2i parse_box(std::span<const std::byte> v) {
        return {le32(v.data()), le32(v.data() + 4), le32(v.data() + 8), le32(v.data() + 12)};
    }
    static std::vector<ScannedChannel> parse_channels(std::span<const std::byte> v) {
        std::vector<ScannedChannel> channels;
        std::size_t pos = 0;
        while (pos < v.size() && v[pos] != std::byte{0}) {
            const void* end = std::memchr(v.data() + pos, 0, v.size() - pos);
            if (end == nullptr) {
                break;
            }
            const auto length =
                static_cast<std::size_t>(static_cast<const std::byte*>(end) - (v.data() + pos));
            if (v.size() - pos < length + 1 + 16) {
                break;
            }
            ScannedChannel channel;
            channel.name.assign(reinterpret_cast<const char*>(v.data() + pos), length);
            pos += length + 1;
            channel.pixel_type = le32(v.data() + pos);
            channel.x_sampling = le32(v.data() + pos + 8);
            channel.y_sampling = le32(v.data() + pos + 12);
            pos += 16;
            channels.push_back(std::move(channel));
        }
        return channels;
    }

    std::span<const std::byte> m_bytes;
    std::size_t m_pos = 0;
};

// Refuses, by name, what tinyexr would decode wrongly or not at all.
Result<void> check_supported(const ScannedPart& part, std::size_t index, bool multipart,
                             const LoadOptions& options) {
    const std::string where = multipart ? fmt::format("part {} ", index) : std::string();
    // Single-part files say "deep" in the version flags (checked by the caller); OpenEXR itself
    // ignores a mislabelled type attribute there, so only multi-part files are judged by it.
    if (multipart && part.type.starts_with("deep")) {
        return Error{fmt::format("OpenEXR {}holds deep data ({}), which Tessera does not support",
                                 where, part.type)};
    }
    if (!part.compression) {
        return Error{fmt::format("OpenEXR {}header has no compression attribute", where)};
    }
    if (*part.compression >= kFirstUnsupportedCompression) {
        return Error{fmt::format(
            "OpenEXR {}uses {} compression, which Tessera does not support (it reads NONE, RLE, "
            "ZIPS, ZIP and PIZ)",
            where, compression_name(*part.compression))};
    }
    for (const ScannedChannel& channel : part.channels) {
        if (channel.x_sampling != 1 || channel.y_sampling != 1) {
            return Error{fmt::format(
                "OpenEXR {}has channel '{}' subsampled {}x{} (luminance/chroma data), which "
                "Tessera does not support",
                where, channel.name, channel.x_sampling, channel.y_sampling)};
        }
        if (channel.pixel_type < 0 || channel.pixel_type > 2) {
            return Error{fmt::format("OpenEXR {}channel '{}' has unknown pixel type {}", where,
                                     channel.name, channel.pixel_type)};
        }
    }
    if (part.channels.empty()) {
        return Error{fmt::format("OpenEXR {}has no channels", where)};
    }
    if (!part.data_window || !part.display_window) {
        return Error{fmt::format("OpenEXR {}header lacks a data or display window", where)};
    }
    const Box2i& dw = *part.data_window;
    if (dw.max_x < dw.min_x || dw.max_y < dw.min_y) {
        return Error{fmt::format("OpenEXR {}data window ({},{})-({},{}) is empty or inverted",
                                 where, dw.min_x, dw.min_y, dw.max_x, dw.max_y)};
    }
    const auto pixels =
        static_cast<std::uint64_t>(dw.width()) * static_cast<std::uint64_t>(dw.height());
    if (pixels > options.max_pixels) {
        return Error{
            fmt::format("OpenEXR {}data window claims {}x{} pixels, more than the limit "
                        "of {} pixels",
                        where, dw.width(), dw.height(), options.max_pixels)};
    }
    return {};
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
    bool loaded = false;
    EXRHeader** header_array = nullptr;  // from ParseEXRMultipartHeaderFromMemory
    ~ExrCleanup() {
        if (loaded) {
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
    HeaderScanner scanner(bytes);
    auto parts = scanner.scan(version.multipart != 0);
    if (!parts) {
        return parts.error();
    }
    for (std::size_t i = 0; i < parts->size(); ++i) {
        if (auto ok = check_supported((*parts)[i], i, version.multipart != 0, options); !ok) {
            return ok.error();
        }
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
    }
    const int loaded =
        version.multipart
            ? LoadEXRMultipartImageFromMemory(
                  cleanup.images.data(), const_cast<const EXRHeader**>(cleanup.headers.data()),
                  static_cast<unsigned>(cleanup.headers.size()), data, bytes.size(), &err)
            : LoadEXRImageFromMemory(cleanup.images.data(), cleanup.headers[0], data, bytes.size(),
                                     &err);
    cleanup.loaded = loaded == TINYEXR_SUCCESS;
    if (!cleanup.loaded) {
        return Error{fmt::format("cannot decode OpenEXR pixels: {}", tinyexr_message(err, loaded))};
    }

    std::vector<Image> images;
    for (std::size_t i = 0; i < cleanup.headers.size(); ++i) {
        const EXRHeader& header = *cleanup.headers[i];
        const EXRImage& decoded = cleanup.images[i];
        const ScannedPart& scanned = (*parts)[i];
        if (decoded.width != scanned.data_window->width() ||
            decoded.height != scanned.data_window->height()) {
            return Error{fmt::format("OpenEXR part {} decoded to {}x{}, not its {}x{} data window",
                                     i, decoded.width, decoded.height, scanned.data_window->width(),
                                     scanned.data_window->height())};
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
        image.metadata.data_window = *scanned.data_window;
        image.metadata.display_window = *scanned.display_window;
        image.metadata.compression = compression_name(header.compression_type);
        image.metadata.storage = storage_of(header);
        images.push_back(std::move(image));
    }
    return images;
}

}  // namespace tessera::core
