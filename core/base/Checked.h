// Checked size arithmetic: every size a file header claims goes through these before it is
// compared with a limit or used to allocate, so that a product that wraps can never pass a check.
// Each returns nullopt when the exact result does not fit in 64 bits.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>

namespace tessera::core {

constexpr std::optional<std::uint64_t> checked_mul(std::uint64_t a, std::uint64_t b) {
    std::uint64_t product = 0;
    if (__builtin_mul_overflow(a, b, &product)) {
        return std::nullopt;
    }
    return product;
}

constexpr std::optional<std::uint64_t> checked_add(std::uint64_t a, std::uint64_t b) {
    std::uint64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) {
        return std::nullopt;
    }
    return sum;
}

// The product of all factors, or nullopt if it overflows (a zero factor gives 0).
constexpr std::optional<std::uint64_t> checked_product(
    std::initializer_list<std::uint64_t> factors) {
    std::uint64_t product = 1;
    for (std::uint64_t factor : factors) {
        const auto next = checked_mul(product, factor);
        if (!next) {
            return std::nullopt;
        }
        product = *next;
    }
    return product;
}

// True when the product of the factors is at most `limit` (false when it overflows).
constexpr bool product_at_most(std::initializer_list<std::uint64_t> factors, std::uint64_t limit) {
    const auto product = checked_product(factors);
    return product && *product <= limit;
}

}  // namespace tessera::core
