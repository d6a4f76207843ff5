// StreamingImage: one image on the GPU within bounded memory, as the view needs it. Per frame it
// asks core/TileScheduler what the view needs (the finest sufficient level's visible tiles, drawn
// as they arrive, with the best resident coarser tile scaled up where one is missing), queues
// what is missing on the session's tile loader (core/lod/TileLoader, worker threads, no GL),
// and uploads what has arrived into the session's texture cache (gl/image/TextureCache, one GPU
// budget for every image) within a per-frame byte budget. It never waits for I/O.
//
// Changes of the source (damage, reloads) mark the textures they touch stale: the view keeps
// showing them, counted as not final, until their re-read pixels are uploaded in place
// (glTexSubImage2D; no texture is re-created).
//
// A StreamingImage made without a session's loader and cache gets private ones (one-shot
// renders, tests). The FullResolution policy uploads the view's level-0 tiles and nothing else
// (no coarser coverage, no prefetch): what viewers without a pyramid do, for comparisons.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "core/image/ChangeFrames.h"
#include "core/lod/TileLoader.h"
#include "core/lod/TileScheduler.h"
#include "gl/composite/Compositor.h"
#include "gl/image/TextureCache.h"

namespace tessera::gl {

enum class StreamingPolicy { Pyramid, FullResolution };

struct StreamingOptions {
    int tile_size = 510;       // content pixels; textures add a 1-pixel gutter on every side
    int max_texture_size = 0;  // 0: the GPU's limit
    std::size_t gpu_budget = std::size_t{1024} << 20;   // private cache only
    std::size_t cpu_cache = std::size_t{256} << 20;     // private loader only
    std::size_t upload_budget = std::size_t{48} << 20;  // bytes uploaded per frame
    unsigned workers = 0;                               // private loader only; 0: one per core
    bool provisional = true;  // strided samples for coarse tiles before exact ones
    int prefetch_ring = 1;    // tiles around the view read ahead (0 for one-shot renders)
    StreamingPolicy policy = StreamingPolicy::Pyramid;
    // A source that changed less than this long ago is still changing (a live image a client
    // streams into): its changed coarse tiles are re-read strided, a fraction of the work of the
    // exact means the next change would make stale again; exact ones follow once it settles.
    std::chrono::milliseconds settle{250};
    // Re-reads of a changed source's tiles are held back and uploaded together, so that a change
    // shows whole in one draw (not tile by tile, each draw a composite of the whole view): once
    // every stale texture the view draws has a re-read as new as everything that changed, or,
    // for a source that keeps changing (a client streaming frames region by region), as new as
    // the frame that ended last (core/image/ChangeFrames). Held no longer than this.
    std::chrono::milliseconds refresh_hold{100};
};

struct StreamingFrame {
    std::vector<TileDraw> draws;
    int level = 0;
    int visible = 0;       // ideal tiles in the view
    int pending = 0;       // ideal tiles not yet drawn exactly
    bool covered = false;  // every visible tile is drawn (exactly, provisionally or scaled up)
    bool final = false;
    std::vector<core::Rect> not_final;  // level-0 image rectangles not drawn exactly yet
    // The position drawn: the one asked for, or the previous one while the new slice has no
    // coverage yet (then nothing is final).
    std::vector<std::int64_t> position;
    // The source's revision that everything drawn is at least as new as (a texture not stale is
    // current as of the last change seen; a stale one as of its read): a live image's frames are
    // complete on screen up to it.
    std::uint64_t oldest_revision = std::numeric_limits<std::uint64_t>::max();
};

struct StreamingStats {
    std::uint64_t uploads = 0;
    std::uint64_t bytes = 0;
    std::uint64_t textures_created = 0;
    std::uint64_t textures_reused = 0;  // uploads into a texture evicted the same frame
    std::uint64_t evicted = 0;          // textures this image's uploads displaced
    std::uint64_t dropped = 0;          // requests dropped because their tile left the view
    std::uint64_t discarded = 0;  // results superseded (shown, read again): the source changed
                                  // after the read began
    std::uint64_t damaged = 0;    // textures marked stale by changes of the source
    std::uint64_t peak_texture_bytes = 0;  // of the whole texture cache
};

class StreamingImage {
  public:
    // With the session's loader and texture cache.
    StreamingImage(std::shared_ptr<const core::ImageSource> source, core::TileLoader& loader,
                   std::shared_ptr<TextureCache> textures, StreamingOptions options = {});
    // With private ones, sized by `options`.
    explicit StreamingImage(std::shared_ptr<const core::ImageSource> source,
                            StreamingOptions options = {});
    ~StreamingImage();
    StreamingImage(const StreamingImage&) = delete;
    StreamingImage& operator=(const StreamingImage&) = delete;

