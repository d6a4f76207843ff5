#include "app/commands/StreamBench.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>
#include <mutex>
#include <thread>

#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <fmt/format.h>

#include "app/cli/DisplayOptions.h"
#include "app/cli/Report.h"
#include "app/ipc/IpcServer.h"
#include "app/ipc/Socket.h"
#include "app/session/Session.h"
#include "core/base/JsonWriter.h"
#include "core/stats/FrameStats.h"
#include "gl/composite/Compositor.h"
#include "gl/context/HeadlessContext.h"
#include "gl/context/Renderer.h"
#include "gl/objects/Framebuffer.h"
#include "gl/objects/Gl.h"

namespace tessera::app {
namespace {

std::string renderer_name() {
    const auto* name = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    return name != nullptr ? name : "unknown";
}

using Clock = std::chrono::steady_clock;
namespace ipc = core::ipc;
constexpr const char* kName = "stream";

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

double thread_cpu_ms() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

double process_cpu_ms() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto ms = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
    };
    return ms(usage.ru_utime) + ms(usage.ru_stime);
}

// The rectangles a frame is sent in, in order: rows of tiles (one for whole frames).
std::vector<core::Rect> frame_rects(int side, int tile) {
    const int step = tile > 0 ? tile : side;
    std::vector<core::Rect> rects;
    for (int ty = 0; ty < side; ty += step) {
        for (int tx = 0; tx < side; tx += step) {
            rects.push_back({tx, ty, std::min(step, side - tx), std::min(step, side - ty)});
        }
    }
    return rects;
}

// The packets of one frame: a ramp whose direction alternates, so every frame changes every pixel.
std::vector<std::vector<std::byte>> frame_packets(int side, int tile, bool flipped) {
    const std::vector<std::string> channel{"Y"};
    std::vector<std::vector<std::byte>> packets;
    std::vector<float> values;
    for (const core::Rect& rect : frame_rects(side, tile)) {
        values.resize(static_cast<std::size_t>(rect.area()));
        for (std::int64_t y = 0; y < rect.height; ++y) {
            for (std::int64_t x = 0; x < rect.width; ++x) {
                const float t =
                    static_cast<float>((rect.x + x) + (rect.y + y)) / static_cast<float>(2 * side);
                values[static_cast<std::size_t>(y * rect.width + x)] = flipped ? 1 - t : t;
            }
        }
        packets.push_back(ipc::encode_update_interleaved(false, kName, channel, rect, values));
    }
    return packets;
}

struct RunResult {
    int tile = 0;
    std::string view;
    double seconds = 0;
    std::uint64_t frames_sent = 0;
    std::uint64_t frames_written = 0;    // every packet of the frame written into the image
    std::uint64_t frames_displayed = 0;  // new frames on screen whole (every pixel shown of them)
    std::uint64_t draws = 0;
    // The last byte of what the view shows of a frame to the end of the draw showing it whole.
    std::vector<double> latency_ms;
    std::vector<double> draw_ms;       // between draws
    std::vector<double> prepare_ms;    // planning and uploading (StreamingImage::prepare)
    std::vector<double> composite_ms;  // drawing the tiles, to glFinish
    double viewer_cpu_ms = 0;          // the process without the client thread
    double client_cpu_ms = 0;
    std::uint64_t upload_bytes = 0;
    std::uint64_t textures_created = 0;
    std::uint64_t visible_tile_bytes = 0;  // of the textures a final frame of the view draws
    std::uint64_t peak_rss_kib = 0;
};

