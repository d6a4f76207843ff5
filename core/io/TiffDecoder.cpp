#include "core/io/TiffDecoder.h"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <memory>
#include <mutex>

#include <fmt/format.h>
#include <tiffio.h>

#include "core/base/Checked.h"
#include "core/base/FaultGuard.h"
#include "core/base/Parallel.h"
#include "core/image/OrientedSource.h"
#include "core/image/PlanarImage.h"
#include "core/io/ChunkCache.h"
#include "core/io/NpyDecoder.h"
#include "core/io/tiff/TiffHandle.h"
#include "core/io/tiff/TiffMetadata.h"
#include "core/io/tiff/TiffPage.h"

namespace tessera::core {
namespace {

using tiff::Chunk;
using tiff::TiffHandle;
using tiff::TiffHandlePool;
using tiff::TiffPage;

// Directories read at most: a stack of this many pages is far beyond any real file, and the
// chain of a crafted file ends here even if libtiff's loop detection did not end it.
constexpr std::int64_t kMaxPages = 1 << 20;
// Decoded strips and tiles kept per file, so that the channels of one chunk (read one after
// another) decode it once. Chunks over half of it are not kept, and are decoded only down to
// the last row a read needs (libtiff's codecs stop when the buffer is full).
constexpr std::size_t kChunkCacheBytes = std::size_t{32} << 20;
// Rows of a strip over half the cache are decoded and kept in blocks of about this size.
constexpr std::size_t kRowBlockBytes = std::size_t{1} << 20;
// Handles reading such strips row by row per file: one per thread reading another part.
constexpr std::size_t kCursors = 4;

// One IFD: where it is, and the page (of the main chain) it belongs to, for messages.
struct PageRef {
    std::uint64_t offset = 0;
    std::int64_t number = 0;
};

// A stack of pages that share one layout, or one stored pyramid level of such a stack (its
// SubIFDs): planes are read by region from the file.
class TiffSource final : public ImageSource {
  public:
    TiffSource(std::shared_ptr<TiffHandlePool> pool, TiffPage page,
               std::vector<ChannelInfo> channels, std::vector<Axis> axes,
               std::vector<PageRef> directories, std::int64_t pages_per_position,
               std::size_t max_chunk_bytes, int level = 0)
        : m_pool(std::move(pool)),
          m_page(std::move(page)),
          m_channels(std::move(channels)),
          m_axes(std::move(axes)),
          m_directories(std::move(directories)),
          m_pages_per_position(pages_per_position),
          m_level(level),
          m_max_chunk_bytes(max_chunk_bytes),
          m_direct(m_page.compression == COMPRESSION_NONE && m_page.bits % 8 == 0 &&
                   m_page.fill_order == FILLORDER_MSB2LSB && !m_page.jpeg_rgb) {}

    std::int64_t width() const override { return m_page.width; }
    std::int64_t height() const override { return m_page.height; }
    const std::vector<ChannelInfo>& channels() const override { return m_channels; }
    const std::vector<Axis>& axes() const override { return m_axes; }
    const TiffPage& page() const { return m_page; }
    const PageRef& directory(std::size_t index) const { return m_directories[index]; }

    // Compressed strips and tiles decode whole: statistics sample them, not rows.
    Rect read_unit() const override {
        if (m_direct) {
            return {0, 0, width(), 1};
        }
        return {0, 0, std::min(m_page.chunk_width, width()), std::min(m_page.chunk_rows, height())};
    }

    // The file's own reduced-resolution levels, 1, 2, ... in order.
    void set_levels(std::vector<std::shared_ptr<const ImageSource>> levels) {
        m_levels.set(std::move(levels));
    }
    std::shared_ptr<const ImageSource> stored_level(int level) const override {
        return m_levels.level(level);
    }

    Result<void> read_region(const Plane& plane, Rect rect,
                             std::span<std::byte> dst) const override {
        if (auto checked = check_read(plane, rect, dst.size()); !checked) {
            return checked;
        }
        const std::size_t per_page = m_page.channels.size();
        const tiff::ChannelSource& channel = m_page.channels[plane.channel % per_page];
        const PageRef& ref = directory_of(plane);
        auto lease = m_pool->acquire(ref.offset);
        if (!lease) {
            return lease.error();
        }
        TiffHandle& handle = **lease;
        tiff::prepare_handle(handle.get(), m_page);
        const std::uint16_t sample = m_page.planar == PLANARCONFIG_SEPARATE ? channel.sample : 0;
        Result<void> result;
        for_each_chunk(rect, [&](std::int64_t cx, std::int64_t cy) {
            if (!result) {
                return;
            }
            Chunk chunk;
            chunk.x = cx;
            chunk.y = cy;
            chunk.width = m_page.chunk_width;
            chunk.rows =
                m_page.tiled ? m_page.chunk_rows : std::min(m_page.chunk_rows, m_page.height - cy);
            const Rect part = intersection(rect, {cx, cy, chunk.width, chunk.rows});
            result = copy_chunk(handle, ref, chunk_index(handle, cx, cy, sample), chunk, channel,
                                part, rect, dst);
        });
        return result;
    }

    // Uncompressed chunks are read from the map: their pages leave the resident set once
    // copied (MappedFile::drop), so memory grows with what is cached, not with the file.
    void release_region(const Plane& plane, Rect rect) const override {
        const auto& file = *m_pool->file();
        if (!m_direct || !file.is_mapped() || !complete(plane).ok() ||
            intersection(rect, bounds()) != rect || rect.empty()) {
            return;
        }
        auto lease = m_pool->acquire(directory_of(plane).offset);
        if (!lease) {
            return;
        }
        const tiff::ChannelSource& channel =
            m_page.channels[plane.channel % m_page.channels.size()];
        const std::uint16_t sample = m_page.planar == PLANARCONFIG_SEPARATE ? channel.sample : 0;
        for_each_chunk(rect, [&](std::int64_t cx, std::int64_t cy) {
            const std::uint32_t index = chunk_index(**lease, cx, cy, sample);
            int failed = 0;
            const std::uint64_t offset =
                TIFFGetStrileOffsetWithErr((*lease)->get(), index, &failed);
            const std::uint64_t count =
                failed ? 0 : TIFFGetStrileByteCountWithErr((*lease)->get(), index, &failed);
            if (!failed && offset < file.size()) {
                file.drop(offset, std::min<std::uint64_t>(count, file.size() - offset));
            }
        });
    }

