#include "core/io/ExrHeader.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "core/base/ByteOrder.h"
#include "core/base/Checked.h"

namespace tessera::core {
namespace {

constexpr std::array<const char*, 10> kCompressionNames{"NONE",  "RLE", "ZIPS", "ZIP",  "PIZ",
                                                        "PXR24", "B44", "B44A", "DWAA", "DWAB"};
// tinyexr reads at most this many attributes of a header; OpenEXR files hold a few dozen.
constexpr int kMaxAttributes = 1024;
// Coordinates beyond this could overflow tinyexr's int arithmetic (width = max - min + 1).
constexpr std::int64_t kMaxCoordinate = std::int64_t{1} << 30;
constexpr std::uint32_t kMaxTileSide = 65536;

std::string compression_name(int code) {
    return code >= 0 && code < static_cast<int>(kCompressionNames.size())
               ? kCompressionNames[static_cast<std::size_t>(code)]
               : fmt::format("unknown compression {}", code);
}

std::int32_t le32(const std::byte* p) {
    return static_cast<std::int32_t>(load_le32(p));
}

// An attribute's value as text, for the types OpenEXR defines; others by type and size.
std::string attribute_text(std::string_view type, std::span<const std::byte> v) {
    const auto f32 = [&](std::size_t i) {
        return std::bit_cast<float>(load_le32(v.data() + 4 * i));
    };
    const auto i32 = [&](std::size_t i) {
        return le32(v.data() + 4 * i);
    };
    const auto floats = [&](std::size_t n) {
        std::string out;
        for (std::size_t i = 0; i < n; ++i) {
            out += fmt::format("{}{:g}", i ? ", " : "", f32(i));
        }
        return "(" + out + ")";
    };
    const std::size_t size = v.size();
    if (type == "string") {
        std::string text;
        for (const std::byte b : v.first(std::min<std::size_t>(size, 1024))) {
            const auto c = std::to_integer<unsigned char>(b);
            text += c >= 0x20 && c != 0x7f ? static_cast<char>(c) : ' ';
        }
        return "\"" + text + (size > 1024 ? "...\"" : "\"");
    }
    if ((type == "int" && size == 4)) {
        return fmt::format("{}", i32(0));
    }
    if (type == "float" && size == 4) {
        return fmt::format("{:g}", f32(0));
    }
    if (type == "double" && size == 8) {
        return fmt::format("{:g}", std::bit_cast<double>(load_le64(v.data())));
    }
    if (type == "v2i" && size == 8) {
        return fmt::format("({}, {})", i32(0), i32(1));
    }
    if (type == "v3i" && size == 12) {
        return fmt::format("({}, {}, {})", i32(0), i32(1), i32(2));
    }
    if (type == "box2i" && size == 16) {
        return fmt::format("({}, {}) - ({}, {})", i32(0), i32(1), i32(2), i32(3));
    }
    if ((type == "v2f" && size == 8) || (type == "v3f" && size == 12) ||
        (type == "box2f" && size == 16) || (type == "chromaticities" && size == 32) ||
        (type == "m33f" && size == 36) || (type == "m44f" && size == 64)) {
        return floats(size / 4);
    }
    if (type == "compression" && size == 1) {
        return compression_name(std::to_integer<int>(v[0]));
    }
    if (type == "lineOrder" && size == 1) {
        const int order = std::to_integer<int>(v[0]);
        return order == 0 ? "increasing Y" : order == 1 ? "decreasing Y" : "random Y";
    }
    if (type == "rational" && size == 8) {
        return fmt::format("{}/{}", i32(0), load_le32(v.data() + 4));
    }
    return fmt::format("{}, {} bytes", type, size);
}

// The attributes tinyexr interprets (it matches them by name alone), with the type and size
// they must have. Size 0: variable.
struct KnownAttribute {
    std::string_view name;
    std::string_view type;
    std::size_t size;
};
constexpr KnownAttribute kKnown[] = {
    {"channels", "chlist", 0},
    {"compression", "compression", 1},
    {"dataWindow", "box2i", 16},
    {"displayWindow", "box2i", 16},
    {"lineOrder", "lineOrder", 1},
    {"pixelAspectRatio", "float", 4},
    {"screenWindowCenter", "v2f", 8},
    {"screenWindowWidth", "float", 4},
    {"chunkCount", "int", 4},
    {"tiles", "tiledesc", 9},
    {"name", "string", 0},
    {"type", "string", 0},
};
constexpr std::size_t kRequiredCount = 8;  // the first eight are required in every header

struct RawPart {
    ExrPart part;
    std::optional<std::int32_t> chunk_count;
    std::array<bool, std::size(kKnown)> seen{};
};

class Scanner {
  public:
    explicit Scanner(std::span<const std::byte> bytes) : m_bytes(bytes) {}

