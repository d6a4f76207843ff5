#include "app/BenchCommand.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>

#include <fmt/format.h>

#include "app/DisplayOptions.h"
#include "app/Session.h"
#include "app/Window.h"
#include "core/FrameStats.h"
#include "core/JsonWriter.h"
#include "core/Version.h"
#include "core/ViewController.h"
#include "gl/Compositor.h"
#include "gl/Framebuffer.h"
#include "gl/GpuTimer.h"
#include "gl/HeadlessContext.h"

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
                                 c.display.channels[channel].visible = k % 2 == 1;  // off, then on
                             }
                         }};
    const Segment colormap{
        "colormap", 0.10, [=](Camera& c, double, int k) {
            c.view.fit();
            if (!visible.empty()) {
                c.display.colour = false;
                c.display.channels[visible.front()].colormap.index =
                    static_cast<std::uint8_t>(k % static_cast<int>(core::colormap_names().size()));
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
    return "usage: tessera bench FILE [--path full|zoom|pan|toggle] [--frames N] [--size WxH]\n"
           "         [--json OUT] [--headless] [--tile-size N] [--max-texture-size N]\n"
           "         [--channel-axis auto|first|last]";
}

core::Result<BenchRequest> parse_bench_arguments(std::span<const std::string_view> arguments) {
    BenchRequest request;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string_view argument = arguments[i];
        const auto value = [&] {
            return option_value(arguments, i);
        };
        const auto positive = [&](int& target, int minimum) -> core::Result<void> {
            auto text = value();
            if (!text) {
                return text.error();
            }
            const auto n = parse_int(text.value());
            if (!n || *n < minimum) {
                return core::Error{fmt::format("{} expects a whole number of at least {}, got '{}'",
                                               argument, minimum, text.value())};
            }
            target = *n;
            return {};
        };
        core::Result<void> ok;
        if (argument == "--path") {
            auto text = value();
            if (!text) {
                return text.error();
            }
            if (text.value() != "full" && text.value() != "zoom" && text.value() != "pan" &&
                text.value() != "toggle") {
                return core::Error{fmt::format("--path expects full, zoom, pan or toggle, got '{}'",
                                               text.value())};
            }
            request.path = std::string(text.value());
        } else if (argument == "--frames") {
            ok = positive(request.frames, 10);
        } else if (argument == "--tile-size") {
            ok = positive(request.tile_size, 1);
        } else if (argument == "--max-texture-size") {
            ok = positive(request.max_texture_size, 3);
        } else if (argument == "--size") {
            auto text = value();
            if (!text) {
                return text.error();
            }
            auto size = parse_size(text.value());
            if (!size) {
                return size.error();
            }
            request.size = *size;
        } else if (argument == "--json") {
            auto text = value();
            if (!text) {
                return text.error();
            }
            request.json = std::string(text.value());
        } else if (argument == "--headless") {
            request.headless = true;
        } else if (argument == "--channel-axis") {
            auto text = value();
            if (!text ||
                (text.value() != "auto" && text.value() != "first" && text.value() != "last")) {
                return core::Error{"--channel-axis expects auto, first or last"};
            }
            request.channel_axis = text.value() == "first"  ? core::ChannelAxis::First
                                   : text.value() == "last" ? core::ChannelAxis::Last
                                                            : core::ChannelAxis::Auto;
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

int run_bench(const BenchRequest& request, std::FILE* out, std::FILE* err) {
    const auto start = Clock::now();
    const auto fail = [&](const std::string& message) {
        fmt::print(err, "tessera: {}\n", message);
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
    core::LoadOptions load;
    load.channel_axis = request.channel_axis;
    LoadResult loaded = load_file(request.file, load);
    if (!loaded.error.empty()) {
        return fail(loaded.error);
    }
    const auto load_done = Clock::now();
    const core::Image& image = loaded.images.front();
    const core::ImageSource& source = *image.source;
    Camera base;
    base.display = core::default_display(source.channels(), loaded.statistics.front(),
                                         image.metadata.transfer);
    base.view.set_viewport(width, height);
    base.view.set_image_size(source.width(), source.height());

    auto compositor = gl::Compositor::create();
    if (!compositor) {
        return fail(compositor.error().message);
    }
    gl::TiledImage tiled(image.source, request.tile_size, request.max_texture_size);
    gl::Texture2D target_texture;
    std::optional<gl::Framebuffer> target_buffer;
    gl::Target target{0, 0, 0, width, height};
    if (request.headless) {
        target_texture = gl::Texture2D::create(width, height, gl::PixelFormat{});
        target_buffer.emplace(std::move(gl::Framebuffer::create(target_texture)).value());
        target.framebuffer = target_buffer->id();
    }
    gl::GpuTimer timer;

    const auto segments = camera_path(request.path, source.width(), source.height(), base.display);
    std::vector<core::FrameRecord> records;
    std::vector<std::size_t> segment_of;
    std::uint64_t peak_texture = 0;
    double first_frame_ms = 0;
    double total_weight = 0;
    for (const Segment& s : segments) {
        total_weight += s.weight;
    }
    std::uint64_t index = 0;
    for (std::size_t si = 0; si < segments.size(); ++si) {
        const int count = std::max(
            1, static_cast<int>(std::lround(segments[si].weight / total_weight * request.frames)));
        for (int k = 0; k < count; ++k) {
            Camera camera = base;
            segments[si].apply(camera, count > 1 ? static_cast<double>(k) / (count - 1) : 1.0, k);
            const gl::UploadStats before = tiled.uploads();
            const auto frame_start = Clock::now();
            timer.begin(index);
            auto drawn = compositor->draw(tiled, camera.display, camera.view.view(), target);
            timer.end();
            if (!drawn) {
                return fail(fmt::format("{}: {}", request.file, drawn.error().message));
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
            record.uploads = tiled.uploads().uploads - before.uploads;
            record.upload_bytes = tiled.uploads().bytes - before.bytes;
            record.tiles_resident = tiled.resident_tiles();
            records.push_back(record);
            segment_of.push_back(si);
            peak_texture = std::max(peak_texture, tiled.texture_bytes());
            if (index == 0) {
                first_frame_ms = ms_between(start, frame_end);
            }
            while (auto result = timer.take_result()) {
                records[result->tag].gpu_ms = result->ms;
            }
            ++index;
        }
    }
    glFinish();
    while (auto result = timer.take_result()) {
        records[result->tag].gpu_ms = result->ms;
    }

    std::vector<double> cpu;
    std::vector<double> gpu;
    std::uint64_t uploads = 0;
    std::uint64_t bytes = 0;
    for (const core::FrameRecord& r : records) {
        cpu.push_back(r.cpu_ms);
        if (r.gpu_ms) {
            gpu.push_back(*r.gpu_ms);
        }
        uploads += r.uploads;
        bytes += r.upload_bytes;
    }
    const core::Summary cpu_summary = core::summarise(cpu);
    const double frames = static_cast<double>(records.size());
    const double wall_s =
        records.back().timestamp_s - (records.front().timestamp_s - records.front().cpu_ms / 1e3);

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
    json.key("renderer").value(reinterpret_cast<const char*>(glGetString(GL_RENDERER)));
    json.key("size").begin_array().value(width).value(height).end_array();
    json.key("frames").value(static_cast<std::uint64_t>(records.size()));
    json.key("load_ms").value(ms_between(start, load_done));
    json.key("time_to_first_frame_ms").value(first_frame_ms);
    json.key("fps").value(frames / wall_s);
    json.key("frame_ms").begin_object();
    json.key("cpu");
    write_summary(json, cpu_summary);
    json.key("gpu");
    if (gpu.empty()) {
        json.null();
    } else {
        write_summary(json, core::summarise(gpu));
    }
    json.end_object();
    json.key("uploads").begin_object();
    json.key("total").value(uploads).key("bytes").value(bytes);
    json.key("per_frame").value(static_cast<double>(uploads) / frames);
    json.key("bytes_per_frame").value(static_cast<double>(bytes) / frames);
    json.end_object();
    json.key("peak_texture_bytes").value(peak_texture);
    json.key("segments").begin_array();
    for (std::size_t si = 0; si < segments.size(); ++si) {
        std::vector<double> seg_cpu;
        std::vector<double> seg_gpu;
        std::uint64_t seg_uploads = 0;
        std::uint64_t seg_bytes = 0;
        for (std::size_t f = 0; f < records.size(); ++f) {
            if (segment_of[f] == si) {
                seg_cpu.push_back(records[f].cpu_ms);
                if (records[f].gpu_ms) {
                    seg_gpu.push_back(*records[f].gpu_ms);
                }
                seg_uploads += records[f].uploads;
                seg_bytes += records[f].upload_bytes;
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
        fmt::print(out,
                   "{} ({}, {} frames at {}x{}): {:.1f} FPS, CPU p50 {:.2f} ms p99 {:.2f} ms, "
                   "first frame {:.0f} ms, "
                   "{} uploads, peak texture {:.1f} MB -> {}\n",
                   request.file, request.headless ? "headless" : "window", records.size(), width,
                   height, frames / wall_s, cpu_summary.p50, cpu_summary.p99, first_frame_ms,
                   uploads, static_cast<double>(peak_texture) / 1e6, *request.json);
    } else {
        fmt::print(out, "{}\n", json.text());
    }
    return 0;
}

}  // namespace tessera::app
