#include "gl/context/Renderer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "gl/objects/Gl.h"

namespace tessera::gl {

bool is_software_renderer(std::string_view renderer) {
    std::string lower(renderer);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    constexpr std::array<std::string_view, 6> kSoftware = {
        "llvmpipe", "softpipe", "swrast", "swiftshader", "software rasterizer", "gdi generic"};
    return std::any_of(kSoftware.begin(), kSoftware.end(), [&](std::string_view name) {
        return lower.find(name) != std::string::npos;
    });
}

bool current_renderer_is_software() {
    const auto* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    return renderer != nullptr && is_software_renderer(renderer);
}

}  // namespace tessera::gl
