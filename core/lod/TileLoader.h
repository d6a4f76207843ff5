// TileLoader: reads and builds tiles for every image of a session on one pool of worker threads,
// into one CPU cache of pyramid tiles (core/lod/TileCache). No GL here: what leaves the loader is
// a tile's texels (content plus gutter, core/lod/TileTexels), which the GPU side uploads.
//
// Each image has a TileStream: its queue of jobs (a tile of one plane, provisional or exact), the
// set of tiles its view still wants (a queued job whose tile has left is dropped before it
// starts), its finished results, and its generations. A source that changes (or is reloaded)
// reports damage; the stream forgets the cached pyramid tiles it touches and discards results
// read before it that it touches, so nothing stale is ever shown as current. Workers take jobs
// from the streams in turn, so two images on screen share the workers fairly.
//
// For deterministic tests a loader can be manual: no threads at all, and run_pending() does the
// work on the caller's thread, so a test decides exactly when each job runs.
#pragma once

#include <chrono>
#include <compare>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/image/ImageSource.h"
#include "core/lod/Pyramid.h"
#include "core/lod/TileCache.h"
#include "core/lod/TileScheduler.h"
#include "core/lod/TileTexels.h"

namespace tessera::core {

struct TileJob {
    TileKey tile;
    Plane plane;  // complete: an index on every axis
    bool provisional = false;
    auto operator<=>(const TileJob&) const = default;
};

struct TileResult {
    TileJob job;
    TileTexels texels;
    std::string error;        // empty when the read worked
    std::uint64_t epoch = 0;  // the stream's generation when the read started
    // The source changed there after the read began: newer than what was shown before, older
    // than the source. Shown, but still stale (read again), so that a tile of a source that keeps
    // changing (a live image) still makes progress.
    bool superseded = false;
    // The source's revision when the read began: the pixels are at least this new.
    std::uint64_t revision = 0;
};

struct LoaderOptions {
    unsigned workers = 0;  // 0: one per hardware thread
    bool manual = false;   // no threads: run_pending() runs the jobs (deterministic tests)
    std::size_t cpu_cache = std::size_t{256} << 20;  // built pyramid tiles, all images together
};

class TileStream;

class TileLoader {
  public:
    explicit TileLoader(LoaderOptions options = {});
    ~TileLoader();
    TileLoader(const TileLoader&) = delete;
    TileLoader& operator=(const TileLoader&) = delete;

    const std::shared_ptr<TileCache>& cache() const { return m_cache; }
    bool manual() const { return m_options.manual; }
    std::size_t worker_count() const { return m_workers.size(); }

    // Runs up to `limit` queued jobs on this thread (what workers do); returns how many ran.
    std::size_t run_pending(std::size_t limit = std::numeric_limits<std::size_t>::max());
    // Paused workers finish the job they hold and take no other until resume().
    void pause();
    void resume();

  private:
    friend class TileStream;
    struct Batch {
        TileStream* stream = nullptr;
        std::vector<TileJob> jobs;  // of one tile, all provisional or all exact
        std::shared_ptr<const Pyramid> pyramid;
        std::uint64_t epoch = 0;
    };

    std::optional<Batch> take();  // m_mutex held
    bool has_work() const;        // m_mutex held
    static std::vector<TileResult> execute(const Batch& batch);
    void finish(Batch& batch, std::vector<TileResult> results);
    void worker_loop();

    LoaderOptions m_options;
    std::shared_ptr<TileCache> m_cache;
    mutable std::mutex m_mutex;         // guards this and every stream's queues
    std::condition_variable m_wake;     // workers wait for jobs
    std::condition_variable m_arrived;  // streams wait for results (and for jobs in flight)
    std::vector<TileStream*> m_streams;
    std::size_t m_next = 0;  // the stream asked first for the next job
    bool m_stop = false;
    bool m_paused = false;
    std::vector<std::thread> m_workers;
};

class TileStream {
  public:
    TileStream(TileLoader& loader, std::shared_ptr<const ImageSource> source, int tile_size);
    ~TileStream();  // waits for its jobs in flight
    TileStream(const TileStream&) = delete;
    TileStream& operator=(const TileStream&) = delete;

