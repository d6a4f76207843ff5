#include "app/commands/GridBench.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "app/cli/DisplayOptions.h"
#include "app/cli/Report.h"
#include "core/base/JsonWriter.h"
#include "core/dataset/Dataset.h"
#include "core/stats/FrameStats.h"
#include "core/view/Grid.h"
#include "gl/composite/Compositor.h"
#include "gl/context/HeadlessContext.h"
#include "gl/context/Renderer.h"
#include "gl/image/StreamingImage.h"
#include "gl/objects/Framebuffer.h"

namespace tessera::app {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kZoom = 8.0;

struct Figures {
    std::size_t cells = 0;
    std::vector<double> frame_ms;
    int not_final = 0;
    std::size_t peak_texture_bytes = 0;
    std::size_t budget = 0;
    std::uint64_t uploads = 0;

    // Nearest-rank, as `tessera bench` reports (core/stats/FrameStats).
    core::Summary summary() const { return core::summarise(frame_ms); }
};

struct Cell {
    const core::Dataset* dataset = nullptr;
    core::DisplaySettings display;
    std::unique_ptr<gl::StreamingImage> tiles;
    core::ViewController view;
    core::WindowRect rect;
};

// The path: fit, zoom in about the centre to 8x, pan across, zoom out; the leader's camera at
// frame k of n, every other cell following it (linked).
void place(core::ViewController& view, int k, int n, std::int64_t width, std::int64_t height) {
    const double t = static_cast<double>(k) / std::max(1, n - 1);
    const double cx = static_cast<double>(width) / 2.0;
    const double cy = static_cast<double>(height) / 2.0;
    const double fit = view.fit_zoom();
    const auto zoom_to = [&](double f) {
        view.look_at(cx, cy, fit * std::pow(kZoom / fit, f));
    };
    if (t < 0.05) {
        view.fit();
    } else if (t < 0.35) {
        zoom_to((t - 0.05) / 0.30);
    } else if (t < 0.75) {
        view.look_at(cx + (t - 0.55) / 0.40 * static_cast<double>(width) * 0.5, cy, kZoom);
    } else {
        zoom_to(1.0 - (t - 0.75) / 0.25);
    }
}

core::Result<Figures> run_path(std::vector<Cell>& cells, const GridBenchRequest& request,
                               gl::Compositor& compositor, GLuint framebuffer,
                               gl::TextureCache& textures) {
    Figures figures;
    figures.cells = cells.size();
    figures.budget = textures.budget();
    const int height = request.size.second;
    for (int k = 0; k < request.frames; ++k) {
        const auto start = Clock::now();
        Cell& leader = cells.front();
        place(leader.view, k, request.frames, leader.dataset->image.source->width(),
              leader.dataset->image.source->height());
        bool final = true;
        for (Cell& cell : cells) {
            if (&cell != &leader) {
                core::follow(cell.view, leader.view);
            }
            const core::View view = cell.view.view();
            auto frame = cell.tiles->prepare(view, cell.display.visible_channels());
            if (!frame) {
                return frame.error();
            }
            final = final && frame->final;
            const gl::Target target{framebuffer, static_cast<int>(cell.rect.x),
                                    height - static_cast<int>(cell.rect.y) - view.height,
                                    view.width, view.height};
            auto drawn = compositor.draw_tiles(*cell.dataset->image.source, frame->draws,
                                               cell.display, view, target);
            if (!drawn) {
                return drawn.error();
            }
        }
        glFinish();
        figures.frame_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        figures.not_final += final ? 0 : 1;
        figures.peak_texture_bytes = std::max(figures.peak_texture_bytes, textures.bytes());
    }
    for (const Cell& cell : cells) {
        figures.uploads += cell.tiles->stats().uploads;
    }
    return figures;
}

void print(std::FILE* out, const char* name, const Figures& f) {
    fmt::print(out,
               "{:<8} {} cell{}: frame p50 {:.2f} ms, p95 {:.2f} ms, {} of {} frames not final, "
               "{} uploads, peak textures {:.0f} MB of {:.0f} MB\n",
               name, f.cells, f.cells == 1 ? "" : "s", f.summary().p50, f.summary().p95,
               f.not_final, f.frame_ms.size(), f.uploads,
               static_cast<double>(f.peak_texture_bytes) / 1048576.0,
               static_cast<double>(f.budget) / 1048576.0);
}

void write(core::JsonWriter& json, const Figures& f) {
    json.begin_object();
    json.key("cells").value(static_cast<std::uint64_t>(f.cells));
    json.key("frame_ms_p50").value(f.summary().p50);
    json.key("frame_ms_p95").value(f.summary().p95);
    json.key("frames").value(static_cast<std::uint64_t>(f.frame_ms.size()));
    json.key("frames_not_final").value(static_cast<std::int64_t>(f.not_final));
    json.key("uploads").value(f.uploads);
    json.key("peak_texture_bytes").value(static_cast<std::uint64_t>(f.peak_texture_bytes));
    json.key("budget_bytes").value(static_cast<std::uint64_t>(f.budget));
    json.end_object();
}

}  // namespace

std::string grid_bench_usage() {
    return "usage: tessera bench --grid FILE... [--frames N] [--size WxH] [--json]\n"
           "                     [--gpu-memory MB] [--cpu-cache MB] [--upload-budget MB]\n"
           "Every FILE in a grid with linked pan and zoom along a path (fit, zoom in to 8x, pan,\n"
           "zoom out; --frames per path, default 240), then the first FILE alone in the same\n"
           "target (default 1600x1000): frame times, frames not final, uploads and peak texture\n"
           "memory of both, and their ratios.";
}

