// Viewer: the inspector's main loop. Each frame: input (real, or scripted), the session's
// finished loads, the panels, then the composite of the current image in the viewport. The
// composite is kept in an offscreen texture and redrawn only when the image, its view, its
// display settings or its textures change; otherwise the frame only redraws the interface.
// While tiles stream in, frames keep coming (no waiting for events) until the view is final.
#pragma once

#include <memory>
#include <optional>

#include <deque>
#include <fstream>

#include "app/cli/Options.h"
#include "app/platform/Window.h"
#include "app/session/Session.h"
#include "app/ui/Overlay.h"
#include "app/ui/Script.h"
#include "app/ui/UiState.h"
#include "core/stats/FrameStats.h"
#include "gl/composite/Compositor.h"
#include "gl/context/GpuTimer.h"
#include "gl/objects/Framebuffer.h"

namespace tessera::app {

class Viewer {
  public:
    static core::Result<std::unique_ptr<Viewer>> create(Window& window, Session& session);

    // Runs until quit, the scripted frame count or the end of the script.
    core::Result<void> run(const Options& options, Script* script);
    // Takes what IPC clients ask for once per frame (none: not listening).
    void set_ipc(IpcServer* server) { m_ipc = server; }
    UiState& ui() { return m_ui; }

  private:
    Viewer(Window& window, Session& session) : m_window(window), m_session(session) {}
    void layout();
    // Plans the current image's frame before the interface is rendered: tiles that arrived are
    // uploaded, missing ones requested, and tiles not final yet are marked (L).
    void prepare_image();
    void plan_comparison(ImageDocument& document, core::DisplaySettings display);
    void prepare_grid();
    // Tiles not final yet: a faint veil and outline (L), over one view's rectangle.
    void mark_pending(const ImageDocument& document, const core::Spaces& spaces,
                      const std::vector<core::Rect>& not_final);
    // The composite texture of the viewport's size (kept between frames).
    bool ensure_frame(int width, int height);
    void draw_grid();
    void draw_composite();
    core::Result<void> write_screenshot(const std::string& path);
    // The image shown, whole, at full resolution (one image pixel per output pixel) with its
    // display settings and annotations, composited through its own streaming tiles in strips.
    core::Result<void> save_full_image(const std::string& path);
    // Records the frame for the overlay and --record-frames; GPU times join when they arrive.
    void record_frame(std::uint64_t index, double timestamp_s, double cpu_ms);
    void flush_records(bool all);

    struct CompositeKey {
        const ImageDocument* document = nullptr;
        core::View view;
        std::vector<std::pair<core::DisplaySettings, core::Placement>> layers;
        std::uint64_t uploads = 0;
        std::vector<std::int64_t> position;  // the slice drawn
        // Comparing: the reference shown in place (2) or the difference (1), with these.
        int compare = 0;  // 3: a wipe at wipe_at
        double wipe_at = 0;
        core::ErrorMetric metric = core::ErrorMetric::AbsoluteError;
        core::DisplaySettings compare_display;
        bool operator==(const CompositeKey&) const = default;
    };
    // This frame's comparison: the reference's tiles of the view, and the image's paired with
    // them (the difference), or the reference's own (shown in the image's place).
    struct ComparePlan {
        const ImageDocument* reference = nullptr;
        gl::StreamingImage* tiles = nullptr;
        gl::StreamingFrame frame;
        bool show_reference = false;
        bool wipe = false;  // the image left of the divider, the reference right of it
        double wipe_at = 0.5;
        std::vector<gl::TileDraw> image_tiles;      // difference: the image's tiles paired
        std::vector<gl::TileDraw> reference_tiles;  // with the reference's
        core::DisplaySettings display;              // of the difference, over the image's channels
        std::vector<std::optional<std::size_t>> reference_channels;
        core::ErrorMetric metric = core::ErrorMetric::AbsoluteError;
    };
    struct LayerPlan {
        std::size_t layer = 0;  // index into the document's layers
        gl::StreamingImage* tiles = nullptr;
        gl::StreamingFrame frame;
    };

    void take_ipc_events();

    Window& m_window;
    Session& m_session;
    IpcServer* m_ipc = nullptr;
    std::optional<gl::Compositor> m_compositor;
    UiState m_ui;
    gl::Texture2D m_frame;
    std::optional<gl::Framebuffer> m_frame_buffer;
    std::optional<CompositeKey> m_drawn;
    std::optional<gl::StreamingFrame> m_plan;  // this frame's tiles of the current image
    std::vector<LayerPlan> m_layer_plans;      // and of the layers over it
    std::optional<ComparePlan> m_compare;
    // Grid mode: each cell's image, its tiles of this frame, and what was drawn in it last.
    struct CellPlan {
        ImageDocument* document = nullptr;
        gl::StreamingFrame frame;
        gl::Target target;  // in the composite texture
        CompositeKey key;
    };
    std::vector<CellPlan> m_cells;
    std::vector<std::optional<CompositeKey>> m_cells_drawn;
    std::vector<core::WindowRect> m_cells_cleared;  // the layout the texture was cleared for
    bool m_image_settled = false;  // the current image is final, failed, or cannot get final
    std::string m_renderer;
    core::FrameStats m_stats;
    std::optional<gl::GpuTimer> m_gpu_timer;
    OverlayInfo m_overlay;
    std::ofstream m_record;
    std::deque<core::FrameRecord> m_unwritten;  // rows waiting for their GPU time
    std::uint64_t m_uploads_seen = 0;
    std::uint64_t m_bytes_seen = 0;
};

}  // namespace tessera::app