    TileLoader& loader() { return m_loader; }
    const TileScheduler& scheduler() const { return m_scheduler; }
    std::shared_ptr<const ImageSource> source() const;

    // What the view wants now: these tiles at these positions (complete, an index on every
    // axis; none listed: any position). Queued jobs for anything else are dropped (counted), so
    // a slider scrubbed past a slice drops that slice's reads. Jobs of `shown` (the position the
    // view shows) are taken before those of positions read ahead, its provisional (strided,
    // fast) reads first: a slice switched to is covered before the slices ahead are read.
    void set_wanted(std::set<TileKey> wanted, std::set<std::vector<std::int64_t>> positions = {},
                    std::optional<std::vector<std::int64_t>> shown = {});
    // Queues a job unless it is queued, in flight or waiting to be taken already.
    void request(const TileJob& job);
    void notify();  // wakes the workers after requests
    // Finished results; those that a later change of the source touches are marked superseded
    // (and counted), since they show older pixels.
    std::vector<TileResult> take_ready();
    // Results taken but not used yet (the frame's upload budget is spent): first next time.
    void put_back(std::vector<TileResult> results);

    // What changed since the last call: the source's damage and reloads. Cached pyramid tiles
    // it touches are forgotten; the caller marks its textures stale.
    std::vector<Damage> poll_damage();
    // A reloaded source of the same size, channels and axes: reported by the next poll_damage
    // as damage of everything. Refused (nothing changes) for another shape.
    Result<void> replace_source(std::shared_ptr<const ImageSource> source);
    // Forgets queued work, waiting results and cached tiles (an image no longer shown).
    void reset();

    bool busy() const;  // jobs queued, in flight or results waiting
    // Until a result waits or the deadline passes (false); a manual loader runs one job instead.
    bool wait(std::chrono::steady_clock::time_point deadline);

    std::uint64_t dropped() const;     // jobs dropped because their tile left the view
    std::uint64_t discarded() const;   // results superseded because the source changed after
    std::size_t cached_bytes() const;  // this image's pyramid tiles in the shared cache
    std::uint64_t tiles_built() const;

  private:
    friend class TileLoader;
    void record_damage(const Damage& damage);  // loader mutex held
    void prune_history();                      // loader mutex held
    bool superseded(const TileResult& result) const;
    bool wants(const TileJob& job) const;  // loader mutex held
    // Drops jobs no longer wanted and says which queued job goes next (loader mutex held).
    std::deque<TileJob>::iterator next_job();

    TileLoader& m_loader;
    // Guarded by the loader's mutex:
    std::shared_ptr<const ImageSource> m_source;
    std::shared_ptr<Pyramid> m_pyramid;
    std::deque<TileJob> m_jobs;
    std::set<TileJob> m_queued;  // queued, in flight, or waiting to be taken
    std::set<TileKey> m_wanted;
    std::set<std::vector<std::int64_t>> m_wanted_positions;  // empty: any
    std::optional<std::vector<std::int64_t>> m_shown;        // its jobs go first
    std::deque<TileResult> m_ready;
    std::uint64_t m_epoch = 0;  // one more for every change of the source
    std::vector<std::pair<std::uint64_t, Damage>> m_history;  // changes older results may meet
    std::multiset<std::uint64_t> m_in_flight;                 // epochs of batches being built
    std::vector<Damage> m_reloads;  // whole-image damage of replaced sources, not polled yet
    std::uint64_t m_dropped = 0;
    std::uint64_t m_discarded = 0;

    TileScheduler m_scheduler;      // immutable
    std::uint64_t m_revision_seen;  // GL thread only
};

}  // namespace tessera::core
