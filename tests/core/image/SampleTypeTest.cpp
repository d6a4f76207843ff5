#include <cmath>
#include <cstdint>
#include <cstring>

#include <gtest/gtest.h>

#include "core/image/SampleType.h"

namespace tessera::core {
namespace {

TEST(SampleType, SizesMatchTheNativeTypes) {
    EXPECT_EQ(sample_size(SampleType::U8), 1u);
    EXPECT_EQ(sample_size(SampleType::U16), 2u);
    EXPECT_EQ(sample_size(SampleType::F16), 2u);
    EXPECT_EQ(sample_size(SampleType::U32), 4u);
    EXPECT_EQ(sample_size(SampleType::F32), 4u);
    EXPECT_EQ(to_string(SampleType::F16), "f16");
}

TEST(HalfFloat, EveryHalfValueSurvivesARoundTripThroughFloat) {
    for (std::uint32_t bits = 0; bits <= 0xffff; ++bits) {
        const auto half = static_cast<std::uint16_t>(bits);
        const float value = half_to_float(half);
        if (std::isnan(value)) {
            EXPECT_TRUE(std::isnan(half_to_float(float_to_half(value)))) << std::hex << bits;
        } else {
            EXPECT_EQ(float_to_half(value), half) << std::hex << bits;
        }
    }
}

TEST(HalfFloat, KnownValuesDecodeExactly) {
    EXPECT_EQ(half_to_float(0x3c00), 1.0f);
    EXPECT_EQ(half_to_float(0xc000), -2.0f);
    EXPECT_EQ(half_to_float(0x7bff), 65504.0f);
    EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
    EXPECT_TRUE(std::isinf(half_to_float(0x7c00)));
    EXPECT_TRUE(std::isinf(half_to_float(0xfc00)) && half_to_float(0xfc00) < 0);
    EXPECT_TRUE(std::isnan(half_to_float(0x7e00)));
}

TEST(HalfFloat, FloatsRoundToNearestEvenAndOverflowToInfinity) {
    EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11)), 0x3c00);  // tie, rounds to even
    EXPECT_EQ(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
    EXPECT_EQ(float_to_half(70000.0f), 0x7c00);
    EXPECT_EQ(float_to_half(-1e-10f), 0x8000);
}

TEST(SampleType, SampleAsFloatReadsEachTypeInItsOwnUnits) {
    const std::uint16_t u16 = 40000;
    const std::uint32_t u32 = 123456;
    const std::uint16_t f16 = 0x3800;  // 0.5
    const float f32 = -3.25f;
    EXPECT_EQ(sample_as_float(reinterpret_cast<const std::byte*>(&u16), SampleType::U16), 40000.f);
    EXPECT_EQ(sample_as_float(reinterpret_cast<const std::byte*>(&u32), SampleType::U32), 123456.f);
    EXPECT_EQ(sample_as_float(reinterpret_cast<const std::byte*>(&f16), SampleType::F16), 0.5f);
    EXPECT_EQ(sample_as_float(reinterpret_cast<const std::byte*>(&f32), SampleType::F32), -3.25f);
}

}  // namespace
}  // namespace tessera::core
