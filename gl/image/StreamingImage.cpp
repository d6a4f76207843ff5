#include "gl/image/StreamingImage.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "gl/image/TileTexels.h"
#include "gl/objects/Error.h"

namespace tessera::gl {
namespace {

int content_size(const StreamingOptions& options) {
    GLint limit = 0;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &limit);
    const int max_texture =
        options.max_texture_size > 0 ? std::min<int>(options.max_texture_size, limit) : limit;
    return std::max(1, std::min(options.tile_size, max_texture - 2 * core::kTileGutter));
}

}  // namespace

StreamingImage::StreamingImage(std::shared_ptr<const core::ImageSource> source,
                               StreamingOptions options)
    : m_base(source),
      m_pyramid(
          std::make_shared<core::PyramidSource>(source, options.cpu_cache, content_size(options))),
      m_options(options),
      m_scheduler(m_pyramid->geometry(), content_size(options)) {
    const unsigned workers =
        options.workers ? options.workers : std::max(1u, std::thread::hardware_concurrency());
    for (unsigned i = 0; i < workers; ++i) {
        m_workers.emplace_back([this] { worker_loop(); });
    }
}

StreamingImage::~StreamingImage() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    for (std::thread& worker : m_workers) {
        worker.join();
    }
}

void StreamingImage::worker_loop() {
    while (true) {
        std::vector<Job> batch;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stop || !m_jobs.empty(); });
            if (m_stop) {
                return;
            }
            const Job job = m_jobs.front();
            m_jobs.pop_front();
            if (!m_wanted.count(job.tile)) {
                m_queued.erase(job);  // left the view before it started
                ++m_dropped;
                continue;
            }
            // The tile's other channels are read with it (one pass over an interleaved source).
            batch.push_back(job);
            for (auto other = m_jobs.begin(); other != m_jobs.end();) {
                if (other->tile == job.tile && other->provisional == job.provisional) {
                    batch.push_back(*other);
                    other = m_jobs.erase(other);
                } else {
                    ++other;
                }
            }
        }
        std::vector<Ready> built = build(batch);
        {
            std::lock_guard lock(m_mutex);
            for (Ready& ready : built) {
                m_ready.push_back(std::move(ready));
            }
        }
        m_arrived.notify_all();
    }
}

std::vector<StreamingImage::Ready> StreamingImage::build(const std::vector<Job>& jobs) const {
    std::shared_ptr<core::PyramidSource> pyramid;
    std::uint64_t generation = 0;
    {
        std::lock_guard lock(m_mutex);  // replace_source swaps the pyramid
        pyramid = m_pyramid;
        generation = m_generation;
    }
    const core::TileKey& tile = jobs.front().tile;  // every job is of this tile
    const core::Rect content = m_scheduler.level_rect(tile);
    const std::int64_t level_w = m_scheduler.geometry().level_width(tile.level);
    const std::int64_t level_h = m_scheduler.geometry().level_height(tile.level);
    const core::Rect source = gutter_source(content, level_w, level_h);
    std::vector<std::size_t> channels;
    std::vector<std::vector<std::byte>> reads(jobs.size());
    std::vector<std::span<std::byte>> spans;
    for (std::size_t k = 0; k < jobs.size(); ++k) {
        channels.push_back(jobs[k].channel);
        reads[k].resize(pyramid->region_bytes(jobs[k].channel, source));
        spans.emplace_back(reads[k]);
    }
    core::Result<void> ok;
    if (jobs.front().provisional) {
        for (std::size_t k = 0; ok && k < jobs.size(); ++k) {
            ok = pyramid->read_region_sampled(channels[k], tile.level, source, spans[k]);
        }
    } else {
        ok = pyramid->read_regions(channels, tile.level, source, spans);
    }
    std::vector<Ready> built(jobs.size());
    for (std::size_t k = 0; k < jobs.size(); ++k) {
        Ready& ready = built[k];
        ready.job = jobs[k];
        ready.generation = generation;
        if (!ok) {
            ready.error = ok.error().message;
            continue;
        }
        TileTexels padded =
            gutter_texels(reads[k], source, content, pyramid->channels()[channels[k]].type);
        ready.width = padded.width;
        ready.height = padded.height;
        ready.texels = std::move(padded.data);
    }
    return built;
}

