// The axis rule of N-D arrays (core/io/ArrayAxes) and the overrides, as a user meets them.
#include <gtest/gtest.h>

#include "core/io/ArrayAxes.h"

namespace tessera::core {
namespace {

std::string axes_of(std::vector<std::uint64_t> shape, std::string_view requested = {},
                    ChannelAxis channel_axis = ChannelAxis::Auto) {
    auto axes = choose_axes(shape, requested, channel_axis);
    return axes ? *axes : "error: " + axes.error().message;
}

TEST(ArrayAxes, TheDefaultRuleNamesEveryShapeOfTheIssue) {
    EXPECT_EQ(axes_of({512, 768}), "YX");
    EXPECT_EQ(axes_of({30, 1024, 1024}), "ZYX") << "a Z-stack, not 30 channels";
    EXPECT_EQ(axes_of({3, 512, 512}), "CYX");
    EXPECT_EQ(axes_of({6, 512, 512}), "CYX");
    EXPECT_EQ(axes_of({7, 512, 512}), "ZYX");
    EXPECT_EQ(axes_of({512, 512, 3}), "YXC");
    EXPECT_EQ(axes_of({512, 512, 4}), "YXC");
    EXPECT_EQ(axes_of({20, 16, 2048, 2048}), "TZYX");
    EXPECT_EQ(axes_of({16, 3, 512, 512}), "ZCYX");
    EXPECT_EQ(axes_of({2, 30, 512, 512}), "CZYX");
    EXPECT_EQ(axes_of({30, 512, 512, 3}), "ZYXC") << "an RGB stack";
    EXPECT_EQ(axes_of({10, 20, 3, 256, 256}), "TZCYX");
    EXPECT_EQ(axes_of({10, 20, 256, 256, 3}), "TZYXC");
}

TEST(ArrayAxes, GivenAxesOverrideTheRule) {
    EXPECT_EQ(axes_of({30, 1024, 1024}, "CYX"), "CYX");
    EXPECT_EQ(axes_of({3, 512, 512}, "ZYX"), "ZYX");
    EXPECT_EQ(axes_of({4, 2, 64, 64}, "TCYX"), "TCYX");
    EXPECT_EQ(axes_of({2, 4, 64, 64}, "CZYX"), "CZYX");
    EXPECT_EQ(axes_of({30, 64, 64}, {}, ChannelAxis::First), "CYX");
    EXPECT_EQ(axes_of({30, 64, 64, 5}, {}, ChannelAxis::Last), "ZYXC");
}

TEST(ArrayAxes, BadAxesAreErrorsThatSayWhatIsWrong) {
    EXPECT_NE(axes_of({30, 64, 64}, "ZY").find("name 2 axes, the array has 3"), std::string::npos);
    EXPECT_NE(axes_of({30, 64, 64}, "ZYQ").find("'Q' is not one of"), std::string::npos);
    EXPECT_NE(axes_of({30, 64, 64}, "ZZX").find("Z appears twice"), std::string::npos);
    EXPECT_NE(axes_of({30, 64, 64}, "ZCX").find("need both Y and X"), std::string::npos);
    EXPECT_NE(axes_of({30, 64, 64}, "ZXY").find("Y must come before X"), std::string::npos);
    EXPECT_NE(axes_of({2, 2, 2, 2, 2, 2}).find("2 to 5"), std::string::npos);
}

}  // namespace
}  // namespace tessera::core
