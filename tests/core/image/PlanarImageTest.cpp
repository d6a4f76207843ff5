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

// The image seen through read_region alone: ImageSource's own read_strided.
class RegionsOnly final : public ImageSource {
  public:
    explicit RegionsOnly(const PlanarImage& image) : m_image(image) {}
    std::int64_t width() const override { return m_image.width(); }
    std::int64_t height() const override { return m_image.height(); }
    const std::vector<ChannelInfo>& channels() const override { return m_image.channels(); }
    Result<void> read_region(const Plane& plane, Rect rect,
                             std::span<std::byte> dst) const override {
        return m_image.read_region(plane, rect, dst);
    }

  private:
    const PlanarImage& m_image;
};

TEST(PlanarImage, StridedReadsPickTheSamplesTheRowReadsWouldClampedAtTheEdges) {
    const PlanarImage image = make_coordinate_image(40, 30);
    const RegionsOnly rows(image);
    struct Case {
        std::int64_t x0, y0, step, columns, rows;
    };
    // Inside; past the right and bottom edges (clamped); one sample; step 1.
    for (const Case c : {Case{0, 0, 4, 10, 8}, Case{37, 26, 4, 3, 3}, Case{5, 29, 8, 6, 2},
                         Case{39, 0, 2, 1, 1}, Case{3, 4, 1, 12, 5}}) {
        SCOPED_TRACE(testing::Message() << c.x0 << "," << c.y0 << " every " << c.step);
        const auto count = static_cast<std::size_t>(c.columns * c.rows);
        std::vector<std::uint16_t> picked(count);
        std::vector<std::uint16_t> from_rows(count);
        ASSERT_TRUE(image
                        .read_strided({0}, c.x0, c.y0, c.step, c.columns, c.rows,
                                      std::as_writable_bytes(std::span(picked)))
                        .ok());
        ASSERT_TRUE(rows.read_strided({0}, c.x0, c.y0, c.step, c.columns, c.rows,
                                      std::as_writable_bytes(std::span(from_rows)))
                        .ok());
        EXPECT_EQ(picked, from_rows);
        for (std::int64_t y = 0; y < c.rows; ++y) {
            for (std::int64_t x = 0; x < c.columns; ++x) {
                const std::int64_t sx = std::min<std::int64_t>(c.x0 + x * c.step, 39);
                const std::int64_t sy = std::min<std::int64_t>(c.y0 + y * c.step, 29);
                ASSERT_EQ(picked[static_cast<std::size_t>(y * c.columns + x)], sy * 256 + sx);
            }
        }
    }
    std::vector<std::uint16_t> out(4);
    const auto bytes = std::as_writable_bytes(std::span(out));
    EXPECT_FALSE(image.read_strided({0}, 40, 0, 2, 2, 2, bytes).ok()) << "origin outside";
    EXPECT_FALSE(image.read_strided({0}, 0, 0, 0, 2, 2, bytes).ok()) << "step 0";
    EXPECT_FALSE(image.read_strided({0}, 0, 0, 2, 3, 2, bytes).ok()) << "too small a buffer";
    EXPECT_FALSE(rows.read_strided({1}, 0, 0, 2, 2, 2, bytes).ok()) << "no such channel";
}

}  // namespace
}  // namespace tessera::core
