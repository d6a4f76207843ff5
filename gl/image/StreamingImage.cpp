#include "gl/image/StreamingImage.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "gl/image/ChannelFormat.h"
#include "gl/objects/Error.h"

namespace tessera::gl {
namespace {

constexpr std::size_t kRecentPositions = 8;

int content_size(const StreamingOptions& options) {
    GLint limit = 0;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &limit);
    const int max_texture =
        options.max_texture_size > 0 ? std::min<int>(options.max_texture_size, limit) : limit;
    return std::max(1, std::min(options.tile_size, max_texture - 2 * core::kTileGutter));
}

}  // namespace

StreamingImage::StreamingImage(std::shared_ptr<const core::ImageSource> source,
                               core::TileLoader& loader, std::shared_ptr<TextureCache> textures,
                               StreamingOptions options)
    : m_stream(std::make_unique<core::TileStream>(loader, source, content_size(options))),
      m_textures(std::move(textures)),
      m_id(TextureCache::new_image()),
      m_options(options) {}

StreamingImage::StreamingImage(std::shared_ptr<const core::ImageSource> source,
                               StreamingOptions options)
    : m_own_loader(std::make_unique<core::TileLoader>(
          core::LoaderOptions{options.workers, false, options.cpu_cache})),
      m_stream(std::make_unique<core::TileStream>(*m_own_loader, source, content_size(options))),
      m_textures(std::make_shared<TextureCache>(options.gpu_budget)),
      m_id(TextureCache::new_image()),
      m_options(options) {}

StreamingImage::~StreamingImage() {
    m_stream.reset();  // before the loader it may own
    m_textures->erase(m_id);
}

StreamingStats StreamingImage::stats() const {
    StreamingStats stats = m_stats;
    stats.dropped = m_stream->dropped();
    stats.discarded = m_stream->discarded();
    stats.peak_texture_bytes = m_textures->peak_bytes();
    return stats;
}

core::PlanOptions StreamingImage::plan_options(int prefetch_ring) const {
    core::PlanOptions options;
    options.prefetch_ring = prefetch_ring;
    if (m_options.policy == StreamingPolicy::FullResolution) {
        options.prefetch_ring = 0;
        options.coverage = false;
        options.level = 0;
    }
    return options;
}

std::vector<core::Plane> StreamingImage::planes_of(
    const std::vector<std::size_t>& channels, const std::vector<std::int64_t>& position) const {
    std::vector<std::int64_t> full = position;
    full.resize(m_stream->source()->axes().size(), 0);
    std::vector<core::Plane> planes;
    for (std::size_t c : channels) {
        planes.push_back({c, full});
    }
    return planes;
}

bool StreamingImage::drawable(const core::TileKey& tile,
                              const std::vector<core::Plane>& planes) const {
    return std::all_of(planes.begin(), planes.end(), [&](const core::Plane& plane) {
        return m_textures->find(key(tile, plane)) != nullptr;
    });
}

bool StreamingImage::exact(const core::TileKey& tile,
                           const std::vector<core::Plane>& planes) const {
    return std::all_of(planes.begin(), planes.end(), [&](const core::Plane& plane) {
        const TextureEntry* entry = m_textures->find(key(tile, plane));
        return entry != nullptr && !entry->provisional && !entry->stale;
    });
}

const Texture2D* StreamingImage::texture(const core::TileKey& tile,
                                         const core::Plane& plane) const {
    auto full = m_stream->source()->complete(plane);
    const TextureEntry* entry = full ? m_textures->find(key(tile, *full)) : nullptr;
    return entry != nullptr ? &entry->texture : nullptr;
}

void StreamingImage::apply_damage() {
    // Every change up to this revision is in the damage polled next: textures not marked stale
    // by it show the source as of this revision at least.
    const std::uint64_t previous = m_revision_polled;
    m_revision_polled = m_stream->source()->revision();
    const std::vector<core::Damage> damage = m_stream->poll_damage();
    if (damage.empty()) {
        return;
    }
    m_last_damage = std::chrono::steady_clock::now();
    for (const core::Damage& change : damage) {
        if (m_frames.add(change)) {
            (m_frame_end ? m_next_frame_end : m_frame_end) = m_revision_polled;
        }
    }
    const core::TileScheduler& scheduler = m_stream->scheduler();
    m_textures->for_each(m_id, [&](const TextureKey& texture, TextureEntry& entry) {
        for (const core::Damage& change : damage) {
            if (!entry.stale && change.touches(texture.plane) &&
                scheduler.touches(texture.tile, change.rect)) {
                entry.stale = true;
                entry.revision = std::max(entry.revision, previous);
                ++m_stats.damaged;
            }
        }
    });
    // A held re-read older than a change is superseded too: uploaded, it stays stale.
    for (auto& [texture, result] : m_held) {
        for (const core::Damage& change : damage) {
            if (change.touches(texture.plane) && scheduler.touches(texture.tile, change.rect)) {
                result.superseded = true;
            }
        }
    }
}