core::Result<RunResult> run_once(const StreamBenchRequest& request, int tile,
                                 const std::string& view_name, gl::Compositor& compositor,
                                 const gl::Target& target) {
    RunResult run;
    run.tile = tile;
    run.view = view_name;
    const int side = request.image;
    Session session;
    session.set_streaming(streaming_options(request.memory, gl::current_renderer_is_software()));
    auto live = std::make_shared<ipc::LiveImages>();
    session.set_live_images(live);
    auto started = IpcServer::start(*parse_endpoint("127.0.0.1:0"), live);
    if (!started) {
        return started.error();
    }
    IpcServer& server = *started.value();
    core::View view =
        view_name == "fit"
            ? core::View::fit(side, side, target.width, target.height)
            : core::View::of_rect(side / 2.0 - target.width / 2.0, side / 2.0 - target.height / 2.0,
                                  side / 2.0 + target.width / 2.0, side / 2.0 + target.height / 2.0,
                                  target.width, target.height);
    view.sampling = core::default_sampling(view.x_scale);  // as the window samples it
    // What the view shows of a frame is written with the last packet that touches it: frame f
    // is whole on screen once a draw shows every texture at that revision or newer. (At fit that
    // is the frame's last packet; at 1:1 the last one inside the view.)
    const core::Rect shown_rect =
        core::intersection({static_cast<std::int64_t>(std::floor(view.x0)),
                            static_cast<std::int64_t>(std::floor(view.y0)),
                            static_cast<std::int64_t>(std::ceil(view.width * view.x_scale)) + 1,
                            static_cast<std::int64_t>(std::ceil(view.height * view.y_scale)) + 1},
                           {0, 0, side, side});
    const std::vector<core::Rect> rects = frame_rects(side, tile);
    std::size_t last_shown = 0;  // the packet
    for (std::size_t k = 0; k < rects.size(); ++k) {
        if (!core::intersection(rects[k], shown_rect).empty()) {
            last_shown = k;
        }
    }
    std::mutex written_mutex;
    std::vector<std::pair<std::uint64_t, Clock::time_point>> written;  // per frame, what it shows
    std::uint64_t frames_written = 0;
    std::uint64_t updates = 0;
    server.set_update_hook([&](const std::string&, std::uint64_t revision) {
        std::lock_guard lock(written_mutex);
        const std::size_t k = updates++ % rects.size();
        if (k == last_shown) {
            written.emplace_back(revision, Clock::now());
        }
        frames_written += k + 1 == rects.size() ? 1 : 0;
    });

    // The client: creates the image, then sends frames until told to stop.
    const std::array<std::vector<std::vector<std::byte>>, 2> frames{
        frame_packets(side, tile, false), frame_packets(side, tile, true)};
    std::atomic<bool> go{false};
    std::atomic<bool> stop{false};
    std::atomic<std::uint64_t> sent{0};
    double client_cpu = 0;
    std::string client_error;
    std::thread client([&] {
        auto socket = connect_to(server.endpoint(), std::chrono::seconds(10));
        if (!socket) {
            client_error = socket.error().message;
            return;
        }
        const std::vector<std::string> channel{"Y"};
        if (auto ok =
                send_all(*socket, ipc::encode(ipc::CreateImage{true, kName, side, side, channel}));
            !ok) {
            client_error = ok.error().message;
            return;
        }
        while (!go && !stop) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        const double cpu_start = thread_cpu_ms();
        for (std::uint64_t f = 0; !stop; ++f) {
            for (const auto& packet : frames[f % 2]) {
                if (auto ok = send_all(*socket, packet); !ok) {
                    client_error = ok.error().message;
                    stop = true;
                    break;
                }
            }
            sent += stop ? 0 : 1;
        }
        client_cpu = thread_cpu_ms() - cpu_start;
    });
    const auto stop_client = [&] {
        stop = true;
        client.join();
    };

    // The image appears in the session as it would in the window.
    const auto give_up = Clock::now() + std::chrono::minutes(2);
    while ((session.current() == nullptr || session.current()->state != DocumentState::Ready) &&
           Clock::now() < give_up && client_error.empty()) {
        for (IpcEvent& event : server.take_events()) {
            session.apply(std::move(event));
        }
        session.poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ImageDocument* document = session.current();
    if (document == nullptr || document->state != DocumentState::Ready) {
        stop_client();
        return core::Error{"the streamed image did not open: " + client_error};
    }
    document->display().channels[0].lo = 0;
    document->display().channels[0].hi = 1;
    gl::StreamingImage& tiles = *document->tiles;
    const std::vector<std::size_t> channels{0};
    // Settled before the client starts: what a final view of it draws.
    if (auto settled = tiles.prepare_final(view, channels); settled) {
        for (const gl::TileDraw& draw : settled->draws) {
            for (const gl::Texture2D* texture : draw.textures) {
                if (texture != nullptr) {
                    run.visible_tile_bytes +=
                        static_cast<std::uint64_t>(texture->width() * texture->height()) * 4;
                }
            }
        }
    }
    const gl::StreamingStats before = tiles.stats();
    const double cpu_before = process_cpu_ms();
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration<double>(request.seconds);
    go = true;
    std::uint64_t shown = 0;  // frames known complete on screen
    Clock::time_point last_draw = start;
    std::uint64_t drawn_uploads = tiles.stats().uploads;
    while (Clock::now() < end && client_error.empty()) {
        for (IpcEvent& event : server.take_events()) {
            session.apply(std::move(event));
        }
        session.poll();
        const auto prepare_start = Clock::now();
        auto frame = tiles.prepare(view, channels);
        const auto prepare_end = Clock::now();
        if (!frame) {
            stop_client();
            return frame.error();
        }
        // As the window does: the composite is redrawn when tiles arrived, not otherwise.
        if (tiles.stats().uploads == drawn_uploads) {
            std::this_thread::sleep_for(std::chrono::microseconds(500));
            continue;
        }
        drawn_uploads = tiles.stats().uploads;
        run.prepare_ms.push_back(ms_between(prepare_start, prepare_end));
        if (auto drawn = compositor.draw_tiles(*document->image().source, frame->draws,
                                               document->display(), view, target);
            !drawn) {
            stop_client();
            return drawn.error();
        }
        glFinish();
        const auto now = Clock::now();
        run.composite_ms.push_back(ms_between(prepare_end, now));
        run.draw_ms.push_back(ms_between(last_draw, now));
        last_draw = now;
        ++run.draws;
        // The newest frame all of whose pixels shown are on screen (or replaced by newer ones).
        std::lock_guard lock(written_mutex);
        std::uint64_t complete = shown;
        while (complete < written.size() && written[complete].first <= frame->oldest_revision) {
            ++complete;
        }
        if (complete > shown) {
            ++run.frames_displayed;
            run.latency_ms.push_back(ms_between(written[complete - 1].second, now));
            shown = complete;
        }
    }
    run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu_after = process_cpu_ms();
    stop_client();
    if (!client_error.empty()) {
        return core::Error{"the client: " + client_error};
    }
    run.client_cpu_ms = client_cpu;
    run.viewer_cpu_ms = cpu_after - cpu_before - client_cpu;
    run.frames_sent = sent;
    {
        std::lock_guard lock(written_mutex);
        run.frames_written = frames_written;
    }
    const gl::StreamingStats after = tiles.stats();
    run.upload_bytes = after.bytes - before.bytes;
    run.textures_created = after.textures_created - before.textures_created;
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    run.peak_rss_kib = static_cast<std::uint64_t>(usage.ru_maxrss);
    return run;
}

// The same client against a server that only receives: what the socket itself allows on this
// machine, the ceiling for frames shown (frames per second).
core::Result<double> socket_ceiling(const StreamBenchRequest& request, int tile) {
    Endpoint bound;
    auto listener = listen_on(*parse_endpoint("127.0.0.1:0"), bound);
    if (!listener) {
        return listener.error();
    }
    const auto packets = frame_packets(request.image, tile, false);
    std::size_t frame_bytes = 0;
    for (const auto& packet : packets) {
        frame_bytes += packet.size();
    }
    std::atomic<bool> stop{false};
    std::thread client([&] {
        auto socket = connect_to(bound, std::chrono::seconds(10));
        for (std::uint64_t f = 0; socket && !stop; ++f) {
            for (const auto& packet : packets) {
                if (!send_all(*socket, packet)) {
                    return;
                }
            }
        }
    });
    pollfd wait{listener->fd(), POLLIN, 0};
    poll(&wait, 1, 10000);
    Socket connection(accept(listener->fd(), nullptr, nullptr));
    std::vector<std::byte> buffer(std::size_t{4} << 20);
    std::uint64_t received = 0;
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration<double>(request.seconds);
    while (connection.valid() && Clock::now() < end) {
        const ssize_t got = recv(connection.fd(), buffer.data(), buffer.size(), 0);
        if (got <= 0) {
            break;
        }
        received += static_cast<std::uint64_t>(got);
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    stop = true;
    connection = Socket();  // the client's next send fails
    client.join();
    return static_cast<double>(received) / static_cast<double>(frame_bytes) / seconds;
}

void write_summary(core::JsonWriter& json, const core::Summary& s) {
    json.begin_object();
    json.key("count").value(static_cast<std::uint64_t>(s.count));
    json.key("mean").value(s.mean);
    json.key("p50").value(s.p50);
    json.key("p99").value(s.p99);
    json.key("max").value(s.max);
    json.end_object();
}

}  // namespace

std::string stream_bench_usage() {
    return "usage: tessera bench --stream [--image N] [--tiles 0,128] [--views fit,1:1]\n"
           "         [--seconds S] [--size WxH] [--json OUT] [--gpu-memory MB] [--cpu-cache MB]\n"
           "  A client thread streams N x N float32 frames through the IPC socket as fast as it\n"
           "  can (tile 0: one packet per frame; T: T x T tiles, as tev's Python client sends\n"
           "  them) while the viewer draws headlessly at each view; one run per tile and view.";
}

core::Result<StreamBenchRequest> parse_stream_bench_arguments(
    std::span<const std::string_view> arguments) {
    StreamBenchRequest request;
    const auto list = [](std::string_view text) {
        std::vector<std::string> items;
        std::size_t begin = 0;
        while (begin <= text.size()) {
            const std::size_t end = std::min(text.find(',', begin), text.size());
            items.emplace_back(text.substr(begin, end - begin));
            begin = end + 1;
        }
        return items;
    };
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string_view argument = arguments[i];
        const auto needs = [&](auto&& use) {
            return with_option_value(arguments, i, use);
        };
        core::Result<void> ok;
        if (argument == "--stream") {
            continue;
        } else if (argument == "--image") {
            ok = needs([&](std::string_view v) -> core::Result<void> {
                const auto n = parse_int(v);
                if (!n || *n < 16 || *n > 16384) {
                    return core::Error{fmt::format("--image expects 16 to 16384, got '{}'", v)};
                }
                request.image = *n;
                return {};
            });
        } else if (argument == "--tiles") {
            ok = needs([&](std::string_view v) -> core::Result<void> {
                request.tiles.clear();
                for (const std::string& item : list(v)) {
                    const auto n = parse_int(item);
                    if (!n || *n < 0 || (*n > 0 && *n < 8)) {
                        return core::Error{fmt::format(
                            "--tiles expects sizes of at least 8 (or 0: whole frames), got '{}'",
                            v)};
                    }
                    request.tiles.push_back(*n);
                }
                return {};
            });
        } else if (argument == "--views") {
            ok = needs([&](std::string_view v) -> core::Result<void> {
                request.views = list(v);
                for (const std::string& view : request.views) {
                    if (view != "fit" && view != "1:1") {
                        return core::Error{
                            fmt::format("--views expects fit and/or 1:1, got '{}'", v)};
                    }
                }
                return {};
            });
        } else if (argument == "--seconds") {
            ok = needs([&](std::string_view v) -> core::Result<void> {
                const auto n = parse_int(v);
                if (!n || *n < 1) {
                    return core::Error{fmt::format("--seconds expects at least 1, got '{}'", v)};
                }
                request.seconds = *n;
                return {};
            });
        } else if (argument == "--size") {
            ok = size_option(arguments, i, request.size);
        } else if (argument == "--json") {
            ok = text_option(arguments, i, request.json);
        } else if (argument == "--headless") {
            continue;  // always
        } else if (auto memory = parse_memory_option(arguments, i, request.memory); !memory) {
            return memory.error();
        } else if (*memory) {
            continue;
        } else {
            return core::Error{fmt::format("bench --stream: unknown argument '{}'", argument)};
        }
        if (!ok) {
            return ok.error();
        }
    }
    return request;
}