  private:
    template <typename Fn>
    void for_each_chunk(Rect rect, Fn&& fn) const {
        const std::int64_t chunk_w = m_page.chunk_width;
        const std::int64_t chunk_h = m_page.chunk_rows;
        for (std::int64_t cy = rect.y / chunk_h * chunk_h; cy < rect.y + rect.height;
             cy += chunk_h) {
            for (std::int64_t cx = rect.x / chunk_w * chunk_w; cx < rect.x + rect.width;
                 cx += chunk_w) {
                fn(cx, cy);
            }
        }
    }

    std::uint32_t chunk_index(TiffHandle& handle, std::int64_t cx, std::int64_t cy,
                              std::uint16_t sample) const {
        return m_page.tiled
                   ? TIFFComputeTile(handle.get(), static_cast<std::uint32_t>(cx),
                                     static_cast<std::uint32_t>(cy), 0, sample)
                   : TIFFComputeStrip(handle.get(), static_cast<std::uint32_t>(cy), sample);
    }

    const PageRef& directory_of(const Plane& plane) const {
        std::int64_t position = 0;
        for (std::size_t i = 0; i < m_axes.size(); ++i) {
            const std::int64_t index = i < plane.position.size() ? plane.position[i] : 0;
            position = position * m_axes[i].extent + index;
        }
        const auto group = static_cast<std::int64_t>(plane.channel / m_page.channels.size());
        return m_directories[static_cast<std::size_t>(position * m_pages_per_position + group)];
    }

    // "page 3", or "level 2 of page 3" (a SubIFD).
    std::string where(const PageRef& ref) const {
        return m_level == 0 ? fmt::format("page {}", ref.number)
                            : fmt::format("level {} of page {}", m_level, ref.number);
    }

    Result<void> copy_chunk(TiffHandle& handle, const PageRef& ref, std::uint32_t index,
                            Chunk chunk, const tiff::ChannelSource& channel, Rect part, Rect rect,
                            std::span<std::byte> dst) const {
        const std::size_t row_bytes = m_page.chunk_row_bytes();
        const std::size_t needed = static_cast<std::size_t>(chunk.rows) * row_bytes;
        const std::uint64_t directory = ref.offset;
        int failed = 0;
        const std::uint64_t offset = TIFFGetStrileOffsetWithErr(handle.get(), index, &failed);
        const std::uint64_t count =
            failed ? 0 : TIFFGetStrileByteCountWithErr(handle.get(), index, &failed);
        if (!failed && offset == 0 && count == 0) {
            // A sparse file (GDAL's SPARSE_OK): a chunk never written holds zeros.
            const std::size_t size = sample_size(channel.type);
            for (std::int64_t y = part.y; y < part.y + part.height; ++y) {
                const auto start =
                    static_cast<std::size_t>((y - rect.y) * rect.width + (part.x - rect.x)) * size;
                std::fill_n(dst.data() + start, static_cast<std::size_t>(part.width) * size,
                            std::byte{0});
            }
            return {};
        }
        const auto& file = *m_pool->file();
        // Compressed bytes outside the file make libtiff fail, but only after the buffer for
        // the decoded chunk exists: say so before allocating it. (Old JPEG may ignore them.)
        if (!failed && m_page.compression != COMPRESSION_OJPEG &&
            (offset > file.size() || count > file.size() - offset)) {
            return Error{fmt::format(
                "{} {} of {}: its {} bytes at offset {} lie past the end of the file ({} bytes)",
                m_page.tiled ? "tile" : "strip", index, where(ref), count, offset, file.size())};
        }
        if (m_direct) {
            if (!failed && count >= needed && offset <= file.size() &&
                needed <= file.size() - offset) {
                chunk.data = file.bytes().data() + offset;
                chunk.size = needed;
                const bool swap = m_page.byte_swapped;
                const bool ok = read_mapped(
                    [&] { tiff::extract(m_page, channel, chunk, part, rect, dst.data(), swap); });
                if (!ok) {
                    return Error{"the file shrank while it was read"};
                }
                return {};
            }
            // Short or misplaced: libtiff's decoder says what is wrong, or reads what is there.
        }
        if (!m_page.tiled && needed > kChunkCacheBytes / 2 && !m_page.jpeg_rgb &&
            m_page.compression != COMPRESSION_JPEG && m_page.compression != COMPRESSION_OJPEG) {
            if (needed > m_max_chunk_bytes) {
                return Error{fmt::format(
                    "strip {} of {} would decode to {} bytes (Tessera does not support strips "
                    "or tiles over {} bytes)",
                    index, where(ref), needed, m_max_chunk_bytes)};
            }
            return copy_rows(ref, index, chunk, channel, part, rect, dst);
        }
        // Chunks small enough to keep decode whole; larger ones only down to the rows wanted.
        const bool whole = needed <= kChunkCacheBytes / 2;
        const std::size_t wanted =
            whole ? needed : static_cast<std::size_t>(part.y + part.height - chunk.y) * row_bytes;
        auto data = m_cache.find({directory, index, 0});
        if (!data && needed > m_max_chunk_bytes) {
            return Error{fmt::format(
                "{} {} of {} would decode to {} bytes (Tessera does not "
                "support strips or tiles over {} bytes)",
                m_page.tiled ? "tile" : "strip", index, where(ref), needed, m_max_chunk_bytes)};
        }
        if (!data) {
            auto decoded = std::make_shared<DecodedChunk>();
            try {
                decoded->bytes = std::make_unique_for_overwrite<std::byte[]>(wanted);
                decoded->size = wanted;
            } catch (const std::bad_alloc&) {
                return Error{
                    fmt::format("out of memory decoding {} bytes of {}", wanted, where(ref))};
            }
            handle.clear_messages();
            const auto size = static_cast<tmsize_t>(wanted);
            const tmsize_t got =
                m_page.tiled
                    ? TIFFReadEncodedTile(handle.get(), index, decoded->bytes.get(), size)
                    : TIFFReadEncodedStrip(handle.get(), index, decoded->bytes.get(), size);
            const char* kind = m_page.tiled ? "tile" : "strip";
            // libtiff's codecs report some damage (a bad fax code word) as an error yet return
            // the bytes they made up: any error is a failure.
            if (got < 0 || !handle.error_message().empty()) {
                return handle.error(
                    fmt::format("cannot decode {} {} of {}", kind, index, where(ref)));
            }
            if (static_cast<std::size_t>(got) < wanted) {
                return Error{fmt::format("{} {} of {} holds {} bytes of the {} it needs", kind,
                                         index, where(ref), got, wanted)};
            }
            data = std::move(decoded);
            if (whole) {
                m_cache.insert({directory, index, 0}, data);
            }
        }
        chunk.data = data->bytes.get();
        chunk.size = data->size;
        chunk.rows = static_cast<std::int64_t>(data->size / row_bytes);
        tiff::extract(m_page, channel, chunk, part, rect, dst.data(), false);
        return {};
    }

