// OpenEXR parts read by region through the OpenEXR library, for files too large to decode whole
// (LoadOptions::decode_whole_below): a read decodes only the chunks it touches (scanline
// blocks of 1 to 256 lines, or tiles), each once for all its channels (core/io/ChunkCache), on
// the reading thread, with an OpenEXR file object of its own (objects are pooled, one per thread
// reading at a time). Every compression and level mode OpenEXR reads; subsampled (luminance/
// chroma) parts are not read this way. A tiled part's mip-map levels (or a rip-map's levels
// reduced equally in x and y) whose sizes are ceil(W / 2^k) x ceil(H / 2^k) are the sources'
// stored levels: the pyramid reads them instead of reducing level 0.
//
// The file's bytes stay in memory (read, not mapped) while an image of it is open; decoded pixels
// are kept only in the chunk cache and in the pyramid's budgets.
#pragma once

#include <memory>
#include <vector>

#include "core/image/Image.h"
#include "core/io/ExrHeader.h"
#include "core/io/MappedFile.h"

namespace tessera::core {

// One image per part; the header has been validated by scan_exr. Chunks larger than
// max_chunk_bytes once decoded are refused when they are read.
Result<std::vector<Image>> read_exr_by_region(std::shared_ptr<const MappedFile> file,
                                              const std::vector<ExrPart>& parts,
                                              std::size_t max_chunk_bytes);

}  // namespace tessera::core
