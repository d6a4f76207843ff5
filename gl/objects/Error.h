// GL error checks. check_errors() drains glGetError and, in debug builds, asserts with the call
// site and the error names; tests call take_errors() and assert the list is empty.
#pragma once

#include <string>
#include <vector>

#include "gl/objects/Gl.h"

namespace tessera::gl {

std::vector<GLenum> take_errors();
std::string error_name(GLenum error);
std::string describe_errors(const std::vector<GLenum>& errors);

void check_errors_at(const char* where);

}  // namespace tessera::gl

#ifdef NDEBUG
#define TESSERA_GL_CHECK() ((void)0)
#else
#define TESSERA_GL_CHECK() ::tessera::gl::check_errors_at(__FILE__ ":" TESSERA_GL_STR(__LINE__))
#endif
#define TESSERA_GL_STR(x) TESSERA_GL_STR2(x)
#define TESSERA_GL_STR2(x) #x
