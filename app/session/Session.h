// Session: the images the inspector has open. Files are decoded (and their statistics computed)
// on worker threads; poll(), called once per frame on the GL thread, brings finished loads in.
// A file that fails stays in the list with its error; a reload that fails keeps the previous
// image on screen with the error beside it; a same-shape reload updates textures in place and
// keeps every display setting. Each image streams its tiles through a level-of-detail pyramid
// (gl::StreamingImage) on the session's one tile loader, within its one CPU tile cache and one
// GPU texture budget, shared by every image.
#pragma once

#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/cli/DisplayOptions.h"
#include "app/ipc/IpcServer.h"
#include "app/session/Settings.h"
#include "core/compare/Difference.h"
#include "core/dataset/Dataset.h"
#include "core/derive/DerivedImage.h"
#include "core/display/Annotations.h"
#include "core/display/DisplaySettings.h"
#include "core/io/ImageLoader.h"
#include "core/ipc/VectorGraphics.h"
#include "core/view/Dims.h"
#include "core/view/Layer.h"
#include "core/view/ViewController.h"
#include "gl/image/StreamingImage.h"

namespace tessera::app {

enum class DocumentState { Loading, Ready, Failed };

// Comparing with a reference (tev's Shift-click): the image shown is drawn as its difference
// from the reference, by the GPU, with the metric chosen; or the reference in its place.
struct Comparison {
    std::shared_ptr<const core::Dataset> reference;
    std::string title;
    core::ErrorMetric metric = core::ErrorMetric::AbsoluteError;
    bool show_reference = false;  // the reference in the image's place (flip)
    // Wipe: the image left of a divider, the reference right of it (a fraction of the width).
    bool wipe = false;
    double wipe_at = 0.5;
};

// What an image's difference from the reference needs besides the GPU: the channels paired,
// display settings of the difference over the image's channels (limits from the metric's own
// statistics) and the statistics of the difference (core/compare), computed on a worker.
struct DocumentDifference {
    // What these are of: the image's and the reference's datasets, the metric, both planes.
    const core::Dataset* image = nullptr;
    const core::Dataset* reference = nullptr;
    core::ErrorMetric metric = core::ErrorMetric::AbsoluteError;
    std::vector<std::int64_t> position;
    std::vector<std::int64_t> reference_position;

    // The last computed (kept on screen while the next is computed).
    std::vector<core::ChannelPair> pairs;
    core::DisplaySettings display;  // over the image's channels
    std::vector<core::DifferenceStatistics> statistics;
    std::string error;   // why the two cannot be compared (sizes, no channel in common)
    bool ready = false;  // the last computation is of what the key above says
    struct Result {
        std::vector<core::ChannelPair> pairs;
        core::DisplaySettings display;
        std::vector<core::DifferenceStatistics> statistics;
    };
    std::future<core::Result<Result>> job;
};

struct ImageDocument {
    std::string path;
    std::string title;  // file name, plus the part for multi-part files
    DocumentState state = DocumentState::Loading;
    std::string error;  // why loading failed, or why the last reload failed
    bool reloading = false;

    // The data (no GL): source, metadata, statistics. Replaced whole by a reload.
    std::shared_ptr<const core::Dataset> dataset;
    // How it is shown: pan and zoom, and the layers drawn, bottom first. layers[0] is this
    // document's own dataset; other layers may show other documents' datasets over it.
    core::ViewController view;
    std::vector<core::ViewLayer> layers;
    std::unique_ptr<gl::StreamingImage>
        tiles;  // this dataset's tiles, streamed through its pyramid
    std::size_t selected_channel = 0;
    // The slice shown of a stack, its sliders and playback (no axes for a 2-D image).
    core::Dims dims;
    // How the file was opened: the session's options, or the axes the user reassigned.
    core::LoadOptions load;
    // A stack's statistics of the plane shown (for Auto and the histograms), computed on a
    // worker when the plane changes; the dataset's statistics are the whole stack's.
    std::vector<std::int64_t> plane_statistics_position;
    std::vector<core::ChannelStatistics> plane_statistics;  // empty until computed
    std::future<core::Result<std::vector<core::ChannelStatistics>>> plane_job;
    std::vector<std::int64_t> plane_job_position;
    bool auto_from_stack = false;   // Auto uses the whole stack, not the plane shown (Fiji's way)
    bool auto_pending = false;      // Auto asked for before the plane's statistics were ready
    int auto_pending_channel = -1;  // the channel it was asked for; -1: every visible one

