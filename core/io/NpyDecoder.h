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
#include <vector>

#include "core/io/ImageLoader.h"

namespace tessera::core {

Result<std::vector<Image>> decode_npy(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options);

}  // namespace tessera::core