int run_stream_bench(const StreamBenchRequest& request, std::FILE* out, std::FILE* err) {
    auto context = gl::HeadlessContext::create();
    if (!context) {
        report_error(err, context.error().message);
        return 1;
    }
    auto compositor = gl::Compositor::create();
    if (!compositor) {
        report_error(err, compositor.error().message);
        return 1;
    }
    const auto [width, height] = request.size;
    auto texture = gl::Texture2D::create(width, height, gl::PixelFormat{});
    if (!texture) {
        report_error(err, "the render target: " + texture.error().message);
        return 1;
    }
    auto framebuffer = gl::Framebuffer::create(*texture);
    if (!framebuffer) {
        report_error(err, "the render target: " + framebuffer.error().message);
        return 1;
    }
    const gl::Target target{framebuffer->id(), 0, 0, width, height};
    core::JsonWriter json;
    json.begin_object();
    json.key("renderer").value(renderer_name());
    json.key("image").value(request.image);
    json.key("viewport").value(fmt::format("{}x{}", width, height));
    json.key("runs").begin_array();
    std::fprintf(out, "%dx%d float32 frames through the socket, viewer %dx%d headless (%s)\n",
                 request.image, request.image, width, height, renderer_name().c_str());
    std::fprintf(out, "%-7s %-4s %8s %9s %11s %13s %10s %12s %12s\n", "tiles", "view", "sent/s",
                 "shown/s", "draws/s", "latency p50", "(frames)", "viewer CPU", "upload/draw");
    for (const int tile : request.tiles) {
        auto ceiling = socket_ceiling(request, tile);
        if (!ceiling) {
            report_error(err, "bench --stream: " + ceiling.error().message);
            return 1;
        }
        std::fprintf(out, "%-7s %-4s %8.1f   (the socket alone: a server that only receives)\n",
                     tile > 0 ? fmt::format("{}^2", tile).c_str() : "whole", "-", *ceiling);
        json.begin_object();
        json.key("tile").value(tile);
        json.key("view").value("socket only");
        json.key("frames_per_second").value(*ceiling);
        json.end_object();
        for (const std::string& view : request.views) {
            auto run = run_once(request, tile, view, *compositor, target);
            if (!run) {
                report_error(err, "bench --stream: " + run.error().message);
                return 1;
            }
            const core::Summary latency = core::summarise(run->latency_ms);
            const core::Summary draw = core::summarise(run->draw_ms);
            const double shown_per_s = static_cast<double>(run->frames_displayed) / run->seconds;
            const double cpu_per_frame =
                run->frames_displayed > 0
                    ? run->viewer_cpu_ms / static_cast<double>(run->frames_displayed)
                    : 0.0;
            const double upload_per_draw = run->draws > 0 ? static_cast<double>(run->upload_bytes) /
                                                                static_cast<double>(run->draws)
                                                          : 0.0;
            std::fprintf(out, "%-7s %-4s %8.1f %9.1f %11.1f %10.1f ms %10.2f %9.1f ms %9.1f MB\n",
                         tile > 0 ? fmt::format("{}^2", tile).c_str() : "whole", view.c_str(),
                         static_cast<double>(run->frames_sent) / run->seconds, shown_per_s,
                         static_cast<double>(run->draws) / run->seconds, latency.p50,
                         draw.p50 > 0 ? latency.p50 / draw.p50 : 0.0, cpu_per_frame,
                         upload_per_draw / 1e6);
            json.begin_object();
            json.key("tile").value(tile);
            json.key("view").value(view);
            json.key("seconds").value(run->seconds);
            json.key("frames_sent").value(run->frames_sent);
            json.key("frames_written").value(run->frames_written);
            json.key("frames_displayed").value(run->frames_displayed);
            json.key("displayed_fps").value(shown_per_s);
            json.key("draws").value(run->draws);
            json.key("draw_interval_ms");
            write_summary(json, draw);
            json.key("latency_ms");
            write_summary(json, latency);
            json.key("prepare_ms");
            write_summary(json, core::summarise(run->prepare_ms));
            json.key("composite_ms");
            write_summary(json, core::summarise(run->composite_ms));
            json.key("latency_frames_p50").value(draw.p50 > 0 ? latency.p50 / draw.p50 : 0.0);
            json.key("viewer_cpu_ms_per_displayed_frame").value(cpu_per_frame);
            json.key("client_cpu_ms").value(run->client_cpu_ms);
            json.key("upload_bytes").value(run->upload_bytes);
            json.key("upload_bytes_per_draw").value(upload_per_draw);
            json.key("visible_tile_bytes").value(run->visible_tile_bytes);
            json.key("textures_created").value(run->textures_created);
            json.key("peak_rss_bytes").value(run->peak_rss_kib * 1024);
            json.end_object();
        }
    }
    json.end_array();
    json.end_object();
    if (request.json) {
        std::FILE* file = std::fopen(request.json->c_str(), "w");
        if (file == nullptr) {
            report_error(err, *request.json + ": cannot write the JSON summary");
            return 1;
        }
        std::fputs(json.text().c_str(), file);
        std::fclose(file);
    }
    return 0;
}

}  // namespace tessera::app