    // Plans the view of these channels at `position` (an index on each of the source's axes;
    // missing ones are 0), queues reads, uploads what has arrived (within the frame's budget)
    // and says what to draw now. Never waits for I/O. After a slice switch, the slice drawn last
    // stays on screen (not final) until the new one covers the view. `ahead`: positions to read
    // next (the slices a player steps to), after everything the view needs; reads of positions
    // neither asked for nor ahead are dropped. `moving` (playback): every slice is shown from
    // its coverage tiles only (provisional, a fraction of the reads), exact ones once it stops.
    core::Result<StreamingFrame> prepare(const core::View& view,
                                         const std::vector<std::size_t>& channels,
                                         const std::vector<std::int64_t>& position = {},
                                         const std::vector<std::vector<std::int64_t>>& ahead = {},
                                         bool moving = false);
    // prepare() until every tile of the view is exact (headless renders, tests).
    core::Result<StreamingFrame> prepare_final(
        const core::View& view, const std::vector<std::size_t>& channels,
        const std::vector<std::int64_t>& position = {},
        std::chrono::milliseconds timeout = std::chrono::minutes(5));
    // A reloaded source of the same size, channels and axes: damage of everything. Returns at
    // once; resident tiles count as not final until re-read and updated in place.
    core::Result<void> replace_source(std::shared_ptr<const core::ImageSource> source);
    // Gives back every texture and cached pyramid tile and forgets queued work (an image that is
    // no longer shown); the next prepare() starts streaming again.
    void release();

    std::shared_ptr<const core::ImageSource> source() const { return m_stream->source(); }
    const core::TileScheduler& scheduler() const { return m_stream->scheduler(); }
    core::TileLoader& loader() { return m_stream->loader(); }
    StreamingStats stats() const;
    std::size_t texture_bytes() const { return m_textures->bytes_of(m_id); }   // this image's
    std::size_t session_texture_bytes() const { return m_textures->bytes(); }  // every image's
    std::size_t resident_tiles() const { return m_textures->tiles_of(m_id); }
    std::size_t gpu_budget() const { return m_textures->budget(); }
    std::size_t cpu_cache_bytes() const { return m_stream->cached_bytes(); }  // this image's
    std::size_t session_cpu_cache_bytes() const { return m_stream->loader().cache()->bytes(); }
    // Textures, cached tiles or work that release() would give back.
    bool holds_memory() const {
        return resident_tiles() > 0 || m_stream->cached_bytes() > 0 || m_stream->busy();
    }
    std::size_t cpu_cache_budget() const { return m_stream->loader().cache()->budget(); }
    // The texture of one tile's plane, or null when it is not resident.
    const Texture2D* texture(const core::TileKey& tile, const core::Plane& plane) const;
    // The view's essential tiles do not all fit in the GPU budget (until the view changes).
    bool over_budget() const { return m_over_budget; }

  private:
    core::PlanOptions plan_options(int prefetch_ring) const;
    std::vector<core::Plane> planes_of(const std::vector<std::size_t>& channels,
                                       const std::vector<std::int64_t>& position) const;
    // What to draw of these planes now, from resident textures only.
    StreamingFrame frame_of(const core::View& view, const std::vector<core::Plane>& planes,
                            bool ask_exact);
    TextureKey key(const core::TileKey& tile, const core::Plane& plane) const {
        return {m_id, tile, plane};
    }
    bool drawable(const core::TileKey& tile, const std::vector<core::Plane>& planes) const;
    bool exact(const core::TileKey& tile, const std::vector<core::Plane>& planes) const;
    void apply_damage();
    // Moves re-reads of stale textures out of `arrived` into the held ones, and the held ones
    // back once the textures `drawn` show a whole change or frame (or they waited refresh_hold).
    void hold_refreshes(std::vector<core::TileResult>& arrived,
                        const std::vector<TextureKey>& drawn);
    // Every stale texture in `drawn` has a held re-read that no later change touched, or, with
    // `frame_end`, shows that revision already or has a held re-read read at it or after.
    bool refreshed(const std::vector<TextureKey>& drawn,
                   std::optional<std::uint64_t> frame_end = std::nullopt) const;
    core::Result<void> upload(core::TileResult& result, bool essential, std::size_t& frame_bytes);

    std::unique_ptr<core::TileLoader> m_own_loader;  // when made without a session
    std::unique_ptr<core::TileStream> m_stream;
    std::shared_ptr<TextureCache> m_textures;
    std::uint64_t m_id;
    StreamingOptions m_options;
    StreamingStats m_stats;
    std::set<core::TileKey> m_wanted;  // what the last plan wanted
    std::set<std::vector<std::int64_t>> m_wanted_positions;
    std::optional<std::vector<std::int64_t>> m_shown;  // the position last drawn covered
    // Positions asked for lately, newest first: their reads already running still land (a
    // player shows the newest slice that arrived), but their queued reads were dropped.
    std::deque<std::vector<std::int64_t>> m_recent;
    bool m_over_budget = false;  // an essential tile did not fit in the GPU budget
    // When the source last changed (none yet: not changing, whatever the clock reads).
    std::optional<std::chrono::steady_clock::time_point> m_last_damage;
    bool changing(std::chrono::steady_clock::time_point now) const {
        return m_last_damage && now - *m_last_damage < m_options.settle;
    }
    std::uint64_t m_revision_polled = 0;            // the source's revision at the last damage poll
    std::map<TextureKey, core::TileResult> m_held;  // re-reads waiting for the others
    std::chrono::steady_clock::time_point m_held_since;
    core::ChangeFrames m_frames;  // the source's changes, frame by frame
    // The revision polled when a frame of changes ended (the next began), not yet shown whole;
    // and the one after it, when another ended meanwhile.
    std::optional<std::uint64_t> m_frame_end;
    std::optional<std::uint64_t> m_next_frame_end;
    bool m_release_held = false;  // prepare_final: the next prepare uploads whatever is held
};

}  // namespace tessera::gl
