#include "core/io/OpenExrRegion.h"

#include <algorithm>
#include <array>
#include <mutex>

#include <fmt/format.h>

#include <ImfChannelList.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfInputPart.h>
#include <ImfMultiPartInputFile.h>
#include <ImfTiledInputPart.h>

#include "core/base/Checked.h"
#include "core/io/ChunkCache.h"
#include "core/io/OpenExrShared.h"

namespace tessera::core {
namespace {

// Decoded chunks kept per part: a strip the pyramid reads crosses a row of chunks, whose
// channels it reads one after another.
constexpr std::size_t kChunkCacheBytes = std::size_t{64} << 20;

// An OpenEXR file object over the file's bytes. Not thread-safe: one reader at a time (its frame
// buffer is set for each chunk).
struct Handle {
    explicit Handle(std::span<const std::byte> bytes) : stream(bytes), file(stream, 0, false) {}
    OpenExrMemoryStream stream;
    Imf::MultiPartInputFile file;
};

class HandlePool {
  public:
    explicit HandlePool(std::shared_ptr<const MappedFile> file) : m_file(std::move(file)) {}

    // Returns a handle to the pool when it goes out of scope.
    class Lease {
      public:
        Lease(HandlePool& pool, std::unique_ptr<Handle> handle)
            : m_pool(pool), m_handle(std::move(handle)) {}
        ~Lease() {
            std::lock_guard lock(m_pool.m_mutex);
            m_pool.m_free.push_back(std::move(m_handle));
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Handle& operator*() const { return *m_handle; }

      private:
        HandlePool& m_pool;
        std::unique_ptr<Handle> m_handle;
    };

    // May throw: opening parses the headers and offset tables again.
    Lease acquire() {
        {
            std::lock_guard lock(m_mutex);
            if (!m_free.empty()) {
                auto handle = std::move(m_free.back());
                m_free.pop_back();
                return {*this, std::move(handle)};
            }
        }
        return {*this, std::make_unique<Handle>(m_file->bytes())};
    }

  private:
    std::shared_ptr<const MappedFile> m_file;
    std::mutex m_mutex;
    std::vector<std::unique_ptr<Handle>> m_free;
};

// A level, then a chunk's column and row in that level's grid of chunks.
using ChunkKey = std::array<std::int64_t, 3>;

// What every level of one part shares.
struct Part {
    std::shared_ptr<HandlePool> pool;
    int index = 0;
    std::string where;  // "part 2 " or "" (for messages)
    Imath::Box2i data_window;
    bool tiled = false;
    std::int64_t chunk_width = 0;  // a tile, or the data window's width
    std::int64_t chunk_rows = 0;   // a tile, or the scanlines of one block
    std::vector<ChannelInfo> channels;
    std::vector<std::string> names;  // OpenEXR's, in channels' order
    std::vector<Imf::PixelType> types;
    std::size_t max_chunk_bytes = 0;
    ChunkCache<ChunkKey> cache{kChunkCacheBytes};
};

class ExrRegionSource final : public ImageSource {
  public:
    ExrRegionSource(std::shared_ptr<Part> part, int level, std::int64_t width, std::int64_t height)
        : m_part(std::move(part)), m_level(level), m_width(width), m_height(height) {}

    std::int64_t width() const override { return m_width; }
    std::int64_t height() const override { return m_height; }
    const std::vector<ChannelInfo>& channels() const override { return m_part->channels; }

    Rect read_unit() const override {
        return {0, 0, std::min(m_part->chunk_width, m_width),
                std::min(m_part->chunk_rows, m_height)};
    }

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
        const std::int64_t cw = m_part->chunk_width;
        const std::int64_t ch = m_part->chunk_rows;
        const std::size_t size = sample_size(m_part->channels[plane.channel].type);
        for (std::int64_t cy = rect.y / ch; cy * ch < rect.y + rect.height; ++cy) {
            for (std::int64_t cx = rect.x / cw; cx * cw < rect.x + rect.width; ++cx) {
                const Rect box = chunk_box(cx, cy);
                auto data = chunk({m_level, cx, cy}, box);
                if (!data) {
                    return data.error();
                }
                // The chunk holds its channels one after another, each box-sized.
                std::size_t offset = 0;
                for (std::size_t c = 0; c < plane.channel; ++c) {
                    offset += static_cast<std::size_t>(box.area()) *
                              sample_size(m_part->channels[c].type);
                }
                const Rect part = intersection(box, rect);
                for (std::int64_t y = part.y; y < part.y + part.height; ++y) {
                    std::memcpy(
                        dst.data() +
                            static_cast<std::size_t>((y - rect.y) * rect.width + part.x - rect.x) *
                                size,
                        (*data)->bytes.get() + offset +
                            static_cast<std::size_t>((y - box.y) * box.width + part.x - box.x) *
                                size,
                        static_cast<std::size_t>(part.width) * size);
                }
            }
        }
        return {};
    }

