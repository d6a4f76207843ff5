// The one translation unit that compiles tinyexr's implementation: system zlib (no miniz); no
// threads of its own (an exception thrown on one of them cannot be caught and ends the process;
// on the caller's thread the loader turns it into an error); and NDEBUG forced on (Debian's
// build aborts on assert for some valid and invalid files; CMake sets it in every build type).
#define TINYEXR_IMPLEMENTATION
#define TINYEXR_USE_MINIZ 0
#define TINYEXR_USE_THREAD 0
#define TINYEXR_USE_OPENMP 0
#include <zlib.h>

#include <tinyexr.h>

#include "core/io/TinyExr.h"

namespace tessera::core {

int decode_exr_scanline_chunks(EXRImage* image, const EXRHeader* header, const unsigned char* file,
                               const unsigned char* table, std::size_t size, const char** err) {
    return tinyexr::DecodeEXRImage(image, header, file, table, size, err);
}

}  // namespace tessera::core
