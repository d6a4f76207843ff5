// The one translation unit that compiles tinyexr's implementation: system zlib (no miniz),
// threaded decoding, and NDEBUG forced on (Debian's build aborts on assert for some valid and
// invalid files; CMake sets it for this file in every build type).
#define TINYEXR_IMPLEMENTATION
#define TINYEXR_USE_MINIZ 0
#define TINYEXR_USE_THREAD 1
#define TINYEXR_USE_OPENMP 0
#include <zlib.h>

#include <tinyexr.h>
