#include "app/commands/RenderCommand.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "app/cli/Report.h"

#include "core/dataset/Dataset.h"
#include "core/display/Annotations.h"
#include "core/display/CpuCompositor.h"
#include "core/stats/ChannelStatistics.h"
#include "core/view/Grid.h"
#include "core/view/View.h"
#include "gl/composite/Compositor.h"
#include "gl/context/HeadlessContext.h"
#include "gl/context/Renderer.h"
#include "gl/image/StreamingImage.h"
#include "gl/objects/Framebuffer.h"
#include "gl/objects/Readback.h"

namespace tessera::app {
namespace {

constexpr int kDefaultLongestSide = 4096;

// The GPU side of a render: a headless context (first, so it is destroyed last), the compositor
// and a target of the output's size.
struct GpuRender {
    gl::HeadlessContext context;
    gl::Compositor compositor;
    gl::Texture2D target;
    gl::Framebuffer framebuffer;
};

core::Result<GpuRender> start_gpu_render(int width, int height) {
    auto context = gl::HeadlessContext::create();
    if (!context) {
        return core::Error{context.error().message + " (use --cpu to render without OpenGL)"};
    }
    auto compositor = gl::Compositor::create();
    if (!compositor) {
        return compositor.error();
    }
    auto target = gl::Texture2D::create(width, height, gl::PixelFormat{});
    if (!target) {
        return core::Error{"the render target: " + target.error().message};
    }
    auto framebuffer = gl::Framebuffer::create(*target);
    if (!framebuffer) {
        return framebuffer.error();
    }
    return GpuRender{std::move(context).value(), std::move(compositor).value(),
                     std::move(target).value(), std::move(framebuffer).value()};
}

// Tiles streamed for one frame: only what the view shows, at the request's tile size.
gl::StreamingOptions render_streaming(const RenderRequest& request) {
    gl::StreamingOptions streaming =
        streaming_options(request.memory, gl::current_renderer_is_software());
    streaming.tile_size = std::max(1, request.tile_size - 2);
    streaming.max_texture_size = request.max_texture_size;
    streaming.prefetch_ring = 0;
    return streaming;
}

// --reference: the image B, the channels paired, the difference as a source (the CPU reference
// and the statistics its limits come from) and the display settings of the difference.
struct Comparison {
    core::CompareInput reference;
    std::vector<core::ChannelPair> pairs;
    std::shared_ptr<core::DifferenceImage> difference;
    core::DisplaySettings settings;  // one per pair
};

core::Result<Comparison> open_comparison(const RenderRequest& request,
                                         const core::CompareInput& image) {
    const std::string& file = *request.reference;
    auto images = core::load_images(file, request.load);
    if (!images) {
        return images.error();
    }
    auto part = select_part(*images, request.reference_part, file);
    if (!part) {
        return part.error();
    }
    Comparison comparison;
    comparison.reference.source = (*images)[*part].source;
    auto position = resolve_plane(*comparison.reference.source, request.plane);
    if (!position) {
        return core::Error{fmt::format("{}: {}", file, position.error().message)};
    }
    comparison.reference.position = std::move(position).value();
    comparison.pairs =
        core::match_channels(image.source->channels(), comparison.reference.source->channels())
            .pairs;
    // --channels chooses what is compared: one channel is then a single difference, drawn with
    // a colormap of its own (coolwarm around 0 for E), not one colour of three.
    if (request.display.channels) {
        std::vector<core::ChannelPair> chosen;
        for (const std::string& name : *request.display.channels) {
            const auto pair =
                std::find_if(comparison.pairs.begin(), comparison.pairs.end(),
                             [&](const core::ChannelPair& p) { return p.name == name; });
            if (pair == comparison.pairs.end()) {
                return core::Error{
                    fmt::format("{} and {}: no channel '{}' in both", request.file, file, name)};
            }
            chosen.push_back(*pair);
        }
        comparison.pairs = std::move(chosen);
    }
    auto difference = core::DifferenceImage::create(image, comparison.reference, comparison.pairs,
                                                    request.metric);
    if (!difference) {
        return core::Error{
            fmt::format("{} and {}: {}", request.file, file, difference.error().message)};
    }
    comparison.difference = std::move(difference).value();
    const core::ImageSource& source = *comparison.difference;
    auto statistics = core::compute_statistics(
        source, core::statistics_options_for(source.width(), source.height()));
    if (!statistics) {
        return statistics.error();
    }
    auto settings = apply_display_request(
        request.display, source.channels(),
        core::difference_display(source.channels(), *statistics, request.metric));
    if (!settings) {
        return core::Error{fmt::format("the difference of {} and {}: {}", request.file, file,
                                       settings.error().message)};
    }
    comparison.settings = std::move(settings).value();
    return comparison;
}

}  // namespace

std::string render_usage() {
    return "usage: tessera render FILE -o OUT.png [--size WxH] [--view X0,Y0,X1,Y1]\n"
           "         [--channels A,B,...] [--colormap NAME | --colormap CH=NAME]...\n"
           "         [--limits CH=LO:HI]... [--gamma CH=G]... [--opacity CH=O]...\n"
           "         [--blend additive|max|min|over] [--exposure EV] [--nearest|--linear]\n"
           "         [--tile-size N] [--max-texture-size N] [--part NAME|INDEX] [--cpu]\n"
           "         [--gpu-memory MB] [--cpu-cache MB] [--upload-budget MB]\n"
           "         [--channel-axis auto|first|last] [--axes AXES] [--plane AXIS=I,...]\n"
           "         [--labels [--label-seed N] [--contours W]]\n"
           "         [--reference B [--reference-part NAME|INDEX] [--error E|AE|SE|RAE|RSE]]\n"
           "         [--colorbar] [--scalebar [--pixel-size SIZE]]\n"
           "       tessera render FILE... --grid [--grid-columns N] -o OUT.png [options]";
}

std::string render_help() {
    return "Composites FILE headlessly (EGL: no window, no X server) and writes an 8-bit sRGB "
           "RGBA\n"
           "PNG. Channel names are those `tessera info` prints.\n\n"
           "  -o, --output OUT.png     where to write (required)\n"
           "  --size WxH               output size (default: the view's own size, at most 4096 on\n"
           "                           the longer side, aspect kept; a different aspect "
           "letterboxes)\n"
           "  --view X0,Y0,X1,Y1       image rectangle to show (default: the whole image)\n"
           "  --channels A,B,...       the visible channels (default: all, or R,G,B,A for colour)\n"
           "  --colormap NAME          every channel; --colormap CH=NAME for one (repeatable);\n"
           "                           choosing colormaps shows colour images as channels\n"
           "  --limits CH=LO:HI        contrast limits in data units (default: 0.1 and 99.9 "
           "%iles)\n"
           "  --gamma CH=G             gamma (> 0)\n"
           "  --opacity CH=O           opacity (0 to 1)\n"
           "  --blend MODE             additive (default), max, min or over\n"
           "  --exposure EV            colour images: exposure in stops\n"
           "  --nearest, --linear      sampling (default: nearest at 1:1 and magnified)\n"
           "  --tile-size N            tile texture size (default 512)\n"
           "  --max-texture-size N     pretend the GPU allows at most N texels (forces tiling)\n"
           "  --part NAME|INDEX        part of a multi-part EXR (default: the first)\n"
           "  --cpu                    render with the CPU reference compositor instead\n"
           "  --channel-axis AXIS      NumPy: channels on the first or last axis (or auto)\n"
           "  --axes AXES              NumPy: a letter of T, Z, C, Y, X per array axis (TZYX)\n"
           "  --labels                 integer channels are label ids: a colour per id (0\n"
           "                           transparent), never interpolated\n"
           "  --label-seed N           another colour for every label\n"
           "  --contours W             label boundaries only, W screen pixels wide\n"
           "  --plane AXIS=I,...       the plane of a stack to render, e.g. z=12,t=3\n"
           "  --reference B            show FILE's difference from the image B (the same size;\n"
           "                           channels paired by name), computed on the GPU; the\n"
           "                           display options then apply to the difference\n"
           "  --reference-part P       the part of a multi-part B\n"
           "  --error METRIC           E (A - B), AE |A - B| (default), SE (A - B)^2,\n"
           "                           RAE |A - B| / (|B| + 0.01), RSE (A - B)^2 / (B^2 + 0.01)\n"
           "  --colorbar               each visible channel's colormap from its lower to its\n"
           "                           upper limit, labelled, in the bottom-left corner\n"
           "  --scalebar               a round length in the bottom-right corner, as long as it\n"
           "                           is on screen (needs the pixel size: the file's, or)\n"
           "  --pixel-size SIZE        the size of a pixel: 0.65um, 120nm, 2mm (default: the\n"
           "                           file's)\n"
           "  --grid                   every FILE side by side, each in its own cell (default\n"
           "                           size 1200x800); --view applies to every cell\n"
           "  --grid-columns N         that many columns (default: the largest cells)\n" +
           memory_options_help() +
           "\nColormaps: gray red green blue cyan magenta yellow viridis magma inferno plasma\n"
           "cividis turbo twilight fire ice HiLo coolwarm, each also reversed as NAME_r.\n";
}

core::Result<RenderRequest> parse_render_arguments(std::span<const std::string_view> arguments) {
    RenderRequest request;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string_view argument = arguments[i];
        const auto needs = [&](auto&& use) {
            return with_option_value(arguments, i, use);
        };
        core::Result<void> ok;
        if (argument == "-o" || argument == "--output") {
            ok = text_option(arguments, i, request.output);
        } else if (argument == "--size") {
            std::pair<int, int> size;
            ok = size_option(arguments, i, size);
            request.size = ok ? std::optional(size) : std::nullopt;
        } else if (argument == "--view") {
            ok = needs([&](std::string_view v) -> core::Result<void> {
                const auto parts = split(v, ',');
                std::array<double, 4> rect{};
                bool good = parts.size() == 4;
                for (std::size_t k = 0; good && k < 4; ++k) {
                    const auto n = parse_number(parts[k]);
                    good = n.has_value();
                    rect[k] = n.value_or(0);
                }
                if (!good || !(rect[0] < rect[2]) || !(rect[1] < rect[3])) {
                    return core::Error{fmt::format(
                        "--view expects X0,Y0,X1,Y1 with X0 < X1 and Y0 < Y1, got '{}'", v)};
                }
                request.view = rect;
                return {};
            });
        } else if (auto display = parse_display_option(arguments, i, request.display); !display) {
            return display.error();
        } else if (*display) {
            continue;
        } else if (argument == "--nearest" || argument == "--linear") {
            request.sampling =
                argument == "--nearest" ? core::Sampling::Nearest : core::Sampling::Linear;
        } else if (argument == "--tile-size" || argument == "--max-texture-size") {
            const bool tile = argument == "--tile-size";
            ok = needs([&](std::string_view v) -> core::Result<void> {
                const auto n = parse_int(v);
                if (!n || *n < (tile ? 1 : 3)) {
                    return core::Error{
                        fmt::format("{} expects a whole number of at least {}, got '{}'", argument,
                                    tile ? 1 : 3, v)};
                }
                (tile ? request.tile_size : request.max_texture_size) = *n;
                return {};
            });
        } else if (auto memory = parse_memory_option(arguments, i, request.memory); !memory) {
            return memory.error();
        } else if (*memory) {
            continue;
        } else if (auto load = load_option(arguments, i, request.load); !load) {
            return load.error();
        } else if (*load) {
            continue;
        } else if (argument == "--part") {
            ok = text_option(arguments, i, request.part);
        } else if (argument == "--reference") {
            ok = text_option(arguments, i, request.reference);
        } else if (argument == "--reference-part") {
            ok = text_option(arguments, i, request.reference_part);
        } else if (argument == "--error") {
            ok = needs([&](std::string_view v) -> core::Result<void> {
                const auto metric = core::parse_error_metric(v);
                if (!metric) {
                    return core::Error{fmt::format(
                        "--error expects E, AE, SE, RAE or RSE (or their long names), got '{}'",
                        v)};
                }
                request.metric = *metric;
                return {};
            });
        } else if (argument == "--grid") {
            request.grid = true;
        } else if (argument == "--colorbar") {
            request.colorbar = true;
        } else if (argument == "--scalebar") {
            request.scalebar = true;
        } else if (argument == "--pixel-size") {
            ok = pixel_size_option(arguments, i, request.pixel_size);
        } else if (argument == "--grid-columns") {
            ok = needs([&](std::string_view v) -> core::Result<void> {
                const auto n = parse_int(v);
                if (!n || *n < 1 || *n > 64) {
                    return core::Error{
                        fmt::format("--grid-columns expects 1 to 64 columns, got '{}'", v)};
                }
                request.grid_columns = *n;
                return {};
            });
        } else if (argument == "--cpu") {
            request.cpu = true;
        } else if (argument == "--plane") {
            ok = needs([&](std::string_view v) -> core::Result<void> {
                auto plane = parse_plane(v);
                if (!plane) {
                    return plane.error();
                }
                request.plane = std::move(plane).value();
                return {};
            });
        } else if (argument.starts_with("-") && argument.size() > 1) {
            return core::Error{fmt::format("render: unknown option '{}'", argument)};
        } else {
            request.files.emplace_back(argument);
            if (request.file.empty()) {
                request.file = std::string(argument);
            }
        }
        if (!ok) {
            return ok.error();
        }
    }
    if (request.file.empty() || request.output.empty()) {
        return core::Error{"render needs a FILE and -o OUT.png"};
    }
    if (request.files.size() > 1 && !request.grid) {
        return core::Error{
            fmt::format("render takes one FILE, got '{}' and '{}' (--grid renders "
                        "several side by side)",
                        request.files[0], request.files[1])};
    }
    if (request.grid && request.reference) {
        return core::Error{"--grid and --reference do not combine"};
    }
    if (request.grid && request.scalebar) {
        return core::Error{"--grid and --scalebar do not combine"};
    }
    if (request.grid && request.colorbar) {
        return core::Error{"--grid and --colorbar do not combine (a colour bar is one image's)"};
    }
    return request;
}