void StreamingImage::enqueue(const Job& job) {
    if (m_queued.insert(job).second) {
        m_jobs.push_back(job);
    }
}

bool StreamingImage::drawable(const core::TileKey& tile,
                              const std::vector<std::size_t>& channels) const {
    const auto found = m_resident.find(tile);
    if (found == m_resident.end()) {
        return false;
    }
    return std::all_of(channels.begin(), channels.end(),
                       [&](std::size_t c) { return static_cast<bool>(found->second.textures[c]); });
}

bool StreamingImage::exact(const core::TileKey& tile,
                           const std::vector<std::size_t>& channels) const {
    const auto found = m_resident.find(tile);
    return found != m_resident.end() &&
           std::none_of(channels.begin(), channels.end(), [&](std::size_t c) {
               return found->second.provisional[c] || found->second.stale[c];
           });
}

void StreamingImage::upload(Ready& ready, const std::set<core::TileKey>& wanted,
                            const std::set<core::TileKey>& essential, std::size_t& frame_bytes) {
    const Job& job = ready.job;
    if (!wanted.count(job.tile)) {
        ++m_dropped;
        return;
    }
    auto resident = m_resident.find(job.tile);
    const std::size_t bytes = ready.texels.size();
    const bool replaces = resident != m_resident.end() && resident->second.textures[job.channel];
    if (!replaces) {
        // A prefetched tile may only displace what the view does not want; a visible one may
        // displace prefetched tiles too.
        const bool is_essential = essential.count(job.tile) != 0;
        for (const core::TileKey& victim :
             m_budget.victims(bytes, m_options.gpu_budget, is_essential ? essential : wanted)) {
            m_budget.erase(victim);
            m_resident.erase(victim);
            ++m_stats.evicted;
        }
        if (m_budget.bytes() + bytes > m_options.gpu_budget) {
            m_over_budget = m_over_budget || is_essential;
            return;  // never exceed the budget
        }
        resident = m_resident.find(job.tile);
    }
    if (resident == m_resident.end()) {
        Resident fresh;
        fresh.textures.resize(m_base->channel_count());
        fresh.provisional.resize(m_base->channel_count(), false);
        fresh.stale.resize(m_base->channel_count(), false);
        resident = m_resident.emplace(job.tile, std::move(fresh)).first;
    }
    Texture2D& texture = resident->second.textures[job.channel];
    if (replaces && texture.width() == ready.width && texture.height() == ready.height) {
        texture.upload(0, 0, ready.width, ready.height, ready.texels.data());  // in place
    } else {
        texture = Texture2D::create(ready.width, ready.height,
                                    channel_texture_format(m_base->channels()[job.channel].type),
                                    ready.texels.data());
        resident->second.bytes += bytes;
        ++m_stats.textures_created;
    }
    resident->second.provisional[job.channel] = job.provisional;
    resident->second.stale[job.channel] = false;
    m_budget.insert(job.tile, resident->second.bytes);
    m_stats.uploads += 1;
    m_stats.bytes += bytes;
    m_stats.peak_texture_bytes =
        std::max<std::uint64_t>(m_stats.peak_texture_bytes, m_budget.bytes());
    frame_bytes += bytes;
    // (prepare() asks for the exact tile once a provisional one is drawn at the view's level.)
}