    // Live: an image an IPC client created and writes into (no file behind it). Its statistics
    // are refreshed from samples at a bounded rate while it changes; its limits stay where the
    // user put them unless auto-contrast while streaming is on.
    bool live = false;
    bool live_auto_contrast = false;
    std::uint64_t live_statistics_revision = 0;  // the source's revision the statistics are of
    std::chrono::steady_clock::time_point live_statistics_at{};
    std::future<core::Result<std::vector<core::ChannelStatistics>>> live_statistics_job;
    std::uint64_t live_statistics_job_revision = 0;
    // Opened by a client with a channel selector (tev's "path:R,G,B"): the channels shown.
    std::string channel_selector;
    // Drawn over the image in image coordinates (tev's VectorGraphics packets).
    std::vector<core::ipc::VgCommand> vector_graphics;
    std::vector<core::ipc::VgShape> vector_shapes;  // what they draw

    // Derived: computed from other images (the analysis panel; no file behind it). Computed
    // again on a worker where its inputs change (live images).
    std::shared_ptr<core::derive::DerivedImage> derived;
    bool derived_correlation = false;  // shown with a diverging colormap fixed to [-1, 1]
    std::future<core::Result<void>> derive_job;
    // Inputs reloaded (old source, new one), applied once no computation is running.
    std::vector<std::pair<const core::ImageSource*, std::shared_ptr<const core::ImageSource>>>
        reloaded_inputs;

    // Shown in the grid (a subset of the list can be chosen; all by default).
    bool in_grid = true;
    // Its difference from the session's reference, while one is chosen.
    DocumentDifference difference;

    std::filesystem::file_time_type modified{};
    std::uintmax_t file_size = 0;
    std::uint64_t in_place_reloads = 0;  // same-shape reloads (textures updated, not re-created)

    // The name IPC clients use for it: the path (with ":selector" when opened with one), or the
    // name a client gave a live image.
    std::string ipc_name() const {
        return channel_selector.empty() ? path : path + ":" + channel_selector;
    }
    const core::Image& image() const { return dataset->image; }
    const std::vector<core::ChannelStatistics>& statistics() const { return dataset->statistics; }
    bool is_stack() const { return dataset && dataset->image.source->planes_per_channel() > 1; }
    // What Auto and the histograms use: the plane shown's statistics for a stack (unless Auto is
    // set to the whole stack), null while they are computed; the image's otherwise.
    const std::vector<core::ChannelStatistics>* auto_statistics() const;
    // Where the document's own pixels lie in its view's space: at the data window's place in
    // the display window (an EXR whose windows differ), else at the origin.
    const core::Placement& placement() const { return layers.front().placement; }
    // Between the view's space and the image's own pixels.
    std::array<double, 2> pixel_from_view(double x, double y) const {
        const core::Placement& p = placement();
        return {(x - p.x) / p.scale, (y - p.y) / p.scale};
    }
    std::array<double, 2> view_from_pixel(double x, double y) const {
        const core::Placement& p = placement();
        return {p.x + x * p.scale, p.y + y * p.scale};
    }
    // The display settings of the document's own layer.
    core::DisplaySettings& display() { return layers.front().display; }
    const core::DisplaySettings& display() const { return layers.front().display; }
};

// What a worker thread produces for one file.
struct LoadResult {
    std::string path;
    std::vector<core::Dataset> datasets;  // one per part
    std::string error;
    std::filesystem::file_time_type modified{};
    std::uintmax_t file_size = 0;
};

LoadResult load_file(const std::string& path, const core::LoadOptions& options);

class Session {
  public:
    explicit Session(core::LoadOptions options = {}) : m_options(options) {}
    ~Session();