namespace {

// --grid: each file in its own cell of the output, drawn into exactly that rectangle.
int run_render_grid(const RenderRequest& request, std::FILE* out, std::FILE* err) {
    const auto fail = [&](const std::string& message) {
        report_error(err, message);
        return 1;
    };
    struct Cell {
        std::string file;
        core::Dataset dataset;
        core::DisplaySettings settings;
        std::vector<std::int64_t> position;
    };
    std::vector<Cell> cells;
    for (const std::string& file : request.files) {
        auto images = core::load_images(file, request.load);
        if (!images) {
            return fail(images.error().message);
        }
        auto part = select_part(*images, request.part, file);
        if (!part) {
            return fail(part.error().message);
        }
        auto dataset =
            core::make_dataset(std::move((*images)[*part]), core::StatisticsDetail::Sampled);
        if (!dataset) {
            return fail(dataset.error().message);
        }
        const core::ImageSource& source = *dataset->image.source;
        auto settings =
            apply_display_request(request.display, source.channels(),
                                  core::default_display(source.channels(), dataset->statistics,
                                                        dataset->image.metadata.transfer));
        if (!settings) {
            return fail(fmt::format("{}: {}", file, settings.error().message));
        }
        auto position = resolve_plane(source, request.plane);
        if (!position) {
            return fail(fmt::format("{}: {}", file, position.error().message));
        }
        cells.push_back({file, std::move(dataset).value(), std::move(settings).value(),
                         std::move(position).value()});
    }
    const std::pair<int, int> size = request.size.value_or(std::pair<int, int>{1200, 800});
    const int width = size.first;
    const int height = size.second;
    const core::ImageSource& first = *cells.front().dataset.image.source;
    const core::GridShape shape =
        core::grid_shape(cells.size(), width, height,
                         static_cast<double>(first.width()) / static_cast<double>(first.height()),
                         request.grid_columns);
    const auto rects = core::grid_cells(
        {0, 0, static_cast<double>(width), static_cast<double>(height)}, cells.size(), shape);
    const auto view_of = [&](const Cell& cell, const core::WindowRect& rect) {
        const core::ImageSource& source = *cell.dataset.image.source;
        const auto w = static_cast<int>(rect.width);
        const auto h = static_cast<int>(rect.height);
        core::View view = request.view
                              ? core::View::fit_rect((*request.view)[0], (*request.view)[1],
                                                     (*request.view)[2], (*request.view)[3], w, h)
                              : core::View::fit(source.width(), source.height(), w, h);
        view.sampling = request.sampling.value_or(core::default_sampling(view.x_scale));
        return view;
    };
    core::RgbaImage pixels(width, height);
    for (std::size_t i = 0; i < pixels.pixels.size(); i += 4) {
        pixels.pixels[i + 3] = 255;  // the gaps: opaque black
    }
    if (request.cpu) {
        for (std::size_t c = 0; c < cells.size(); ++c) {
            const core::WindowRect& rect = rects[c];
            auto drawn = core::composite_cpu(*cells[c].dataset.image.source, cells[c].settings,
                                             view_of(cells[c], rect), cells[c].position);
            if (!drawn) {
                return fail(fmt::format("{}: {}", cells[c].file, drawn.error().message));
            }
            for (int y = 0; y < drawn->height; ++y) {
                std::memcpy(pixels.at(static_cast<int>(rect.x), static_cast<int>(rect.y) + y),
                            drawn->at(0, y), static_cast<std::size_t>(drawn->width) * 4);
            }
        }
    } else {
        auto gpu = start_gpu_render(width, height);
        if (!gpu) {
            return fail(gpu.error().message);
        }
        gl::Framebuffer& framebuffer = gpu->framebuffer;
        framebuffer.bind();
        glViewport(0, 0, width, height);
        glClearColor(0.0f, 0.0f, 0.0f, 1.0f);
        glClear(GL_COLOR_BUFFER_BIT);
        // One loader and texture cache for every cell: the budgets are the render's, not a cell's.
        const gl::StreamingOptions streaming = render_streaming(request);
        core::TileLoader loader(core::LoaderOptions{streaming.workers, false, streaming.cpu_cache});
        auto textures = std::make_shared<gl::TextureCache>(streaming.gpu_budget);
        for (std::size_t c = 0; c < cells.size(); ++c) {
            const core::WindowRect& rect = rects[c];
            const core::View view = view_of(cells[c], rect);
            gl::StreamingImage tiles(cells[c].dataset.image.source, loader, textures, streaming);
            auto frame =
                tiles.prepare_final(view, cells[c].settings.visible_channels(), cells[c].position);
            if (!frame) {
                return fail(fmt::format("{}: {}", cells[c].file, frame.error().message));
            }
            // GL's origin is the bottom left; the cell's rectangle is from the top.
            const gl::Target into{framebuffer.id(), static_cast<int>(rect.x),
                                  height - static_cast<int>(rect.y) - view.height, view.width,
                                  view.height};
            auto drawn = gpu->compositor.draw_tiles(*cells[c].dataset.image.source, frame->draws,
                                                    cells[c].settings, view, into);
            if (!drawn) {
                return fail(fmt::format("{}: {}", cells[c].file, drawn.error().message));
            }
        }
        framebuffer.bind();
        pixels = gl::read_rgba8(0, 0, width, height);
        gl::Framebuffer::bind_default();
    }
    if (auto written = core::write_png(pixels, request.output); !written) {
        return fail(written.error().message);
    }
    fmt::print(out, "{}: {}x{} written, {} images in {} x {} cells ({})\n", request.output, width,
               height, cells.size(), shape.rows, shape.columns,
               request.cpu ? "CPU reference" : "GPU");
    return 0;
}

}  // namespace