    std::size_t position() const { return m_pos; }

    bool at_end_of_list() const { return m_pos < m_bytes.size() && m_bytes[m_pos] == std::byte{0}; }
    void skip_byte() { ++m_pos; }

    Result<RawPart> part(const std::string& where) {
        RawPart raw;
        for (int count = 0;; ++count) {
            if (count > kMaxAttributes) {
                return Error{fmt::format("OpenEXR {}header has more than {} attributes", where,
                                         kMaxAttributes)};
            }
            auto name = string();
            if (!name) {
                return Error{fmt::format("OpenEXR {}header is truncated", where)};
            }
            if (name->empty()) {
                break;
            }
            auto type = string();
            if (!type || type->empty() || m_bytes.size() - m_pos < 4) {
                return Error{fmt::format("OpenEXR {}header attribute '{}' is truncated", where,
                                         printable(*name))};
            }
            const std::int32_t size = le32(m_bytes.data() + m_pos);
            m_pos += 4;
            if (size < 0 || static_cast<std::size_t>(size) > m_bytes.size() - m_pos) {
                return Error{
                    fmt::format("OpenEXR {}header attribute '{}' runs past the end of "
                                "the file",
                                where, printable(*name))};
            }
            const auto value = m_bytes.subspan(m_pos, static_cast<std::size_t>(size));
            m_pos += static_cast<std::size_t>(size);
            if (value.empty() && *type != "string") {
                return Error{fmt::format("OpenEXR {}header attribute '{}' is empty", where,
                                         printable(*name))};
            }
            if (auto known = interpret(raw, *name, *type, value, where); !known) {
                return known.error();
            }
        }
        for (std::size_t i = 0; i < kRequiredCount; ++i) {
            if (!raw.seen[i]) {
                return Error{fmt::format("OpenEXR {}header lacks the required '{}' attribute",
                                         where, kKnown[i].name)};
            }
        }
        return raw;
    }

  private:
    static std::string printable(std::string_view text) {
        std::string out;
        for (char ch : text) {
            const auto c = static_cast<unsigned char>(ch);
            out += (c >= 0x20 && c < 0x7f) ? ch : '?';
        }
        return out;
    }

    Result<void> interpret(RawPart& raw, std::string_view name, std::string_view type,
                           std::span<const std::byte> value, const std::string& where) {
        if (raw.part.attributes.size() < 256) {
            raw.part.attributes.emplace_back(printable(name), attribute_text(type, value));
        }
        const auto known = std::find_if(std::begin(kKnown), std::end(kKnown),
                                        [&](const KnownAttribute& a) { return a.name == name; });
        if (known == std::end(kKnown)) {
            return {};
        }
        const auto index = static_cast<std::size_t>(known - std::begin(kKnown));
        if (type != known->type || (known->size != 0 && value.size() != known->size)) {
            return Error{fmt::format(
                "OpenEXR {}header attribute '{}' has type '{}' and {} bytes; it must be a {} "
                "({} bytes)",
                where, name, printable(type), value.size(), known->type,
                known->size ? fmt::format("{}", known->size) : std::string("variable"))};
        }
        if (raw.seen[index]) {
            return Error{fmt::format("OpenEXR {}header has the attribute '{}' twice", where, name)};
        }
        raw.seen[index] = true;
        ExrPart& part = raw.part;
        const std::byte* v = value.data();
        if (name == "channels") {
            return channels(part, value, where);
        }
        if (name == "compression") {
            part.compression = std::to_integer<int>(v[0]);
        } else if (name == "dataWindow" || name == "displayWindow") {
            const Box2i box{le32(v), le32(v + 4), le32(v + 8), le32(v + 12)};
            for (std::int64_t c : {box.min_x, box.min_y, box.max_x, box.max_y}) {
                if (c < -kMaxCoordinate || c > kMaxCoordinate) {
                    return Error{
                        fmt::format("OpenEXR {}{} ({},{})-({},{}) has coordinates beyond +-2^30",
                                    where, name, box.min_x, box.min_y, box.max_x, box.max_y)};
                }
            }
            if (box.max_x < box.min_x || box.max_y < box.min_y) {
                return Error{fmt::format("OpenEXR {}{} ({},{})-({},{}) is empty or inverted", where,
                                         name, box.min_x, box.min_y, box.max_x, box.max_y)};
            }
            (name == "dataWindow" ? part.data_window : part.display_window) = box;
        } else if (name == "lineOrder") {
            if (std::to_integer<int>(v[0]) > 2) {
                return Error{fmt::format("OpenEXR {}line order {} is invalid", where,
                                         std::to_integer<int>(v[0]))};
            }
        } else if (name == "chunkCount") {
            raw.chunk_count = le32(v);
        } else if (name == "tiles") {
            const auto width = static_cast<std::uint32_t>(le32(v));
            const auto height = static_cast<std::uint32_t>(le32(v + 4));
            const int mode = std::to_integer<int>(v[8]);
            if (width == 0 || height == 0 || width > kMaxTileSide || height > kMaxTileSide) {
                return Error{fmt::format("OpenEXR {}tile size {}x{} is invalid (1 to {} each)",
                                         where, width, height, kMaxTileSide)};
            }
            if ((mode & 0x0f) > 2 || (mode >> 4) > 1) {
                return Error{
                    fmt::format("OpenEXR {}tile level mode {} / rounding mode {} is invalid", where,
                                mode & 0x0f, mode >> 4)};
            }
            part.tiles = ExrTiles{width, height, mode & 0x0f, mode >> 4};
        } else if (name == "name" || name == "type") {
            const auto end = std::find(value.begin(), value.end(), std::byte{0});
            std::string text(reinterpret_cast<const char*>(v),
                             static_cast<std::size_t>(end - value.begin()));
            (name == "name" ? part.name : part.type) = std::move(text);
        }
        return {};
    }

