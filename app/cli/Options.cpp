#include "app/cli/Options.h"

#include <array>
#include <charconv>

#include <fmt/format.h>

#include "app/ui/Shortcuts.h"
#include "core/base/Version.h"

namespace tessera::app {
namespace {

std::optional<int> parse_positive_int(std::string_view text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value <= 0) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

std::string usage_line() {
    return "usage: tessera [--size WxH] [--frames N] [--screenshot OUT.png] [--script FILE]\n"
           "               [--fps] [--record-frames F.csv] [display options]\n"
           "               [--gpu-memory MB] [--cpu-cache MB] [--upload-budget MB] [FILE...]\n"
           "       tessera info [--json] FILE...\n"
           "       tessera render FILE -o OUT.png [options]  (tessera render --help)\n"
           "       tessera derive OP INPUT... -o OUT.npy [options]  (tessera derive --help)\n"
           "       tessera compare A B [options]             (tessera compare --help)\n"
           "       tessera bench FILE [options]              (tessera bench --help)";
}

std::string help_text() {
    std::string text = fmt::format(
        "Tessera {}: a GPU image inspector.\n\n{}\n\n"
        "With no FILE, opens the built-in demo image. `tessera info` prints each image's format,\n"
        "size, windows, layers and per-channel statistics (text, or JSON with --json) and exits\n"
        "1 if any file failed to open.\n\n"
        "Formats (chosen by content, not extension): PNG, JPEG, BMP, TGA, GIF, PSD, PNM,\n"
        "Radiance HDR, OpenEXR (all parts, layers and compressions), NumPy .npy (memory-\n"
        "mapped), TIFF, BigTIFF, OME-TIFF and ImageJ stacks (memory-mapped, read by region).\n\n"
        "Options:\n"
        "  -h, --help            show this help and exit\n"
        "  --version             print the version and exit\n"
        "  --size WxH            window size in pixels (default 1280x800)\n"
        "  --frames N            render N frames, then exit (scripted runs and tests)\n"
        "  --screenshot OUT.png  write the window's pixels to OUT.png after the last frame\n"
        "                        (with --frames; alone, after the first frame)\n"
        "  --script FILE         scripted input: keys, pointer, waits, screenshots (README)\n"
        "  --fps                 show the FPS overlay (P toggles it)\n"
        "  --record-frames F.csv write one row per frame: index, timestamp, CPU and GPU ms,\n"
        "                        uploads, bytes uploaded, tiles resident\n"
        "  --json                info: print JSON (schema in the README)\n"
        "  --axes AXES           NumPy: a letter of T, Z, C, Y, X per array axis, e.g. ZYX or\n"
        "                        TCYX (default: the rule in the README, (30,H,W) is a Z-stack)\n"
        "  --channel-axis AXIS   NumPy: channels on the first or last axis (or auto)\n"
        "  --labels              integer images are label ids (a segmentation): a colour per\n"
        "                        id, never interpolated (--label-seed N, --contours W)\n\n"
        "Display options (initial settings of every image, as for `tessera render`):\n"
        "  --channels A,B,...  --colormap NAME | CH=NAME  --limits CH=LO:HI  --gamma CH=G\n"
        "  --opacity CH=O  --blend additive|max|min|over  --exposure EV\n"
        "  --label-seed N  --contours W (label boundaries only, W pixels wide)\n\n"
        "Memory (images of any size stream through a level-of-detail pyramid):\n"
        "{}\n"
        "Live images (tev's IPC protocol: renderers and tev's clients stream images in):\n"
        "  --hostname HOST:PORT  listen there (default 127.0.0.1:14158); NAME or NAME:unix is a\n"
        "                        Unix socket .tev.NAME.sock in $XDG_RUNTIME_DIR. A host other\n"
        "                        than the loopback one lets other machines in: there is no\n"
        "                        authentication\n"
        "  --no-ipc              neither listen nor send files to a running window\n"
        "  --new                 open a new window even when one is listening (by default,\n"
        "                        FILEs are sent to it and this command exits). Scripted runs\n"
        "                        (--script, --frames, --screenshot) never send, and listen only\n"
        "                        with --hostname\n\n"
        "  --pixel-size SIZE     the size of every image's pixels (0.65um, 120nm, 2mm) for the\n"
        "                        scale bar, whatever the files say (OME-TIFF's otherwise)\n\n"
        "Settings (window size, panels, recent files, each file's display) are remembered in\n"
        "$XDG_CONFIG_HOME/tessera/settings.txt; scripted runs never read or write them:\n"
        "  --no-settings         neither read nor write them\n"
        "  --settings FILE       use FILE instead (even in a scripted run)\n\n"
        "Keyboard:\n",
        core::kVersion, usage_line(), memory_options_help());
    for (const Shortcut& shortcut : shortcuts()) {
        text += fmt::format("  {:<20}  {}\n", shortcut.keys, shortcut.action);
    }
    text +=
        "\nWithout a display, run the window under a virtual X server (xvfb-run -a tessera ...)\n"
        "or render headlessly: tessera render FILE -o OUT.png (tessera render --help).\n";
    return text;
}

core::Result<Options> parse_options(std::span<const std::string_view> arguments) {
    Options options;
    std::size_t first = 0;
    if (!arguments.empty() && (arguments[0] == "render" || arguments[0] == "bench" ||
                               arguments[0] == "derive" || arguments[0] == "compare")) {
        options.command = arguments[0] == "render"   ? Command::Render
                          : arguments[0] == "bench"  ? Command::Bench
                          : arguments[0] == "derive" ? Command::Derive
                                                     : Command::Compare;
        for (std::size_t i = 1; i < arguments.size(); ++i) {
            options.render_arguments.emplace_back(arguments[i]);
            options.show_help =
                options.show_help || arguments[i] == "--help" || arguments[i] == "-h";
        }
        return options;
    }
    if (!arguments.empty() && arguments[0] == "info") {
        options.command = Command::Info;
        first = 1;
    }
    for (std::size_t i = first; i < arguments.size(); ++i) {
        const std::string_view argument = arguments[i];
        const auto needs = [&](auto&& use) {
            return with_option_value(arguments, i, use);
        };
        core::Result<void> ok;
        if (argument == "-h" || argument == "--help") {
            options.show_help = true;
        } else if (argument == "--version") {
            options.show_version = true;
        } else if (argument == "--size") {
            std::pair<int, int> size{options.window_width, options.window_height};
            ok = size_option(arguments, i, size);
            std::tie(options.window_width, options.window_height) = size;
            options.size_given = true;
        } else if (argument == "--frames") {
            ok = needs([&](std::string_view v) -> core::Result<void> {
                options.frames = parse_positive_int(v);
                if (!options.frames) {
                    return core::Error{
                        fmt::format("--frames expects a positive whole number, got '{}'", v)};
                }
                return {};
            });
        } else if (argument == "--screenshot") {
            ok = text_option(arguments, i, options.screenshot);
        } else if (argument == "--fps") {
            options.fps = true;
        } else if (argument == "--record-frames") {
            ok = text_option(arguments, i, options.record_frames);
        } else if (argument == "--script") {
            ok = text_option(arguments, i, options.script);
        } else if (argument == "--hostname" || argument == "--host") {
            ok = text_option(arguments, i, options.hostname);
        } else if (argument == "--no-ipc") {
            options.ipc = false;
        } else if (argument == "--pixel-size") {
            ok = pixel_size_option(arguments, i, options.pixel_size);
        } else if (argument == "--no-settings") {
            options.settings = false;
        } else if (argument == "--settings") {
            ok = text_option(arguments, i, options.settings_file);
        } else if (argument == "--new" || argument == "-n") {
            options.new_window = true;
        } else if (auto display = parse_display_option(arguments, i, options.display); !display) {
            return display.error();
        } else if (*display) {
            continue;
        } else if (auto memory = parse_memory_option(arguments, i, options.memory); !memory) {
            return memory.error();
        } else if (*memory) {
            continue;
        } else if (auto load = load_option(arguments, i, options.load); !load) {
            return load.error();
        } else if (*load) {
            continue;
        } else if (argument == "--json" && options.command == Command::Info) {
            options.json = true;
        } else if (argument == "--") {
            for (++i; i < arguments.size(); ++i) {
                options.files.emplace_back(arguments[i]);
            }
        } else if (argument.starts_with("-") && argument.size() > 1) {
            return core::Error{fmt::format("unknown option '{}'", argument)};
        } else {
            options.files.emplace_back(argument);
        }
        if (!ok) {
            return ok.error();
        }
    }
    if (options.command == Command::Info && options.files.empty() && !options.show_help) {
        return core::Error{"info needs at least one FILE"};
    }
    return options;
}

}  // namespace tessera::app
