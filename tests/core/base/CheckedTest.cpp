// Checked size arithmetic at its boundaries: a product or sum that does not fit in 64 bits is
// never a number a check can pass.
#include <gtest/gtest.h>

#include "core/base/Checked.h"

namespace tessera::core {
namespace {

constexpr std::uint64_t kMax = UINT64_MAX;

TEST(Checked, ProductsThatFitAreExactAndOnesThatWrapAreRefused) {
    EXPECT_EQ(checked_mul(0, kMax), 0u);
    EXPECT_EQ(checked_mul(1, kMax), kMax);
    EXPECT_EQ(checked_mul(std::uint64_t{1} << 32, (std::uint64_t{1} << 32) - 1),
              kMax - ((std::uint64_t{1} << 32) - 1));
    EXPECT_FALSE(checked_mul(std::uint64_t{1} << 32, std::uint64_t{1} << 32));
    EXPECT_FALSE(checked_mul(kMax, 2));
    EXPECT_FALSE(checked_mul(kMax / 2 + 1, 2));
    EXPECT_EQ(checked_mul(kMax / 2, 2), kMax - 1);
}

TEST(Checked, SumsThatFitAreExactAndOnesThatWrapAreRefused) {
    EXPECT_EQ(checked_add(kMax - 1, 1), kMax);
    EXPECT_FALSE(checked_add(kMax, 1));
    EXPECT_FALSE(checked_add(kMax / 2 + 1, kMax / 2 + 1));
}

TEST(Checked, ProductOfManyFactorsFailsWhenAnyStepWraps) {
    EXPECT_EQ(checked_product({}), 1u);
    EXPECT_EQ(checked_product({3, 5, 7}), 105u);
    // The header of pnm-width-height-product-wraps.pgm: 2^39 x 2^25 wraps to 0 in 64 bits.
    EXPECT_FALSE(checked_product({std::uint64_t{1} << 39, std::uint64_t{1} << 25}));
    EXPECT_FALSE(checked_product({std::uint64_t{1} << 40, std::uint64_t{1} << 21, 8}));
    EXPECT_EQ(checked_product({std::uint64_t{1} << 40, std::uint64_t{1} << 30, 0}), std::nullopt)
        << "a wrap before a zero factor still fails: the header is absurd either way";
}

TEST(Checked, ProductAtMostComparesWithoutWrapping) {
    EXPECT_TRUE(product_at_most({32768, 32768}, std::uint64_t{1} << 30));
    EXPECT_FALSE(product_at_most({32768, 32769}, std::uint64_t{1} << 30));
    EXPECT_FALSE(product_at_most({std::uint64_t{1} << 39, std::uint64_t{1} << 25}, 1u << 30));
}

}  // namespace
}  // namespace tessera::core