    // A strip too large to keep decoded: its rows in blocks of about kRowBlockBytes, each one
    // decoded once into the chunk cache by the cursor, a handle of this source's own that reads
    // rows in order through libtiff's scanline interface and so keeps the codec's state between
    // reads: a block after the last one decoded continues from there (the blocks between are
    // decoded and cached on the way), an earlier one restarts the strip. Reading a strip top to
    // bottom therefore decodes it once, however many reads it takes (decoding each read's rows
    // from the strip's start was quadratic).
    Result<void> copy_rows(const PageRef& ref, std::uint32_t index, const Chunk& chunk,
                           const tiff::ChannelSource& channel, Rect part, Rect rect,
                           std::span<std::byte> dst) const {
        const std::size_t row_bytes = m_page.chunk_row_bytes();
        const auto block_rows =
            std::max<std::int64_t>(1, static_cast<std::int64_t>(kRowBlockBytes / row_bytes));
        for (std::int64_t b = (part.y - chunk.y) / block_rows;
             chunk.y + b * block_rows < part.y + part.height; ++b) {
            const std::int64_t y0 = chunk.y + b * block_rows;
            const std::int64_t rows = std::min(block_rows, chunk.y + chunk.rows - y0);
            auto data = m_cache.find({ref.offset, index, static_cast<std::uint64_t>(b) + 1});
            if (!data) {
                auto decoded = decode_blocks(ref, index, chunk, channel, b, block_rows);
                if (!decoded) {
                    return decoded.error();
                }
                data = std::move(decoded).value();
            }
            Chunk block = chunk;
            block.data = data->bytes.get();
            block.size = data->size;
            block.y = y0;
            block.rows = rows;
            tiff::extract(m_page, channel, block,
                          intersection(part, {chunk.x, y0, chunk.width, rows}), rect, dst.data(),
                          false);
        }
        return {};
    }

    // A handle reading one strip's rows in order, and where it stands.
    struct Cursor {
        std::unique_ptr<TiffHandle> handle;
        std::pair<std::uint64_t, std::uint32_t> strip;  // its directory and strip
        std::int64_t block = 0;                         // the next block it reads
    };

    // An idle cursor that can continue to block `target` of the strip (the nearest one), else a
    // new one while there are fewer than kCursors, else any idle one (it restarts the strip).
    // Threads reading different parts of a strip each keep a cursor of their own.
    std::unique_ptr<Cursor> take_cursor(std::pair<std::uint64_t, std::uint32_t> strip,
                                        std::int64_t target) const {
        std::lock_guard lock(m_cursor_mutex);
        auto best = m_cursors.end();
        for (auto it = m_cursors.begin(); it != m_cursors.end(); ++it) {
            if ((*it)->strip == strip && (*it)->block <= target &&
                (best == m_cursors.end() || (*it)->block > (*best)->block)) {
                best = it;
            }
        }
        if (best == m_cursors.end() && (m_cursor_count >= kCursors && !m_cursors.empty())) {
            best = m_cursors.begin();
        }
        if (best != m_cursors.end()) {
            auto cursor = std::move(*best);
            m_cursors.erase(best);
            return cursor;
        }
        ++m_cursor_count;
        return std::make_unique<Cursor>();
    }

    void give_back(std::unique_ptr<Cursor> cursor) const {
        std::lock_guard lock(m_cursor_mutex);
        m_cursors.push_back(std::move(cursor));
    }

    // Moves a cursor on to block `target` of the strip, caching every block it decodes, and
    // returns that one.
    Result<std::shared_ptr<const DecodedChunk>> decode_blocks(
        const PageRef& ref, std::uint32_t index, const Chunk& chunk,
        const tiff::ChannelSource& channel, std::int64_t target, std::int64_t block_rows) const {
        const std::size_t row_bytes = m_page.chunk_row_bytes();
        const std::uint16_t sample = m_page.planar == PLANARCONFIG_SEPARATE ? channel.sample : 0;
        const std::pair strip{ref.offset, index};
        std::unique_ptr<Cursor> cursor = take_cursor(strip, target);
        if (auto cached =
                m_cache.find({ref.offset, index, static_cast<std::uint64_t>(target) + 1})) {
            give_back(std::move(cursor));
            return cached;  // decoded by another thread meanwhile
        }
        auto result = advance(*cursor, ref, index, chunk, sample, target, block_rows, row_bytes);
        give_back(std::move(cursor));
        return result;
    }

