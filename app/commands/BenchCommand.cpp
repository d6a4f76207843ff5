#include "app/commands/BenchCommand.h"

#include <chrono>
#include <cinttypes>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include <sys/resource.h>

#include <fmt/format.h>

#include "app/cli/DisplayOptions.h"
#include "app/cli/Report.h"
#include "app/platform/Window.h"
#include "app/session/Session.h"
#include "core/base/JsonWriter.h"
#include "core/base/Version.h"
#include "core/display/DisplayActions.h"
#include "core/stats/FrameStats.h"
#include "core/view/Dims.h"
#include "core/view/ViewController.h"
#include "gl/composite/Compositor.h"
#include "gl/context/GpuTimer.h"
#include "gl/context/HeadlessContext.h"
#include "gl/context/Renderer.h"
#include "gl/image/StreamingImage.h"
#include "gl/objects/Framebuffer.h"

namespace tessera::app {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kBenchZoom = 8.0;

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

struct Camera {
    core::ViewController view;
    core::DisplaySettings display;
    std::vector<std::int64_t> position;            // the slice of a stack
    std::vector<std::vector<std::int64_t>> ahead;  // slices read ahead
    bool moving = false;                           // playing: coverage tiles only
};

// A segment sets the camera for its fraction t in [0, 1] and its frame number within it.
struct Segment {
    std::string name;
    double weight;
    std::function<void(Camera&, double t, int k)> apply;
};

std::vector<Segment> camera_path(const std::string& name, std::int64_t width, std::int64_t height,
                                 const core::DisplaySettings& base) {
    const double cx = static_cast<double>(width) / 2.0;
    const double cy = static_cast<double>(height) / 2.0;
    const std::vector<std::size_t> visible = base.visible_channels();
    const auto zoom_between = [=](Camera& camera, double from_fit) {
        const double fit = camera.view.fit_zoom();
        camera.view.look_at(cx, cy, fit * std::pow(kBenchZoom / fit, from_fit));
    };
    const Segment fit{"fit", 0.05, [](Camera& c, double, int) {
                          c.view.fit();
                      }};
    const Segment zoom_in{"zoom_in", 0.20, [=](Camera& c, double t, int) {
                              zoom_between(c, t);
                          }};
    const Segment pan{"pan", 0.35, [=](Camera& c, double t, int) {
                          c.view.look_at(t * static_cast<double>(width), cy, kBenchZoom);
                      }};
    const Segment zoom_out{"zoom_out", 0.15, [=](Camera& c, double t, int) {
                               zoom_between(c, 1.0 - t);
                           }};
    const Segment toggle{"toggle", 0.15, [=](Camera& c, double, int k) {
                             c.view.fit();
                             if (!visible.empty()) {
                                 const std::size_t channel =
                                     visible[static_cast<std::size_t>(k / 2) % visible.size()];
                                 core::set_channel_visible(c.display, channel,
                                                           k % 2 == 1);  // off, then on
                             }
                         }};
    const Segment colormap{
        "colormap", 0.10, [=](Camera& c, double, int k) {
            c.view.fit();
            if (!visible.empty()) {
                core::set_colormap(
                    c.display, visible.front(),
                    {static_cast<std::uint8_t>(k % static_cast<int>(core::colormap_names().size())),
                     false});
            }
        }};
    if (name == "zoom") {
        return {{"zoom_in", 0.5, zoom_in.apply}, {"zoom_out", 0.5, zoom_out.apply}};
    }
    if (name == "pan") {
        return {{"pan", 1.0, pan.apply}};
    }
    if (name == "toggle") {
        return {{"toggle", 0.6, toggle.apply}, {"colormap", 0.4, colormap.apply}};
    }
    if (name == "slices") {
        return {};  // slice switches and playback instead of camera moves (run_bench)
    }
    return {fit, zoom_in, pan, zoom_out, toggle, colormap};
}

void write_summary(core::JsonWriter& json, const core::Summary& s) {
    json.begin_object();
    json.key("mean").value(s.mean).key("p50").value(s.p50).key("p95").value(s.p95);
    json.key("p99").value(s.p99).key("max").value(s.max);
    json.end_object();
}

}  // namespace