core::Result<StreamingFrame> StreamingImage::prepare(const core::View& view,
                                                     const std::vector<std::size_t>& channels) {
    const auto resident = [&](const core::TileKey& tile) {
        return drawable(tile, channels);
    };
    core::TilePlan plan = m_scheduler.plan(view, resident, m_options.prefetch_ring);
    std::vector<Ready> arrived;
    {
        std::lock_guard lock(m_mutex);
        if (plan.wanted != m_wanted) {
            m_over_budget = false;  // a new view may fit
        }
        m_wanted = plan.wanted;
        // Drop queued requests whose tile has left the view.
        for (auto job = m_jobs.begin(); job != m_jobs.end();) {
            if (!m_wanted.count(job->tile)) {
                m_queued.erase(*job);
                ++m_dropped;
                job = m_jobs.erase(job);
            } else {
                ++job;
            }
        }
        // Coverage tiles (coarser than the view's level) stay provisional: an exact coarse tile of
        // a huge image is the mean of most of it. Exact tiles are built for the view's level only.
        for (const core::TileKey& tile : plan.requests) {
            for (std::size_t c : channels) {
                const auto found = m_resident.find(tile);
                if (found == m_resident.end() || !found->second.textures[c]) {
                    const bool coarse = tile.level > plan.level;
                    enqueue({tile, c, (m_options.provisional && tile.level >= 2) || coarse});
                }
            }
        }
        while (!m_ready.empty()) {
            arrived.push_back(std::move(m_ready.front()));
            m_ready.pop_front();
        }
    }
    m_wake.notify_all();

    std::set<core::TileKey> essential;
    for (const core::TileKey& tile : m_scheduler.visible(plan.level, view)) {
        essential.insert(tile);
    }
    for (const core::TileKey& tile : m_scheduler.visible(m_scheduler.geometry().levels - 1, view)) {
        essential.insert(tile);
    }
    for (const core::DrawItem& item : plan.draws) {
        essential.insert(item.tile);
    }
    std::size_t frame_bytes = 0;
    std::string error;
    std::vector<Ready> later;
    for (Ready& ready : arrived) {
        {
            std::lock_guard lock(m_mutex);
            m_queued.erase(ready.job);
            if (ready.generation != m_generation) {
                continue;  // read from a source or cache that has since been replaced
            }
        }
        if (!ready.error.empty()) {
            error = ready.error;
            continue;
        }
        if (frame_bytes > 0 && frame_bytes + ready.texels.size() > m_options.upload_budget) {
            later.push_back(std::move(ready));  // this frame's upload budget is spent
            continue;
        }
        upload(ready, plan.wanted, essential, frame_bytes);
    }
    if (!later.empty()) {
        std::lock_guard lock(m_mutex);
        for (Ready& ready : later) {
            m_queued.insert(ready.job);
            m_ready.push_front(std::move(ready));
        }
    }
    TESSERA_GL_CHECK();
    if (!error.empty()) {
        return core::Error{error};
    }

    // Draw what is resident now; provisional tiles of the view's level that have just arrived
    // ask for their exact versions at once (waiting for the next frame could wait for nothing).
    plan = m_scheduler.plan(view, resident, 0);
    {
        std::lock_guard lock(m_mutex);
        for (const core::DrawItem& item : plan.draws) {
            const Resident& r = m_resident.at(item.tile);
            const bool ideal = item.tile.level == plan.level;
            for (std::size_t c : channels) {
                if (ideal && (r.provisional[c] || r.stale[c])) {
                    enqueue({item.tile, c, false});
                } else if (r.stale[c]) {
                    enqueue({item.tile, c, true});  // coverage of a reloaded source
                }
            }
        }
    }
    m_wake.notify_all();
    StreamingFrame frame;
    frame.level = plan.level;
    for (const core::DrawItem& item : plan.draws) {
        const Resident& r = m_resident.at(item.tile);
        m_budget.touch(item.tile);
        TileDraw draw;
        draw.level = item.tile.level;
        draw.content = m_scheduler.level_rect(item.tile);
        draw.clip = item.clip;
        for (const Texture2D& texture : r.textures) {
            draw.textures.push_back(texture ? &texture : nullptr);
        }
        frame.draws.push_back(std::move(draw));
        if (!item.final || !exact(item.tile, channels)) {
            ++frame.pending;
            frame.not_final.push_back(item.clip);
        }
    }
    const std::vector<core::TileKey> visible = m_scheduler.visible(plan.level, view);
    frame.visible = static_cast<int>(visible.size());
    frame.covered = frame.draws.size() == visible.size();
    if (!frame.covered) {
        for (const core::TileKey& tile : visible) {
            const core::Rect rect = m_scheduler.image_rect(tile);
            const bool has_draw =
                std::any_of(plan.draws.begin(), plan.draws.end(),
                            [&](const core::DrawItem& d) { return d.clip == rect; });
            if (!has_draw) {
                ++frame.pending;
                frame.not_final.push_back(rect);
            }
        }
    }
    frame.final = frame.pending == 0;
    return frame;
}

