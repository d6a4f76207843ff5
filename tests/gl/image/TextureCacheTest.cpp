// The session's texture cache: eviction within the budget, and textures evicted during a frame's
// uploads refilled in place by uploads of the same size and format.
#include <gtest/gtest.h>

#include "gl/image/ChannelFormat.h"
#include "gl/image/TextureCache.h"
#include "tests/gl/GlTest.h"

namespace tessera::gl {
namespace {

class TextureCacheTest : public GlTest {};

TextureEntry entry_of(int width, int height, core::SampleType type) {
    TextureEntry entry;
    entry.texture = Texture2D::create(width, height, channel_texture_format(type)).value();
    entry.bytes = static_cast<std::size_t>(width) * height * core::sample_size(type);
    return entry;
}

TextureKey key_of(std::uint64_t image, std::int64_t column) {
    return {image, core::TileKey{0, column, 0}, core::Plane{0, {}}};
}

TEST_F(TextureCacheTest, TexturesEvictedInAFrameAreRefilledBySameSizedUploadsThenReleased) {
    const std::size_t tile = 64 * 64 * 4;
    const PixelFormat f32 = channel_texture_format(core::SampleType::F32);
    TextureCache cache(2 * tile);  // room for two float tiles
    const std::uint64_t image = TextureCache::new_image();
    std::uint64_t evicted = 0;
    cache.insert(key_of(image, 0), entry_of(64, 64, core::SampleType::F32));
    cache.insert(key_of(image, 1), entry_of(64, 64, core::SampleType::F32));

    // Room for one more: the least recently used goes, kept as a spare, counted out.
    ASSERT_TRUE(cache.make_room(tile, true, evicted));
    EXPECT_EQ(evicted, 1u);
    EXPECT_EQ(cache.find(key_of(image, 0)), nullptr);
    EXPECT_EQ(cache.spare_count(), 1u);
    EXPECT_EQ(cache.bytes(), tile);
    // Another format is no match: the spare is released before anything is created.
    EXPECT_FALSE(cache.take_spare(64, 64, channel_texture_format(core::SampleType::U8)));
    EXPECT_EQ(cache.spare_count(), 0u);

    // Nor is another size.
    cache.insert(key_of(image, 2), entry_of(64, 64, core::SampleType::F32));
    ASSERT_TRUE(cache.make_room(tile, true, evicted));
    ASSERT_EQ(cache.spare_count(), 1u);
    EXPECT_FALSE(cache.take_spare(32, 64, f32));
    EXPECT_EQ(cache.spare_count(), 0u);

    // The same size and format: the evicted texture itself comes back, to be refilled.
    cache.insert(key_of(image, 3), entry_of(64, 64, core::SampleType::F32));
    const GLuint oldest = cache.find(key_of(image, 2))->texture.id();
    ASSERT_TRUE(cache.make_room(tile, true, evicted));
    auto spare = cache.take_spare(64, 64, f32);
    ASSERT_TRUE(spare);
    EXPECT_EQ(spare->id(), oldest);
    EXPECT_EQ(cache.spare_count(), 0u);
    TextureEntry refilled;
    refilled.texture = std::move(*spare);
    refilled.bytes = tile;
    cache.insert(key_of(image, 4), std::move(refilled));
    EXPECT_EQ(cache.bytes(), cache.budget());
    EXPECT_EQ(evicted, 3u);

    // What a frame evicted and did not refill is released at its end.
    ASSERT_TRUE(cache.make_room(tile, true, evicted));
    EXPECT_EQ(cache.spare_count(), 1u);
    cache.release_spares();
    EXPECT_EQ(cache.spare_count(), 0u);
}

}  // namespace
}  // namespace tessera::gl