  private:
    Rect chunk_box(std::int64_t cx, std::int64_t cy) const {
        const std::int64_t cw = m_part->chunk_width;
        const std::int64_t ch = m_part->chunk_rows;
        return intersection({cx * cw, cy * ch, cw, ch}, bounds());
    }

    // "tile (3, 4) of level 2 of part 1" or "scanlines 32 to 63".
    std::string describe(const ChunkKey& key, Rect box) const {
        if (m_part->tiled) {
            return fmt::format("tile ({}, {}) of level {} of {}", key[1], key[2], key[0],
                               m_part->where.empty() ? "the image" : m_part->where);
        }
        return fmt::format("scanlines {} to {}{}", m_part->data_window.min.y + box.y,
                           m_part->data_window.min.y + box.y + box.height - 1,
                           m_part->where.empty() ? "" : " of " + m_part->where);
    }

    Result<ChunkCache<ChunkKey>::Data> chunk(const ChunkKey& key, Rect box) const {
        if (auto cached = m_part->cache.find(key)) {
            return cached;
        }
        std::size_t pixel_bytes = 0;
        for (const ChannelInfo& channel : m_part->channels) {
            pixel_bytes += sample_size(channel.type);
        }
        const std::size_t bytes = static_cast<std::size_t>(box.area()) * pixel_bytes;
        if (bytes > m_part->max_chunk_bytes) {
            return Error{fmt::format(
                "{} would decode to {} bytes (Tessera does not support OpenEXR chunks over {} "
                "bytes)",
                describe(key, box), bytes, m_part->max_chunk_bytes)};
        }
        auto decoded = std::make_shared<DecodedChunk>();
        try {
            decoded->bytes = std::make_unique_for_overwrite<std::byte[]>(bytes);
            decoded->size = bytes;
            auto lease = m_part->pool->acquire();
            Imf::FrameBuffer frame;
            // OpenEXR addresses samples by absolute coordinates: offset each channel's base so
            // that the box's corner lands on its first sample.
            const std::int64_t x0 = m_part->data_window.min.x + box.x;
            const std::int64_t y0 = m_part->data_window.min.y + box.y;
            std::size_t offset = 0;
            for (std::size_t c = 0; c < m_part->channels.size(); ++c) {
                const auto size =
                    static_cast<std::ptrdiff_t>(sample_size(m_part->channels[c].type));
                char* base = reinterpret_cast<char*>(decoded->bytes.get() + offset) -
                             (x0 + y0 * box.width) * size;
                frame.insert(m_part->names[c],
                             Imf::Slice(m_part->types[c], base, static_cast<std::size_t>(size),
                                        static_cast<std::size_t>(size * box.width)));
                offset += static_cast<std::size_t>(box.area() * size);
            }
            if (m_part->tiled) {
                Imf::TiledInputPart input((*lease).file, m_part->index);
                input.setFrameBuffer(frame);
                input.readTile(static_cast<int>(key[1]), static_cast<int>(key[2]), m_level,
                               m_level);
            } else {
                Imf::InputPart input((*lease).file, m_part->index);
                input.setFrameBuffer(frame);
                input.readPixels(static_cast<int>(y0), static_cast<int>(y0 + box.height - 1));
            }
        } catch (const std::bad_alloc&) {
            return Error{fmt::format("out of memory decoding {}", describe(key, box))};
        } catch (const std::exception& error) {
            return Error{
                fmt::format("cannot decode OpenEXR {}: {}", describe(key, box), error.what())};
        }
        m_part->cache.insert(key, decoded);
        return ChunkCache<ChunkKey>::Data(std::move(decoded));
    }

