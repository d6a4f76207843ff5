// Reading fixed-size integers from file bytes in a stated byte order, whatever the machine's.
// The caller has checked that the bytes are there.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tessera::core {

inline std::uint32_t load_be16(const std::byte* p) {
    return std::to_integer<std::uint32_t>(p[0]) << 8 | std::to_integer<std::uint32_t>(p[1]);
}
inline std::uint32_t load_be32(const std::byte* p) {
    return load_be16(p) << 16 | load_be16(p + 2);
}
inline std::uint32_t load_le16(const std::byte* p) {
    return std::to_integer<std::uint32_t>(p[0]) | std::to_integer<std::uint32_t>(p[1]) << 8;
}
inline std::uint32_t load_le32(const std::byte* p) {
    return load_le16(p) | load_le16(p + 2) << 16;
}
inline std::uint64_t load_le64(const std::byte* p) {
    return load_le32(p) | std::uint64_t{load_le32(p + 4)} << 32;
}

}  // namespace tessera::core
