#include "app/ui/Viewer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include <fmt/format.h>
#include <imgui.h>

#include "app/ui/Actions.h"
#include "app/ui/Panels.h"
#include "app/ui/Shortcuts.h"
#include "app/ui/Viewport.h"
#include "core/view/Grid.h"
#include "gl/objects/Error.h"
#include "gl/objects/Framebuffer.h"
#include "gl/objects/Gl.h"
#include "gl/objects/Readback.h"
#include "gl/objects/Texture2D.h"

namespace tessera::app {

core::Result<std::unique_ptr<Viewer>> Viewer::create(Window& window, Session& session) {
    auto compositor = gl::Compositor::create();
    if (!compositor) {
        return compositor.error();
    }
    std::unique_ptr<Viewer> viewer(new Viewer(window, session));
    viewer->m_compositor.emplace(std::move(compositor).value());
    viewer->m_renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    viewer->m_gpu_timer.emplace();
    return viewer;
}

void Viewer::layout() {
    const ImGuiIO& io = ImGui::GetIO();
    const float width = io.DisplaySize.x;
    const float height = io.DisplaySize.y;
    const float left = m_ui.show_panels ? kPanelWidth : 0.0f;
    const ImageDocument* document = m_session.current();
    const float dims = document != nullptr && document->state == DocumentState::Ready
                           ? dims_bar_height(document->dims)
                           : 0.0f;
    const float bottom = (m_ui.show_panels ? kStatusHeight : 0.0f) + dims;
    m_ui.viewport = {left, 0.0f, std::max(1.0f, width - left), std::max(1.0f, height - bottom)};
    m_ui.framebuffer_scale = io.DisplayFramebufferScale.x;
    m_ui.cells.clear();
    m_ui.cell_documents.clear();
    if (!m_session.grid()) {
        return;
    }
    m_ui.cell_documents = m_session.grid_documents();
    double aspect = 1.0;
    if (document != nullptr && document->state == DocumentState::Ready) {
        aspect = static_cast<double>(document->image().source->width()) /
                 static_cast<double>(std::max<std::int64_t>(1, document->image().source->height()));
    }
    const core::WindowRect area{m_ui.viewport.x, m_ui.viewport.y, m_ui.viewport.width,
                                m_ui.viewport.height};
    const auto shape = core::grid_shape(m_ui.cell_documents.size(), area.width, area.height, aspect,
                                        m_ui.grid_columns);
    m_ui.cells = core::grid_cells(area, m_ui.cell_documents.size(), shape);
}

void Viewer::prepare_image() {
    m_session.release_hidden();
    m_plan.reset();
    m_layer_plans.clear();
    m_compare.reset();
    m_cells.clear();
    m_image_settled = true;
    if (!m_ui.cells.empty()) {
        prepare_grid();
        return;
    }
    ImageDocument* document = m_session.current();
    if (document == nullptr || document->state != DocumentState::Ready) {
        m_image_settled = document == nullptr || document->state == DocumentState::Failed;
        return;
    }
    const core::Spaces spaces = m_ui.spaces();
    document->view.set_viewport(spaces.output_width(), spaces.output_height());
    gl::StreamingImage& tiles = *document->tiles;
    // Playing: the slice due now (slices that arrive late are skipped, not queued); the next
    // ones in the direction of travel are read ahead.
    const double now = ImGui::GetTime();
    core::Dims& dims = document->dims;
    dims.advance(now);
    const bool playing = dims.playback().playing();
    // Playing: read the slices the next frames will be due to show (frames as long as the last).
    const auto ahead = playing ? dims.plan_ahead(now, ImGui::GetIO().DeltaTime, 3) : dims.ahead(1);
    // Compared with a reference: the channels the difference shows.
    const bool comparing = m_session.comparing(*document);
    core::DisplaySettings compare_display;
    if (comparing) {
        compare_display = document->difference.display;
        for (std::size_t c = 0; c < compare_display.channels.size(); ++c) {
            compare_display.channels[c].visible =
                compare_display.channels[c].visible && document->display().channels[c].visible;
        }
    }
    // A wipe shows the image as itself beside the reference; the difference needs its channels.
    const bool difference = comparing && !m_session.comparison()->wipe;
    auto frame = tiles.prepare(
        document->placement().layer_view(document->view.view()),
        difference ? compare_display.visible_channels() : document->display().visible_channels(),
        dims.position(), ahead, playing);
    m_overlay.tiles_resident = tiles.resident_tiles();
    m_overlay.texture_bytes = tiles.session_texture_bytes();
    m_overlay.budget_bytes = tiles.gpu_budget();
    m_overlay.cpu_cache_bytes = tiles.session_cpu_cache_bytes();
    m_overlay.cpu_cache_budget = tiles.cpu_cache_budget();
    if (!frame) {
        m_ui.message = document->title + ": " + frame.error().message;
        return;
    }
    m_plan = std::move(frame).value();
    m_ui.shown_position = m_plan->position;
    // Layers over the document's own: each through its placement, each from the tiles of the
    // document that holds its dataset.
    m_layer_plans.clear();
    for (std::size_t i = 1; i < document->layers.size(); ++i) {
        const core::ViewLayer& layer = document->layers[i];
        gl::StreamingImage* layer_tiles = m_session.tiles_for(layer.dataset.get());
        if (!layer.visible || layer_tiles == nullptr) {
            continue;
        }
        auto layer_frame = layer_tiles->prepare(layer.placement.layer_view(document->view.view()),
                                                layer.display.visible_channels());
        if (!layer_frame) {
            m_ui.message = document->title + ": layer " + std::to_string(i) + ": " +
                           layer_frame.error().message;
            continue;
        }
        m_image_settled = m_image_settled && layer_frame->final;
        m_layer_plans.push_back({i, layer_tiles, std::move(layer_frame).value()});
    }
    if (comparing) {
        plan_comparison(*document, std::move(compare_display));
    }
    m_overlay.tiles_visible = m_plan->visible;
    m_overlay.tiles_pending = m_plan->pending;
    m_overlay.level = m_plan->level;
    m_image_settled = (m_plan->final || tiles.over_budget()) && m_image_settled;
    if (tiles.over_budget()) {
        m_ui.message = fmt::format(
            "{}: this view needs more texture memory than the {} MB "
            "budget (--gpu-memory)",
            document->title, tiles.gpu_budget() >> 20);
    }
    mark_pending(*document, spaces, m_plan->not_final);
    // An image placed by its display window: the window's frame, and the data window's.
    const core::Box2i& data = document->image().metadata.data_window;
    const core::Box2i& frame_box = document->image().metadata.display_window;
    if (frame_box.width() > 0 && !(data == frame_box)) {
        ImDrawList* draw = ImGui::GetBackgroundDrawList();
        const auto outline = [&](double x0, double y0, double x1, double y1, ImU32 colour) {
            const auto a = spaces.window_from_image(document->view, x0, y0);
            const auto b = spaces.window_from_image(document->view, x1, y1);
            draw->AddRect(ImVec2(static_cast<float>(a[0]), static_cast<float>(a[1])),
                          ImVec2(static_cast<float>(b[0]), static_cast<float>(b[1])), colour);
        };
        const core::Placement& at = document->placement();
        outline(0, 0, static_cast<double>(frame_box.width()),
                static_cast<double>(frame_box.height()), IM_COL32(220, 220, 220, 200));
        outline(at.x, at.y, at.x + static_cast<double>(data.width()),
                at.y + static_cast<double>(data.height()), IM_COL32(120, 160, 255, 140));
    }
}

void Viewer::prepare_grid() {
    // Each cell: its image's own view at the cell's size, streamed through the session's loader
    // and texture cache like any image; pan and zoom follow the current image when linked.
    link_grid_views(m_session, m_ui);
    for (std::size_t c = 0; c < m_ui.cells.size(); ++c) {
        ImageDocument& document = *m_session.documents()[m_ui.cell_documents[c]];
        const core::Spaces spaces = m_ui.cell_spaces(c);
        document.view.set_viewport(spaces.output_width(), spaces.output_height());
        auto frame = document.tiles->prepare(document.placement().layer_view(document.view.view()),
                                             document.display().visible_channels(),
                                             document.dims.position());
        if (!frame) {
            m_ui.message = document.title + ": " + frame.error().message;
            m_image_settled = false;
            continue;
        }
        m_image_settled = m_image_settled && (frame->final || document.tiles->over_budget());
        // The cell's rectangle in the composite texture (GL's origin at the bottom left).
        const auto [vx, vy] = m_ui.spaces().output_from_window(m_ui.cells[c].x, m_ui.cells[c].y);
        const int x = static_cast<int>(std::lround(vx));
        const int top = static_cast<int>(std::lround(vy));
        const int width = spaces.output_width();
        const int height = spaces.output_height();
        const gl::Target target{0, x, m_ui.spaces().output_height() - top - height, width, height};
        CompositeKey key{
            &document, document.view.view(), {}, document.tiles->stats().uploads, frame->position};
        key.layers.emplace_back(document.display(), document.placement());
        mark_pending(document, spaces, frame->not_final);
        m_cells.push_back({&document, std::move(frame).value(), target, std::move(key)});
    }
    if (const ImageDocument* document = m_session.current(); document && document->tiles) {
        m_overlay.tiles_resident = document->tiles->resident_tiles();
        m_overlay.texture_bytes = document->tiles->session_texture_bytes();
        m_overlay.budget_bytes = document->tiles->gpu_budget();
        m_overlay.cpu_cache_bytes = document->tiles->session_cpu_cache_bytes();
        m_overlay.cpu_cache_budget = document->tiles->cpu_cache_budget();
    }
}

void Viewer::mark_pending(const ImageDocument& document, const core::Spaces& spaces,
                          const std::vector<core::Rect>& not_final) {
    if (!m_ui.show_pending || not_final.empty()) {
        return;
    }
    // Tiles not final yet: a faint veil and outline, so nobody mistakes them for the data.
    const core::WindowRect& area = spaces.viewport();
    ImDrawList* draw = ImGui::GetBackgroundDrawList();
    draw->PushClipRect(
        ImVec2(static_cast<float>(area.x), static_cast<float>(area.y)),
        ImVec2(static_cast<float>(area.x + area.width), static_cast<float>(area.y + area.height)));
    const core::Placement& at = document.placement();
    for (const core::Rect& rect : not_final) {  // the image's pixels, placed in the view
        const auto a =
            spaces.window_from_image(document.view, at.x + static_cast<double>(rect.x) * at.scale,
                                     at.y + static_cast<double>(rect.y) * at.scale);
        const auto b = spaces.window_from_image(
            document.view, at.x + static_cast<double>(rect.x + rect.width) * at.scale,
            at.y + static_cast<double>(rect.y + rect.height) * at.scale);
        const ImVec2 lo(static_cast<float>(a[0]) + 1.0f, static_cast<float>(a[1]) + 1.0f);
        const ImVec2 hi(static_cast<float>(b[0]) - 1.0f, static_cast<float>(b[1]) - 1.0f);
        draw->AddRectFilled(lo, hi, IM_COL32(20, 20, 30, 40));
        draw->AddRect(lo, hi, IM_COL32(255, 190, 80, 90));
    }
    draw->PopClipRect();
}

void Viewer::plan_comparison(ImageDocument& document, core::DisplaySettings display) {
    ImageDocument* reference = m_session.reference_document();
    const Comparison& comparison = *m_session.comparison();
    ComparePlan plan;
    plan.reference = reference;
    plan.tiles = reference->tiles.get();
    plan.show_reference = comparison.show_reference && !comparison.wipe;
    plan.wipe = comparison.wipe;
    plan.wipe_at = comparison.wipe_at;
    plan.metric = comparison.metric;
    std::vector<std::size_t> channels;
    if (plan.show_reference || plan.wipe) {
        channels = reference->display().visible_channels();
    } else {
        plan.reference_channels.resize(document.image().source->channel_count());
        for (const core::ChannelPair& pair : document.difference.pairs) {
            plan.reference_channels[pair.a] = pair.b;
            if (display.channels[pair.a].visible) {
                channels.push_back(pair.b);
            }
        }
        plan.display = std::move(display);
    }
    // The reference lies where the image does (the same size, so the same windows).
    auto frame = plan.tiles->prepare(document.placement().layer_view(document.view.view()),
                                     channels, reference->dims.position());
    if (!frame) {
        m_ui.message = reference->title + ": " + frame.error().message;
        return;
    }
    plan.frame = std::move(frame).value();
    if (!plan.show_reference && !plan.wipe) {
        auto [image_tiles, reference_tiles] = gl::pair_tiles(m_plan->draws, plan.frame.draws);
        plan.image_tiles = std::move(image_tiles);
        plan.reference_tiles = std::move(reference_tiles);
        // Tiles either image lacks are missing from the difference until both arrive.
        m_image_settled = m_image_settled && plan.image_tiles.size() == m_plan->draws.size();
    }
    m_image_settled = m_image_settled && plan.frame.final;
    m_compare = std::move(plan);
}

void Viewer::draw_composite() {
    const int fb_height = m_window.framebuffer_height();
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, m_window.framebuffer_width(), fb_height);
    glClearColor(0.06f, 0.06f, 0.07f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    if (!m_cells.empty()) {
        draw_grid();
        return;
    }
    ImageDocument* document = m_session.current();
    if (document == nullptr || document->state != DocumentState::Ready || !m_plan) {
        return;
    }
    const int width = document->view.view().width;
    const int height = document->view.view().height;
    if (!ensure_frame(width, height)) {
        return;
    }
    // The document's own layer, then the layers over it.
    std::vector<gl::LayerDraw> layers{{document->tiles->source().get(), &m_plan->draws,
                                       &document->display(), document->placement()}};
    CompositeKey key{
        document, document->view.view(), {}, document->tiles->stats().uploads, m_plan->position};
    key.layers.emplace_back(document->display(), document->placement());
    for (const LayerPlan& plan : m_layer_plans) {
        const core::ViewLayer& layer = document->layers[plan.layer];
        layers.push_back(
            {plan.tiles->source().get(), &plan.frame.draws, &layer.display, layer.placement});
        key.layers.emplace_back(layer.display, layer.placement);
        key.uploads += plan.tiles->stats().uploads;
    }
    if (m_compare) {
        key.compare = m_compare->wipe ? 3 : m_compare->show_reference ? 2 : 1;
        key.wipe_at = m_compare->wipe ? m_compare->wipe_at : 0.0;
        key.metric = m_compare->metric;
        key.compare_display = m_compare->show_reference || m_compare->wipe
                                  ? m_compare->reference->display()
                                  : m_compare->display;
        key.uploads += m_compare->tiles->stats().uploads;
    }
    // Uploads change what is drawn (a tile arrived, replaced a provisional one, or evicted one).
    if (!m_drawn || !(*m_drawn == key)) {
        const gl::Target target{m_frame_buffer->id(), 0, 0, width, height};
        core::Result<gl::CompositeStats> drawn = gl::CompositeStats{};
        if (m_compare && m_compare->wipe) {
            // The image left of the divider, the reference right of it: each view cut at the
            // divider, drawn into its own part of the target.
            const int split =
                std::clamp(static_cast<int>(std::lround(m_compare->wipe_at * width)), 0, width);
            if (split > 0) {
                core::View left = key.view;
                left.width = split;
                drawn = m_compositor->draw_layers(layers, left,
                                                  {m_frame_buffer->id(), 0, 0, split, height});
            }
            if (drawn && split < width) {
                core::View right = key.view;
                right.x0 += split * right.x_scale;
                right.width = width - split;
                const gl::LayerDraw reference{
                    m_compare->tiles->source().get(), &m_compare->frame.draws,
                    &m_compare->reference->display(), document->placement()};
                drawn = m_compositor->draw_layers(
                    std::span(&reference, 1), right,
                    {m_frame_buffer->id(), split, 0, width - split, height});
            }
        } else if (m_compare && m_compare->show_reference) {
            const gl::LayerDraw reference{m_compare->tiles->source().get(), &m_compare->frame.draws,
                                          &m_compare->reference->display(), document->placement()};
            drawn = m_compositor->draw_layers(std::span(&reference, 1), key.view, target);
        } else if (m_compare) {
            drawn = m_compositor->draw_difference(
                {document->tiles->source().get(), &m_compare->image_tiles, &m_compare->display,
                 document->placement()},
                {m_compare->tiles->source().get(), &m_compare->reference_tiles,
                 m_compare->reference_channels, m_compare->metric},
                key.view, target);
        } else {
            drawn = m_compositor->draw_layers(layers, key.view, target);
        }
        if (!drawn) {
            m_ui.message = drawn.error().message;
        }
        m_drawn = key;
    }
    const auto [x, y, w, h] = m_ui.spaces().gl_rect(fb_height);
    (void)w, (void)h;  // the composite has the viewport's output size
    glBindFramebuffer(GL_READ_FRAMEBUFFER, m_frame_buffer->id());
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
    glBlitFramebuffer(0, 0, width, height, x, y, x + width, y + height, GL_COLOR_BUFFER_BIT,
                      GL_NEAREST);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

bool Viewer::ensure_frame(int width, int height) {
    if (m_frame && m_frame.width() == width && m_frame.height() == height) {
        return true;
    }
    m_frame_buffer.reset();
    m_drawn.reset();
    m_cells_drawn.clear();
    m_cells_cleared.clear();
    auto texture = gl::Texture2D::create(width, height, gl::PixelFormat{});
    auto framebuffer = texture ? gl::Framebuffer::create(*texture)
                               : core::Result<gl::Framebuffer>(texture.error());
    if (!framebuffer) {
        m_frame = {};
        m_ui.message = "cannot show the image: " + framebuffer.error().message;
        return false;
    }
    m_frame = std::move(texture).value();
    m_frame_buffer.emplace(std::move(framebuffer).value());
    return true;
}

void Viewer::draw_grid() {
    const core::Spaces spaces = m_ui.spaces();
    const int width = spaces.output_width();
    const int height = spaces.output_height();
    if (!ensure_frame(width, height)) {
        return;
    }
    m_drawn.reset();  // the single view's composite is gone
    if (m_cells_cleared != m_ui.cells) {
        // A new layout: the gaps get the background, and every cell is drawn again.
        m_frame_buffer->bind();
        glViewport(0, 0, width, height);
        glClearColor(0.06f, 0.06f, 0.07f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        m_cells_cleared = m_ui.cells;
        m_cells_drawn.assign(m_cells.size(), std::nullopt);
    }
    m_cells_drawn.resize(m_cells.size());
    for (std::size_t c = 0; c < m_cells.size(); ++c) {
        CellPlan& cell = m_cells[c];
        if (m_cells_drawn[c] && *m_cells_drawn[c] == cell.key) {
            continue;
        }
        gl::Target target = cell.target;
        target.framebuffer = m_frame_buffer->id();
        // Each cell's composite covers exactly its rectangle: nothing reaches a neighbour.
        const gl::LayerDraw layer{cell.document->tiles->source().get(), &cell.frame.draws,
                                  &cell.document->display(), cell.document->placement()};
        auto drawn = m_compositor->draw_layers(std::span(&layer, 1), cell.key.view, target);
        if (!drawn) {
            m_ui.message = cell.document->title + ": " + drawn.error().message;
        }
        m_cells_drawn[c] = cell.key;
    }
    const auto [x, y, w, h] = spaces.gl_rect(m_window.framebuffer_height());
    (void)w, (void)h;
    glBindFramebuffer(GL_READ_FRAMEBUFFER, m_frame_buffer->id());
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
    glBlitFramebuffer(0, 0, width, height, x, y, x + width, y + height, GL_COLOR_BUFFER_BIT,
                      GL_NEAREST);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

void Viewer::take_ipc_events() {
    m_ui.ipc_listening.clear();
    m_ui.ipc_clients.clear();
    if (m_ipc == nullptr) {
        return;
    }
    for (IpcEvent& event : m_ipc->take_events()) {
        if (const auto* problem = std::get_if<IpcProblem>(&event.what)) {
            m_ui.message = problem->message;
        }
        m_session.apply(std::move(event));
    }
    m_ui.ipc_listening = m_ipc->endpoint().text();
    m_ui.ipc_clients = m_ipc->clients();
}

void Viewer::record_frame(std::uint64_t index, double timestamp_s, double cpu_ms) {
    std::uint64_t uploads = 0;
    std::uint64_t bytes = 0;
    for (const auto& document : m_session.documents()) {
        if (document->tiles) {
            uploads += document->tiles->stats().uploads;
            bytes += document->tiles->stats().bytes;
        }
    }
    core::FrameRecord record;
    record.index = index;
    record.timestamp_s = timestamp_s;
    record.cpu_ms = cpu_ms;
    record.uploads = uploads >= m_uploads_seen ? uploads - m_uploads_seen : uploads;
    record.upload_bytes = bytes >= m_bytes_seen ? bytes - m_bytes_seen : bytes;
    m_uploads_seen = uploads;
    m_bytes_seen = bytes;
    const ImageDocument* document = m_session.current();
    if (document != nullptr && document->tiles) {
        record.tiles_resident = document->tiles->resident_tiles();
    }
    m_stats.add(record);
    if (m_record.is_open()) {
        m_unwritten.push_back(record);
    }
    while (auto result = m_gpu_timer->take_result()) {
        m_stats.set_gpu_ms(result->tag, result->ms);
        for (core::FrameRecord& row : m_unwritten) {
            if (row.index == result->tag) {
                row.gpu_ms = result->ms;
            }
        }
    }
    flush_records(false);
}

void Viewer::flush_records(bool all) {
    // A row waits up to 16 frames for its GPU time, then is written without it.
    while (!m_unwritten.empty() && (all || m_unwritten.front().gpu_ms || m_unwritten.size() > 16)) {
        m_record << core::csv_row(m_unwritten.front());
        m_unwritten.pop_front();
    }
}

core::Result<void> Viewer::save_full_image(const std::string& path) {
    ImageDocument* document = m_session.current();
    if (document == nullptr || document->state != DocumentState::Ready) {
        return core::Error{"no image is shown"};
    }
    const core::ImageSource& source = *document->image().source;
    // The whole image in memory as RGBA: a quarter of a gigapixel at most (1 GB).
    constexpr std::int64_t kLargest = std::int64_t{1} << 28;
    if (source.width() * source.height() > kLargest) {
        return core::Error{fmt::format(
            "{}: {} x {} pixels is too large to save whole; use tessera render with --size or "
            "--view",
            document->title, source.width(), source.height())};
    }
    const int width = static_cast<int>(source.width());
    const int height = static_cast<int>(source.height());
    // Strips of at most 2048 x 2048 output pixels, each from its own tiles (within the budgets).
    constexpr int kStrip = 2048;
    auto texture =
        gl::Texture2D::create(std::min(width, kStrip), std::min(height, kStrip), gl::PixelFormat{});
    if (!texture) {
        return texture.error();
    }
    auto framebuffer = gl::Framebuffer::create(*texture);
    if (!framebuffer) {
        return framebuffer.error();
    }
    gl::StreamingImage tiles(document->image().source, m_session.streaming());
    const core::DisplaySettings& settings = document->display();
    core::RgbaImage pixels(width, height);
    for (int y0 = 0; y0 < height; y0 += kStrip) {
        for (int x0 = 0; x0 < width; x0 += kStrip) {
            const int w = std::min(kStrip, width - x0);
            const int h = std::min(kStrip, height - y0);
            core::View view = core::View::fit_rect(x0, y0, x0 + w, y0 + h, w, h);
            view.sampling = core::Sampling::Nearest;  // one image pixel per output pixel
            auto frame =
                tiles.prepare_final(view, settings.visible_channels(), document->dims.position());
            if (!frame) {
                return frame.error();
            }
            framebuffer->bind();
            glClearColor(0, 0, 0, 1);
            glClear(GL_COLOR_BUFFER_BIT);
            const gl::Target into{framebuffer->id(), 0, 0, w, h};
            auto drawn = m_compositor->draw_tiles(source, frame->draws, settings, view, into);
            if (!drawn) {
                return drawn.error();
            }
            framebuffer->bind();
            const core::RgbaImage strip = gl::read_rgba8(0, 0, w, h);
            for (int y = 0; y < h; ++y) {
                std::memcpy(pixels.at(x0, y0 + y), strip.at(0, y), static_cast<std::size_t>(w) * 4);
            }
        }
    }
    gl::Framebuffer::bind_default();
    // The annotations shown, as a view of the whole image would show them.
    if (m_ui.show_colorbar && !m_session.comparing(*document)) {
        core::draw_colour_bars(pixels, core::colour_bars(settings, source.channels()));
    }
    if (const auto size = m_session.physical_size(*document); m_ui.show_scalebar && size) {
        if (const auto bar = core::scale_bar(*size, 1.0)) {
            core::draw_scale_bar(pixels, *bar);
        }
    }
    return core::write_png(pixels, path);
}

core::Result<void> Viewer::write_screenshot(const std::string& path) {
    glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
    glReadBuffer(GL_BACK);
    const core::RgbaImage shot =
        gl::read_rgba8(0, 0, m_window.framebuffer_width(), m_window.framebuffer_height());
    return core::write_png(shot, path);
}

core::Result<void> Viewer::run(const Options& options, Script* script) {
    // --screenshot alone captures the first frame; --frames N captures frame N.
    const int last_frame = options.frames.value_or(options.screenshot && !script ? 1 : 0);
    const bool scripted = script != nullptr || last_frame != 0;
    m_ui.show_overlay = m_ui.show_overlay || options.fps;  // remembered, or asked for
    if (options.record_frames) {
        m_record.open(*options.record_frames, std::ios::trunc);
        if (!m_record) {
            return core::Error{*options.record_frames + ": cannot write the frame record"};
        }
        m_record << core::csv_header();
    }
    const auto run_start = std::chrono::steady_clock::now();
    std::uint64_t recorded = 0;
    // Scripted runs count frames (and play the script) once the files given have loaded.
    bool started = !scripted;
    for (int frame = 1; !m_ui.quit && !m_window.should_close(); ++frame) {
        // Busy: files loading, or the shown image's tiles still streaming in (last frame's plan).
        const bool busy = m_session.busy() || !m_image_settled;
        if (!started) {
            // --frames counts from the first final frame; a script starts once the files have
            // loaded (its `idle` waits for final frames).
            started = script != nullptr ? !m_session.busy() : !busy;
            frame = started ? 1 : 0;
        }
        // Idle interactive sessions wait for events instead of spinning.
        // The overlay measures frames, so it keeps them coming.
        const bool waiting = !scripted && !m_ui.show_overlay && !busy && !ImGui::IsAnyMouseDown();
        m_window.begin_frame(waiting ? 0.05 : 0.0);
        const auto frame_start = std::chrono::steady_clock::now();
        ImGuiIO& io = ImGui::GetIO();
        if (script != nullptr && started) {
            script->before_new_frame(io, busy);
        }
        ImGui::NewFrame();
        std::vector<std::string> dropped = m_window.take_dropped_files();
        if (script != nullptr && started && script->dropped()) {
            dropped.push_back(*script->dropped());
        }
        for (const std::string& path : dropped) {
            m_session.open(path);  // a dropped file is shown
        }
        take_ipc_events();
        m_session.poll();
        m_session.watch_files();
        m_window.set_title(m_session.window_title());
        layout();
        apply_shortcuts(m_session, m_ui, io);
        layout();  // Tab may have hidden the panels
        handle_viewport_input(m_session, m_ui, io);
        if (m_ui.show_panels) {
            draw_side_panel(m_session, m_ui, io.DisplaySize.y - kStatusHeight);
            draw_status_bar(m_session, m_ui, io.DisplaySize.x, io.DisplaySize.y);
        }
        draw_dims_bar(m_session, m_ui);
        draw_help_window(m_ui);
        draw_about_window(m_ui);
        draw_metadata_window(m_session, m_ui);
        draw_command_palette(m_session, m_ui);
        draw_open_dialog(m_session, m_ui);
        prepare_image();
        draw_viewport_overlay(m_session, m_ui);
        if (m_ui.show_overlay) {
            draw_fps_overlay(m_stats, m_overlay, m_ui.viewport);
        }
        ImGui::Render();
        m_gpu_timer->begin(recorded);
        draw_composite();
        m_gpu_timer->end();
        m_window.end_frame();
        TESSERA_GL_CHECK();
        const auto frame_end = std::chrono::steady_clock::now();
        if (started) {
            record_frame(
                recorded++, std::chrono::duration<double>(frame_end - run_start).count(),
                std::chrono::duration<double, std::milli>(frame_end - frame_start).count());
        }

        if (auto view = std::exchange(m_ui.save_view, std::nullopt)) {
            // The composite as shown (the image area without the interface drawn over it).
            if (m_frame_buffer && m_frame) {
                m_frame_buffer->bind();
                core::RgbaImage pixels = gl::read_rgba8(0, 0, m_frame.width(), m_frame.height());
                gl::Framebuffer::bind_default();
                // The colour and scale bars as on screen, at the framebuffer's scale.
                const float s = m_ui.framebuffer_scale;
                for (const ShownAnnotations& shown : shown_annotations(m_session, m_ui)) {
                    const auto at = [s](double v) {
                        return static_cast<int>(std::lround(v * s));
                    };
                    const core::ColourBarRect area{at(shown.rect.x - m_ui.viewport.x),
                                                   at(shown.rect.y - m_ui.viewport.y),
                                                   at(shown.rect.width), at(shown.rect.height)};
                    core::draw_colour_bars(pixels, shown.bars, s, area);
                    if (shown.scale) {
                        core::draw_scale_bar(pixels, *shown.scale, s, area);
                    }
                }
                auto written = core::write_png(pixels, *view);
                m_ui.message = written ? "view saved to " + *view
                                       : "cannot save the view: " + written.error().message;
            } else {
                m_ui.message = "no view to save";
            }
        }
        if (auto image = std::exchange(m_ui.save_image, std::nullopt)) {
            auto written = save_full_image(*image);
            m_ui.message = written ? "image saved to " + *image
                                   : "cannot save the image: " + written.error().message;
        }
        std::optional<std::string> shot = std::exchange(m_ui.screenshot, std::nullopt);
        if (script != nullptr && script->screenshot()) {
            shot = script->screenshot();
        }
        const bool last = started && last_frame != 0 && frame >= last_frame;
        if (last && options.screenshot) {
            shot = options.screenshot;
        }
        if (shot) {
            if (auto written = write_screenshot(*shot); !written) {
                return written.error();
            }
            m_ui.message = "screenshot written to " + *shot;
            if (script == nullptr && last_frame == 0) {
                std::printf("tessera: screenshot written to %s\n", shot->c_str());
            }
        }
        if (last || (script != nullptr && (script->finished() || script->quit_requested()))) {
            if (script != nullptr && options.screenshot && !last) {
                if (auto written = write_screenshot(*options.screenshot); !written) {
                    return written.error();
                }
            }
            break;
        }
        m_window.present();
    }
    if (m_record.is_open()) {
        glFinish();  // let the last timer queries finish, then write every row
        while (auto result = m_gpu_timer->take_result()) {
            for (core::FrameRecord& row : m_unwritten) {
                if (row.index == result->tag) {
                    row.gpu_ms = result->ms;
                }
            }
        }
        flush_records(true);
    }
    return {};
}

}  // namespace tessera::app