int run_render(const RenderRequest& request, std::FILE* out, std::FILE* err) {
    if (request.grid) {
        return run_render_grid(request, out, err);
    }
    const auto fail = [&](const std::string& message) {
        report_error(err, message);
        return 1;
    };
    const core::LoadOptions load = request.load;
    auto images = core::load_images(request.file, load);
    if (!images) {
        return fail(images.error().message);
    }
    auto part = select_part(*images, request.part, request.file);
    if (!part) {
        return fail(part.error().message);
    }
    // Only the part shown is summarised (core/dataset: the one way images become datasets).
    auto dataset = core::make_dataset(std::move((*images)[*part]), core::StatisticsDetail::Sampled);
    if (!dataset) {
        return fail(dataset.error().message);
    }
    const core::Image& image = dataset->image;
    const core::ImageSource& source = *image.source;
    const auto position = resolve_plane(source, request.plane);
    if (!position) {
        return fail(fmt::format("{}: {}", request.file, position.error().message));
    }
    std::optional<Comparison> comparison;
    core::Result<core::DisplaySettings> settings = core::DisplaySettings{};
    if (request.reference) {
        auto opened = open_comparison(request, {image.source, *position});
        if (!opened) {
            return fail(opened.error().message);
        }
        comparison = std::move(opened).value();
        settings =
            core::settings_over_a(comparison->settings, comparison->pairs, source.channel_count());
    } else {
        settings = apply_display_request(
            request.display, source.channels(),
            core::default_display(source.channels(), dataset->statistics, image.metadata.transfer));
        if (!settings) {
            return fail(fmt::format("{}: {}", request.file, settings.error().message));
        }
    }
    const std::array<double, 4> rect = request.view.value_or(std::array<double, 4>{
        0, 0, static_cast<double>(source.width()), static_cast<double>(source.height())});
    std::pair<int, int> size;
    if (request.size) {
        size = *request.size;
    } else {
        const double w = rect[2] - rect[0];
        const double h = rect[3] - rect[1];
        const double shrink = std::min(1.0, kDefaultLongestSide / std::max(w, h));
        size = {std::max(1, static_cast<int>(std::lround(w * shrink))),
                std::max(1, static_cast<int>(std::lround(h * shrink)))};
    }
    core::View view =
        core::View::fit_rect(rect[0], rect[1], rect[2], rect[3], size.first, size.second);
    view.sampling = request.sampling.value_or(core::default_sampling(view.x_scale));

    core::RgbaImage pixels;
    if (request.cpu) {
        auto cpu = comparison
                       ? core::composite_cpu(*comparison->difference, comparison->settings, view)
                       : core::composite_cpu(source, *settings, view, *position);
        if (!cpu) {
            return fail(fmt::format("{}: {}", request.file, cpu.error().message));
        }
        pixels = std::move(cpu).value();
    } else {
        auto gpu = start_gpu_render(size.first, size.second);
        if (!gpu) {
            return fail(gpu.error().message);
        }
        gl::Compositor* compositor = &gpu->compositor;
        gl::Framebuffer* framebuffer = &gpu->framebuffer;
        // Streamed through the pyramid: a small view of a huge image reads only its tiles.
        const gl::StreamingOptions streaming = render_streaming(request);
        gl::StreamingImage tiles(image.source, streaming);
        auto frame = tiles.prepare_final(view, settings->visible_channels(), *position);
        if (!frame) {
            return fail(fmt::format("{}: {}", request.file, frame.error().message));
        }
        const gl::Target into{framebuffer->id(), 0, 0, size.first, size.second};
        core::Result<gl::CompositeStats> drawn = gl::CompositeStats{};
        if (comparison) {
            // The reference's tiles of the same view, paired with the image's.
            gl::StreamingImage reference_tiles(comparison->reference.source, streaming);
            gl::ReferenceDraw reference{
                comparison->reference.source.get(), nullptr,
                std::vector<std::optional<std::size_t>>(source.channel_count()), request.metric};
            std::vector<std::size_t> reference_channels;
            for (const core::ChannelPair& pair : comparison->pairs) {
                reference.channels[pair.a] = pair.b;
                if (settings->channels[pair.a].visible) {
                    reference_channels.push_back(pair.b);
                }
            }
            auto reference_frame = reference_tiles.prepare_final(view, reference_channels,
                                                                 comparison->reference.position);
            if (!reference_frame) {
                return fail(
                    fmt::format("{}: {}", *request.reference, reference_frame.error().message));
            }
            const auto [a_tiles, b_tiles] = gl::pair_tiles(frame->draws, reference_frame->draws);
            reference.tiles = &b_tiles;
            drawn = compositor->draw_difference({&source, &a_tiles, &*settings, {}}, reference,
                                                view, into);
        } else {
            drawn = compositor->draw_tiles(source, frame->draws, *settings, view, into);
        }
        if (!drawn) {
            return fail(fmt::format("{}: {}", request.file, drawn.error().message));
        }
        framebuffer->bind();
        pixels = gl::read_rgba8(0, 0, size.first, size.second);
        gl::Framebuffer::bind_default();
    }
    if (request.colorbar) {
        std::vector<core::ColourBar> bars = core::colour_bars(*settings, source.channels());
        for (core::ColourBar& bar : bars) {
            bar.integer = bar.integer && !comparison;  // differences are not stored codes
        }
        core::draw_colour_bars(pixels, bars);
    }
    if (request.scalebar) {
        std::optional<core::PhysicalSize> pixel = request.pixel_size;
        if (!pixel && image.metadata.pixel_size.x > 0) {
            pixel = core::PhysicalSize{
                image.metadata.pixel_size.x,
                image.metadata.pixel_size.unit.empty() ? "µm" : image.metadata.pixel_size.unit};
        }
        if (!pixel) {
            return fail(
                fmt::format("{}: the file does not say how large its pixels are; give "
                            "--pixel-size (e.g. 0.65um) for a scale bar",
                            request.file));
        }
        if (const auto bar = core::scale_bar(*pixel, 1.0 / view.x_scale)) {
            core::draw_scale_bar(pixels, *bar);
        }
    }
    if (auto written = core::write_png(pixels, request.output); !written) {
        return fail(written.error().message);
    }
    fmt::print(out, "{}: {}x{} written ({})\n", request.output, size.first, size.second,
               request.cpu ? "CPU reference" : "GPU");
    return 0;
}

}  // namespace tessera::app