    Result<std::shared_ptr<const DecodedChunk>> advance(Cursor& cursor, const PageRef& ref,
                                                        std::uint32_t index, const Chunk& chunk,
                                                        std::uint16_t sample, std::int64_t target,
                                                        std::int64_t block_rows,
                                                        std::size_t row_bytes) const {
        if (!cursor.handle) {
            auto opened = TiffHandle::open(m_pool->file());
            if (!opened) {
                return opened.error();
            }
            cursor.handle = std::move(opened).value();
        }
        TiffHandle& handle = *cursor.handle;
        if (auto moved = handle.set_directory(ref.offset); !moved) {
            return moved.error();
        }
        tiff::prepare_handle(handle.get(), m_page);
        if (static_cast<std::size_t>(TIFFScanlineSize64(handle.get())) != row_bytes) {
            return Error{fmt::format("{}: libtiff's rows are not the strip's rows", where(ref))};
        }
        // On from its next block, or back to the strip's start.
        const std::pair key{ref.offset, index};
        std::int64_t block = cursor.strip == key && cursor.block <= target ? cursor.block : 0;
        std::shared_ptr<const DecodedChunk> result;
        for (; block <= target; ++block) {
            const std::int64_t y0 = chunk.y + block * block_rows;
            const std::int64_t rows = std::min(block_rows, chunk.y + chunk.rows - y0);
            auto decoded = std::make_shared<DecodedChunk>();
            try {
                decoded->size = static_cast<std::size_t>(rows) * row_bytes;
                decoded->bytes = std::make_unique_for_overwrite<std::byte[]>(decoded->size);
            } catch (const std::bad_alloc&) {
                return Error{fmt::format("out of memory decoding rows of {}", where(ref))};
            }
            handle.clear_messages();
            for (std::int64_t r = 0; r < rows; ++r) {
                if (TIFFReadScanline(handle.get(),
                                     decoded->bytes.get() + static_cast<std::size_t>(r) * row_bytes,
                                     static_cast<std::uint32_t>(y0 + r), sample) < 0 ||
                    !handle.error_message().empty()) {
                    Error error = handle.error(fmt::format("cannot decode row {} of strip {} of {}",
                                                           y0 + r, key.second, where(ref)));
                    cursor = Cursor{};  // its codec's state is unknown: the next read restarts
                    return error;
                }
            }
            m_cache.insert({ref.offset, key.second, static_cast<std::uint64_t>(block) + 1},
                           decoded);
            result = std::move(decoded);
        }
        cursor.strip = key;
        cursor.block = block;
        return result;
    }

