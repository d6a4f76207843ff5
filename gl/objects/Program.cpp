#include "gl/objects/Program.h"

#include <string>

#include <fmt/format.h>

#include "gl/objects/Error.h"

namespace tessera::gl {
namespace {

core::Result<Object<ShaderTraits>> compile(std::string_view label, GLenum stage,
                                           std::string_view source) {
    Object<ShaderTraits> shader(glCreateShader(stage));
    const char* text = source.data();
    const GLint length = static_cast<GLint>(source.size());
    glShaderSource(shader.id(), 1, &text, &length);
    glCompileShader(shader.id());
    GLint status = GL_FALSE;
    glGetShaderiv(shader.id(), GL_COMPILE_STATUS, &status);
    if (status != GL_TRUE) {
        GLint log_length = 0;
        glGetShaderiv(shader.id(), GL_INFO_LOG_LENGTH, &log_length);
        std::string log(static_cast<std::size_t>(std::max(log_length, 1)), '\0');
        glGetShaderInfoLog(shader.id(), log_length, nullptr, log.data());
        return core::Error{fmt::format("{} {} shader failed to compile:\n{}", label,
                                       stage == GL_VERTEX_SHADER ? "vertex" : "fragment",
                                       log.c_str())};
    }
    return shader;
}

}  // namespace

core::Result<Program> Program::link(std::string_view label, std::string_view vertex_source,
                                    std::string_view fragment_source) {
    auto vertex = compile(label, GL_VERTEX_SHADER, vertex_source);
    if (!vertex) {
        return vertex.error();
    }
    auto fragment = compile(label, GL_FRAGMENT_SHADER, fragment_source);
    if (!fragment) {
        return fragment.error();
    }
    Program program;
    program.m_object = Object<ProgramTraits>(glCreateProgram());
    glAttachShader(program.id(), vertex->id());
    glAttachShader(program.id(), fragment->id());
    glLinkProgram(program.id());
    glDetachShader(program.id(), vertex->id());
    glDetachShader(program.id(), fragment->id());
    GLint status = GL_FALSE;
    glGetProgramiv(program.id(), GL_LINK_STATUS, &status);
    if (status != GL_TRUE) {
        GLint log_length = 0;
        glGetProgramiv(program.id(), GL_INFO_LOG_LENGTH, &log_length);
        std::string log(static_cast<std::size_t>(std::max(log_length, 1)), '\0');
        glGetProgramInfoLog(program.id(), log_length, nullptr, log.data());
        return core::Error{fmt::format("{} program failed to link:\n{}", label, log.c_str())};
    }
    TESSERA_GL_CHECK();
    return program;
}

}  // namespace tessera::gl
