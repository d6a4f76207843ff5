// NumPy .npy decoder (format versions 1-3, little and big endian, C or Fortran order). The file
// is memory-mapped and read in place: opening maps it, and read_region converts only the samples
// asked for. Arrays of 2 to 5 dimensions; which axis is T, Z, C, Y or X follows the rule of
// core/io/ArrayAxes (or LoadOptions::axes), and each plane is read in place. Leading axes of
// length 1 are dropped unless the axes given name them. Sample types:
//   u1, u2, u4, f2, f4   kept as they are (u8, u16, u32, f16, f32)
//   b1                   u8 (0 or 1)
//   i1                   f16 (every value exact)
//   i2                   f32 (every value exact)
//   i4                   f32 (exact up to 2^24 in magnitude, rounded beyond)
//   f8                   f32 (rounded to nearest; beyond the f32 range becomes +-Inf)
// Anything else (i8, u8, complex, strings, objects, structured dtypes) is refused by name.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/ImageLoader.h"

namespace tessera::core {

Result<std::vector<Image>> decode_npy(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options);

// A C-order array at `offset` of a mapped file, read in place as a .npy file's data is: for
// other files that store planes raw (ImageJ's hyperstacks over 4 GB). `dtype` is a NumPy code
// without its byte order ("u2", "f4"), converted by the table above; `axes` names each dimension
// of `shape` (T, Z, C, Y, X, as --axes does); channels are named `channel_names` (c0, c1, ...
// where it has too few).
Result<std::shared_ptr<const ImageSource>> map_array(std::shared_ptr<const MappedFile> file,
                                                     std::size_t offset, std::string_view dtype,
                                                     bool big_endian,
                                                     const std::vector<std::uint64_t>& shape,
                                                     std::string_view axes,
                                                     std::vector<std::string> channel_names);

}  // namespace tessera::core
