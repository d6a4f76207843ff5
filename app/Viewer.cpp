#include "app/Viewer.h"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "app/InfoCommand.h"
#include "app/RenderCommand.h"
#include "assets/DemoImage.h"
#include "core/ImageLoader.h"
#include "core/Version.h"
#include "gl/Error.h"
#include "gl/Gl.h"
#include "gl/Readback.h"
// glad first; GLFW only for key codes (ImGui 1.86's GLFW backend indexes io.KeysDown by them).
#include <GLFW/glfw3.h>
#include <imgui.h>

namespace tessera::app {
namespace {

constexpr float kPanelWidth = 300.0f;

}  // namespace

core::Result<std::unique_ptr<Viewer>> Viewer::create(Window& window, core::Image image,
                                                     std::vector<std::string> load_errors) {
    std::unique_ptr<Viewer> viewer(new Viewer(window));
    const std::string name = image.display_name();
    auto statistics = core::compute_statistics(*image.source);
    if (!statistics) {
        return core::Error{fmt::format("{}: {}", name, statistics.error().message)};
    }
    auto compositor = gl::Compositor::create();
    if (!compositor) {
        return compositor.error();
    }
    viewer->m_display = core::default_display(image.source->channels(), statistics.value(),
                                              image.metadata.transfer);
    viewer->m_tiles = std::make_unique<gl::TiledImage>(image.source);
    viewer->m_image = std::move(image);
    viewer->m_statistics = std::move(statistics).value();
    viewer->m_load_errors = std::move(load_errors);
    viewer->m_compositor.emplace(std::move(compositor).value());
    viewer->m_renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    return viewer;
}

void Viewer::handle_keys() {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput) {
        return;  // shortcuts never fire while the user types into a field
    }
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false) ||
        ImGui::IsKeyPressed(GLFW_KEY_Q, false)) {
        m_window.request_close();
    }
    if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Tab), false)) {
        m_show_panel = !m_show_panel;
    }
}

void Viewer::draw_panel() {
    if (!m_show_panel) {
        return;
    }
    const ImGuiViewport* viewport = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(viewport->WorkPos);
    ImGui::SetNextWindowSize(ImVec2(kPanelWidth, viewport->WorkSize.y));
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                                   ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings;
    if (ImGui::Begin("Tessera", nullptr, flags)) {
        const core::ImageSource& source = *m_image.source;
        const core::ImageMetadata& meta = m_image.metadata;
        ImGui::TextWrapped("%s", m_image.display_name().c_str());
        ImGui::TextDisabled("%s, %lld x %lld, %s", meta.format.c_str(),
                            static_cast<long long>(source.width()),
                            static_cast<long long>(source.height()),
                            std::string(core::to_string(meta.transfer)).c_str());
        if (m_display.colour) {
            ImGui::TextDisabled("colour image");
        }
        ImGui::Separator();
        for (std::size_t c = 0; c < source.channel_count(); ++c) {
            const core::ChannelInfo& info = source.channels()[c];
            const core::ChannelDisplay& display = m_display.channels[c];
            const auto swatch = core::sample_colormap(display.colormap, 1.0f);
            ImGui::ColorButton(
                fmt::format("##swatch{}", c).c_str(),
                ImVec4(swatch[0], swatch[1], swatch[2], display.visible ? 1.0f : 0.2f),
                ImGuiColorEditFlags_NoTooltip, ImVec2(14, 14));
            ImGui::SameLine();
            ImGui::Text("%s  %s  %s  %.4g .. %.4g", info.name.c_str(),
                        std::string(core::to_string(info.type)).c_str(),
                        core::colormap_name(display.colormap).c_str(), display.lo, display.hi);
        }
        if (!m_draw_error.empty()) {
            ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", m_draw_error.c_str());
        }
        for (const std::string& error : m_load_errors) {
            ImGui::Separator();
            ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.45f, 0.4f, 1.0f));
            ImGui::TextWrapped("%s", error.c_str());
            ImGui::PopStyleColor();
        }
        ImGui::Separator();
        ImGui::TextDisabled("Tessera %s", core::kVersion);
        ImGui::TextDisabled("%s", m_renderer.c_str());
        ImGui::TextDisabled("%.1f FPS", static_cast<double>(ImGui::GetIO().Framerate));
        ImGui::TextDisabled("Tab: hide panel   Esc/Q: quit");
    }
    ImGui::End();
}

