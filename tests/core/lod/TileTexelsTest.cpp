#include <gtest/gtest.h>

#include <cstring>

#include "core/lod/TileTexels.h"

namespace tessera::core {
namespace {

// Sample value of level pixel (x, y): distinct everywhere, exact in every type used here.
std::uint32_t value_at(std::int64_t x, std::int64_t y) {
    return static_cast<std::uint32_t>(y * 1000 + x + 1);
}

template <typename T>
std::vector<std::byte> read_of(const Rect& source) {
    std::vector<std::byte> bytes(static_cast<std::size_t>(source.area()) * sizeof(T));
    for (std::int64_t y = 0; y < source.height; ++y) {
        for (std::int64_t x = 0; x < source.width; ++x) {
            const T value = static_cast<T>(value_at(source.x + x, source.y + y));
            std::memcpy(bytes.data() + static_cast<std::size_t>(y * source.width + x) * sizeof(T),
                        &value, sizeof(T));
        }
    }
    return bytes;
}

// Every texel is the level pixel at its place, clamped into the level.
template <typename Out>
void expect_texels(const TileTexels& texels, const Rect& content, std::int64_t level_width,
                   std::int64_t level_height) {
    ASSERT_EQ(texels.width, content.width + 2);
    ASSERT_EQ(texels.height, content.height + 2);
    ASSERT_EQ(texels.data.size(),
              static_cast<std::size_t>(texels.width) * texels.height * sizeof(Out));
    for (int ty = 0; ty < texels.height; ++ty) {
        for (int tx = 0; tx < texels.width; ++tx) {
            const std::int64_t x = std::clamp<std::int64_t>(content.x - 1 + tx, 0, level_width - 1);
            const std::int64_t y =
                std::clamp<std::int64_t>(content.y - 1 + ty, 0, level_height - 1);
            Out got{};
            std::memcpy(&got,
                        texels.data.data() +
                            (static_cast<std::size_t>(ty) * texels.width + tx) * sizeof(Out),
                        sizeof(Out));
            ASSERT_EQ(got, static_cast<Out>(value_at(x, y))) << "texel " << tx << ", " << ty;
        }
    }
}

TEST(TileTexels, EveryTileOfALevelRepeatsTheEdgeWhereItsGutterFallsOutside) {
    // A 23x17 level in tiles of 10x8: interior, edge and corner tiles, and a last partial one.
    const std::int64_t width = 23;
    const std::int64_t height = 17;
    for (std::int64_t y = 0; y < height; y += 8) {
        for (std::int64_t x = 0; x < width; x += 10) {
            const Rect content{x, y, std::min<std::int64_t>(10, width - x),
                               std::min<std::int64_t>(8, height - y)};
            const Rect source = gutter_source(content, width, height);
            SCOPED_TRACE(testing::Message() << "tile at " << x << ", " << y);
            expect_texels<std::uint16_t>(
                gutter_texels(read_of<std::uint16_t>(source), source, content, SampleType::U16),
                content, width, height);
            expect_texels<float>(
                gutter_texels(read_of<float>(source), source, content, SampleType::F32), content,
                width, height);
            // u32 is converted to float.
            expect_texels<float>(
                gutter_texels(read_of<std::uint32_t>(source), source, content, SampleType::U32),
                content, width, height);
        }
    }
}

TEST(TileTexels, AOneColumnLevelRepeatsItsOnlyColumnOnBothSides) {
    const Rect content{0, 0, 1, 5};
    const Rect source = gutter_source(content, 1, 5);
    expect_texels<std::uint8_t>(
        gutter_texels(read_of<std::uint8_t>(source), source, content, SampleType::U8), content, 1,
        5);
}

TEST(TileTexels, AnInteriorTilesReadBecomesItsTexelsWithoutACopy) {
    const Rect content{10, 8, 10, 8};
    const Rect source = gutter_source(content, 40, 40);
    std::vector<std::byte> read = read_of<float>(source);
    const std::byte* storage = read.data();
    const TileTexels texels = gutter_texels(std::move(read), source, content, SampleType::F32);
    EXPECT_EQ(texels.data.data(), storage);
    expect_texels<float>(texels, content, 40, 40);
}

}  // namespace
}  // namespace tessera::core
