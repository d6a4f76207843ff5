// What Tessera uses of tinyexr beyond its public API, compiled in TinyExr.cpp beside tinyexr's
// implementation (whose functions are private to that file).
#pragma once

#include <cstddef>

#include <tinyexr.h>

namespace tessera::core {

// Decodes the chunks of a single-part scanline image listed by the offset-table entries at
// `table` (header.chunk_count of them) into `image`, whose rows are header.data_window's: a band
// of a larger image when the header's window and chunk count were narrowed to it. The offsets
// and chunks must have been validated (ExrHeader). Returns a TINYEXR_ status; on failure the
// image has been freed, and `err` may hold a message to free with FreeEXRErrorMessage.
int decode_exr_scanline_chunks(EXRImage* image, const EXRHeader* header, const unsigned char* file,
                               const unsigned char* table, std::size_t size, const char** err);

}  // namespace tessera::core