std::string bench_usage() {
    return "usage: tessera bench FILE [--path full|zoom|pan|toggle|slices] [--frames N]\n"
           "         [--size WxH] [--json OUT] [--headless] [--tile-size N]\n"
           "         [--max-texture-size N]\n"
           "         [--gpu-memory MB] [--cpu-cache MB] [--upload-budget MB] [--upload-all]\n"
           "         [--channel-axis auto|first|last] [--axes AXES]\n"
           "       tessera bench --stream [options]   (tessera bench --stream --help)\n"
           "       tessera bench --grid FILE... [options]   (tessera bench --grid --help)";
}

core::Result<BenchRequest> parse_bench_arguments(std::span<const std::string_view> arguments) {
    BenchRequest request;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string_view argument = arguments[i];
        const auto needs = [&](auto&& use) {
            return with_option_value(arguments, i, use);
        };
        const auto positive = [&](int& target, int minimum) {
            return needs([&](std::string_view v) -> core::Result<void> {
                const auto n = parse_int(v);
                if (!n || *n < minimum) {
                    return core::Error{
                        fmt::format("{} expects a whole number of at least {}, got '{}'", argument,
                                    minimum, v)};
                }
                target = *n;
                return {};
            });
        };
        core::Result<void> ok;
        if (argument == "--path") {
            ok = needs([&](std::string_view v) -> core::Result<void> {
                if (v != "full" && v != "zoom" && v != "pan" && v != "toggle" && v != "slices") {
                    return core::Error{fmt::format(
                        "--path expects full, zoom, pan, toggle or slices, got '{}'", v)};
                }
                request.path = std::string(v);
                return {};
            });
        } else if (argument == "--frames") {
            ok = positive(request.frames, 10);
        } else if (argument == "--tile-size") {
            int tile = 0;
            ok = positive(tile, 3);
            request.tile_size = tile;
        } else if (argument == "--upload-all") {
            request.upload_all = true;
        } else if (auto memory = parse_memory_option(arguments, i, request.memory); !memory) {
            return memory.error();
        } else if (*memory) {
            continue;
        } else if (auto load = load_option(arguments, i, request.load); !load) {
            return load.error();
        } else if (*load) {
            continue;
        } else if (argument == "--max-texture-size") {
            ok = positive(request.max_texture_size, 3);
        } else if (argument == "--size") {
            ok = size_option(arguments, i, request.size);
        } else if (argument == "--json") {
            ok = text_option(arguments, i, request.json);
        } else if (argument == "--headless") {
            request.headless = true;
        } else if (argument.starts_with("-") && argument.size() > 1) {
            return core::Error{fmt::format("bench: unknown option '{}'", argument)};
        } else if (request.file.empty()) {
            request.file = std::string(argument);
        } else {
            return core::Error{
                fmt::format("bench takes one FILE, got '{}' and '{}'", request.file, argument)};
        }
        if (!ok) {
            return ok.error();
        }
    }
    if (request.file.empty()) {
        return core::Error{"bench needs a FILE"};
    }
    return request;
}