    // Display options applied to every image when it first opens (not on reloads).
    void set_initial_display(DisplayRequest request) { m_initial_display = std::move(request); }
    // Budgets and tile size of the images opened from now on. The budgets are the session's:
    // images that are not shown give their textures and cached tiles back (release_hidden).
    // Takes effect when the first image opens (the loader and texture cache are made then).
    void set_streaming(gl::StreamingOptions options) { m_streaming = options; }
    const gl::StreamingOptions& streaming() const { return m_streaming; }
    void release_hidden();  // GL thread only
    // Called with every load or reload error (the message names the file).
    void set_error_handler(std::function<void(const std::string&)> handler) {
        m_on_error = std::move(handler);
    }
    // Starts loading a file; `show` makes it the current image (interactive opens do, the
    // command line's files after the first do not).
    void open(const std::string& path, bool show = true);
    // Settings remembered between runs (Settings.h), or none: files opened join its recent
    // list, a file opened again gets the display it was last shown with (unless display options
    // were given), and a file's display is remembered when it is closed or by
    // remember_displays(). The settings must outlive the session.
    void set_settings(Settings* settings) { m_settings = settings; }
    Settings* settings() const { return m_settings; }
    void remember_displays();
    // --pixel-size: the size of every image's pixels, whatever the files say.
    void set_pixel_size(std::optional<core::PhysicalSize> size) { m_pixel_size = std::move(size); }
    // A document's pixel size: --pixel-size, else the file's (OME-TIFF), else none.
    std::optional<core::PhysicalSize> physical_size(const ImageDocument& document) const;
    // Adds an already decoded image (the built-in demo).
    void add(core::Dataset dataset);
    void reload(std::size_t index);
    // Computes a derived image on a worker and adds it to the list when it is done, named
    // `title`; a correlation is shown with a diverging colormap fixed to [-1, 1].
    void derive(std::shared_ptr<core::derive::DerivedImage> image, std::string title,
                bool correlation);
    bool deriving() const { return !m_derive_jobs.empty(); }
    // Opens the document's file again with other axes (say, Z as channels): a new image with
    // its own defaults, the old one on screen until it is ready. Axes as --axes takes them. If
    // the file cannot be opened so, the image and its axes stay as they were, with the error.
    void reinterpret(std::size_t index, std::string axes);
    void reload_current() { reload(m_current); }
    // Shows the document's integer channels as label ids (core/image/LabelSource), or as
    // intensities again: its tiles are rebuilt (labels reduce by id, not by mean); the view is
    // kept, and reloads keep the choice.
    void set_labels(std::size_t index, bool on);
    // Overlays: the image `from` drawn over the image `over` (napari's layers), with its own
    // display settings (a copy of its own, blended over), visibility and placement: scaled so
    // that an image of the same aspect covers the one below (a 2x downsampled mask lies over its
    // full-resolution image), at the top-left corner. False when either is not ready or they
    // are the same.
    bool add_layer(std::size_t over, std::size_t from);

    // IPC clients. The live images are the server's: closing a live document forgets its image.
    void set_live_images(std::shared_ptr<core::ipc::LiveImages> live) { m_live = std::move(live); }
    // Carries out what a client asked for (open, reload, close, show, draw); problems go to the
    // error handler naming the client.
    void apply(IpcEvent event);
    // Shows a live image a client created: a new document under its name, or the one of that
    // name replaced in place (same size and channels: textures updated, settings kept).
    void show_live(const std::string& name, std::shared_ptr<const core::ImageSource> image,
                   bool grab_focus);
    // The document IPC clients call `name` (ImageDocument::ipc_name, or the file it names).
    std::optional<std::size_t> find_by_ipc_name(const std::string& name) const;
    // How often a changing live image's statistics are refreshed (from samples, on a worker).
    void set_live_statistics_interval(std::chrono::milliseconds interval) {
        m_live_statistics_interval = interval;
    }
    // Reloads files whose modification time or size changed; at most once per interval.
    void watch_files(std::chrono::milliseconds interval = std::chrono::milliseconds(1000));
    void poll();  // GL thread only; also starts the statistics of a stack's plane shown
    // Files loading, derived images or the shown image's difference being computed.
    bool busy() const;
    // "NAME - Tessera" for the image shown (its position in the list when there are several),
    // or "Tessera".
    std::string window_title() const;

