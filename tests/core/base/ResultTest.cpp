#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "core/base/Result.h"

namespace tessera::core {
namespace {

Result<int> parse_digit(char c) {
    if (c < '0' || c > '9') {
        return Error{std::string("'") + c + "' is not a digit"};
    }
    return c - '0';
}

TEST(Result, CarriesAValueOrAnErrorMessage) {
    auto good = parse_digit('7');
    ASSERT_TRUE(good.ok());
    EXPECT_EQ(good.value(), 7);
    auto bad = parse_digit('x');
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message, "'x' is not a digit");
}

TEST(Result, HoldsMoveOnlyValues) {
    Result<std::unique_ptr<int>> result(std::make_unique<int>(5));
    ASSERT_TRUE(result);
    std::unique_ptr<int> taken = std::move(result).value();
    EXPECT_EQ(*taken, 5);
}

TEST(Result, VoidResultIsSuccessUnlessGivenAnError) {
    Result<void> fine;
    EXPECT_TRUE(fine.ok());
    Result<void> failed(Error{"disk full"});
    EXPECT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().message, "disk full");
}

}  // namespace
}  // namespace tessera::core