namespace {

// What one frame drew, and the image's counters after it.
struct Drawn {
    bool covered = true;                 // nothing in the view was left empty
    bool final = true;                   // everything in the view was drawn exactly
    std::vector<std::int64_t> position;  // the slice drawn (the last one while a new one loads)
};

// The image on the GPU: streamed through its pyramid within the budgets (the default), or with
// --upload-all every tile of the view at full resolution before drawing, as viewers without a
// pyramid do (the loader's FullResolution policy, no budget: always final, never streamed).
class BenchImage {
  public:
    BenchImage(std::shared_ptr<const core::ImageSource> source, gl::StreamingOptions options)
        : m_image(std::move(source), options),
          m_upload_all(options.policy == gl::StreamingPolicy::FullResolution) {}
    // `cached`: as the window does while waiting for tiles, redraw only when the camera changed
    // or tiles arrived.
    core::Result<Drawn> draw(gl::Compositor& compositor, const Camera& camera,
                             const gl::Target& target, bool cached) {
        const core::View view = camera.view.view();
        const auto start = Clock::now();
        auto frame = m_upload_all ? m_image.prepare_final(view, camera.display.visible_channels(),
                                                          camera.position)
                                  : m_image.prepare(view, camera.display.visible_channels(),
                                                    camera.position, camera.ahead, camera.moving);
        if (!frame) {
            return frame.error();
        }
        if (!cached) {  // a path frame: how much of it was planning and uploading
            m_prepare_ms.push_back(ms_between(start, Clock::now()));
        }
        const Key key{view, camera.display, m_image.stats().uploads, frame->position};
        if (cached && m_drawn == key) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));  // nothing new to show
        } else if (auto drawn = compositor.draw_tiles(*m_image.source(), frame->draws,
                                                      camera.display, view, target);
                   !drawn) {
            return drawn.error();
        }
        m_drawn = key;
        return Drawn{frame->covered, frame->final, frame->position};
    }
    std::uint64_t uploads() const { return m_image.stats().uploads; }
    std::uint64_t bytes() const { return m_image.stats().bytes; }
    std::size_t resident() const { return m_image.resident_tiles(); }
    std::uint64_t texture_bytes() const { return m_image.texture_bytes(); }
    void report(core::JsonWriter& json) const {
        const gl::StreamingStats stats = m_image.stats();
        json.key("residency").value(m_upload_all ? "upload-all" : "stream");
        if (m_upload_all) {
            json.key("gpu_budget_bytes").null();
            json.key("cpu_cache_budget_bytes").null();
        } else {
            json.key("gpu_budget_bytes").value(static_cast<std::uint64_t>(m_image.gpu_budget()));
            json.key("cpu_cache_budget_bytes")
                .value(static_cast<std::uint64_t>(m_image.cpu_cache_budget()));
        }
        json.key("textures_created").value(stats.textures_created);
        json.key("textures_reused").value(stats.textures_reused);
        json.key("evicted").value(stats.evicted);
        json.key("dropped_requests").value(stats.dropped);
        // The GL thread's share of path frames spent planning and uploading (StreamingImage::
        // prepare); the rest is drawing.
        json.key("prepare_ms");
        write_summary(json, core::summarise(m_prepare_ms));
    }

  private:
    std::vector<double> m_prepare_ms;
    struct Key {
        core::View view;
        core::DisplaySettings display;
        std::uint64_t uploads = 0;
        std::vector<std::int64_t> position;
        bool operator==(const Key&) const = default;
    };
    gl::StreamingImage m_image;
    bool m_upload_all;
    std::optional<Key> m_drawn;
};

// Samples this process's resident memory every 10 ms, anonymous and file-backed apart: how much
// of a memory-mapped file stays resident is what the second shows (getrusage has only the sum).
class ResidentSampler {
  public:
    ResidentSampler() : m_thread([this] { run(); }) {}
    ~ResidentSampler() { stop(); }
    void stop() {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_wake.notify_all();
        if (m_thread.joinable()) {
            m_thread.join();
        }
    }
    std::uint64_t peak_anon() const { return m_peak_anon; }
    std::uint64_t peak_file() const { return m_peak_file; }

  private:
    void sample() {
        std::ifstream status("/proc/self/status");
        std::string line;
        while (std::getline(status, line)) {
            std::uint64_t kib = 0;
            if (std::sscanf(line.c_str(), "RssAnon: %" SCNu64, &kib) == 1) {
                m_peak_anon = std::max(m_peak_anon, kib * 1024);
            } else if (std::sscanf(line.c_str(), "RssFile: %" SCNu64, &kib) == 1) {
                m_peak_file = std::max(m_peak_file, kib * 1024);
            }
        }
    }
    void run() {
        std::unique_lock lock(m_mutex);
        while (!m_stop) {
            sample();
            m_wake.wait_for(lock, std::chrono::milliseconds(10));
        }
        sample();
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    std::uint64_t m_peak_anon = 0;
    std::uint64_t m_peak_file = 0;
    std::thread m_thread;
};

std::uint64_t peak_rss_bytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux: kilobytes
}

}  // namespace

