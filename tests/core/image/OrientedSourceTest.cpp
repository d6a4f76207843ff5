// The eight orientations of TIFF and EXIF (core/image/OrientedSource), against a table written
// from the specification's words ("row 0 is at the right, column 0 at the top"): every pixel of
// the shown image, every region read on its own, reduced levels and damage.
#include <gtest/gtest.h>

#include "core/image/OrientedSource.h"
#include "core/image/PlanarImage.h"

namespace tessera::core {
namespace {

constexpr std::int64_t kWidth = 5;
constexpr std::int64_t kHeight = 3;

// Where stored pixel (sx, sy) of a kWidth x kHeight image is shown, by where the stored row 0
// and column 0 go.
std::pair<std::int64_t, std::int64_t> shown_at(int orientation, std::int64_t sx, std::int64_t sy) {
    switch (orientation) {
        case 1:  // row 0 top, column 0 left
            return {sx, sy};
        case 2:  // row 0 top, column 0 right
            return {kWidth - 1 - sx, sy};
        case 3:  // row 0 bottom, column 0 right
            return {kWidth - 1 - sx, kHeight - 1 - sy};
        case 4:  // row 0 bottom, column 0 left
            return {sx, kHeight - 1 - sy};
        case 5:  // row 0 left, column 0 top
            return {sy, sx};
        case 6:  // row 0 right, column 0 top
            return {kHeight - 1 - sy, sx};
        case 7:  // row 0 right, column 0 bottom
            return {kHeight - 1 - sy, kWidth - 1 - sx};
        default:  // 8: row 0 left, column 0 bottom
            return {sy, kWidth - 1 - sx};
    }
}

std::shared_ptr<PlanarImage> stored_image() {
    auto image = std::make_shared<PlanarImage>(kWidth, kHeight);
    image->add_channel("u8", SampleType::U8);
    image->add_channel("f32", SampleType::F32);
    for (std::int64_t y = 0; y < kHeight; ++y) {
        for (std::int64_t x = 0; x < kWidth; ++x) {
            const auto i = static_cast<std::size_t>(y * kWidth + x);
            image->samples<std::uint8_t>(0)[i] = static_cast<std::uint8_t>(10 * y + x);
            image->samples<float>(1)[i] = static_cast<float>(100 * y + x) + 0.5f;
        }
    }
    return image;
}

template <typename T>
std::vector<T> read(const ImageSource& source, std::size_t channel, Rect rect) {
    std::vector<T> values(static_cast<std::size_t>(rect.area()));
    EXPECT_TRUE(
        source.read_region({channel}, rect, std::as_writable_bytes(std::span(values))).ok());
    return values;
}

TEST(OrientedSource, EveryOrientationShowsEachPixelWhereTheSpecificationSays) {
    auto stored = stored_image();
    EXPECT_EQ(oriented(stored, 1), stored);  // as stored: the source itself
    for (int orientation = 1; orientation <= 8; ++orientation) {
        auto shown = oriented(stored, orientation);
        const bool swapped = orientation >= 5;
        ASSERT_EQ(shown->width(), swapped ? kHeight : kWidth) << orientation;
        ASSERT_EQ(shown->height(), swapped ? kWidth : kHeight) << orientation;
        const auto all8 = read<std::uint8_t>(*shown, 0, shown->bounds());
        const auto all32 = read<float>(*shown, 1, shown->bounds());
        for (std::int64_t sy = 0; sy < kHeight; ++sy) {
            for (std::int64_t sx = 0; sx < kWidth; ++sx) {
                const auto [x, y] = shown_at(orientation, sx, sy);
                const auto i = static_cast<std::size_t>(y * shown->width() + x);
                EXPECT_EQ(all8[i], 10 * sy + sx) << orientation << " at " << sx << "," << sy;
                EXPECT_EQ(all32[i], static_cast<float>(100 * sy + sx) + 0.5f) << orientation;
            }
        }
        // Every region on its own reads what the whole image shows there.
        for (std::int64_t y = 0; y < shown->height(); ++y) {
            for (std::int64_t x = 0; x < shown->width(); ++x) {
                for (const Rect rect :
                     {Rect{x, y, 1, 1}, Rect{0, y, shown->width() - x, 1},
                      Rect{x, 0, 1, shown->height() - y},
                      Rect{x / 2, y / 2, shown->width() - x, shown->height() - y}}) {
                    if (rect.empty()) {
                        continue;
                    }
                    const auto part = read<std::uint8_t>(*shown, 0, rect);
                    for (std::int64_t v = 0; v < rect.height; ++v) {
                        for (std::int64_t u = 0; u < rect.width; ++u) {
                            ASSERT_EQ(part[static_cast<std::size_t>(v * rect.width + u)],
                                      all8[static_cast<std::size_t>((rect.y + v) * shown->width() +
                                                                    rect.x + u)])
                                << orientation;
                        }
                    }
                }
            }
        }
    }
}

TEST(OrientedSource, DamageIsShownWhereTheChangedPixelsAre) {
    auto stored = stored_image();
    for (int orientation = 2; orientation <= 8; ++orientation) {
        auto shown = oriented(stored, orientation);
        const std::uint64_t before = shown->revision();
        const std::uint8_t value = 200;
        ASSERT_TRUE(
            stored->write_region(Plane{0}, {3, 1, 1, 1}, std::as_bytes(std::span(&value, 1))).ok());
        EXPECT_GT(shown->revision(), before);
        const auto damage = shown->damage_since(before);
        ASSERT_EQ(damage.size(), 1u);
        const auto [x, y] = shown_at(orientation, 3, 1);
        EXPECT_EQ(damage.front().rect, (Rect{x, y, 1, 1})) << orientation;
        EXPECT_EQ(read<std::uint8_t>(*shown, 0, {x, y, 1, 1}).front(), 200);
    }
}

}  // namespace
}  // namespace tessera::core