core::Result<void> StreamingImage::upload(core::TileResult& result, bool essential,
                                          std::size_t& frame_bytes) {
    const core::TileJob& job = result.job;
    const bool position_wanted =
        m_wanted_positions.count(job.plane.position) != 0 ||
        std::find(m_recent.begin(), m_recent.end(), job.plane.position) != m_recent.end();
    if (!m_wanted.count(job.tile) || !position_wanted) {
        return {};  // left the view (or the slice was left long ago) while it was read
    }
    const core::TileTexels& texels = result.texels;
    const std::size_t bytes = texels.data.size();
    TextureEntry* entry = m_textures->find(key(job.tile, job.plane));
    if (entry != nullptr && entry->texture.width() == texels.width &&
        entry->texture.height() == texels.height) {
        entry->texture.upload(0, 0, texels.width, texels.height, texels.data.data());  // in place
    } else {
        if (!m_textures->make_room(bytes, essential, m_stats.evicted)) {
            m_over_budget = m_over_budget || essential;
            return {};  // never exceed the budget
        }
        const core::SampleType type = m_stream->source()->channels()[job.plane.channel].type;
        const PixelFormat format = channel_texture_format(type);
        TextureEntry fresh;
        fresh.bytes = bytes;
        if (auto spare = m_textures->take_spare(texels.width, texels.height, format)) {
            fresh.texture = std::move(*spare);
            fresh.texture.upload(0, 0, texels.width, texels.height, texels.data.data());
            ++m_stats.textures_reused;
        } else {
            auto texture =
                Texture2D::create(texels.width, texels.height, format, texels.data.data());
            if (!texture) {
                return core::Error{fmt::format("tile ({}, {}) of level {}: {}", job.tile.column,
                                               job.tile.row, job.tile.level,
                                               texture.error().message)};
            }
            fresh.texture = std::move(texture).value();
            ++m_stats.textures_created;
        }
        entry = &m_textures->insert(key(job.tile, job.plane), std::move(fresh));
    }
    entry->provisional = job.provisional;
    entry->stale = result.superseded;  // then it is read again
    entry->revision = result.revision;
    m_textures->touch(key(job.tile, job.plane));
    m_stats.uploads += 1;
    m_stats.bytes += bytes;
    frame_bytes += bytes;
    return {};
}

bool StreamingImage::refreshed(const std::vector<TextureKey>& drawn,
                               std::optional<std::uint64_t> frame_end) const {
    return std::all_of(drawn.begin(), drawn.end(), [&](const TextureKey& texture) {
        const TextureEntry* entry = m_textures->find(texture);
        if (entry == nullptr || !entry->stale || (frame_end && entry->revision >= *frame_end)) {
            return true;  // current, or it shows the frame (only the next one changed it)
        }
        const auto held = m_held.find(texture);
        return held != m_held.end() &&
               (!held->second.superseded || (frame_end && held->second.revision >= *frame_end));
    });
}

void StreamingImage::hold_refreshes(std::vector<core::TileResult>& arrived,
                                    const std::vector<TextureKey>& drawn) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<core::TileResult> rest;
    const bool holding = !m_held.empty();
    for (core::TileResult& result : arrived) {
        const TextureKey texture = key(result.job.tile, result.job.plane);
        const TextureEntry* entry = m_textures->find(texture);
        const bool refresh = result.error.empty() && entry != nullptr && entry->stale &&
                             entry->texture.width() == result.texels.width &&
                             entry->texture.height() == result.texels.height;
        if (!refresh) {
            rest.push_back(std::move(result));
            continue;
        }
        m_held.insert_or_assign(texture, std::move(result));
    }
    arrived = std::move(rest);
    // Whole: everything drawn is as new as every change polled, so no frame waits either. A
    // frame: everything drawn is as new as the end of the frame that ended first.
    const bool whole = refreshed(drawn);
    const bool frame = m_frame_end && refreshed(drawn, m_frame_end);
    const bool shown = whole || frame;  // with what is held, or already (nothing of it drawn)
    if (!m_held.empty()) {
        if (!holding) {
            m_held_since = now;
        }
        if (!shown && !m_release_held && now - m_held_since < m_options.refresh_hold) {
            return;
        }
        for (auto& [texture, result] : m_held) {
            arrived.push_back(std::move(result));
        }
        m_held.clear();
        m_release_held = false;
    }
    if (whole) {
        m_frame_end.reset();
        m_next_frame_end.reset();
    } else if (frame) {
        m_frame_end = m_next_frame_end;
        m_next_frame_end.reset();
    }
}

