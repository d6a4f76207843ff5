#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "core/image/PlanarImage.h"

namespace tessera::core {
namespace {

// Each sample encodes its own coordinates, so a wrong offset is obvious.
PlanarImage make_coordinate_image(int width, int height) {
    PlanarImage image(width, height);
    const std::size_t c = image.add_channel("xy", SampleType::U16);
    auto samples = image.samples<std::uint16_t>(c);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            samples[static_cast<std::size_t>(y) * width + x] =
                static_cast<std::uint16_t>(y * 256 + x);
        }
    }
    return image;
}

TEST(PlanarImage, KeepsChannelsInTheirNativeTypes) {
    PlanarImage image(4, 3);
    image.add_channel("a", SampleType::U8);
    image.add_channel("b", SampleType::F32);
    ASSERT_EQ(image.channel_count(), 2u);
    EXPECT_EQ(image.channels()[0].type, SampleType::U8);
    EXPECT_EQ(image.plane(0).size(), 12u);
    EXPECT_EQ(image.plane(1).size(), 48u);
}

TEST(PlanarImage, ReadRegionCopiesExactlyTheRequestedRectangle) {
    const PlanarImage image = make_coordinate_image(40, 30);
    const Rect rect{5, 7, 10, 4};
    std::vector<std::uint16_t> out(static_cast<std::size_t>(rect.area()));
    ASSERT_TRUE(image.read_region({0}, rect, std::as_writable_bytes(std::span(out))).ok());
    for (int row = 0; row < rect.height; ++row) {
        for (int col = 0; col < rect.width; ++col) {
            EXPECT_EQ(out[static_cast<std::size_t>(row * rect.width + col)],
                      (rect.y + row) * 256 + rect.x + col);
        }
    }
}

TEST(PlanarImage, ReadRegionOutsideTheImageIsAnErrorNotACrash) {
    const PlanarImage image = make_coordinate_image(8, 8);
    std::vector<std::uint16_t> out(64);
    auto bytes = std::as_writable_bytes(std::span(out));
    auto outside = image.read_region({0}, Rect{4, 4, 8, 2}, bytes);
    ASSERT_FALSE(outside.ok());
    EXPECT_NE(outside.error().message.find("outside"), std::string::npos);
    EXPECT_FALSE(image.read_region({3}, Rect{0, 0, 1, 1}, bytes).ok());
    EXPECT_FALSE(image.read_region({0}, Rect{0, 0, 8, 8}, bytes.first(10)).ok());
}

}  // namespace
}  // namespace tessera::core