    std::shared_ptr<Part> m_part;
    int m_level;
    std::int64_t m_width;
    std::int64_t m_height;
    StoredLevels m_levels;
};

// The part's own reduced levels that the pyramid can use: level k of a mip-map (or level (k, k)
// of a rip-map) while its size is ceil(W / 2^k) x ceil(H / 2^k) (rounding up; rounding down
// gives the same sizes only for sizes that halve evenly).
std::vector<std::shared_ptr<const ImageSource>> stored_levels(const std::shared_ptr<Part>& part,
                                                              Imf::TiledInputPart& input,
                                                              std::int64_t width,
                                                              std::int64_t height) {
    std::vector<std::shared_ptr<const ImageSource>> levels;
    const Imf::LevelMode mode = input.levelMode();
    if (mode == Imf::ONE_LEVEL) {
        return levels;
    }
    const int count = mode == Imf::MIPMAP_LEVELS ? input.numLevels()
                                                 : std::min(input.numXLevels(), input.numYLevels());
    for (int k = 1; k < count; ++k) {
        const std::int64_t w = input.levelWidth(k);
        const std::int64_t h = input.levelHeight(k);
        const std::int64_t scale = std::int64_t{1} << k;
        if (w != (width + scale - 1) / scale || h != (height + scale - 1) / scale) {
            break;
        }
        levels.push_back(std::make_shared<ExrRegionSource>(part, k, w, h));
    }
    return levels;
}

std::string level_text(const std::vector<std::shared_ptr<const ImageSource>>& levels) {
    std::string sizes;
    for (const auto& level : levels) {
        sizes += fmt::format("{}{}x{}", sizes.empty() ? "" : ", ", level->width(), level->height());
    }
    return sizes;
}

}  // namespace

Result<std::vector<Image>> read_exr_by_region(std::shared_ptr<const MappedFile> file,
                                              const std::vector<ExrPart>& parts,
                                              std::size_t max_chunk_bytes) {
    auto pool = std::make_shared<HandlePool>(file);
    std::vector<Image> images;
    try {
        auto lease = pool->acquire();
        Imf::MultiPartInputFile& input = (*lease).file;
        if (input.parts() != static_cast<int>(parts.size())) {
            return Error{fmt::format("OpenEXR library sees {} parts, the header lists {}",
                                     input.parts(), parts.size())};
        }
        for (std::size_t i = 0; i < parts.size(); ++i) {
            const Imf::Header& header = input.header(static_cast<int>(i));
            auto part = std::make_shared<Part>();
            part->pool = pool;
            part->index = static_cast<int>(i);
            part->where = parts.size() > 1 ? fmt::format("part {}", i) : std::string();
            part->data_window = header.dataWindow();
            part->max_chunk_bytes = max_chunk_bytes;
            const std::int64_t width =
                std::int64_t{part->data_window.max.x} - part->data_window.min.x + 1;
            const std::int64_t height =
                std::int64_t{part->data_window.max.y} - part->data_window.min.y + 1;
            if (width != parts[i].data_window.width() || height != parts[i].data_window.height()) {
                return Error{"the OpenEXR library reads another data window than the header's"};
            }
            for (auto it = header.channels().begin(); it != header.channels().end(); ++it) {
                if (it.channel().xSampling != 1 || it.channel().ySampling != 1) {
                    return Error{fmt::format(
                        "OpenEXR {}has subsampled channels, which Tessera reads only whole",
                        part->where.empty() ? "" : part->where + " ")};
                }
                part->channels.push_back({it.name(), openexr_sample_type(it.channel().type)});
                part->names.emplace_back(it.name());
                part->types.push_back(it.channel().type);
            }
            part->tiled = parts[i].tiles.has_value();
            std::vector<std::shared_ptr<const ImageSource>> levels;
            if (part->tiled) {
                part->chunk_width = parts[i].tiles->width;
                part->chunk_rows = parts[i].tiles->height;
                Imf::TiledInputPart tiled(input, static_cast<int>(i));
                levels = stored_levels(part, tiled, width, height);
            } else {
                part->chunk_width = width;
                part->chunk_rows = exr_lines_per_block(parts[i].compression);
            }
            auto source = std::make_shared<ExrRegionSource>(part, 0, width, height);
            std::string storage =
                part->tiled ? fmt::format("tiled {}x{}", part->chunk_width, part->chunk_rows)
                            : std::string("scanline");
            storage += ", read by region by OpenEXR";
            Image image = exr_image(source, parts[i], i, parts.size(), std::move(storage));
            if (!levels.empty()) {
                image.metadata.properties.emplace_back(
                    "stored pyramid", fmt::format("{} mip-map levels ({}), read as the pyramid's "
                                                  "levels",
                                                  levels.size(), level_text(levels)));
            }
            source->set_levels(std::move(levels));
            images.push_back(std::move(image));
        }
    } catch (const std::bad_alloc&) {
        throw;  // the loader reports it as out of memory
    } catch (const std::exception& error) {
        return Error{fmt::format("cannot read OpenEXR file: {}", error.what())};
    }
    return images;
}

}  // namespace tessera::core
