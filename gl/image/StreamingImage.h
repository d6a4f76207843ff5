// StreamingImage: an image of any size on the GPU within bounded memory. It keeps a level-of-
// detail pyramid (core/PyramidSource) and, per frame, asks core/TileScheduler what the view needs:
// the finest sufficient level's visible tiles, drawn as they arrive, with the best resident
// coarser tile scaled up where one is missing. Worker threads read tiles (coarse levels first as
// strided provisional samples, then exact box-averaged tiles that replace them in place); the
// GL thread only uploads, within a per-frame byte budget, evicting least-recently-used tiles the
// view does not want to stay within the GPU-memory budget. Requests for tiles that have left the
// view are dropped before they start; a ring of neighbours is prefetched.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "core/lod/Pyramid.h"
#include "core/lod/TileScheduler.h"
#include "gl/composite/Compositor.h"

namespace tessera::gl {

struct StreamingOptions {
    int tile_size = 510;       // content pixels; textures add a 1-pixel gutter on every side
    int max_texture_size = 0;  // 0: the GPU's limit
    std::size_t gpu_budget = std::size_t{1024} << 20;
    std::size_t cpu_cache = std::size_t{256} << 20;     // pyramid tiles kept in memory
    std::size_t upload_budget = std::size_t{48} << 20;  // bytes uploaded per frame
    unsigned workers = 0;                               // 0: one per hardware thread
    bool provisional = true;  // strided samples for coarse tiles before exact ones
    int prefetch_ring = 1;    // tiles around the view read ahead (0 for one-shot renders)
};

struct StreamingFrame {
    std::vector<TileDraw> draws;
    int level = 0;
    int visible = 0;       // ideal tiles in the view
    int pending = 0;       // ideal tiles not yet drawn exactly
    bool covered = false;  // every visible tile is drawn (exactly, provisionally or scaled up)
    bool final = false;
    std::vector<core::Rect> not_final;  // level-0 image rectangles not drawn exactly yet
};

struct StreamingStats {
    std::uint64_t uploads = 0;
    std::uint64_t bytes = 0;
    std::uint64_t textures_created = 0;
    std::uint64_t evicted = 0;
    std::uint64_t dropped = 0;  // requests dropped because their tile left the view
    std::uint64_t peak_texture_bytes = 0;
};

class StreamingImage {
  public:
    StreamingImage(std::shared_ptr<const core::ImageSource> source, StreamingOptions options = {});
    ~StreamingImage();
    StreamingImage(const StreamingImage&) = delete;
    StreamingImage& operator=(const StreamingImage&) = delete;

    // Plans the view, queues reads, uploads what has arrived (within the frame's budget) and says
    // what to draw now. Never waits for I/O.
    core::Result<StreamingFrame> prepare(const core::View& view,
                                         const std::vector<std::size_t>& channels);
    // prepare() until every tile of the view is exact (headless renders, tests).
    core::Result<StreamingFrame> prepare_final(
        const core::View& view, const std::vector<std::size_t>& channels,
        std::chrono::milliseconds timeout = std::chrono::minutes(5));
    // A reloaded source of the same size and channels. Returns at once; resident tiles count as
    // not final until re-read from the new source and updated in place (no texture re-created).
    core::Result<void> replace_source(std::shared_ptr<const core::ImageSource> source);
    // Gives back every texture and cached pyramid tile and forgets queued work (an image that is
    // no longer shown); the next prepare() starts streaming again.
    void release();

    const core::ImageSource& source() const { return *m_base; }
    const core::TileScheduler& scheduler() const { return m_scheduler; }
    StreamingStats stats() const {
        StreamingStats stats = m_stats;
        stats.dropped = m_dropped.load();
        return stats;
    }
    std::size_t texture_bytes() const { return m_budget.bytes(); }
    std::size_t resident_tiles() const { return m_resident.size(); }
    std::size_t gpu_budget() const { return m_options.gpu_budget; }
    std::size_t cpu_cache_bytes() const;
    // The view's essential tiles do not all fit in the GPU budget (until the view changes).
    bool over_budget() const { return m_over_budget; }
    std::size_t cpu_cache_budget() const { return m_options.cpu_cache; }

  private:
    struct Job {
        core::TileKey tile;
        std::size_t channel = 0;
        bool provisional = false;
        auto operator<=>(const Job&) const = default;
    };
    struct Ready {
        Job job;
        std::vector<std::byte> texels;
        int width = 0;
        int height = 0;
        std::string error;
        std::uint64_t generation = 0;  // of the source it was read from
    };
    struct Resident {
        std::vector<Texture2D> textures;  // by channel
        std::vector<bool> provisional;
        std::vector<bool> stale;  // read from a source that has since been replaced
        std::size_t bytes = 0;
    };

    void worker_loop();
    std::vector<Ready> build(const std::vector<Job>& jobs) const;  // jobs of one tile
    void enqueue(const Job& job);                                  // m_mutex held
    bool drawable(const core::TileKey& tile, const std::vector<std::size_t>& channels) const;
    bool exact(const core::TileKey& tile, const std::vector<std::size_t>& channels) const;
    // `essential`: tiles the view draws or must draw (never evicted for others); prefetched
    // tiles are wanted but may give way.
    void upload(Ready& ready, const std::set<core::TileKey>& wanted,
                const std::set<core::TileKey>& essential, std::size_t& frame_bytes);

    std::shared_ptr<const core::ImageSource> m_base;
    std::shared_ptr<core::PyramidSource> m_pyramid;
    StreamingOptions m_options;
    core::TileScheduler m_scheduler;
    core::ResidencyBudget m_budget;
    std::map<core::TileKey, Resident> m_resident;
    StreamingStats m_stats;                   // GL thread only, except:
    std::atomic<std::uint64_t> m_dropped{0};  // counted by workers and the GL thread
    bool m_over_budget = false;               // an essential tile did not fit in the GPU budget

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;     // workers wait for jobs
    std::condition_variable m_arrived;  // prepare_final waits for results
    std::deque<Job> m_jobs;
    std::set<Job> m_queued;            // queued or being built
    std::set<core::TileKey> m_wanted;  // what the last plan wanted
    std::deque<Ready> m_ready;
    bool m_stop = false;
    std::uint64_t m_generation = 0;  // bumped when the source or the caches are replaced
    std::vector<std::thread> m_workers;
};

}  // namespace tessera::gl
