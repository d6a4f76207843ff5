// Compositing speed: what a display change costs. An 8-channel 6000x6000 float32 image is shown
// at 1920x1080 (fit). Each iteration changes one channel's colormap and times until the frame is
// finished (glFinish), on the GPU path (llvmpipe here) and by recompositing on the CPU reference,
// and counts texture uploads per change (must be 0). Then composite throughput in output
// Mpixel/s for 1, 4, 8 and 24 visible channels of a 2048x2048 float32 image at 1:1.
//
//   tessera_composite_bench [--repeat N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "core/display/CpuCompositor.h"
#include "core/image/PlanarImage.h"
#include "gl/composite/Compositor.h"
#include "gl/context/HeadlessContext.h"
#include "gl/image/StreamingImage.h"
#include "gl/objects/Framebuffer.h"

using namespace tessera;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

std::shared_ptr<core::PlanarImage> make_image(int width, int height, int channels) {
    auto image = std::make_shared<core::PlanarImage>(width, height);
    for (int c = 0; c < channels; ++c) {
        image->add_channel(fmt::format("c{}", c), core::SampleType::F32);
        auto samples = image->samples<float>(static_cast<std::size_t>(c));
        for (std::size_t i = 0; i < samples.size(); ++i) {
            const auto h = static_cast<std::uint32_t>(i * 2654435761u +
                                                      static_cast<std::uint32_t>(c) * 40503u);
            samples[i] = static_cast<float>(h >> 16) / 65536.0f;
        }
    }
    return image;
}

core::DisplaySettings settings_for(int channels, int visible) {
    core::DisplaySettings settings;
    for (int c = 0; c < channels; ++c) {
        core::ChannelDisplay d;
        d.visible = c < visible;
        d.colormap = core::named_colormap(core::colormap_names()[static_cast<std::size_t>(c % 18)]);
        d.lo = 0.1;
        d.hi = 0.9;
        d.opacity = 1.0f / static_cast<float>(std::max(1, visible));
        settings.channels.push_back(d);
    }
    return settings;
}

// Every tile of the view at full resolution, uploaded once before the first draw.
std::unique_ptr<gl::StreamingImage> upload_all(std::shared_ptr<const core::ImageSource> image) {
    gl::StreamingOptions options;
    options.policy = gl::StreamingPolicy::FullResolution;
    options.tile_size = 2048;
    options.gpu_budget = std::numeric_limits<std::size_t>::max();
    options.upload_budget = std::numeric_limits<std::size_t>::max();
    return std::make_unique<gl::StreamingImage>(std::move(image), options);
}

core::Result<gl::CompositeStats> draw(gl::Compositor& compositor, gl::StreamingImage& image,
                                      const core::DisplaySettings& settings, const core::View& view,
                                      const gl::Target& where) {
    auto frame = image.prepare_final(view, settings.visible_channels());
    if (!frame) {
        return frame.error();
    }
    return compositor.draw_tiles(*image.source(), frame->draws, settings, view, where);
}

}  // namespace

int main(int argc, char** argv) {
    int repeat = 9;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::string(argv[i]) == "--repeat")
            repeat = std::max(1, std::atoi(argv[i + 1]));
    }
    auto context = gl::HeadlessContext::create();
    if (!context) {
        std::fprintf(stderr, "%s\n", context.error().message.c_str());
        return 1;
    }
    std::printf("GL: %s | %s\n\n", context->info().renderer.c_str(),
                context->info().version.c_str());
    auto compositor = gl::Compositor::create();
    if (!compositor) {
        std::fprintf(stderr, "%s\n", compositor.error().message.c_str());
        return 1;
    }

    // 1. A colormap change on an 8-channel 6000x6000 float32 image, shown at 1920x1080.
    {
        const int width = 1920, height = 1080;
        auto image = make_image(6000, 6000, 8);
        core::DisplaySettings settings = settings_for(8, 8);
        core::View view = core::View::fit(6000, 6000, width, height);
        view.sampling = core::Sampling::Linear;
        const auto tiled = upload_all(image);
        const gl::Texture2D target =
            gl::Texture2D::create(width, height, gl::PixelFormat{}).value();
        auto framebuffer = gl::Framebuffer::create(target);
        const gl::Target where{framebuffer->id(), 0, 0, width, height};

        auto start = Clock::now();
        if (auto ok = draw(*compositor, *tiled, settings, view, where); !ok) {
            std::fprintf(stderr, "%s\n", ok.error().message.c_str());
            return 1;
        }
        glFinish();
        const double first_frame = ms_since(start);
        const gl::StreamingStats after_first = tiled->stats();

        std::vector<double> gpu, cpu;
        for (int i = 0; i < repeat; ++i) {
            settings.channels[static_cast<std::size_t>(i % 8)].colormap = core::named_colormap(
                core::colormap_names()[static_cast<std::size_t>((i * 5) % 18)]);
            start = Clock::now();
            auto ok = draw(*compositor, *tiled, settings, view, where);
            glFinish();
            gpu.push_back(ms_since(start));
            start = Clock::now();
            auto reference = core::composite_cpu(*image, settings, view);
            cpu.push_back(ms_since(start));
            if (!ok || !reference) {
                std::fprintf(stderr, "composite failed\n");
                return 1;
            }
        }
        const double uploads_per_change =
            static_cast<double>(tiled->stats().uploads - after_first.uploads) / repeat;
        std::printf("8ch 6000x6000 f32 shown at %dx%d (fit, linear):\n", width, height);
        std::printf("  first frame (uploads %llu textures, %.0f MB): %.0f ms\n",
                    static_cast<unsigned long long>(after_first.uploads),
                    static_cast<double>(after_first.bytes) / 1e6, first_frame);
        std::printf(
            "  colormap change -> finished frame: GPU %.1f ms, CPU recomposite %.1f ms "
            "(CPU/GPU %.1fx); uploads per change: %.0f\n",
            median(gpu), median(cpu), median(cpu) / median(gpu), uploads_per_change);
        std::printf("  (spatialdata-plot, after its fix: 508 ms for this render; ratio %.1fx)\n\n",
                    508.0 / median(gpu));
    }

    // 2. Throughput vs visible channel count, 2048x2048 output at 1:1.
    {
        const int size = 2048;
        auto image = make_image(size, size, 24);
        const auto tiled = upload_all(image);
        const gl::Texture2D target = gl::Texture2D::create(size, size, gl::PixelFormat{}).value();
        auto framebuffer = gl::Framebuffer::create(target);
        const gl::Target where{framebuffer->id(), 0, 0, size, size};
        core::View view = core::View::fit(size, size, size, size);
        view.sampling = core::Sampling::Linear;
        (void)draw(*compositor, *tiled, settings_for(24, 24), view,
                   where);  // upload everything once
        glFinish();
        std::printf("composite throughput, %dx%d f32 at 1:1, linear:\n", size, size);
        std::printf("  %8s %8s %12s %12s\n", "channels", "passes", "GPU ms", "Mpixel/s");
        for (int visible : {1, 4, 8, 24}) {
            const core::DisplaySettings settings = settings_for(24, visible);
            std::vector<double> times;
            int passes = 0;
            for (int i = 0; i < repeat; ++i) {
                const auto start = Clock::now();
                auto stats = draw(*compositor, *tiled, settings, view, where);
                glFinish();
                times.push_back(ms_since(start));
                passes = stats ? stats->passes : 0;
            }
            std::printf("  %8d %8d %12.1f %12.1f\n", visible, passes, median(times),
                        static_cast<double>(size) * size / 1e6 / (median(times) / 1e3));
        }
    }
    return 0;
}
