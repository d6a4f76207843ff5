#include "core/lod/TileLoader.h"

#include <algorithm>

namespace tessera::core {

TileLoader::TileLoader(LoaderOptions options)
    : m_options(options), m_cache(std::make_shared<TileCache>(options.cpu_cache)) {
    if (m_options.manual) {
        return;
    }
    const unsigned workers =
        options.workers ? options.workers : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < workers; ++i) {
        m_workers.emplace_back([this] { worker_loop(); });
    }
}

TileLoader::~TileLoader() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    for (std::thread& worker : m_workers) {
        worker.join();
    }
}

void TileLoader::pause() {
    std::lock_guard lock(m_mutex);
    m_paused = true;
}

void TileLoader::resume() {
    {
        std::lock_guard lock(m_mutex);
        m_paused = false;
    }
    m_wake.notify_all();
}

bool TileLoader::has_work() const {
    return std::any_of(m_streams.begin(), m_streams.end(),
                       [](const TileStream* stream) { return !stream->m_jobs.empty(); });
}

std::optional<TileLoader::Batch> TileLoader::take() {
    for (std::size_t i = 0; i < m_streams.size(); ++i) {
        const std::size_t index = (m_next + i) % m_streams.size();
        TileStream& stream = *m_streams[index];
        const auto next = stream.next_job();
        if (next != stream.m_jobs.end()) {
            const TileJob job = *next;
            stream.m_jobs.erase(next);
            Batch batch{&stream, {job}, stream.m_pyramid, stream.m_epoch};
            // The tile's other channels are read with it (one pass over an interleaved source);
            // other positions are planes of their own, and wait their turn.
            for (auto other = stream.m_jobs.begin(); other != stream.m_jobs.end();) {
                if (other->tile == job.tile && other->provisional == job.provisional &&
                    other->plane.position == job.plane.position) {
                    batch.jobs.push_back(*other);
                    other = stream.m_jobs.erase(other);
                } else {
                    ++other;
                }
            }
            stream.m_in_flight.insert(batch.epoch);
            m_next = (index + 1) % m_streams.size();  // the next stream goes first next time
            return batch;
        }
    }
    return std::nullopt;
}

std::vector<TileResult> TileLoader::execute(const Batch& batch) {
    const Pyramid& pyramid = *batch.pyramid;
    const TileKey& tile = batch.jobs.front().tile;
    const TileScheduler& scheduler = batch.stream->m_scheduler;
    const Rect content = scheduler.level_rect(tile);
    const Rect source = gutter_source(content, scheduler.geometry().level_width(tile.level),
                                      scheduler.geometry().level_height(tile.level));
    std::vector<Plane> planes;
    std::vector<std::vector<std::byte>> reads(batch.jobs.size());
    std::vector<std::span<std::byte>> spans;
    for (std::size_t k = 0; k < batch.jobs.size(); ++k) {
        planes.push_back(batch.jobs[k].plane);
        reads[k].resize(pyramid.region_bytes(planes[k].channel, source));
        spans.emplace_back(reads[k]);
    }
    const std::uint64_t revision = pyramid.base().revision();
    Result<void> ok;
    if (batch.jobs.front().provisional) {
        for (std::size_t k = 0; ok && k < planes.size(); ++k) {
            ok = pyramid.read_region_sampled(planes[k], tile.level, source, spans[k]);
        }
    } else {
        ok = pyramid.read_regions(planes, tile.level, source, spans);
    }
    std::vector<TileResult> results(batch.jobs.size());
    for (std::size_t k = 0; k < results.size(); ++k) {
        results[k].job = batch.jobs[k];
        results[k].epoch = batch.epoch;
        results[k].revision = revision;
        if (!ok) {
            results[k].error = ok.error().message;
            continue;
        }
        results[k].texels = gutter_texels(std::move(reads[k]), source, content,
                                          pyramid.channels()[planes[k].channel].type);
    }
    return results;
}

void TileLoader::finish(Batch& batch, std::vector<TileResult> results) {
    {
        std::lock_guard lock(m_mutex);
        TileStream& stream = *batch.stream;
        stream.m_in_flight.erase(stream.m_in_flight.find(batch.epoch));
        for (TileResult& result : results) {
            stream.m_ready.push_back(std::move(result));
        }
    }
    m_arrived.notify_all();
}