    // A channel list: entries of a name (1-255 bytes, NUL-terminated) and 16 bytes (pixel type,
    // pLinear, 3 reserved, x and y sampling), ended by a NUL as the attribute's last byte.
    static Result<void> channels(ExrPart& part, std::span<const std::byte> v,
                                 const std::string& where) {
        std::size_t pos = 0;
        std::set<std::string> names;
        while (true) {
            if (pos >= v.size()) {
                return Error{fmt::format("OpenEXR {}channel list is not terminated", where)};
            }
            if (v[pos] == std::byte{0}) {
                if (pos + 1 != v.size()) {
                    return Error{fmt::format("OpenEXR {}channel list has trailing bytes", where)};
                }
                break;
            }
            const void* end =
                std::memchr(v.data() + pos, 0, std::min<std::size_t>(v.size() - pos, 256));
            if (end == nullptr) {
                return Error{fmt::format("OpenEXR {}channel list has an unterminated name", where)};
            }
            const auto length =
                static_cast<std::size_t>(static_cast<const std::byte*>(end) - (v.data() + pos));
            if (v.size() - pos - length - 1 < 16) {
                return Error{fmt::format("OpenEXR {}channel list is truncated", where)};
            }
            ExrChannel channel;
            channel.name.assign(reinterpret_cast<const char*>(v.data() + pos), length);
            pos += length + 1;
            channel.pixel_type = le32(v.data() + pos);
            const std::int32_t x_sampling = le32(v.data() + pos + 8);
            const std::int32_t y_sampling = le32(v.data() + pos + 12);
            pos += 16;
            if (channel.pixel_type < 0 || channel.pixel_type > 2) {
                return Error{fmt::format("OpenEXR {}channel '{}' has unknown pixel type {}", where,
                                         printable(channel.name), channel.pixel_type)};
            }
            if (x_sampling < 1 || y_sampling < 1 || x_sampling > 65536 || y_sampling > 65536) {
                return Error{fmt::format("OpenEXR {}channel '{}' has sampling {}x{}", where,
                                         printable(channel.name), x_sampling, y_sampling)};
            }
            channel.x_sampling = x_sampling;
            channel.y_sampling = y_sampling;
            if (!names.insert(channel.name).second) {
                return Error{fmt::format("OpenEXR {}lists channel '{}' twice", where,
                                         printable(channel.name))};
            }
            part.channels.push_back(std::move(channel));
        }
        if (part.channels.empty()) {
            return Error{fmt::format("OpenEXR {}has no channels", where)};
        }
        return {};
    }

