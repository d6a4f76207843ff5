// TextureCache: the tiles of every image of a session on the GPU, within one texture-memory
// budget. Keys name the image, the tile (level, column, row) and the plane. When an upload needs
// room, the least recently used textures leave first, except those a view protects: what each
// image draws or must draw now (essential) is never evicted, and what it prefetched gives way
// only to essential uploads (of any image). Two images on screen share the one budget.
//
// Textures evicted to make room are kept as spares until the uploads of the frame are done: an
// upload of the same size and format refills one in place instead of creating a texture (a slice
// switch replaces the last slice's tiles with as many of the same size). Creating one costs far
// more than refilling it, on llvmpipe above all (fresh memory, page by page). Spares never push
// the total over the budget: when a texture must be created, the spares go first.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/image/ImageSource.h"
#include "core/lod/LruBudget.h"
#include "core/lod/TileScheduler.h"
#include "gl/objects/Texture2D.h"

namespace tessera::gl {

struct TextureKey {
    std::uint64_t image = 0;
    core::TileKey tile;
    core::Plane plane;
    auto operator<=>(const TextureKey&) const = default;
};

struct TextureEntry {
    Texture2D texture;
    std::size_t bytes = 0;
    bool provisional = false;  // strided samples, to be replaced by the exact tile
    bool stale = false;        // the source changed there since it was read
    // The source's revision its pixels are at least as new as: when it was read, or, once it
    // turned stale, the last revision polled before (it showed every change up to there).
    std::uint64_t revision = 0;
};

class TextureCache {
  public:
    explicit TextureCache(std::size_t budget = std::size_t{1024} << 20) : m_budget(budget) {}

    static std::uint64_t new_image();  // a key for one more image

    std::size_t budget() const { return m_budget; }
    std::size_t bytes() const { return m_lru.bytes(); }  // every image's
    std::size_t bytes_of(std::uint64_t image) const;
    std::size_t peak_bytes() const { return m_peak; }

    TextureEntry* find(const TextureKey& key);
    const TextureEntry* find(const TextureKey& key) const;
    void touch(const TextureKey& key) { m_lru.touch(key); }

    // What an image's view needs: essential tiles are never evicted; wanted ones (prefetched)
    // are kept for uploads that are not essential themselves. For a stack, only the planes at
    // the positions given (none given: any position): a slice left gives way like any other.
    using Positions = std::set<std::vector<std::int64_t>>;
    void protect(std::uint64_t image, std::set<core::TileKey> essential,
                 std::set<core::TileKey> wanted, Positions essential_positions = {},
                 Positions wanted_positions = {});
    // Makes room for `bytes` more; false when protected textures leave too little (nothing is
    // evicted then). Returns through `evicted` how many textures left.
    bool make_room(std::size_t bytes, bool essential, std::uint64_t& evicted);
    TextureEntry& insert(const TextureKey& key, TextureEntry entry);
    // A spare of this size and format, if one was evicted since release_spares(); otherwise
    // none, and the spares are released (a texture is about to be created).
    std::optional<Texture2D> take_spare(int width, int height, const PixelFormat& format);
    void release_spares() { m_spares.clear(); }
    std::size_t spare_count() const { return m_spares.size(); }

    // Every texture of one image, in key order (tile by tile).
    void for_each(std::uint64_t image,
                  const std::function<void(const TextureKey&, TextureEntry&)>& fn);
    std::size_t tiles_of(std::uint64_t image) const;  // distinct tiles with a texture
    void erase(std::uint64_t image);

  private:
    struct Protection {
        std::set<core::TileKey> essential;
        std::set<core::TileKey> wanted;
        Positions essential_positions;
        Positions wanted_positions;
    };

    std::size_t m_budget;
    std::size_t m_peak = 0;
    std::map<TextureKey, TextureEntry> m_entries;
    core::LruBudget<TextureKey> m_lru;
    std::map<std::uint64_t, Protection> m_protected;
    std::map<std::uint64_t, std::size_t> m_image_bytes;
    std::vector<Texture2D> m_spares;
};

}  // namespace tessera::gl