void TileLoader::worker_loop() {
    while (true) {
        std::optional<Batch> batch;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stop || (!m_paused && has_work()); });
            if (m_stop) {
                return;
            }
            batch = take();
        }
        if (batch) {
            finish(*batch, execute(*batch));
        }
    }
}

std::size_t TileLoader::run_pending(std::size_t limit) {
    std::size_t ran = 0;
    while (ran < limit) {
        std::optional<Batch> batch;
        {
            std::lock_guard lock(m_mutex);
            batch = take();
        }
        if (!batch) {
            break;
        }
        finish(*batch, execute(*batch));
        ++ran;
    }
    return ran;
}

TileStream::TileStream(TileLoader& loader, std::shared_ptr<const ImageSource> source, int tile_size)
    : m_loader(loader),
      m_source(source),
      m_pyramid(std::make_shared<Pyramid>(source, loader.cache(), tile_size)),
      m_scheduler(m_pyramid->geometry(), tile_size),
      m_revision_seen(source->revision()) {
    std::lock_guard lock(m_loader.m_mutex);
    m_loader.m_streams.push_back(this);
}

TileStream::~TileStream() {
    std::unique_lock lock(m_loader.m_mutex);
    auto& streams = m_loader.m_streams;
    streams.erase(std::find(streams.begin(), streams.end(), this));
    m_loader.m_next = 0;
    m_loader.m_arrived.wait(lock, [&] { return m_in_flight.empty(); });
}

std::shared_ptr<const ImageSource> TileStream::source() const {
    std::lock_guard lock(m_loader.m_mutex);
    return m_source;
}

bool TileStream::wants(const TileJob& job) const {
    return m_wanted.count(job.tile) != 0 &&
           (m_wanted_positions.empty() || m_wanted_positions.count(job.plane.position) != 0);
}

std::deque<TileJob>::iterator TileStream::next_job() {
    for (auto job = m_jobs.begin(); job != m_jobs.end();) {
        if (wants(*job)) {
            ++job;
        } else {
            m_queued.erase(*job);  // left the view before it started
            ++m_dropped;
            job = m_jobs.erase(job);
        }
    }
    if (!m_shown) {
        return m_jobs.begin();  // in the order requested
    }
    auto best = m_jobs.end();
    int best_rank = 3;
    for (auto job = m_jobs.begin(); job != m_jobs.end() && best_rank > 0; ++job) {
        const int rank = job->plane.position != *m_shown ? 2 : job->provisional ? 0 : 1;
        if (rank < best_rank) {
            best = job;
            best_rank = rank;
        }
    }
    return best;
}

void TileStream::set_wanted(std::set<TileKey> wanted, std::set<std::vector<std::int64_t>> positions,
                            std::optional<std::vector<std::int64_t>> shown) {
    std::lock_guard lock(m_loader.m_mutex);
    m_wanted = std::move(wanted);
    m_wanted_positions = std::move(positions);
    m_shown = std::move(shown);
    for (auto job = m_jobs.begin(); job != m_jobs.end();) {
        if (!wants(*job)) {
            m_queued.erase(*job);
            ++m_dropped;
            job = m_jobs.erase(job);
        } else {
            ++job;
        }
    }
}

void TileStream::request(const TileJob& job) {
    std::lock_guard lock(m_loader.m_mutex);
    if (m_queued.insert(job).second) {
        m_jobs.push_back(job);
    }
}

void TileStream::notify() {
    m_loader.m_wake.notify_all();
}

bool TileStream::superseded(const TileResult& result) const {
    return std::any_of(m_history.begin(), m_history.end(), [&](const auto& entry) {
        const auto& [epoch, damage] = entry;
        return epoch > result.epoch && damage.touches(result.job.plane) &&
               m_scheduler.touches(result.job.tile, damage.rect);
    });
}