    std::shared_ptr<TiffHandlePool> m_pool;
    TiffPage m_page;
    std::vector<ChannelInfo> m_channels;
    std::vector<Axis> m_axes;
    std::vector<PageRef> m_directories;  // per position (outermost first), then C group
    std::int64_t m_pages_per_position;
    int m_level;  // 0, or the stored pyramid level this source is
    std::size_t m_max_chunk_bytes;
    StoredLevels m_levels;
    bool m_direct;  // uncompressed whole-byte samples: read from the map, no libtiff decode
    // Decoded chunks by directory, chunk and block of rows (0: the whole chunk).
    using Key = std::array<std::uint64_t, 3>;
    mutable ChunkCache<Key> m_cache{kChunkCacheBytes};
    // The handles that read large strips row by row (copy_rows): idle ones, and how many exist.
    mutable std::mutex m_cursor_mutex;
    mutable std::vector<std::unique_ptr<Cursor>> m_cursors;
    mutable std::size_t m_cursor_count = 0;
};

// One image to make from the file: pages, axes and channel names.
struct Series {
    std::vector<std::int64_t> directories;
    std::vector<Axis> axes;
    std::int64_t pages_per_position = 1;   // C pages (ImageJ, OME); 1 otherwise
    std::vector<std::string> group_names;  // per C page: "C0", or OME channel names
    std::vector<std::optional<std::array<std::uint8_t, 3>>> group_colours;
    std::string axes_text;  // "ZCYX"
    std::vector<std::pair<std::string, std::string>> properties;
    ImageMetadata::PixelSize pixel_size;
};

std::vector<ChannelInfo> channels_of(const TiffPage& page, const Series& series) {
    std::vector<ChannelInfo> channels;
    for (std::int64_t g = 0; g < series.pages_per_position; ++g) {
        const auto group = static_cast<std::size_t>(g);
        for (const tiff::ChannelSource& source : page.channels) {
            ChannelInfo info;
            info.type = source.type;
            if (series.pages_per_position == 1) {
                info.name = source.name;
            } else if (page.channels.size() == 1) {
                info.name = series.group_names[group];
                info.colour = series.group_colours[group];
            } else {
                info.name = series.group_names[group] + "." + source.name;
            }
            channels.push_back(std::move(info));
        }
    }
    return channels;
}

std::string axes_text(const std::vector<Axis>& axes, bool channels_from_pages) {
    std::string text;
    for (const Axis& axis : axes) {
        text += axis.name;
    }
    if (channels_from_pages) {
        text += "C";
    }
    return text + "YX";
}

// Every page of `directories` has the layout of the first.
bool uniform(const std::vector<Result<TiffPage>>& pages,
             const std::vector<std::int64_t>& directories) {
    const auto& first = pages[static_cast<std::size_t>(directories.front())];
    return first.ok() && std::all_of(directories.begin(), directories.end(), [&](std::int64_t d) {
               const auto& page = pages[static_cast<std::size_t>(d)];
               return page.ok() && page->stacks_with(first.value());
           });
}

std::optional<Series> imagej_series(const std::vector<Result<TiffPage>>& pages) {
    const auto info = tiff::parse_imagej(pages.front()->description);
    if (!info || info->images < 2 || info->images != info->channels * info->slices * info->frames ||
        info->images > static_cast<std::int64_t>(pages.size())) {
        return std::nullopt;
    }
    Series series;
    for (std::int64_t i = 0; i < info->images; ++i) {
        series.directories.push_back(i);
    }
    if (!uniform(pages, series.directories)) {
        return std::nullopt;
    }
    if (info->frames > 1) {
        series.axes.push_back({"T", info->frames});
    }
    if (info->slices > 1) {
        series.axes.push_back({"Z", info->slices});
    }
    series.pages_per_position = info->channels;
    for (std::int64_t c = 0; c < info->channels; ++c) {
        series.group_names.push_back(fmt::format("C{}", c));
        series.group_colours.emplace_back();
    }
    series.axes_text = axes_text(series.axes, info->channels > 1);
    series.properties.emplace_back(
        "ImageJ", fmt::format("hyperstack of {} channels, {} slices, {} frames", info->channels,
                              info->slices, info->frames));
    return series;
}

Result<std::optional<Series>> ome_series(const std::vector<Result<TiffPage>>& pages,
                                         const std::string& file_name) {
    const TiffPage& first = pages.front().value();
    if (first.description.find("<OME") == std::string::npos) {
        return std::optional<Series>{};
    }
    auto pixels = tiff::parse_ome(first.description);
    if (!pixels) {
        return pixels.error();
    }
    if (pixels->size_x != first.width || pixels->size_y != first.height) {
        return Error{fmt::format("OME-XML says {}x{} pixels, the first page has {}x{}",
                                 pixels->size_x, pixels->size_y, first.width, first.height)};
    }
    auto ifds = tiff::ome_plane_ifds(*pixels, first.samples_per_pixel,
                                     static_cast<std::int64_t>(pages.size()), file_name);
    if (!ifds) {
        return ifds.error();
    }
    Series series;
    series.directories = std::move(ifds.value());
    if (!uniform(pages, series.directories)) {
        return Error{"the pages OME-XML names differ in size or sample layout"};
    }
    if (pixels->size_t > 1) {
        series.axes.push_back({"T", pixels->size_t});
    }
    if (pixels->size_z > 1) {
        series.axes.push_back({"Z", pixels->size_z});
    }
    const std::int64_t groups = tiff::ome_pages_per_c(*pixels, first.samples_per_pixel);
    series.pages_per_position = groups;
    const bool named = static_cast<std::int64_t>(pixels->channels.size()) == groups;
    for (std::int64_t c = 0; c < groups; ++c) {
        const auto* channel = named ? &pixels->channels[static_cast<std::size_t>(c)] : nullptr;
        series.group_names.push_back(
            channel != nullptr && !channel->name.empty() ? channel->name : fmt::format("C{}", c));
        series.group_colours.push_back(channel != nullptr ? channel->colour : std::nullopt);
    }
    series.axes_text = axes_text(series.axes, groups > 1);
    series.pixel_size.x = pixels->physical_x.value_or(0);
    series.pixel_size.y = pixels->physical_y.value_or(0);
    series.pixel_size.z = pixels->physical_z.value_or(0);
    series.pixel_size.unit = pixels->unit_x;
    std::string names;
    for (const auto& channel : pixels->channels) {
        std::string colour;
        if (channel.colour) {
            colour = fmt::format(" #{:02x}{:02x}{:02x}", (*channel.colour)[0], (*channel.colour)[1],
                                 (*channel.colour)[2]);
        }
        names += fmt::format("{}{}{}", names.empty() ? "" : ", ",
                             channel.name.empty() ? "(unnamed)" : channel.name, colour);
    }
    series.properties.emplace_back(
        "OME", fmt::format("DimensionOrder {}, Z {}, C {}, T {}", pixels->dimension_order,
                           pixels->size_z, pixels->size_c, pixels->size_t));
    if (!names.empty()) {
        series.properties.emplace_back("OME channels", names);
    }
    if (pixels->physical_x) {
        series.properties.emplace_back(
            "pixel size",
            fmt::format("{} x {} {}", *pixels->physical_x,
                        pixels->physical_y.value_or(*pixels->physical_x), pixels->unit_x));
    }
    if (pixels->image_count > 1) {
        series.properties.emplace_back("OME images",
                                       fmt::format("{} (the first is shown)", pixels->image_count));
    }
    return std::optional<Series>(std::move(series));
}

// Consecutive pages of one layout form a stack; reduced-resolution pages are skipped.
std::vector<Series> generic_series(const std::vector<Result<TiffPage>>& pages) {
    std::vector<Series> all;
    const auto count = static_cast<std::int64_t>(pages.size());
    for (std::int64_t i = 0; i < count;) {
        const auto& page = pages[static_cast<std::size_t>(i)];
        if (i > 0 && page.ok() && (page->subfile_type & FILETYPE_REDUCEDIMAGE) != 0) {
            ++i;
            continue;
        }
        Series series;
        series.directories.push_back(i);
        std::int64_t j = i + 1;
        while (page.ok() && j < count) {
            const auto& next = pages[static_cast<std::size_t>(j)];
            if (!next.ok() || !next->stacks_with(page.value()) ||
                (next->subfile_type & FILETYPE_REDUCEDIMAGE) != 0) {
                break;
            }
            series.directories.push_back(j++);
        }
        const auto depth = static_cast<std::int64_t>(series.directories.size());
        if (depth > 1) {
            series.axes.push_back({"Z", depth});
        }
        series.axes_text = axes_text(series.axes, false);
        all.push_back(std::move(series));
        i = j;
    }
    return all;
}

// The pages of a page that libtiff reads only through its RGBA interface, into memory.
Result<void> read_rgba_page(TiffHandle& handle, const TiffPage& page, PlanarImage& image,
                            const Plane& first_plane) {
    std::vector<std::uint32_t> raster(static_cast<std::size_t>(page.width * page.height));
    handle.clear_messages();
    // Asked for the page's own orientation, libtiff leaves the rows as stored: the source is
    // oriented afterwards, as every other page is.
    if (TIFFReadRGBAImageOriented(handle.get(), static_cast<std::uint32_t>(page.width),
                                  static_cast<std::uint32_t>(page.height), raster.data(),
                                  page.orientation, 1) == 0 ||
        !handle.error_message().empty()) {
        return handle.error("cannot decode the page through libtiff's RGBA interface");
    }
    for (std::size_t c = 0; c < page.channels.size(); ++c) {
        Plane plane = first_plane;
        plane.channel += c;
        auto out = image.plane(plane);
        for (std::size_t i = 0; i < raster.size(); ++i) {
            const std::uint32_t pixel = raster[i];
            const std::uint32_t value = c == 0   ? TIFFGetR(pixel)
                                        : c == 1 ? TIFFGetG(pixel)
                                        : c == 2 ? TIFFGetB(pixel)
                                                 : TIFFGetA(pixel);
            out[i] = static_cast<std::byte>(value);
        }
    }
    return {};
}

// Every plane position of a source, outermost axis first.
std::vector<std::vector<std::int64_t>> positions_of(const std::vector<Axis>& axes) {
    std::vector<std::vector<std::int64_t>> positions{{}};
    for (const Axis& axis : axes) {
        std::vector<std::vector<std::int64_t>> next;
        for (const auto& prefix : positions) {
            for (std::int64_t i = 0; i < axis.extent; ++i) {
                auto position = prefix;
                position.push_back(i);
                next.push_back(std::move(position));
            }
        }
        positions = std::move(next);
    }
    return positions;
}

// The whole source decoded into memory, bands of chunk rows in parallel; every channel of a
// band is read by the same task so each chunk is decoded once.
Result<std::shared_ptr<const ImageSource>> decode_whole(const TiffSource& source,
                                                        TiffHandlePool& pool,
                                                        const Series& series) {
    const TiffPage& page = source.page();
    auto image = std::make_shared<PlanarImage>(source.width(), source.height(), source.axes());
    for (const ChannelInfo& channel : source.channels()) {
        const std::size_t index = image->add_channel(channel.name, channel.type);
        image->set_channel_colour(index, channel.colour);
    }
    const auto positions = positions_of(source.axes());
    const std::size_t per_page = page.channels.size();
    const auto groups = static_cast<std::size_t>(series.pages_per_position);
    const std::int64_t band_rows = page.mode == tiff::PageMode::Rgba
                                       ? page.height
                                       : std::max<std::int64_t>(page.chunk_rows, 64);
    const auto bands = static_cast<std::size_t>((page.height + band_rows - 1) / band_rows);
    std::mutex mutex;
    std::optional<Error> failure;
    parallel_for(positions.size() * groups * bands, [&](unsigned, std::size_t task) {
        const std::size_t band = task % bands;
        const std::size_t group = task / bands % groups;
        const auto& position = positions[task / bands / groups];
        const Plane first{group * per_page, position};
        Result<void> result;
        if (page.mode == tiff::PageMode::Rgba) {
            std::int64_t flat = 0;
            for (std::size_t i = 0; i < position.size(); ++i) {
                flat = flat * source.axes()[i].extent + position[i];
            }
            const PageRef& ref = source.directory(static_cast<std::size_t>(flat) * groups + group);
            auto lease = pool.acquire(ref.offset);
            result = lease ? read_rgba_page(**lease, page, *image, first) : lease.error();
        } else {
            const std::int64_t y = static_cast<std::int64_t>(band) * band_rows;
            const Rect rect{0, y, page.width, std::min(band_rows, page.height - y)};
            for (std::size_t c = 0; c < per_page && result; ++c) {
                Plane plane = first;
                plane.channel += c;
                const std::size_t row_bytes =
                    static_cast<std::size_t>(page.width) * sample_size(page.channels[c].type);
                auto out =
                    image->plane(plane).subspan(static_cast<std::size_t>(y) * row_bytes,
                                                static_cast<std::size_t>(rect.height) * row_bytes);
                result = source.read_region(plane, rect, out);
            }
        }
        if (!result) {
            std::lock_guard lock(mutex);
            if (!failure) {
                failure = result.error();
            }
        }
    });
    if (failure) {
        return *failure;
    }
    return std::shared_ptr<const ImageSource>(std::move(image));
}

// The SubIFDs every page of the series has, level by level, as sources of the same channels;
// stops at the first level that is missing from a page or does not match.
std::vector<std::shared_ptr<const ImageSource>> stored_levels(
    TiffHandlePool& pool, const std::vector<Result<TiffPage>>& pages, const Series& series,
    const TiffPage& base, const std::vector<ChannelInfo>& channels, std::size_t max_chunk_bytes) {
    std::vector<std::shared_ptr<const ImageSource>> levels;
    std::size_t available = std::numeric_limits<std::size_t>::max();
    for (const std::int64_t d : series.directories) {
        available = std::min(available, pages[static_cast<std::size_t>(d)]->sub_ifd_offsets.size());
    }
    for (std::size_t k = 1; k <= available && base.mode == tiff::PageMode::Raw; ++k) {
        std::vector<PageRef> refs;
        for (const std::int64_t d : series.directories) {
            refs.push_back({pages[static_cast<std::size_t>(d)]->sub_ifd_offsets[k - 1], d});
        }
        auto lease = pool.acquire(refs.front().offset);
        if (!lease) {
            break;
        }
        auto level = tiff::read_page((*lease)->get(), false);
        if (!level || !level->same_samples(base) || level->width >= base.width) {
            break;
        }
        levels.push_back(std::make_shared<TiffSource>(
            pool.shared_from_this(), level.value(), channels, series.axes, std::move(refs),
            series.pages_per_position, max_chunk_bytes, static_cast<int>(k)));
    }
    if (!levels.empty() || series.directories.size() != 1 || series.pages_per_position != 1 ||
        base.mode != tiff::PageMode::Raw) {
        return levels;
    }
    // A single page followed by reduced-resolution pages of its samples in the main chain (the
    // overviews of a cloud-optimised GeoTIFF, a pyramid written by libvips or GDAL): each one
    // of ceil(W / 2^k) x ceil(H / 2^k) pixels is level k; others (thumbnails) are passed over.
    for (auto j = static_cast<std::size_t>(series.directories.front()) + 1; j < pages.size(); ++j) {
        const auto& page = pages[j];
        if (!page.ok() || (page->subfile_type & FILETYPE_REDUCEDIMAGE) == 0 ||
            (page->subfile_type & FILETYPE_MASK) != 0) {
            break;
        }
        if (!page->same_samples(base) || page->orientation != base.orientation) {
            continue;
        }
        for (int k = 1; k < 40; ++k) {
            const std::int64_t scale = std::int64_t{1} << k;
            if (page->width == (base.width + scale - 1) / scale &&
                page->height == (base.height + scale - 1) / scale) {
                if (levels.size() < static_cast<std::size_t>(k)) {
                    levels.resize(static_cast<std::size_t>(k));
                }
                auto& level = levels[static_cast<std::size_t>(k - 1)];
                if (!level) {
                    level = std::make_shared<TiffSource>(
                        pool.shared_from_this(), page.value(), channels, series.axes,
                        std::vector<PageRef>{{page->offset, static_cast<std::int64_t>(j)}}, 1,
                        max_chunk_bytes, k);
                }
                break;
            }
        }
    }
    return levels;
}

// The NumPy type code of a page's samples read raw ("u2", "f4"), or "" for none.
std::string raw_dtype(const TiffPage& page) {
    const char kind = page.sample_format == SAMPLEFORMAT_IEEEFP ? 'f'
                      : page.sample_format == SAMPLEFORMAT_INT  ? 'i'
                                                                : 'u';
    if (page.bits % 8 != 0 || page.bits == 0 || page.bits > 64) {
        return {};
    }
    return fmt::format("{}{}", kind, page.bits / 8);
}

// ImageJ saves a hyperstack whose data passes 4 GB with its first IFD alone: the description's
// images=N planes lie one after another from that page's pixels, uncompressed (ImageJ's reader
// and tifffile read them so). Such a file becomes a stack mapped in place; nullopt when the file
// is not one (every plane has its IFD, or the first page is not raw single-channel data).
Result<std::optional<Image>> imagej_contiguous(const std::vector<Result<TiffPage>>& pages,
                                               TiffHandlePool& pool) {
    const auto& first = pages.front();
    const auto info = tiff::parse_imagej(first->description);
    if (!info || info->images <= static_cast<std::int64_t>(pages.size()) ||
        info->images != info->channels * info->slices * info->frames) {
        return std::optional<Image>{};
    }
    const TiffPage& page = first.value();
    const std::string dtype = raw_dtype(page);
    if (page.compression != COMPRESSION_NONE || page.channels.size() != 1 || dtype.empty() ||
        page.fill_order != FILLORDER_MSB2LSB || page.channels.front().invert ||
        page.channels.front().palette >= 0 || page.mode != tiff::PageMode::Raw) {
        return std::optional<Image>{};
    }
    auto lease = pool.acquire(page.offset);
    if (!lease) {
        return lease.error();
    }
    TIFF* tif = (*lease)->get();
    const std::uint32_t strips = TIFFNumberOfStrips(tif);
    std::uint64_t offset = 0;
    std::uint64_t next = 0;
    for (std::uint32_t s = 0; s < strips; ++s) {
        int failed = 0;
        const std::uint64_t at = TIFFGetStrileOffsetWithErr(tif, s, &failed);
        const std::uint64_t count = failed ? 0 : TIFFGetStrileByteCountWithErr(tif, s, &failed);
        if (failed || (s > 0 && at != next)) {
            return std::optional<Image>{};  // not one run of bytes: only its pages are shown
        }
        offset = s == 0 ? at : offset;
        next = at + count;
    }
    std::vector<std::uint64_t> shape;
    std::string axes;
    for (const auto& [extent, letter] :
         {std::pair{info->frames, 'T'}, {info->slices, 'Z'}, {info->channels, 'C'}}) {
        if (extent > 1) {
            shape.push_back(static_cast<std::uint64_t>(extent));
            axes += letter;
        }
    }
    shape.push_back(static_cast<std::uint64_t>(page.height));
    shape.push_back(static_cast<std::uint64_t>(page.width));
    axes += "YX";
    std::vector<std::string> names;
    for (std::int64_t c = 0; c < info->channels; ++c) {
        names.push_back(info->channels > 1 ? fmt::format("C{}", c) : page.channels.front().name);
    }
    const bool big_endian = page.byte_swapped != (std::endian::native == std::endian::big);
    auto source = map_array(pool.file(), offset, dtype, big_endian, shape, axes, names);
    if (!source) {
        return Error{fmt::format("ImageJ says {} images of {}x{} follow the first page: {}",
                                 info->images, page.width, page.height, source.error().message)};
    }
    if ((*source)->channels().front().type != page.channels.front().type) {
        return std::optional<Image>{};  // kept in another type than its pages would be
    }
    Image image;
    image.source = std::move(source).value();
    ImageMetadata& meta = image.metadata;
    meta.format = "TIFF";
    meta.transfer = is_float(page.channels.front().type) ? Transfer::Linear : Transfer::Srgb;
    meta.data_window = full_window(page.width, page.height);
    meta.display_window = meta.data_window;
    meta.compression = page.compression_name();
    meta.storage = fmt::format(
        "{} planes one after another from the first page's pixels (ImageJ "
        "over 4 GB), memory-mapped",
        info->images);
    meta.axes = axes;
    meta.properties.emplace_back(
        "ImageJ", fmt::format("hyperstack of {} channels, {} slices, {} frames", info->channels,
                              info->slices, info->frames));
    return std::optional<Image>{std::move(image)};
}

std::uint64_t decoded_bytes(const std::vector<ChannelInfo>& channels, const TiffPage& page,
                            std::int64_t planes_per_channel) {
    std::uint64_t bytes = 0;
    for (const ChannelInfo& channel : channels) {
        bytes += static_cast<std::uint64_t>(page.width) * static_cast<std::uint64_t>(page.height) *
                 sample_size(channel.type) * static_cast<std::uint64_t>(planes_per_channel);
    }
    return bytes;
}

}  // namespace

Result<std::vector<Image>> decode_tiff(const std::shared_ptr<const MappedFile>& file,
                                       const LoadOptions& options) {
    auto opened = TiffHandle::open(file);
    if (!opened) {
        return opened.error();
    }
    TiffHandle& scanner = *opened.value();
    std::vector<Result<TiffPage>> pages;
    do {
        const bool first = pages.empty();
        auto page = tiff::read_page(scanner.get(), first);
        if (!page && first) {
            return page.error();
        }
        if (page) {
            page->offset = TIFFCurrentDirOffset(scanner.get());
        }
        pages.push_back(std::move(page));
    } while (static_cast<std::int64_t>(pages.size()) < kMaxPages &&
             TIFFReadDirectory(scanner.get()) != 0);
    const bool big = TIFFIsBigTIFF(scanner.get()) != 0;
    const bool swapped = TIFFIsByteSwapped(scanner.get()) != 0;
    auto pool = std::make_shared<TiffHandlePool>(file, std::move(opened.value()));

    auto contiguous = imagej_contiguous(pages, *pool);
    if (!contiguous) {
        return contiguous.error();
    }
    if (contiguous->has_value()) {
        std::vector<Image> images;
        images.push_back(std::move(**contiguous));
        return images;
    }

    std::vector<Series> all;
    std::string description_note;
    auto ome = ome_series(pages, file->path().filename().string());
    if (ome && ome->has_value()) {
        all.push_back(std::move(**ome));
    } else {
        if (!ome) {
            description_note = "OME-XML not used: " + ome.error().message;
        }
        if (auto imagej = imagej_series(pages)) {
            all.push_back(std::move(*imagej));
        } else {
            all = generic_series(pages);
        }
    }

    std::vector<Image> images;
    std::vector<std::int64_t> first_pages;  // per image
    std::vector<std::string> skipped;
    for (std::size_t s = 0; s < all.size(); ++s) {
        Series& series = all[s];
        const auto& first = pages[static_cast<std::size_t>(series.directories.front())];
        if (!first) {
            if (s == 0) {
                return first.error();
            }
            skipped.push_back(
                fmt::format("page {}: {}", series.directories.front(), first.error().message));
            continue;
        }
        const TiffPage& page = first.value();
        auto channels = channels_of(page, series);
        std::vector<PageRef> refs;
        for (const std::int64_t d : series.directories) {
            refs.push_back({pages[static_cast<std::size_t>(d)]->offset, d});
        }
        auto source =
            std::make_shared<TiffSource>(pool, page, channels, series.axes, refs,
                                         series.pages_per_position, options.max_chunk_bytes);
        auto levels = stored_levels(*pool, pages, series, page, channels, options.max_chunk_bytes);
        const std::size_t level_count = levels.size();
        source->set_levels(std::move(levels));
        const std::uint64_t bytes = decoded_bytes(channels, page, source->planes_per_channel());
        const std::uint64_t pixels = static_cast<std::uint64_t>(page.width) *
                                     static_cast<std::uint64_t>(page.height) *
                                     static_cast<std::uint64_t>(source->planes_per_channel());
        // A file with its own pyramid is made to be read by region.
        const bool whole = page.mode == tiff::PageMode::Rgba ||
                           (bytes <= options.decode_whole_below && level_count == 0);
        std::shared_ptr<const ImageSource> result = source;
        if (whole) {
            if (pixels > options.max_pixels) {
                return Error{fmt::format(
                    "{}x{} pixels in {} planes exceed the limit of {} "
                    "decoded pixels",
                    page.width, page.height, source->planes_per_channel(), options.max_pixels)};
            }
            auto decoded = decode_whole(*source, *pool, series);
            if (!decoded) {
                if (s == 0) {
                    return decoded.error();
                }
                skipped.push_back(fmt::format("page {}: {}", series.directories.front(),
                                              decoded.error().message));
                continue;
            }
            result = std::move(decoded.value());
        }
        Image image;
        image.source = oriented(std::move(result), page.orientation);
        ImageMetadata& meta = image.metadata;
        meta.format = "TIFF";
        meta.transfer = is_float(page.channels.front().type) ? Transfer::Linear : Transfer::Srgb;
        meta.data_window = full_window(image.source->width(), image.source->height());
        meta.display_window = meta.data_window;
        meta.compression = page.compression_name();
        meta.storage = fmt::format("{}{}, {}", page.layout_text(),
                                   page.planar == PLANARCONFIG_SEPARATE ? ", separate planes" : "",
                                   whole ? "decoded at open" : "read by region");
        meta.axes = series.axes_text;
        meta.pixel_size = series.pixel_size;
        meta.properties = std::move(series.properties);
        meta.properties.emplace_back(
            "pages", fmt::format("{} of {} ({}{}-endian)", series.directories.size(), pages.size(),
                                 big ? "BigTIFF, " : "", swapped ? "big" : "little"));
        meta.properties.emplace_back(
            "samples", fmt::format("{} per pixel, {}-bit {}", page.samples_per_pixel, page.bits,
                                   page.sample_format == SAMPLEFORMAT_IEEEFP ? "float"
                                   : page.sample_format == SAMPLEFORMAT_INT  ? "signed"
                                                                             : "unsigned"));
        if (level_count > 0) {
            std::string sizes;
            std::size_t stored = 0;
            for (std::size_t k = 1; k <= level_count; ++k) {
                if (const auto level = source->stored_level(static_cast<int>(k))) {
                    sizes += fmt::format("{}{}x{}", sizes.empty() ? "" : ", ", level->width(),
                                         level->height());
                    ++stored;
                }
            }
            meta.properties.emplace_back(
                "stored pyramid",
                fmt::format("{} {} levels ({}), read as the pyramid's levels", stored,
                            page.sub_ifd_offsets.empty() ? "reduced-page" : "SubIFD", sizes));
        } else if (!page.sub_ifd_offsets.empty()) {
            meta.properties.emplace_back(
                "stored pyramid",
                fmt::format(
                    "{} SubIFDs not used (not a reduced copy of every plane in this layout)",
                    page.sub_ifd_offsets.size()));
        }
        if (!description_note.empty()) {
            meta.properties.emplace_back("note", description_note);
        }
        if (!pages.empty() && pages.front()) {  // the file's first page's tags
            for (const auto& tag : pages.front()->tags) {
                meta.properties.push_back(tag);
            }
        }
        images.push_back(std::move(image));
        first_pages.push_back(series.directories.front());
    }
    if (images.empty()) {
        return Error{"no page of the file could be read"};
    }
    for (std::size_t i = 0; i < images.size(); ++i) {
        images[i].metadata.part_index = static_cast<int>(i);
        images[i].metadata.part_count = static_cast<int>(images.size());
        if (images.size() > 1) {
            images[i].metadata.part_name = fmt::format("page {}", first_pages[i]);
        }
        if (!skipped.empty()) {
            std::string text;
            for (const std::string& line : skipped) {
                text += (text.empty() ? "" : "; ") + line;
            }
            images[i].metadata.properties.emplace_back("skipped", text);
        }
    }
    return images;
}

}  // namespace tessera::core
