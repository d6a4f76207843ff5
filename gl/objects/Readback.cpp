#include "gl/objects/Readback.h"

#include <algorithm>

#include "gl/objects/Error.h"
#include "gl/objects/Gl.h"

namespace tessera::gl {

core::RgbaImage read_rgba8(int x, int y, int width, int height) {
    core::RgbaImage image(width, height);
    GLint alignment = 4;
    glGetIntegerv(GL_PACK_ALIGNMENT, &alignment);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(x, y, width, height, GL_RGBA, GL_UNSIGNED_BYTE, image.pixels.data());
    glPixelStorei(GL_PACK_ALIGNMENT, alignment);
    TESSERA_GL_CHECK();
    const std::size_t row = static_cast<std::size_t>(width) * 4;
    for (int top = 0, bottom = height - 1; top < bottom; ++top, --bottom) {
        std::swap_ranges(image.pixels.begin() + static_cast<std::ptrdiff_t>(top * row),
                         image.pixels.begin() + static_cast<std::ptrdiff_t>((top + 1) * row),
                         image.pixels.begin() + static_cast<std::ptrdiff_t>(bottom * row));
    }
    return image;
}

}  // namespace tessera::gl
