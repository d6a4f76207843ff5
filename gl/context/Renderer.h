// What kind of rasteriser serves the current context. A software renderer (Mesa's llvmpipe,
// softpipe, SwiftShader, Windows' GDI fallback) keeps textures in the process's own memory, so
// a texture budget sized for video memory would be taken from the RAM the user has.
#pragma once

#include <string_view>

namespace tessera::gl {

// True when the GL_RENDERER string names a software rasteriser.
bool is_software_renderer(std::string_view renderer);
// The same for the context current on this thread (false without one).
bool current_renderer_is_software();

}  // namespace tessera::gl