    std::optional<std::string> string() {
        if (m_pos >= m_bytes.size()) {
            return std::nullopt;
        }
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

    std::span<const std::byte> m_bytes;
    std::size_t m_pos = 0;
};

}  // namespace

std::string exr_compression_name(int code) {
    return compression_name(code);
}

Image exr_image(std::shared_ptr<const ImageSource> planes, const ExrPart& part, std::size_t index,
                std::size_t count, std::string storage) {
    Image image;
    image.source = std::move(planes);
    image.metadata.part_name = part.name;
    image.metadata.part_index = static_cast<int>(index);
    image.metadata.part_count = static_cast<int>(count);
    image.metadata.transfer = Transfer::Linear;
    image.metadata.data_window = part.data_window;
    image.metadata.display_window = part.display_window;
    image.metadata.compression = exr_compression_name(part.compression);
    image.metadata.storage = std::move(storage);
    for (const auto& [name, value] : part.attributes) {
        if (name != "channels") {  // listed as the image's channels
            image.metadata.properties.emplace_back("attribute " + name, value);
        }
    }
    return image;
}

bool exr_needs_openexr(const ExrPart& part) {
    return part.compression >= 5 ||
           std::any_of(part.channels.begin(), part.channels.end(),
                       [](const ExrChannel& c) { return c.x_sampling != 1 || c.y_sampling != 1; });
}

int exr_lines_per_block(int compression) {
    switch (compression) {
        case 3:  // ZIP
            return 16;
        case 5:  // PXR24
            return 16;
        case 4:  // PIZ
        case 6:  // B44
        case 7:  // B44A
        case 8:  // DWAA
            return 32;
        case 9:  // DWAB
            return 256;
        default:  // NONE, RLE, ZIPS
            return 1;
    }
}

namespace {

int round_log2(std::uint64_t x, bool up) {
    int log = 0;
    bool remainder = false;
    while (x > 1) {
        remainder = remainder || (x & 1) != 0;
        x >>= 1;
        ++log;
    }
    return log + (up && remainder ? 1 : 0);
}

std::uint64_t level_size(std::uint64_t full, int level, bool up) {
    const std::uint64_t size =
        up ? (full + (std::uint64_t{1} << level) - 1) >> level : full >> level;
    return std::max<std::uint64_t>(size, 1);
}

// Tiles per level, indexed [ly][lx] (mip-maps use the diagonal only).
struct TileGridShape {
    int levels_x = 1;
    int levels_y = 1;
    std::vector<std::vector<std::pair<std::uint64_t, std::uint64_t>>> tiles;  // (nx, ny)
};

TileGridShape tile_grid(const ExrPart& part) {
    const ExrTiles& t = *part.tiles;
    const auto w = static_cast<std::uint64_t>(part.data_window.width());
    const auto h = static_cast<std::uint64_t>(part.data_window.height());
    const bool up = t.rounding_mode == 1;
    TileGridShape shape;
    if (t.level_mode == 1) {
        shape.levels_x = shape.levels_y = round_log2(std::max(w, h), up) + 1;
    } else if (t.level_mode == 2) {
        shape.levels_x = round_log2(w, up) + 1;
        shape.levels_y = round_log2(h, up) + 1;
    }
    shape.tiles.resize(static_cast<std::size_t>(shape.levels_y));
    for (int ly = 0; ly < shape.levels_y; ++ly) {
        for (int lx = 0; lx < shape.levels_x; ++lx) {
            const bool used = t.level_mode != 1 || lx == ly;
            const std::uint64_t lw = level_size(w, lx, up);
            const std::uint64_t lh = level_size(h, ly, up);
            shape.tiles[static_cast<std::size_t>(ly)].emplace_back(
                used ? (lw + t.width - 1) / t.width : 0, used ? (lh + t.height - 1) / t.height : 0);
        }
    }
    return shape;
}

std::uint64_t count_chunks(const ExrPart& part) {
    if (!part.tiles) {
        const auto height = static_cast<std::uint64_t>(part.data_window.height());
        const auto lines = static_cast<std::uint64_t>(exr_lines_per_block(part.compression));
        return (height + lines - 1) / lines;
    }
    std::uint64_t count = 0;
    for (const auto& row : tile_grid(part).tiles) {
        for (const auto& [nx, ny] : row) {
            count += nx * ny;
        }
    }
    return count;
}

Result<void> check_part(ExrPart& part, const RawPart& raw, bool multipart, bool tiled_flag,
                        const std::string& where, ExrLimits limits,
                        std::span<const std::byte> bytes) {
    if (multipart) {
        if (part.type.starts_with("deep")) {
            return Error{
                fmt::format("OpenEXR {}holds deep data ({}), which Tessera does not support", where,
                            part.type)};
        }
        if (part.type != "scanlineimage" && part.type != "tiledimage") {
            return Error{fmt::format("OpenEXR {}has unknown type '{}'", where, part.type)};
        }
        if (part.name.empty()) {
            return Error{fmt::format("OpenEXR {}has no name (multi-part files need one)", where)};
        }
        if (!raw.chunk_count) {
            return Error{
                fmt::format("OpenEXR {}lacks the chunkCount attribute multi-part files "
                            "need",
                            where)};
        }
    }
    const bool tiled = multipart ? part.type == "tiledimage" : tiled_flag;
    if (tiled != part.tiles.has_value()) {
        // A single-part scanline file may carry a stray tile description: tinyexr ignores it.
        if (tiled || multipart) {
            return Error{fmt::format("OpenEXR {}is {}tiled but {} a tile description", where,
                                     tiled ? "" : "not ", tiled ? "lacks" : "has")};
        }
        part.tiles.reset();
    }
    if (part.compression < 0 || part.compression >= static_cast<int>(kCompressionNames.size())) {
        return Error{fmt::format("OpenEXR {}uses {}, which Tessera does not support", where,
                                 compression_name(part.compression))};
    }
    const Box2i& dw = part.data_window;
    const auto w = static_cast<std::uint64_t>(dw.width());
    const auto h = static_cast<std::uint64_t>(dw.height());
    if (!product_at_most({w, h}, limits.max_pixels)) {
        return Error{fmt::format(
            "OpenEXR {}data window claims {}x{} pixels, more than the limit of {} pixels", where, w,
            h, limits.max_pixels)};
    }
    std::uint64_t pixel_bytes = 0;
    for (const ExrChannel& channel : part.channels) {
        pixel_bytes += channel.pixel_type == 1 ? 2 : 4;
    }
    const auto samples = checked_product({w, h, pixel_bytes});
    const auto most = checked_mul(bytes.size(), kExrMaxExpansion);
    if (!samples || (most && *samples > *most)) {
        return Error{fmt::format(
            "OpenEXR {}data window claims {}x{} pixels of {} bytes, more than its {} bytes can "
            "hold; the file is truncated or corrupt",
            where, w, h, pixel_bytes, bytes.size())};
    }
    part.chunk_count = count_chunks(part);
    if (raw.chunk_count && (*raw.chunk_count < 0 ||
                            static_cast<std::uint64_t>(*raw.chunk_count) != part.chunk_count)) {
        return Error{fmt::format(
            "OpenEXR {}chunkCount is {} but its data window and {} need {} chunks; the file "
            "would not cover its image",
            where, *raw.chunk_count, part.tiles ? "tiles" : "compression", part.chunk_count)};
    }
    return {};
}

// tinyexr's PIZ decoder reads the bitmap and the Huffman data's length from a chunk without
// holding them against the chunk's size. A chunk stored uncompressed (its size equals the raw
// size) has no such framing.
Result<void> check_piz_frame(std::span<const std::byte> data, const std::string& where,
                             std::uint64_t k) {
    const auto error = [&](std::string_view what) {
        return Error{fmt::format("OpenEXR {}chunk {}: PIZ data is corrupt ({})", where, k, what)};
    };
    if (data.size() < 8) {
        return error("too short");
    }
    const unsigned min_non_zero = load_le16(data.data());
    const unsigned max_non_zero = load_le16(data.data() + 2);
    if (max_non_zero >= 8192) {
        return error("bitmap range");
    }
    std::size_t at = 4;
    if (min_non_zero <= max_non_zero) {
        at += max_non_zero - min_non_zero + 1;
    }
    if (data.size() < at + 4) {
        return error("bitmap past the end of the chunk");
    }
    const std::int32_t length = le32(data.data() + at);
    if (length < 0 || static_cast<std::size_t>(length) > data.size() - at - 4) {
        return error("Huffman data past the end of the chunk");
    }
    return {};
}

// Every offset points inside the file, past the tables, to a chunk whose header belongs to this
// part and names a block of it; every block is named exactly once.
Result<void> check_chunks(const std::vector<ExrPart>& parts, std::span<const std::byte> bytes,
                          std::size_t tables, bool multipart) {
    std::uint64_t total = 0;
    for (const ExrPart& part : parts) {
        total += part.chunk_count;
    }
    const auto table_bytes = checked_mul(total, 8);
    if (!table_bytes || *table_bytes > bytes.size() - tables) {
        return Error{fmt::format(
            "OpenEXR offset tables of {} chunks run past the end of the file (truncated)", total)};
    }
    const std::uint64_t data_start = tables + *table_bytes;
    std::size_t entry = tables;
    for (std::size_t p = 0; p < parts.size(); ++p) {
        const ExrPart& part = parts[p];
        const std::string where = multipart ? fmt::format("part {} ", p) : std::string();
        const std::size_t prefix = multipart ? 4 : 0;
        const std::size_t header = prefix + (part.tiles ? 20 : 8);
        // One bit per block (blocks of every level numbered one after another).
        std::vector<bool> seen(part.chunk_count);
        std::optional<TileGridShape> grid;
        std::vector<std::vector<std::uint64_t>> level_base;  // first block number of each level
        if (part.tiles) {
            grid = tile_grid(part);
            std::uint64_t next = 0;
            for (const auto& row : grid->tiles) {
                level_base.emplace_back();
                for (const auto& [nx, ny] : row) {
                    level_base.back().push_back(next);
                    next += nx * ny;
                }
            }
        }
        const int lines = exr_lines_per_block(part.compression);
        std::uint64_t pixel_bytes = 0;
        for (const ExrChannel& channel : part.channels) {
            pixel_bytes += channel.pixel_type == 1 ? 2 : 4;
        }
        for (std::uint64_t k = 0; k < part.chunk_count; ++k, entry += 8) {
            const std::uint64_t offset = load_le64(bytes.data() + entry);
            if (offset < data_start || offset > bytes.size() || bytes.size() - offset < header) {
                return Error{fmt::format(
                    "OpenEXR {}chunk {} has offset {}, outside the file's data (the offset table "
                    "is damaged or the file truncated)",
                    where, k, offset)};
            }
            const std::byte* chunk = bytes.data() + offset;
            if (multipart && le32(chunk) != static_cast<std::int32_t>(p)) {
                return Error{
                    fmt::format("OpenEXR {}chunk {} belongs to part {}", where, k, le32(chunk))};
            }
            chunk += prefix;
            std::uint64_t key = 0;
            std::int32_t size = 0;
            std::uint64_t block_pixels = 0;
            if (part.tiles) {
                const int tx = le32(chunk);
                const int ty = le32(chunk + 4);
                const int lx = le32(chunk + 8);
                const int ly = le32(chunk + 12);
                size = le32(chunk + 16);
                const bool level_ok =
                    lx >= 0 && ly >= 0 && lx < grid->levels_x && ly < grid->levels_y;
                const auto [nx, ny] =
                    level_ok
                        ? grid->tiles[static_cast<std::size_t>(ly)][static_cast<std::size_t>(lx)]
                        : std::pair<std::uint64_t, std::uint64_t>{0, 0};
                if (!level_ok || tx < 0 || ty < 0 || static_cast<std::uint64_t>(tx) >= nx ||
                    static_cast<std::uint64_t>(ty) >= ny) {
                    return Error{fmt::format(
                        "OpenEXR {}chunk {} names tile ({}, {}) of level ({}, {}), which the "
                        "image does not have",
                        where, k, tx, ty, lx, ly)};
                }
                key = level_base[static_cast<std::size_t>(ly)][static_cast<std::size_t>(lx)] +
                      static_cast<std::uint64_t>(ty) * nx + static_cast<std::uint64_t>(tx);
                const ExrTiles& t = *part.tiles;
                const bool up = t.rounding_mode == 1;
                const std::uint64_t lw =
                    level_size(static_cast<std::uint64_t>(part.data_window.width()), lx, up);
                const std::uint64_t lh =
                    level_size(static_cast<std::uint64_t>(part.data_window.height()), ly, up);
                block_pixels = std::min<std::uint64_t>(t.width, lw - std::uint64_t(tx) * t.width) *
                               std::min<std::uint64_t>(t.height, lh - std::uint64_t(ty) * t.height);
            } else {
                const std::int64_t y = le32(chunk);
                size = le32(chunk + 4);
                const std::int64_t block = (y - part.data_window.min_y) / lines;
                if (y < part.data_window.min_y || y > part.data_window.max_y ||
                    (y - part.data_window.min_y) % lines != 0) {
                    return Error{fmt::format(
                        "OpenEXR {}chunk {} starts at line {}, which is not the first line of a "
                        "block of the data window",
                        where, k, y)};
                }
                key = static_cast<std::uint64_t>(block);
                block_pixels = static_cast<std::uint64_t>(part.data_window.width()) *
                               static_cast<std::uint64_t>(
                                   std::min<std::int64_t>(lines, part.data_window.max_y - y + 1));
            }
            if (size < 0 || static_cast<std::uint64_t>(size) > bytes.size() - offset - header) {
                return Error{fmt::format(
                    "OpenEXR {}chunk {} claims {} bytes, past the end of the file (truncated)",
                    where, k, size)};
            }
            const auto data = bytes.subspan(offset + header, static_cast<std::size_t>(size));
            // tinyexr reads an uncompressed block's pixels without checking the block's size.
            const bool openexr = exr_needs_openexr(part);  // its block sizes are OpenEXR's to check
            if (!openexr && part.compression == 0 && data.size() != block_pixels * pixel_bytes) {
                return Error{fmt::format(
                    "OpenEXR {}chunk {} holds {} bytes; its uncompressed block needs {}", where, k,
                    data.size(), block_pixels * pixel_bytes)};
            }
            if (!openexr && part.compression == 4 && data.size() != block_pixels * pixel_bytes) {
                if (auto ok = check_piz_frame(data, where, k); !ok) {
                    return ok.error();
                }
            }
            if (seen[key]) {
                return Error{fmt::format(
                    "OpenEXR {}chunk {} repeats a block another chunk holds; some pixels would "
                    "never be decoded",
                    where, k)};
            }
            seen[key] = true;
        }
    }
    return {};
}

}  // namespace

Result<std::vector<ExrPart>> scan_exr(std::span<const std::byte> bytes, ExrLimits limits) {
    if (bytes.size() < 8 || std::to_integer<int>(bytes[0]) != 0x76 ||
        std::to_integer<int>(bytes[1]) != 0x2f || std::to_integer<int>(bytes[2]) != 0x31 ||
        std::to_integer<int>(bytes[3]) != 0x01) {
        return Error{"not an OpenEXR file (bad magic number)"};
    }
    const int version = std::to_integer<int>(bytes[4]);
    const int flags = std::to_integer<int>(bytes[5]);
    if (version != 2 || std::to_integer<int>(bytes[6]) != 0 ||
        std::to_integer<int>(bytes[7]) != 0 || (flags & ~0x1e) != 0) {
        return Error{
            fmt::format("not a valid OpenEXR file (version {}, flags {:#x})", version, flags << 8)};
    }
    const bool tiled = (flags & 0x02) != 0;
    const bool deep = (flags & 0x08) != 0;
    const bool multipart = (flags & 0x10) != 0;
    if (deep && !multipart) {
        return Error{"OpenEXR file holds deep data, which Tessera does not support"};
    }
    if (tiled && multipart) {
        return Error{"not a valid OpenEXR file (both single-part tiled and multi-part)"};
    }
    Scanner scanner(bytes.subspan(8));
    std::vector<ExrPart> parts;
    while (true) {
        if (multipart && !parts.empty()) {
            if (scanner.position() >= bytes.size() - 8) {
                return Error{"OpenEXR multi-part header list is truncated"};
            }
            if (scanner.at_end_of_list()) {
                scanner.skip_byte();
                break;
            }
        }
        const std::string where = multipart ? fmt::format("part {} ", parts.size()) : "";
        auto raw = scanner.part(where);
        if (!raw) {
            return raw.error();
        }
        ExrPart part = std::move(raw->part);
        if (auto ok = check_part(part, *raw, multipart, tiled, where, limits, bytes); !ok) {
            return ok.error();
        }
        parts.push_back(std::move(part));
        if (!multipart) {
            break;
        }
        if (parts.size() > 1000) {
            return Error{"OpenEXR header lists more than 1000 parts"};
        }
    }
    std::size_t table = 8 + scanner.position();
    if (auto ok = check_chunks(parts, bytes, table, multipart); !ok) {
        return ok.error();
    }
    for (ExrPart& part : parts) {
        part.offset_table = table;
        table += static_cast<std::size_t>(part.chunk_count) * 8;
    }
    return parts;
}

}  // namespace tessera::core
