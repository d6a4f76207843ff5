#include "gl/objects/Error.h"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

namespace tessera::gl {

std::vector<GLenum> take_errors() {
    std::vector<GLenum> errors;
    // A lost context can report errors forever; 32 is far more than any real call site makes.
    for (int i = 0; i < 32; ++i) {
        const GLenum error = glGetError();
        if (error == GL_NO_ERROR) {
            break;
        }
        errors.push_back(error);
    }
    return errors;
}

std::string error_name(GLenum error) {
    switch (error) {
        case GL_INVALID_ENUM:
            return "GL_INVALID_ENUM";
        case GL_INVALID_VALUE:
            return "GL_INVALID_VALUE";
        case GL_INVALID_OPERATION:
            return "GL_INVALID_OPERATION";
        case GL_INVALID_FRAMEBUFFER_OPERATION:
            return "GL_INVALID_FRAMEBUFFER_OPERATION";
        case GL_OUT_OF_MEMORY:
            return "GL_OUT_OF_MEMORY";
        default:
            return fmt::format("GL error 0x{:04x}", error);
    }
}

std::string describe_errors(const std::vector<GLenum>& errors) {
    std::string text;
    for (GLenum error : errors) {
        text += text.empty() ? "" : ", ";
        text += error_name(error);
    }
    return text;
}

void check_errors_at(const char* where) {
    const auto errors = take_errors();
    if (!errors.empty()) {
        std::fprintf(stderr, "tessera: OpenGL error at %s: %s\n", where,
                     describe_errors(errors).c_str());
        std::abort();
    }
}

}  // namespace tessera::gl