int run_bench(const BenchRequest& request, std::FILE* out, std::FILE* err) {
    const auto start = Clock::now();
    ResidentSampler resident;
    const auto fail = [&](const std::string& message) {
        report_error(err, message);
        return 1;
    };
    const auto [width, height] = request.size;
    // The GL context first (window or EGL), as the inspector would open it.
    std::unique_ptr<Window> window;
    std::optional<gl::HeadlessContext> context;
    if (request.headless) {
        auto created = gl::HeadlessContext::create();
        if (!created) {
            return fail(created.error().message);
        }
        context.emplace(std::move(created).value());
    } else {
        auto opened = Window::open("Tessera bench", width, height);
        if (!opened) {
            return fail(opened.error().message + " (or use --headless)");
        }
        window = std::move(opened).value();
        window->set_vsync(false);
    }
    const core::LoadOptions load = request.load;
    LoadResult loaded = load_file(request.file, load);
    if (!loaded.error.empty()) {
        return fail(loaded.error);
    }
    const auto load_done = Clock::now();
    const core::Image& image = loaded.datasets.front().image;
    const core::ImageSource& source = *image.source;
    Camera base;
    base.display = core::default_display(source.channels(), loaded.datasets.front().statistics,
                                         image.metadata.transfer);
    base.view.set_viewport(width, height);
    base.view.set_image_size(source.width(), source.height());

    auto compositor = gl::Compositor::create();
    if (!compositor) {
        return fail(compositor.error().message);
    }
    gl::StreamingOptions streaming =
        streaming_options(request.memory, gl::current_renderer_is_software());
    streaming.max_texture_size = request.max_texture_size;
    if (request.upload_all) {
        streaming.policy = gl::StreamingPolicy::FullResolution;
        streaming.tile_size = std::max(1, request.tile_size.value_or(2048) - 2);
        streaming.gpu_budget = std::numeric_limits<std::size_t>::max();
        streaming.upload_budget = std::numeric_limits<std::size_t>::max();
    } else {
        streaming.tile_size = std::max(1, request.tile_size.value_or(512) - 2);
    }
    auto tiles = std::make_unique<BenchImage>(image.source, streaming);
    gl::Texture2D target_texture;
    std::optional<gl::Framebuffer> target_buffer;
    gl::Target target{0, 0, 0, width, height};
    if (request.headless) {
        auto texture = gl::Texture2D::create(width, height, gl::PixelFormat{});
        if (!texture) {
            return fail("the render target: " + texture.error().message);
        }
        target_texture = std::move(texture).value();
        auto framebuffer = gl::Framebuffer::create(target_texture);
        if (!framebuffer) {
            return fail("the render target: " + framebuffer.error().message);
        }
        target_buffer.emplace(std::move(framebuffer).value());
        target.framebuffer = target_buffer->id();
    }
    gl::GpuTimer timer;

    std::vector<core::FrameRecord> records;
    std::uint64_t peak_texture = 0;
    std::uint64_t index = 0;
    std::uint64_t not_final = 0;
    // Draws one frame, records it and says what it drew.
    const auto frame = [&](const Camera& camera, bool cached) -> core::Result<Drawn> {
        const std::uint64_t uploads_before = tiles->uploads();
        const std::uint64_t bytes_before = tiles->bytes();
        const auto frame_start = Clock::now();
        timer.begin(index);
        auto drawn = tiles->draw(*compositor, camera, target, cached);
        timer.end();
        if (!drawn) {
            return core::Error{fmt::format("{}: {}", request.file, drawn.error().message)};
        }
        if (window) {
            window->present();  // llvmpipe's swap finishes the frame
        } else {
            glFinish();
        }
        const auto frame_end = Clock::now();
        core::FrameRecord record;
        record.index = index;
        record.timestamp_s = std::chrono::duration<double>(frame_end - start).count();
        record.cpu_ms = ms_between(frame_start, frame_end);
        record.uploads = tiles->uploads() - uploads_before;
        record.upload_bytes = tiles->bytes() - bytes_before;
        record.tiles_resident = tiles->resident();
        records.push_back(record);
        peak_texture = std::max(peak_texture, tiles->texture_bytes());
        not_final += drawn->final ? 0 : 1;
        while (auto result = timer.take_result()) {
            records[result->tag].gpu_ms = result->ms;
        }
        ++index;
        return drawn;
    };
    // Frames of one view until it is final: what a user waits for after opening or jumping.
    struct Milestone {
        double covered_ms = -1;  // since `from`
        double final_ms = -1;
        std::uint64_t frames = 0;
    };
    const auto settle = [&](const Camera& camera,
                            Clock::time_point from) -> core::Result<Milestone> {
        Milestone milestone;
        const auto deadline = Clock::now() + std::chrono::minutes(10);
        while (Clock::now() < deadline) {
            auto drawn = frame(camera, true);
            if (!drawn) {
                return drawn.error();
            }
            ++milestone.frames;
            if (drawn->covered && milestone.covered_ms < 0) {
                milestone.covered_ms = ms_between(from, Clock::now());
            }
            if (drawn->final) {
                milestone.final_ms = ms_between(from, Clock::now());
                return milestone;
            }
        }
        return core::Error{
            fmt::format("{}: the view was not final after 10 minutes", request.file)};
    };
    Camera fit = base;
    fit.view.fit();
    auto opened = settle(fit, start);
    if (!opened) {
        return fail(opened.error().message);
    }
    Camera middle = base;
    middle.view.look_at(static_cast<double>(source.width()) / 2.0,
                        static_cast<double>(source.height()) / 2.0, 1.0);
    auto one_to_one = settle(middle, Clock::now());
    if (!one_to_one) {
        return fail(one_to_one.error().message);
    }
    const std::size_t path_begin = records.size();
    const std::uint64_t not_final_before_path = not_final;

    const auto segments = camera_path(request.path, source.width(), source.height(), base.display);
    std::vector<std::size_t> segment_of;
    double total_weight = 0;
    for (const Segment& s : segments) {
        total_weight += s.weight;
    }
    for (std::size_t si = 0; si < segments.size(); ++si) {
        const int count = std::max(
            1, static_cast<int>(std::lround(segments[si].weight / total_weight * request.frames)));
        for (int k = 0; k < count; ++k) {
            Camera camera = base;
            segments[si].apply(camera, count > 1 ? static_cast<double>(k) / (count - 1) : 1.0, k);
            if (auto drawn = frame(camera, false); !drawn) {
                return fail(drawn.error().message);
            }
            segment_of.push_back(si);
        }
    }
    // --path slices: slice switches at fit and at 1:1 (time until the new slice is on screen,
    // and until it is final), then playback at fit faster than slices can arrive.
    struct Switches {
        std::vector<double> visible_ms;
        std::vector<double> final_ms;
    };
    std::vector<std::pair<std::string, Switches>> switches;
    struct Playing {
        double target_fps = 60;
        std::uint64_t frames = 0;
        std::uint64_t slices_shown = 0;
        double seconds = 0;
    } playing;
    if (request.path == "slices") {
        core::Dims dims(source.axes());
        const std::vector<std::size_t> sliders = dims.slider_axes();
        if (sliders.empty()) {
            return fail(fmt::format("{}: --path slices needs a stack; this image has one plane",
                                    request.file));
        }
        const std::size_t axis = dims.step_axis();
        const std::int64_t extent = source.axes()[axis].extent;
        const std::int64_t count = std::min<std::int64_t>(extent - 1, 12);
        for (const auto& [name, camera0] :
             {std::pair{"fit", fit}, std::pair{"one_to_one", middle}}) {
            Camera camera = camera0;
            camera.position.assign(source.axes().size(), 0);
            if (auto ok = settle(camera, Clock::now()); !ok) {  // slice 0 final first
                return fail(ok.error().message);
            }
            Switches figures;
            for (std::int64_t k = 1; k <= count; ++k) {  // a step key pressed, one slice on
                camera.position[axis] = k;
                camera.ahead = {camera.position};
                camera.ahead.front()[axis] = std::min(k + 1, extent - 1);
                const auto from = Clock::now();
                double visible = -1;
                const auto deadline = from + std::chrono::minutes(10);
                while (true) {
                    auto drawn = frame(camera, true);
                    if (!drawn) {
                        return fail(drawn.error().message);
                    }
                    if (visible < 0 && drawn->position == camera.position) {
                        visible = ms_between(from, Clock::now());
                    }
                    if (drawn->final && drawn->position == camera.position) {
                        break;
                    }
                    if (Clock::now() > deadline) {
                        return fail(fmt::format("{}: slice {} was not final after 10 minutes",
                                                request.file, k));
                    }
                }
                figures.visible_ms.push_back(visible);
                figures.final_ms.push_back(ms_between(from, Clock::now()));
            }
            switches.emplace_back(name, std::move(figures));
        }
        // Playback at fit, asked for faster than this machine can deliver: slices are skipped.
        dims.playback().set_fps(playing.target_fps);
        dims.playback().set_mode(core::LoopMode::Loop);
        const auto play_start = Clock::now();
        dims.toggle_play(0.0);
        std::vector<std::int64_t> last_shown;
        Camera camera = fit;
        double last_frame_s = 1.0 / playing.target_fps;
        while (ms_between(play_start, Clock::now()) < 3000.0) {
            const auto frame_start = Clock::now();
            const double now = ms_between(play_start, frame_start) / 1e3;
            dims.advance(now);
            camera.position = dims.position();
            camera.ahead = dims.plan_ahead(now, last_frame_s, 3);  // as the window does
            camera.moving = true;
            auto drawn = frame(camera, false);
            last_frame_s = ms_between(frame_start, Clock::now()) / 1e3;
            if (!drawn) {
                return fail(drawn.error().message);
            }
            ++playing.frames;
            if (drawn->covered && drawn->position != last_shown) {
                ++playing.slices_shown;
                last_shown = drawn->position;
            }
        }
        playing.seconds = ms_between(play_start, Clock::now()) / 1e3;
    }
    glFinish();
    while (auto result = timer.take_result()) {
        records[result->tag].gpu_ms = result->ms;
    }

    // Frame-time figures are of the path; uploads and memory of the whole run.
    const std::span<const core::FrameRecord> path(records.begin() + path_begin, records.end());
    std::vector<double> cpu;
    std::vector<double> gpu;
    std::vector<double> uploading;      // path frames that uploaded textures
    std::vector<double> not_uploading;  // and those that did not
    for (const core::FrameRecord& r : path) {
        cpu.push_back(r.cpu_ms);
        (r.uploads > 0 ? uploading : not_uploading).push_back(r.cpu_ms);
        if (r.gpu_ms) {
            gpu.push_back(*r.gpu_ms);
        }
    }
    std::uint64_t uploads = 0;
    std::uint64_t bytes = 0;
    for (const core::FrameRecord& r : records) {
        uploads += r.uploads;
        bytes += r.upload_bytes;
    }
    const core::Summary cpu_summary = core::summarise(cpu);
    const double frames = static_cast<double>(path.size());
    const double wall_s =
        path.back().timestamp_s - (path.front().timestamp_s - path.front().cpu_ms / 1e3);
    const std::uint64_t rss = peak_rss_bytes();
    resident.stop();

    core::JsonWriter json;
    json.begin_object();
    json.key("tessera_version").value(core::kVersion);
    json.key("file").value(request.file);
    json.key("image").begin_object();
    json.key("width").value(source.width()).key("height").value(source.height());
    json.key("channels").value(static_cast<std::uint64_t>(source.channel_count()));
    json.key("type").value(core::to_string(source.channels().front().type));
    json.end_object();
    json.key("path").value(request.path);
    json.key("mode").value(request.headless ? "headless" : "window");
    tiles->report(json);
    json.key("renderer").value(reinterpret_cast<const char*>(glGetString(GL_RENDERER)));
    json.key("size").begin_array().value(width).value(height).end_array();
    json.key("frames").value(static_cast<std::uint64_t>(path.size()));
    json.key("load_ms").value(ms_between(start, load_done));
    json.key("time_to_first_frame_ms").value(opened->covered_ms);
    json.key("fit_final_ms").value(opened->final_ms);
    json.key("fit_frames").value(opened->frames);
    json.key("one_to_one_final_ms").value(one_to_one->final_ms);
    json.key("one_to_one_frames").value(one_to_one->frames);
    json.key("path_frames_not_final").value(not_final - not_final_before_path);
    json.key("fps").value(frames / wall_s);
    json.key("frame_ms").begin_object();
    json.key("cpu");
    write_summary(json, cpu_summary);
    for (const auto& [name, values] :
         {std::pair{"gpu", &gpu}, std::pair{"cpu_uploading", &uploading},
          std::pair{"cpu_not_uploading", &not_uploading}}) {
        json.key(name);
        if (values->empty()) {
            json.null();
        } else {
            write_summary(json, core::summarise(*values));
        }
    }
    json.end_object();
    json.key("uploads").begin_object();
    json.key("total").value(uploads).key("bytes").value(bytes);
    json.key("per_frame").value(static_cast<double>(uploads) / frames);
    json.key("bytes_per_frame").value(static_cast<double>(bytes) / frames);
    json.end_object();
    json.key("peak_texture_bytes").value(peak_texture);
    json.key("peak_rss_bytes").value(rss);
    json.key("peak_rss_anon_bytes").value(resident.peak_anon());  // sampled every 10 ms
    json.key("peak_rss_file_bytes").value(resident.peak_file());
    if (!switches.empty()) {
        json.key("slices").begin_object();
        for (const auto& [name, figures] : switches) {
            json.key(name).begin_object();
            json.key("switches").value(static_cast<std::uint64_t>(figures.final_ms.size()));
            json.key("visible_ms");
            write_summary(json, core::summarise(figures.visible_ms));
            json.key("final_ms");
            write_summary(json, core::summarise(figures.final_ms));
            json.end_object();
        }
        json.key("playback").begin_object();
        json.key("target_fps").value(playing.target_fps);
        json.key("frames").value(playing.frames);
        json.key("slices_shown").value(playing.slices_shown);
        json.key("frames_per_second").value(static_cast<double>(playing.frames) / playing.seconds);
        json.key("slices_per_second")
            .value(static_cast<double>(playing.slices_shown) / playing.seconds);
        json.end_object();
        json.end_object();
    }
    json.key("segments").begin_array();
    for (std::size_t si = 0; si < segments.size(); ++si) {
        std::vector<double> seg_cpu;
        std::vector<double> seg_gpu;
        std::uint64_t seg_uploads = 0;
        std::uint64_t seg_bytes = 0;
        for (std::size_t f = 0; f < path.size(); ++f) {
            if (segment_of[f] == si) {
                seg_cpu.push_back(path[f].cpu_ms);
                if (path[f].gpu_ms) {
                    seg_gpu.push_back(*path[f].gpu_ms);
                }
                seg_uploads += path[f].uploads;
                seg_bytes += path[f].upload_bytes;
            }
        }
        json.begin_object();
        json.key("name").value(segments[si].name);
        json.key("frames").value(static_cast<std::uint64_t>(seg_cpu.size()));
        json.key("uploads").value(seg_uploads).key("bytes").value(seg_bytes);
        json.key("cpu_ms");
        write_summary(json, core::summarise(seg_cpu));
        json.key("gpu_ms_mean");
        seg_gpu.empty() ? json.null() : json.value(core::summarise(seg_gpu).mean);
        json.end_object();
    }
    json.end_array();
    json.end_object();

    if (request.json) {
        std::ofstream file(*request.json, std::ios::trunc);
        file << json.text() << "\n";
        if (!file) {
            return fail(*request.json + ": cannot write the JSON summary");
        }
        fmt::print(
            out,
            "{} ({}, {}, {} frames at {}x{}): first frame {:.0f} ms, fit final {:.0f} ms, "
            "1:1 final {:.0f} ms; path {:.1f} FPS, CPU p50 {:.2f} ms p99 {:.2f} ms; "
            "{} uploads, peak texture {:.1f} MB, peak RSS {:.1f} MB (anonymous {:.1f}, file-backed "
            "{:.1f}) -> {}\n",
            request.file, request.headless ? "headless" : "window",
            request.upload_all ? "upload-all" : "stream", path.size(), width, height,
            opened->covered_ms, opened->final_ms, one_to_one->final_ms, frames / wall_s,
            cpu_summary.p50, cpu_summary.p99, uploads, static_cast<double>(peak_texture) / 1e6,
            static_cast<double>(rss) / 1e6, static_cast<double>(resident.peak_anon()) / 1e6,
            static_cast<double>(resident.peak_file()) / 1e6, *request.json);
    } else {
        fmt::print(out, "{}\n", json.text());
    }
    return 0;
}

}  // namespace tessera::app