core::Result<StreamingFrame> StreamingImage::prepare_final(const core::View& view,
                                                           const std::vector<std::size_t>& channels,
                                                           std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int rounds_without_work = 0;
    while (true) {
        auto frame = prepare(view, channels);
        if (!frame || frame->final) {
            return frame;
        }
        if (m_over_budget) {
            return core::Error{fmt::format(
                "the view needs more texture memory than the GPU budget of {} MB allows",
                m_options.gpu_budget >> 20)};
        }
        std::unique_lock lock(m_mutex);
        if (m_queued.empty() && m_ready.empty()) {
            // Nothing queued or in flight (results of a replaced source were just discarded):
            // the next prepare() asks again for what is missing. Nothing to ask for is a bug.
            if (++rounds_without_work > 3) {
                return core::Error{"the image's tiles stopped arriving"};
            }
            continue;
        }
        rounds_without_work = 0;
        if (!m_arrived.wait_until(lock, deadline, [&] { return !m_ready.empty(); }) &&
            m_ready.empty()) {
            return core::Error{"timed out waiting for the image's tiles"};
        }
    }
}

core::Result<void> StreamingImage::replace_source(std::shared_ptr<const core::ImageSource> source) {
    bool same = source->width() == m_base->width() && source->height() == m_base->height() &&
                source->channel_count() == m_base->channel_count();
    for (std::size_t c = 0; same && c < source->channel_count(); ++c) {
        same = source->channels()[c].name == m_base->channels()[c].name &&
               source->channels()[c].type == m_base->channels()[c].type;
    }
    if (!same) {
        return core::Error{"the new image differs in size or channels"};
    }
    {
        std::lock_guard lock(m_mutex);
        m_base = source;
        m_pyramid = std::make_shared<core::PyramidSource>(source, m_options.cpu_cache,
                                                          m_scheduler.tile_size());
        ++m_generation;
        for (const Ready& stale : m_ready) {
            m_queued.erase(stale.job);
        }
        m_ready.clear();
    }
    // Nothing is read here (the GL thread never waits for I/O): resident tiles keep showing the
    // old pixels, counted as not final, until their replacements arrive and are uploaded in place.
    for (auto& [tile, resident] : m_resident) {
        std::fill(resident.stale.begin(), resident.stale.end(), true);
    }
    return {};
}

void StreamingImage::release() {
    {
        std::lock_guard lock(m_mutex);
        m_jobs.clear();
        m_queued.clear();
        m_wanted.clear();
        m_ready.clear();
        m_pyramid = std::make_shared<core::PyramidSource>(m_base, m_options.cpu_cache,
                                                          m_scheduler.tile_size());
        ++m_generation;
    }
    // Jobs being built still finish; their results are of an old generation and are dropped.
    m_resident.clear();
    m_budget = core::ResidencyBudget{};
}

std::size_t StreamingImage::cpu_cache_bytes() const {
    std::lock_guard lock(m_mutex);
    return m_pyramid->cached_bytes();
}

}  // namespace tessera::gl