std::vector<TileResult> TileStream::take_ready() {
    std::lock_guard lock(m_loader.m_mutex);
    std::vector<TileResult> out;
    while (!m_ready.empty()) {
        TileResult result = std::move(m_ready.front());
        m_ready.pop_front();
        m_queued.erase(result.job);
        if (superseded(result)) {
            ++m_discarded;  // the source changed there after the read began
            result.superseded = true;
        }
        out.push_back(std::move(result));
    }
    prune_history();
    return out;
}

void TileStream::put_back(std::vector<TileResult> results) {
    std::lock_guard lock(m_loader.m_mutex);
    for (auto result = results.rbegin(); result != results.rend(); ++result) {
        m_queued.insert(result->job);
        m_ready.push_front(std::move(*result));
    }
}

void TileStream::record_damage(const Damage& damage) {
    ++m_epoch;
    m_history.emplace_back(m_epoch, damage);
    m_pyramid->invalidate(damage);
}

void TileStream::prune_history() {
    // A change matters only to results read before it: none in flight or waiting, none left.
    std::uint64_t oldest = m_epoch;
    if (!m_in_flight.empty()) {
        oldest = std::min(oldest, *m_in_flight.begin());
    }
    for (const TileResult& result : m_ready) {
        oldest = std::min(oldest, result.epoch);
    }
    std::erase_if(m_history, [&](const auto& entry) { return entry.first <= oldest; });
}

std::vector<Damage> TileStream::poll_damage() {
    std::shared_ptr<const ImageSource> source = this->source();
    const std::uint64_t revision = source->revision();
    std::vector<Damage> damage;
    if (revision != m_revision_seen) {
        damage = source->damage_since(m_revision_seen);
        m_revision_seen = revision;
    }
    std::lock_guard lock(m_loader.m_mutex);
    damage.insert(damage.begin(), m_reloads.begin(), m_reloads.end());
    m_reloads.clear();
    for (const Damage& change : damage) {
        record_damage(change);
    }
    prune_history();
    return damage;
}

Result<void> TileStream::replace_source(std::shared_ptr<const ImageSource> source) {
    std::lock_guard lock(m_loader.m_mutex);
    const bool same = same_shape(*source, *m_source);
    if (!same) {
        return Error{"the new image differs in size, channels or axes"};
    }
    m_source = source;
    m_pyramid = std::make_shared<Pyramid>(source, m_loader.cache(), m_scheduler.tile_size());
    m_revision_seen = source->revision();
    m_reloads.push_back({source->bounds(), {}});
    return {};
}

void TileStream::reset() {
    std::lock_guard lock(m_loader.m_mutex);
    m_jobs.clear();
    m_queued.clear();
    m_wanted.clear();
    m_wanted_positions.clear();
    m_ready.clear();
    // Jobs in flight still finish; a whole-image change after them discards their results.
    m_pyramid = std::make_shared<Pyramid>(m_source, m_loader.cache(), m_scheduler.tile_size());
    ++m_epoch;
    m_history.emplace_back(m_epoch, Damage{m_source->bounds(), {}});
    prune_history();
}

bool TileStream::busy() const {
    std::lock_guard lock(m_loader.m_mutex);
    return !m_queued.empty() || !m_in_flight.empty() || !m_ready.empty();
}

bool TileStream::wait(std::chrono::steady_clock::time_point deadline) {
    if (m_loader.manual()) {
        m_loader.run_pending(1);
        std::lock_guard lock(m_loader.m_mutex);
        return !m_ready.empty();
    }
    std::unique_lock lock(m_loader.m_mutex);
    return m_loader.m_arrived.wait_until(lock, deadline, [&] { return !m_ready.empty(); });
}

std::uint64_t TileStream::dropped() const {
    std::lock_guard lock(m_loader.m_mutex);
    return m_dropped;
}

std::uint64_t TileStream::discarded() const {
    std::lock_guard lock(m_loader.m_mutex);
    return m_discarded;
}

std::size_t TileStream::cached_bytes() const {
    std::lock_guard lock(m_loader.m_mutex);
    return m_pyramid->cached_bytes();
}

std::uint64_t TileStream::tiles_built() const {
    std::lock_guard lock(m_loader.m_mutex);
    return m_pyramid->tiles_built();
}

}  // namespace tessera::core
