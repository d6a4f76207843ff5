// The one include for OpenGL declarations in Tessera: the glad 2 loader generated at configure
// time for OpenGL 3.3 core (plus KHR_debug). Never include system GL headers directly.
#pragma once

#include <glad/gl.h>