core::Result<StreamingFrame> StreamingImage::prepare(
    const core::View& view, const std::vector<std::size_t>& channels,
    const std::vector<std::int64_t>& position, const std::vector<std::vector<std::int64_t>>& ahead,
    bool moving) {
    const std::vector<core::Plane> planes = planes_of(channels, position);
    const std::vector<std::int64_t>& here = planes.empty() ? position : planes.front().position;
    const core::TileScheduler& scheduler = m_stream->scheduler();
    apply_damage();
    const auto resident = [&](const core::TileKey& tile) {
        return drawable(tile, planes);
    };
    core::TilePlan plan = scheduler.plan(view, resident, plan_options(m_options.prefetch_ring));
    std::set<std::vector<std::int64_t>> positions{here};
    std::vector<std::vector<core::Plane>> ahead_planes;
    for (const std::vector<std::int64_t>& next : ahead) {
        ahead_planes.push_back(planes_of(channels, next));
        if (!ahead_planes.back().empty()) {
            positions.insert(ahead_planes.back().front().position);
        }
    }
    const bool moved = plan.wanted != m_wanted || positions != m_wanted_positions;
    if (moved) {
        m_over_budget = false;  // a new view may fit
    }
    m_wanted = plan.wanted;
    m_wanted_positions = positions;
    m_stream->set_wanted(plan.wanted, positions, here);
    if (m_recent.empty() || m_recent.front() != here) {
        m_recent.erase(std::remove(m_recent.begin(), m_recent.end(), here), m_recent.end());
        m_recent.push_front(here);
        if (m_recent.size() > kRecentPositions) {
            m_recent.pop_back();
        }
    }
    // Coverage tiles (coarser than the view's level) stay provisional: an exact coarse tile of a
    // huge image is the mean of most of it. Exact tiles are built for the view's level only.
    const int top = scheduler.geometry().levels - 1;
    for (const core::TileKey& tile : plan.requests) {
        if (moving && tile.level != top) {
            continue;  // playing: coverage only
        }
        for (const core::Plane& plane : planes) {
            if (m_textures->find(key(tile, plane)) == nullptr) {
                const bool coarse = tile.level > plan.level;
                m_stream->request(
                    {tile, plane, (m_options.provisional && tile.level >= 2) || coarse});
            }
        }
    }
    // Slices ahead: their coverage tiles (provisional), then the tiles the view shows, exact
    // (playing: coverage only). The loader takes them after this slice's reads.
    const std::vector<core::TileKey> visible = scheduler.visible(plan.level, view);
    const std::vector<core::TileKey> coverage = plan_options(0).coverage || moving
                                                    ? scheduler.visible(top, view)
                                                    : std::vector<core::TileKey>{};
    for (const std::vector<core::Plane>& next : ahead_planes) {
        for (const bool exact : {false, true}) {
            if (exact && (moving || plan.level == top)) {
                break;  // coverage is all a player shows; at the top level it is the view
            }
            for (const core::TileKey& tile : exact ? visible : coverage) {
                for (const core::Plane& plane : next) {
                    if (m_textures->find(key(tile, plane)) == nullptr) {
                        m_stream->request({tile, plane, !exact});
                    }
                }
            }
        }
    }
    m_stream->notify();

    std::set<core::TileKey> essential(visible.begin(), visible.end());
    if (plan_options(0).coverage) {
        for (const core::TileKey& tile : scheduler.visible(scheduler.geometry().levels - 1, view)) {
            essential.insert(tile);
        }
    }
    for (const core::DrawItem& item : plan.draws) {
        essential.insert(item.tile);
    }
    // Essential: this slice. The one on screen while it loads, and the slices read ahead, give
    // way to it when the budget is tight (it is what the view asks for).
    TextureCache::Positions wanted_positions = positions;
    if (m_shown) {
        wanted_positions.insert(*m_shown);
    }
    m_textures->protect(m_id, essential, plan.wanted, {here}, wanted_positions);

    std::size_t frame_bytes = 0;
    std::string error;
    // What this frame needs first. The rest (tiles around the view, slices ahead) waits for a
    // frame that needs nothing: a slice switched to shows as soon as its own tiles are up. On the
    // first frame of a switch, a coverage tile that arrived goes up alone: the slice shows from
    // it at once, and its exact tiles (each a texture to create) follow on the next frame.
    std::vector<core::TileResult> arrived = m_stream->take_ready();
    std::vector<TextureKey> drawn;
    for (const core::DrawItem& item : plan.draws) {
        for (const core::Plane& plane : planes) {
            drawn.push_back(key(item.tile, plane));
        }
    }
    hold_refreshes(arrived, drawn);
    const auto needed = [&](const core::TileResult& result) {
        return essential.count(result.job.tile) != 0 && result.job.plane.position == here;
    };
    std::stable_partition(arrived.begin(), arrived.end(), needed);
    const bool switching = m_shown && *m_shown != here;
    const bool coverage_arrived =
        switching && std::any_of(arrived.begin(), arrived.end(), [&](const auto& result) {
            return needed(result) && result.job.tile.level == top && result.error.empty();
        });
    std::vector<core::TileResult> later;
    bool uploaded_needed = false;
    for (core::TileResult& result : arrived) {
        if (!result.error.empty()) {
            error = result.error;
            continue;
        }
        const bool need = needed(result);
        if ((frame_bytes > 0 &&
             frame_bytes + result.texels.data.size() > m_options.upload_budget) ||
            (!need && uploaded_needed) || (coverage_arrived && result.job.tile.level != top)) {
            later.push_back(std::move(result));  // budget spent, or not needed now: next frame
            continue;
        }
        if (auto ok = upload(result, need, frame_bytes); !ok) {
            error = ok.error().message;
        }
        uploaded_needed = uploaded_needed || need;
    }
    m_stream->put_back(std::move(later));
    m_textures->release_spares();
    TESSERA_GL_CHECK();
    if (!error.empty()) {
        return core::Error{error};
    }

    StreamingFrame frame = frame_of(view, planes, !moving);
    if (frame.covered) {
        m_shown = here;
        return frame;
    }
    // Not covered yet: the newest slice asked for lately that is (a player skipping ahead shows
    // what arrived), else the one drawn last; either stays not final.
    for (const std::vector<std::int64_t>& recent : m_recent) {
        if (recent == here) {
            continue;
        }
        if (m_shown && recent == *m_shown) {
            break;  // nothing newer arrived
        }
        StreamingFrame newer = frame_of(view, planes_of(channels, recent), false);
        if (newer.covered) {
            m_shown = recent;
            break;
        }
    }
    if (m_shown && *m_shown != here) {
        // The new slice has nothing to show yet: the last one stays, not final, meanwhile.
        StreamingFrame previous = frame_of(view, planes_of(channels, *m_shown), false);
        if (previous.covered) {
            previous.final = false;
            previous.pending = std::max(previous.pending, frame.pending);
            previous.not_final = frame.not_final;
            for (const TileDraw& draw : previous.draws) {
                previous.not_final.push_back(draw.clip);
            }
            return previous;
        }
    }
    return frame;
}