core::Result<GridBenchRequest> parse_grid_bench_arguments(
    std::span<const std::string_view> arguments) {
    GridBenchRequest request;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string_view argument = arguments[i];
        core::Result<void> ok;
        if (argument == "--grid") {
            continue;
        }
        if (auto memory = parse_memory_option(arguments, i, request.memory); !memory) {
            return memory.error();
        } else if (*memory) {
            continue;
        }
        if (argument == "--json") {
            request.json = true;
        } else if (argument == "--size") {
            ok = size_option(arguments, i, request.size);
        } else if (argument == "--frames") {
            ok = with_option_value(arguments, i, [&](std::string_view v) -> core::Result<void> {
                const auto n = parse_int(v);
                if (!n || *n < 2 || *n > 100000) {
                    return core::Error{
                        fmt::format("--frames expects 2 to 100000 frames, got '{}'", v)};
                }
                request.frames = *n;
                return {};
            });
        } else if (argument.starts_with("-") && argument.size() > 1) {
            return core::Error{fmt::format("bench --grid: unknown option '{}'", argument)};
        } else {
            request.files.emplace_back(argument);
        }
        if (!ok) {
            return ok.error();
        }
    }
    if (request.files.empty()) {
        return core::Error{"bench --grid needs at least one FILE"};
    }
    return request;
}

int run_grid_bench(const GridBenchRequest& request, std::FILE* out, std::FILE* err) {
    const auto fail = [&](const std::string& message) {
        report_error(err, message);
        return 1;
    };
    std::vector<core::Dataset> datasets;
    for (const std::string& file : request.files) {
        auto opened = core::open_datasets(file);
        if (!opened) {
            return fail(opened.error().message);
        }
        datasets.push_back(std::move(opened->front()));
    }
    auto context = gl::HeadlessContext::create();
    if (!context) {
        return fail(context.error().message);
    }
    auto compositor = gl::Compositor::create();
    if (!compositor) {
        return fail(compositor.error().message);
    }
    const int width = request.size.first;
    const int height = request.size.second;
    auto target = gl::Texture2D::create(width, height, gl::PixelFormat{});
    if (!target) {
        return fail("the target: " + target.error().message);
    }
    auto framebuffer = gl::Framebuffer::create(*target);
    if (!framebuffer) {
        return fail(framebuffer.error().message);
    }
    const gl::StreamingOptions streaming =
        streaming_options(request.memory, gl::current_renderer_is_software());
    // Each layout gets a fresh loader and texture cache of the same budgets, as a session has.
    const auto run = [&](std::size_t count) -> core::Result<Figures> {
        core::TileLoader loader(core::LoaderOptions{streaming.workers, false, streaming.cpu_cache});
        auto textures = std::make_shared<gl::TextureCache>(streaming.gpu_budget);
        const core::WindowRect area{0, 0, static_cast<double>(width), static_cast<double>(height)};
        const core::ImageSource& first = *datasets.front().image.source;
        const auto rects =
            core::grid_cells(area, count,
                             core::grid_shape(count, width, height,
                                              static_cast<double>(first.width()) /
                                                  static_cast<double>(first.height())));
        std::vector<Cell> cells;
        for (std::size_t c = 0; c < count; ++c) {
            const core::Dataset& dataset = datasets[c];
            Cell cell;
            cell.dataset = &dataset;
            cell.display =
                core::default_display(dataset.image.source->channels(), dataset.statistics,
                                      dataset.image.metadata.transfer);
            cell.tiles = std::make_unique<gl::StreamingImage>(dataset.image.source, loader,
                                                              textures, streaming);
            cell.rect = rects[c];
            cell.view.set_image_size(dataset.image.source->width(), dataset.image.source->height());
            cell.view.set_viewport(static_cast<int>(rects[c].width),
                                   static_cast<int>(rects[c].height));
            cells.push_back(std::move(cell));
        }
        framebuffer->bind();
        glViewport(0, 0, width, height);
        glClearColor(0, 0, 0, 1);
        glClear(GL_COLOR_BUFFER_BIT);
        auto figures = run_path(cells, request, *compositor, framebuffer->id(), *textures);
        cells.clear();  // the tile streams before their loader
        return figures;
    };
    auto single = run(1);
    if (!single) {
        return fail(single.error().message);
    }
    auto grid = run(datasets.size());
    if (!grid) {
        return fail(grid.error().message);
    }
    const double cells = static_cast<double>(datasets.size());
    const double frame_ratio = grid->summary().p50 / std::max(1e-9, single->summary().p50);
    const double memory_ratio = static_cast<double>(grid->peak_texture_bytes) /
                                std::max(1.0, static_cast<double>(single->peak_texture_bytes));
    if (request.json) {
        core::JsonWriter json;
        json.begin_object();
        json.key("renderer").value(reinterpret_cast<const char*>(glGetString(GL_RENDERER)));
        json.key("size").begin_array().value(width).value(height).end_array();
        json.key("single");
        write(json, *single);
        json.key("grid");
        write(json, *grid);
        json.key("frame_ratio").value(frame_ratio);
        json.key("frame_ratio_per_cell").value(frame_ratio / cells);
        json.key("texture_ratio").value(memory_ratio);
        json.end_object();
        fmt::print(out, "{}\n", json.text());
    } else {
        fmt::print(out, "{} frames of {}x{} on {}\n", request.frames, width, height,
                   reinterpret_cast<const char*>(glGetString(GL_RENDERER)));
        print(out, "single", *single);
        print(out, "grid", *grid);
        fmt::print(out,
                   "grid / single: frame p50 {:.2f}x ({:.2f}x per cell), peak textures {:.2f}x\n",
                   frame_ratio, frame_ratio / cells, memory_ratio);
    }
    return 0;
}

}  // namespace tessera::app