void Viewer::draw_image() {
    const int width = m_window.framebuffer_width();
    const int height = m_window.framebuffer_height();
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    glViewport(0, 0, width, height);
    const auto& bg = m_display.background;
    glClearColor(bg[0], bg[1], bg[2], 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    // The image fills the area right of the panel, fitted, aspect kept.
    const int left = m_show_panel ? static_cast<int>(kPanelWidth) : 0;
    const gl::Target target{0, left, 0, std::max(1, width - left), std::max(1, height)};
    core::View view = core::View::fit(m_image.source->width(), m_image.source->height(),
                                      target.width, target.height);
    view.sampling = view.x_scale < 1.0 ? core::Sampling::Nearest : core::Sampling::Linear;
    auto drawn = m_compositor->draw(*m_tiles, m_display, view, target);
    m_draw_error = drawn.ok() ? std::string() : drawn.error().message;
}

core::Result<void> Viewer::run(const Options& options) {
    // --screenshot alone captures the first frame; --frames N captures frame N.
    const int last_frame = options.frames.value_or(options.screenshot ? 1 : 0);
    for (int frame = 1; !m_window.should_close(); ++frame) {
        m_window.begin_frame();
        handle_keys();
        draw_panel();
        draw_image();
        m_window.end_frame();
        TESSERA_GL_CHECK();
        if (last_frame != 0 && frame >= last_frame) {
            if (options.screenshot) {
                glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
                glReadBuffer(GL_BACK);
                const core::RgbaImage shot = gl::read_rgba8(0, 0, m_window.framebuffer_width(),
                                                            m_window.framebuffer_height());
                if (auto written = core::write_png(shot, *options.screenshot); !written) {
                    return written.error();
                }
            }
            break;
        }
        m_window.present();
    }
    return {};
}

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
    // Every file is tried; failures are reported and the first image that opened is shown.
    std::vector<core::Image> images;
    std::vector<std::string> errors;
    core::LoadOptions load;
    load.channel_axis = options.channel_axis;
    for (const std::string& path : options.files) {
        auto opened = core::load_images(path, load);
        if (!opened) {
            std::fprintf(stderr, "tessera: %s\n", opened.error().message.c_str());
            errors.push_back(opened.error().message);
            continue;
        }
        for (core::Image& image : opened.value()) {
            images.push_back(std::move(image));
        }
    }
    if (!options.files.empty() && images.empty()) {
        return 1;
    }
    if (images.empty()) {
        core::Image demo;
        demo.source = assets::make_fluorescence_demo();
        demo.metadata.path = "demo";
        demo.metadata.format = "built-in demo";
        demo.metadata.transfer = core::Transfer::Linear;  // fluorescence intensities
        demo.metadata.data_window = core::full_window(demo.source->width(), demo.source->height());
        demo.metadata.display_window = demo.metadata.data_window;
        images.push_back(std::move(demo));
    }
    const std::string title = "Tessera - " + images.front().display_name();
    auto window = Window::open(title, options.window_width, options.window_height);
    if (!window) {
        std::fprintf(stderr, "tessera: %s\n", window.error().message.c_str());
        return 1;
    }
    auto viewer = Viewer::create(*window.value(), std::move(images.front()), std::move(errors));
    if (!viewer) {
        std::fprintf(stderr, "tessera: %s\n", viewer.error().message.c_str());
        return 1;
    }
    if (auto ran = viewer.value()->run(options); !ran) {
        std::fprintf(stderr, "tessera: %s\n", ran.error().message.c_str());
        return 1;
    }
    return 0;
}

}  // namespace tessera::app
