#include "app/cli/Program.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "app/cli/Options.h"
#include "app/cli/Report.h"
#include "app/commands/BenchCommand.h"
#include "app/commands/CompareCommand.h"
#include "app/commands/DeriveCommand.h"
#include "app/commands/GridBench.h"
#include "app/commands/InfoCommand.h"
#include "app/commands/RenderCommand.h"
#include "app/commands/StreamBench.h"
#include "app/ipc/IpcClient.h"
#include "app/ipc/IpcServer.h"
#include "app/platform/Window.h"
#include "app/session/Session.h"
#include "app/session/Settings.h"
#include "app/ui/Script.h"
#include "app/ui/Viewer.h"
#include "assets/DemoImage.h"
#include "core/base/Version.h"
#include "gl/context/Renderer.h"

namespace tessera::app {
namespace {

core::Image demo_image() {
    core::Image demo;
    demo.source = assets::make_fluorescence_demo();
    demo.metadata.path = "demo";
    demo.metadata.format = "built-in demo";
    demo.metadata.transfer = core::Transfer::Linear;  // fluorescence intensities
    demo.metadata.data_window = core::full_window(demo.source->width(), demo.source->height());
    demo.metadata.display_window = demo.metadata.data_window;
    return demo;
}

// Scripted runs (tests, captures) never forward and listen only when asked to.
bool is_scripted(const Options& options) {
    return options.script || options.frames || options.screenshot;
}

// Listens for IPC clients; not listening is reported, not fatal (another window may hold the
// address).
std::unique_ptr<IpcServer> start_ipc(const Options& options, const Endpoint& endpoint,
                                     Session& session) {
    if (!options.ipc || (is_scripted(options) && !options.hostname)) {
        return nullptr;
    }
    auto live = std::make_shared<core::ipc::LiveImages>();
    auto server = IpcServer::start(endpoint, live);
    if (!server) {
        report_error(stderr, server.error().message + "; live images are off");
        return nullptr;
    }
    if (!endpoint.loopback()) {
        std::fprintf(stderr,
                     "tessera: listening for IPC clients at %s, which other machines can reach: "
                     "the protocol has no authentication\n",
                     server.value()->endpoint().text().c_str());
    }
    session.set_live_images(live);
    server.value()->set_wake([] { Window::wake(); });
    return std::move(server).value();
}

int run_window(const Options& options) {
    auto endpoint = parse_endpoint(options.hostname.value_or(std::string(kDefaultHostname)));
    if (!endpoint) {
        report_error(stderr, endpoint.error().message);
        return 2;
    }
    if (options.ipc && !options.new_window && !is_scripted(options) && !options.files.empty()) {
        if (auto forwarded = forward_files(*endpoint, options.files, stdout, stderr)) {
            return *forwarded;
        }
    }
    std::optional<Script> script;
    if (options.script) {
        auto loaded = Script::load(*options.script);
        if (!loaded) {
            report_error(stderr, loaded.error().message);
            return 2;
        }
        script.emplace(std::move(loaded).value());
    }
    // Remembered settings: never in scripted runs unless a file is named, never with
    // --no-settings.
    std::optional<std::filesystem::path> settings_path;
    if (options.settings_file) {
        settings_path = *options.settings_file;
    } else if (options.settings && !is_scripted(options)) {
        settings_path = default_settings_path();
    }
    Settings settings;
    if (settings_path) {
        auto loaded = load_settings(*settings_path);
        if (loaded) {
            settings = std::move(loaded).value();
        } else {
            report_error(stderr, loaded.error().message);
            settings_path.reset();  // a file we cannot read is not overwritten either
        }
        if (settings.skipped_lines > 0) {
            report_error(stderr, fmt::format("{}: {} damaged line(s) left out",
                                             settings_path->string(), settings.skipped_lines));
        }
    }
    const bool remembered_size = settings_path && !options.size_given && settings.window_width > 0;
    auto window =
        Window::open("Tessera", remembered_size ? settings.window_width : options.window_width,
                     remembered_size ? settings.window_height : options.window_height);
    if (!window) {
        report_error(stderr, window.error().message);
        return 1;
    }
    const core::LoadOptions load = options.load;
    Session session(load);
    session.set_initial_display(options.display);
    session.set_streaming(streaming_options(options.memory, gl::current_renderer_is_software()));
    session.set_error_handler([](const std::string& message) { report_error(stderr, message); });
    if (settings_path) {
        session.set_settings(&settings);
    }
    session.set_pixel_size(options.pixel_size);
    // Files are decoded on worker threads; the window opens at once and shows them as they come.
    for (const std::string& path : options.files) {
        session.open(path, /*show=*/false);  // the first file is shown
    }
    if (options.files.empty()) {
        auto demo = core::make_dataset(demo_image(), core::StatisticsDetail::Exact);
        if (!demo) {
            report_error(stderr, demo.error().message);
            return 1;
        }
        session.add(std::move(demo).value());
    }
    auto viewer = Viewer::create(*window.value(), session);
    if (!viewer) {
        report_error(stderr, viewer.error().message);
        return 1;
    }
    // After the window: events it cannot take yet would hold clients back.
    const std::unique_ptr<IpcServer> ipc = start_ipc(options, *endpoint, session);
    viewer.value()->set_ipc(ipc.get());
    UiState& ui = viewer.value()->ui();
    if (settings_path) {
        ui.show_panels = settings.show_panels;
        ui.show_overlay = settings.show_overlay || options.fps;
        ui.show_colorbar = settings.show_colorbar;
        ui.show_scalebar = settings.show_scalebar;
        ui.show_pending = settings.show_pending;
        ui.grid_linked = settings.grid_linked;
    }
    const auto ran = viewer.value()->run(options, script ? &*script : nullptr);
    if (settings_path) {
        settings.window_width = window.value()->width();
        settings.window_height = window.value()->height();
        settings.show_panels = ui.show_panels;
        settings.show_overlay = ui.show_overlay;
        settings.show_colorbar = ui.show_colorbar;
        settings.show_scalebar = ui.show_scalebar;
        settings.show_pending = ui.show_pending;
        settings.grid_linked = ui.grid_linked;
        session.remember_displays();
        if (auto saved = save_settings(settings, *settings_path); !saved) {
            report_error(stderr, saved.error().message);
        }
    }
    if (!ran) {
        report_error(stderr, ran.error().message);
        return 1;
    }
    return 0;
}

}  // namespace

int run_tessera(int argc, char** argv) {
    std::vector<std::string_view> arguments(argv + 1, argv + argc);
    auto parsed = parse_options(arguments);
    if (!parsed) {
        std::fprintf(stderr, "tessera: %s\n%s\nTry 'tessera --help' for more information.\n",
                     parsed.error().message.c_str(), usage_line().c_str());
        return 2;
    }
    const Options& options = parsed.value();
    if (options.command == Command::Render) {
        if (options.show_help) {
            std::printf("%s\n\n%s", render_usage().c_str(), render_help().c_str());
            return 0;
        }
        std::vector<std::string_view> render_arguments(options.render_arguments.begin(),
                                                       options.render_arguments.end());
        auto request = parse_render_arguments(render_arguments);
        if (!request) {
            std::fprintf(stderr, "tessera: %s\n%s\n", request.error().message.c_str(),
                         render_usage().c_str());
            return 2;
        }
        return run_render(request.value(), stdout, stderr);
    }
    if (options.command == Command::Derive) {
        if (options.show_help) {
            std::printf("%s\n\n%s", derive_usage().c_str(), derive_help().c_str());
            return 0;
        }
        std::vector<std::string_view> derive_arguments(options.render_arguments.begin(),
                                                       options.render_arguments.end());
        auto request = parse_derive_arguments(derive_arguments);
        if (!request) {
            std::fprintf(stderr, "tessera: %s\n%s\n", request.error().message.c_str(),
                         derive_usage().c_str());
            return 2;
        }
        return run_derive(request.value(), stdout, stderr);
    }
    if (options.command == Command::Compare) {
        if (options.show_help) {
            std::printf("%s\n\n%s", compare_usage().c_str(), compare_help().c_str());
            return 0;
        }
        std::vector<std::string_view> compare_arguments(options.render_arguments.begin(),
                                                        options.render_arguments.end());
        auto request = parse_compare_arguments(compare_arguments);
        if (!request) {
            std::fprintf(stderr, "tessera: %s\n%s\n", request.error().message.c_str(),
                         compare_usage().c_str());
            return kCompareBadRequest;
        }
        return run_compare(request.value(), stdout, stderr);
    }
    if (options.command == Command::Bench) {
        std::vector<std::string_view> bench_arguments(options.render_arguments.begin(),
                                                      options.render_arguments.end());
        if (std::find(bench_arguments.begin(), bench_arguments.end(), "--grid") !=
            bench_arguments.end()) {
            if (options.show_help) {
                std::printf("%s\n", grid_bench_usage().c_str());
                return 0;
            }
            auto request = parse_grid_bench_arguments(bench_arguments);
            if (!request) {
                std::fprintf(stderr, "tessera: %s\n%s\n", request.error().message.c_str(),
                             grid_bench_usage().c_str());
                return 2;
            }
            return run_grid_bench(request.value(), stdout, stderr);
        }
        if (std::find(bench_arguments.begin(), bench_arguments.end(), "--stream") !=
            bench_arguments.end()) {
            if (options.show_help) {
                std::printf("%s\n", stream_bench_usage().c_str());
                return 0;
            }
            auto request = parse_stream_bench_arguments(bench_arguments);
            if (!request) {
                std::fprintf(stderr, "tessera: %s\n%s\n", request.error().message.c_str(),
                             stream_bench_usage().c_str());
                return 2;
            }
            return run_stream_bench(request.value(), stdout, stderr);
        }
        if (options.show_help) {
            std::printf("%s\n", bench_usage().c_str());
            return 0;
        }
        auto request = parse_bench_arguments(bench_arguments);
        if (!request) {
            std::fprintf(stderr, "tessera: %s\n%s\n", request.error().message.c_str(),
                         bench_usage().c_str());
            return 2;
        }
        return run_bench(request.value(), stdout, stderr);
    }
    if (options.show_help) {
        std::fputs(help_text().c_str(), stdout);
        return 0;
    }
    if (options.show_version) {
        std::printf("tessera %s\n", core::kVersion);
        return 0;
    }
    if (options.command == Command::Info) {
        return run_info(options, stdout, stderr);
    }
    return run_window(options);
}

}  // namespace tessera::app