StreamingFrame StreamingImage::frame_of(const core::View& view,
                                        const std::vector<core::Plane>& planes, bool ask_exact) {
    const core::TileScheduler& scheduler = m_stream->scheduler();
    const auto resident = [&](const core::TileKey& tile) {
        return drawable(tile, planes);
    };
    // Draw what is resident now; provisional or stale tiles that are drawn ask for their exact
    // versions at once (waiting for the next frame could wait for nothing).
    const core::TilePlan plan = scheduler.plan(view, resident, plan_options(0));
    if (ask_exact) {
        const bool changing = this->changing(std::chrono::steady_clock::now());
        for (const core::DrawItem& item : plan.draws) {
            const bool ideal = item.tile.level == plan.level;
            for (const core::Plane& plane : planes) {
                const TextureEntry* entry = m_textures->find(key(item.tile, plane));
                // A held re-read waits for the others. One that a later change touched is read
                // again once a frame of changes has ended after it was read: while a client
                // sweeps over a tile, reading it again and again would be work for nothing.
                const auto held = m_held.find(key(item.tile, plane));
                if (held != m_held.end() && !(held->second.superseded && m_frame_end &&
                                              held->second.revision < *m_frame_end)) {
                    continue;
                }
                if (ideal && changing && item.tile.level >= 2 && m_options.provisional) {
                    if (entry->stale) {
                        m_stream->request({item.tile, plane, true});  // strided while it changes
                    }
                } else if (ideal && entry->stale) {
                    m_stream->request({item.tile, plane, false});
                } else if (ideal && entry->provisional) {
                    m_stream->request({item.tile, plane, false});
                } else if (entry->stale) {
                    m_stream->request({item.tile, plane, true});  // coverage of a changed source
                }
            }
        }
        m_stream->notify();
    }
    StreamingFrame frame;
    frame.level = plan.level;
    frame.position = planes.empty() ? std::vector<std::int64_t>{} : planes.front().position;
    const std::size_t channel_count = m_stream->source()->channel_count();
    for (const core::DrawItem& item : plan.draws) {
        TileDraw draw;
        draw.level = item.tile.level;
        draw.content = scheduler.level_rect(item.tile);
        draw.clip = item.clip;
        draw.textures.assign(channel_count, nullptr);
        for (const core::Plane& plane : planes) {
            m_textures->touch(key(item.tile, plane));
            const TextureEntry* entry = m_textures->find(key(item.tile, plane));
            draw.textures[plane.channel] = &entry->texture;
            frame.oldest_revision =
                std::min(frame.oldest_revision, entry->stale ? entry->revision : m_revision_polled);
        }
        frame.draws.push_back(std::move(draw));
        if (!item.final || !exact(item.tile, planes)) {
            ++frame.pending;
            frame.not_final.push_back(item.clip);
        }
    }
    const std::vector<core::TileKey> visible = scheduler.visible(plan.level, view);
    frame.visible = static_cast<int>(visible.size());
    frame.covered = frame.draws.size() == visible.size();
    if (!frame.covered) {
        for (const core::TileKey& tile : visible) {
            const core::Rect rect = scheduler.image_rect(tile);
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

core::Result<StreamingFrame> StreamingImage::prepare_final(
    const core::View& view, const std::vector<std::size_t>& channels,
    const std::vector<std::int64_t>& position, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int rounds_without_work = 0;
    while (true) {
        auto frame = prepare(view, channels, position);
        if (!frame || frame->final) {
            return frame;
        }
        if (m_over_budget) {
            return core::Error{fmt::format(
                "the view needs more texture memory than the GPU budget of {} MB allows",
                m_textures->budget() >> 20)};
        }
        if (!m_stream->busy() && changing(std::chrono::steady_clock::now())) {
            // The source changed a moment ago: its coarse tiles are strided until it settles.
            std::this_thread::sleep_until(*m_last_damage + m_options.settle);
            continue;
        }
        if (!m_stream->busy() && !m_held.empty()) {
            // Re-reads held for a frame that may not end (nothing else is read): no frame is
            // drawn before this one, so they go up now.
            m_release_held = true;
            continue;
        }
        if (!m_stream->busy()) {
            // Nothing queued or in flight (results of a changed source were just discarded): the
            // next prepare() asks again for what is missing. Nothing to ask for is a bug.
            if (++rounds_without_work > 3) {
                return core::Error{"the image's tiles stopped arriving"};
            }
            continue;
        }
        rounds_without_work = 0;
        if (!m_stream->wait(deadline) && std::chrono::steady_clock::now() >= deadline) {
            return core::Error{"timed out waiting for the image's tiles"};
        }
    }
}

core::Result<void> StreamingImage::replace_source(std::shared_ptr<const core::ImageSource> source) {
    // Nothing is read here (the GL thread never waits for I/O): resident tiles keep showing the
    // old pixels, counted as not final, until their replacements arrive and are uploaded in place.
    return m_stream->replace_source(std::move(source));
}

void StreamingImage::release() {
    m_stream->reset();
    m_textures->erase(m_id);
    m_wanted.clear();
    m_wanted_positions.clear();
    m_shown.reset();
    m_recent.clear();
    m_held.clear();
    m_frames = core::ChangeFrames();
    m_frame_end.reset();
    m_next_frame_end.reset();
}

}  // namespace tessera::gl