    // Comparison: `index` becomes the reference (again: none). The image shown is then drawn as
    // its difference from it, once its difference's statistics are ready (poll).
    void toggle_reference(std::size_t index);
    void clear_reference() { m_comparison.reset(); }
    const std::optional<Comparison>& comparison() const { return m_comparison; }
    void set_metric(core::ErrorMetric metric);
    void toggle_show_reference();
    void toggle_wipe();
    void set_wipe_at(double fraction);  // clamped to [0, 1]
    // The document of the reference, if it is still open.
    ImageDocument* reference_document();
    // The document shown is compared now: a reference other than itself, of its size, with a
    // difference computed (the previous one while a new plane's or metric's is computed).
    bool comparing(const ImageDocument& document);

    // Grid: every image that is ready shown side by side (napari's grid mode); they all stream
    // within the session's budgets. The current image is the one last pointed at.
    void set_grid(bool on) { m_grid = on; }
    bool grid() const { return m_grid; }
    // The documents the grid shows, in list order (indices): those ready and chosen.
    std::vector<std::size_t> grid_documents() const;

    std::vector<std::unique_ptr<ImageDocument>>& documents() { return m_documents; }
    std::size_t current_index() const { return m_current; }
    ImageDocument* current();
    // The tiles of the document that holds a dataset (a layer of another view shows them).
    gl::StreamingImage* tiles_for(const core::Dataset* dataset);
    void select(std::size_t index);
    void next();
    void previous();
    void close_current() { close(m_current); }
    void close(std::size_t index);

  private:
    struct Job {
        std::string path;
        bool reload = false;
        std::future<LoadResult> result;
        // A reinterpretation: the axes to go back to if the file cannot be opened with the new.
        std::optional<std::string> previous_axes;
    };
    struct DeriveJob {
        std::string title;
        bool correlation = false;
        std::shared_ptr<core::derive::DerivedImage> image;
        std::future<core::Result<core::Dataset>> result;
        // The derived image this one replaces in its document (inputs reloaded with another
        // shape), or none: a new document.
        const core::derive::DerivedImage* replaces = nullptr;
    };
    void start_derive(std::shared_ptr<core::derive::DerivedImage> image, std::string title,
                      bool correlation, const core::derive::DerivedImage* replaces);
    void integrate(Job& job, LoadResult result);
    void integrate(DeriveJob& job);
    // Lays a derived image over its inputs and colours a correlation.
    void present_derived(ImageDocument& document);
    void update_derived(ImageDocument& document);
    // Derived images reading `old` read `replacement` from their next computation on.
    void input_reloaded(const core::ImageSource* old,
                        const std::shared_ptr<const core::ImageSource>& replacement);
    void update_plane_statistics(ImageDocument& document);
    void update_difference(ImageDocument& document);  // starts a computation if needed
    void finish_difference(ImageDocument& document);  // takes a finished one in
    void replaced_dataset(const core::Dataset* old,
                          const std::shared_ptr<const core::Dataset>& replacement);
    void make_ready(ImageDocument& document, core::Dataset dataset);
    void remember_display(const ImageDocument& document);
    void update_live_statistics(ImageDocument& document);
    void report(const std::string& message) {
        if (m_on_error) {
            m_on_error(message);
        }
    }

    core::LoadOptions m_options;
    gl::StreamingOptions m_streaming;
    // Shared by every image: one pool of tile workers and CPU tile cache, one GPU budget.
    std::unique_ptr<core::TileLoader> m_loader;
    std::shared_ptr<gl::TextureCache> m_textures;
    DisplayRequest m_initial_display;
    std::function<void(const std::string&)> m_on_error;
    Settings* m_settings = nullptr;
    std::optional<core::PhysicalSize> m_pixel_size;
    std::vector<std::unique_ptr<ImageDocument>> m_documents;
    std::vector<Job> m_jobs;
    std::vector<DeriveJob> m_derive_jobs;
    std::size_t m_current = 0;
    std::chrono::steady_clock::time_point m_last_watch{};
    std::shared_ptr<core::ipc::LiveImages> m_live;
    std::chrono::milliseconds m_live_statistics_interval{500};
    std::optional<Comparison> m_comparison;
    bool m_grid = false;
};

}  // namespace tessera::app
