// Program: a move-only linked shader program. Compile and link failures come back as errors
// carrying the program's label and the driver's log.
#pragma once

#include <string_view>

#include "core/base/Result.h"
#include "gl/objects/Object.h"

namespace tessera::gl {

class Program {
  public:
    Program() = default;
    static core::Result<Program> link(std::string_view label, std::string_view vertex_source,
                                      std::string_view fragment_source);

    void use() const { glUseProgram(id()); }
    GLint uniform(const char* name) const { return glGetUniformLocation(id(), name); }

    GLuint id() const { return m_object.id(); }

  private:
    Object<ProgramTraits> m_object;
};

}  // namespace tessera::gl
