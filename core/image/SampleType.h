// Sample types a channel keeps end to end (DESIGN.md: native types, never widened wholesale).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tessera::core {

enum class SampleType : std::uint8_t { U8, U16, U32, F16, F32 };

constexpr std::size_t sample_size(SampleType type) {
    switch (type) {
        case SampleType::U8:
            return 1;
        case SampleType::U16:
            return 2;
        case SampleType::F16:
            return 2;
        case SampleType::U32:
            return 4;
        case SampleType::F32:
            return 4;
    }
    return 0;
}

constexpr bool is_float(SampleType type) {
    return type == SampleType::F16 || type == SampleType::F32;
}

std::string_view to_string(SampleType type);

// IEEE 754 binary16 <-> binary32, exact for every half value (NaN payloads and infinities kept).
float half_to_float(std::uint16_t half);
std::uint16_t float_to_half(float value);

// One sample at `data` (of the given type) as a float; u8/u16/u32 keep their integer value.
float sample_as_float(const std::byte* data, SampleType type);
// `count` samples at `data` (tightly packed, of the given type) as floats, one loop per type.
void samples_as_floats(const std::byte* data, SampleType type, std::size_t count, float* out);
// The reverse, rounded to the nearest integer and clamped for u8/u16/u32 (NaN becomes 0).
void floats_as_samples(const float* values, std::size_t count, SampleType type, std::byte* out);

}  // namespace tessera::core
