#include "core/image/SampleType.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace tessera::core {

std::string_view to_string(SampleType type) {
    switch (type) {
        case SampleType::U8:
            return "u8";
        case SampleType::U16:
            return "u16";
        case SampleType::U32:
            return "u32";
        case SampleType::F16:
            return "f16";
        case SampleType::F32:
            return "f32";
    }
    return "?";
}

float half_to_float(std::uint16_t half) {
    const std::uint32_t sign = static_cast<std::uint32_t>(half & 0x8000u) << 16;
    const std::uint32_t exponent = (half >> 10) & 0x1fu;
    std::uint32_t mantissa = half & 0x3ffu;
    std::uint32_t bits = 0;
    if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13);  // Inf or NaN, payload kept
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
    } else if (mantissa != 0) {
        // Subnormal half: normalise into a float.
        std::uint32_t e = 113;
        while ((mantissa & 0x400u) == 0) {
            mantissa <<= 1;
            --e;
        }
        bits = sign | (e << 23) | ((mantissa & 0x3ffu) << 13);
    } else {
        bits = sign;
    }
    return std::bit_cast<float>(bits);
}

std::uint16_t float_to_half(float value) {
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
    const std::uint16_t sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
    const std::uint32_t exponent = (bits >> 23) & 0xffu;
    std::uint32_t mantissa = bits & 0x7fffffu;
    if (exponent == 0xff) {
        const std::uint16_t nan_bit = mantissa ? 0x200u : 0u;
        return static_cast<std::uint16_t>(sign | 0x7c00u | nan_bit | (mantissa >> 13));
    }
    const int e = static_cast<int>(exponent) - 127 + 15;
    if (e >= 0x1f) {
        return static_cast<std::uint16_t>(sign | 0x7c00u);  // overflow to infinity
    }
    if (e <= 0) {
        if (e < -10) {
            return sign;  // underflow to signed zero
        }
        mantissa |= 0x800000u;
        const int shift = 14 - e;
        std::uint32_t half_mantissa = mantissa >> shift;
        const std::uint32_t rest = mantissa & ((1u << shift) - 1u);
        const std::uint32_t halfway = 1u << (shift - 1);
        if (rest > halfway || (rest == halfway && (half_mantissa & 1u))) {
            ++half_mantissa;
        }
        return static_cast<std::uint16_t>(sign | half_mantissa);
    }
    std::uint32_t half_bits = (static_cast<std::uint32_t>(e) << 10) | (mantissa >> 13);
    const std::uint32_t rest = mantissa & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half_bits & 1u))) {
        ++half_bits;  // round to nearest even; may carry into the exponent, which is correct
    }
    return static_cast<std::uint16_t>(sign | half_bits);
}

float sample_as_float(const std::byte* data, SampleType type) {
    switch (type) {
        case SampleType::U8:
            return static_cast<float>(std::to_integer<std::uint8_t>(*data));
        case SampleType::U16: {
            std::uint16_t v;
            std::memcpy(&v, data, sizeof v);
            return static_cast<float>(v);
        }
        case SampleType::U32: {
            std::uint32_t v;
            std::memcpy(&v, data, sizeof v);
            return static_cast<float>(v);
        }
        case SampleType::F16: {
            std::uint16_t v;
            std::memcpy(&v, data, sizeof v);
            return half_to_float(v);
        }
        case SampleType::F32: {
            float v;
            std::memcpy(&v, data, sizeof v);
            return v;
        }
    }
    return 0.0f;
}

namespace {

template <typename T>
void widen(const std::byte* data, std::size_t count, float* out) {
    for (std::size_t i = 0; i < count; ++i) {
        T value;
        std::memcpy(&value, data + i * sizeof(T), sizeof(T));
        out[i] = static_cast<float>(value);
    }
}

}  // namespace

void samples_as_floats(const std::byte* data, SampleType type, std::size_t count, float* out) {
    switch (type) {
        case SampleType::U8:
            widen<std::uint8_t>(data, count, out);
            return;
        case SampleType::U16:
            widen<std::uint16_t>(data, count, out);
            return;
        case SampleType::U32:
            widen<std::uint32_t>(data, count, out);
            return;
        case SampleType::F16:
            for (std::size_t i = 0; i < count; ++i) {
                std::uint16_t half;
                std::memcpy(&half, data + i * 2, 2);
                out[i] = half_to_float(half);
            }
            return;
        case SampleType::F32:
            std::memcpy(out, data, count * sizeof(float));
            return;
    }
}

namespace {

template <typename T>
void narrow(const float* values, std::size_t count, std::byte* out) {
    constexpr double top = static_cast<double>(std::numeric_limits<T>::max());
    for (std::size_t i = 0; i < count; ++i) {
        const double v = std::isnan(values[i])
                             ? 0.0
                             : std::clamp(std::round(static_cast<double>(values[i])), 0.0, top);
        const auto sample = static_cast<T>(v);
        std::memcpy(out + i * sizeof(T), &sample, sizeof(T));
    }
}

}  // namespace

void floats_as_samples(const float* values, std::size_t count, SampleType type, std::byte* out) {
    switch (type) {
        case SampleType::U8:
            narrow<std::uint8_t>(values, count, out);
            return;
        case SampleType::U16:
            narrow<std::uint16_t>(values, count, out);
            return;
        case SampleType::U32:
            narrow<std::uint32_t>(values, count, out);
            return;
        case SampleType::F16:
            for (std::size_t i = 0; i < count; ++i) {
                const std::uint16_t half = float_to_half(values[i]);
                std::memcpy(out + i * 2, &half, 2);
            }
            return;
        case SampleType::F32:
            std::memcpy(out, values, count * sizeof(float));
            return;
    }
}

}  // namespace tessera::core
