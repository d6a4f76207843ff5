// Bad input: each case gets one message that names the file and the reason, and nothing is
// allocated for headers that claim absurd sizes.
#include <cstring>

#include <gtest/gtest.h>
#include <stb_image_write.h>
#include <tinyexr.h>

#include "core/io/ImageLoader.h"
#include "tests/support/Fixtures.h"

namespace tessera::core {
namespace {

void expect_refused(const std::filesystem::path& path, const std::string& reason,
                    const LoadOptions& options = {}) {
    auto images = load_images(path, options);
    ASSERT_FALSE(images.ok()) << path << " opened but should not";
    const std::string& message = images.error().message;
    EXPECT_EQ(message.rfind(path.string() + ": ", 0), 0u) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
}

TEST(LoaderErrors, MissingFileDirectoryAndEmptyFile) {
    expect_refused(testing::temp_path("does-not-exist.png"), "No such file");
    expect_refused(std::filesystem::temp_directory_path(), "is a directory");
    const auto empty = testing::temp_path("empty.exr");
    testing::write_text(empty, "");
    expect_refused(empty, "file is empty");
}

TEST(LoaderErrors, UnknownContentIsRefusedWhateverTheExtension) {
    const auto path = testing::temp_path("notes.png");
    testing::write_text(path, "just some text, not an image at all\n");
    expect_refused(path, "unrecognised image format");
}

TEST(LoaderErrors, TruncatedPngIsRefused) {
    std::vector<std::uint8_t> pixels(32 * 32 * 3, 77);
    const auto path = testing::temp_path("cut.png");
    ASSERT_TRUE(stbi_write_png(path.c_str(), 32, 32, 3, pixels.data(), 96));
    auto bytes = testing::read_bytes(path);
    bytes.resize(bytes.size() - 20);
    testing::write_bytes(path, bytes);
    expect_refused(path, "PNG");
}

TEST(LoaderErrors, PngWithAFlippedBitFailsItsChecksum) {
    std::vector<std::uint8_t> pixels(16 * 16, 9);
    const auto path = testing::temp_path("flip.png");
    ASSERT_TRUE(stbi_write_png(path.c_str(), 16, 16, 1, pixels.data(), 16));
    auto bytes = testing::read_bytes(path);
    bytes[bytes.size() - 20] ^= std::byte{0x10};  // inside IDAT
    testing::write_bytes(path, bytes);
    expect_refused(path, "bad CRC");
}

TEST(LoaderErrors, AbsurdPngDimensionsAreRefusedBeforeDecoding) {
    const std::vector<std::uint16_t> one_row(3, 1);
    const auto path = testing::temp_path("absurd.png");
    testing::write_bytes(path, testing::png16(200000, 200000, 3, one_row));
    expect_refused(path, "more than the limit");
    LoadOptions small;
    small.max_pixels = 100;
    const auto modest = testing::temp_path("modest.png");
    std::vector<std::uint8_t> pixels(20 * 20, 1);
    ASSERT_TRUE(stbi_write_png(modest.c_str(), 20, 20, 1, pixels.data(), 20));
    expect_refused(modest, "more than the limit of 100 pixels", small);
}

TEST(LoaderErrors, AbsurdExrDataWindowIsRefusedBeforeDecoding) {
    const auto path = testing::temp_path("absurd.exr");
    ASSERT_EQ(
        testing::write_exr(path, {{"", 4, 4, TINYEXR_PIXELTYPE_FLOAT, TINYEXR_COMPRESSIONTYPE_NONE,
                                   testing::bytes_of(std::vector<float>(16, 1.0f))}}),
        "");
    auto bytes = testing::read_bytes(path);
    const std::string key("dataWindow\0box2i\0", 17);
    const auto found =
        std::search(bytes.begin(), bytes.end(), reinterpret_cast<const std::byte*>(key.data()),
                    reinterpret_cast<const std::byte*>(key.data()) + key.size());
    ASSERT_NE(found, bytes.end());
    const std::size_t value = static_cast<std::size_t>(found - bytes.begin()) + key.size() + 4;
    const std::int32_t huge = 1'000'000'000;
    std::memcpy(&bytes[value + 8], &huge, 4);   // max_x
    std::memcpy(&bytes[value + 12], &huge, 4);  // max_y
    testing::write_bytes(path, bytes);
    expect_refused(path, "more than the limit");
}

TEST(LoaderErrors, EveryPrefixOfAValidExrIsRefusedWithoutCrashing) {
    const auto path = testing::temp_path("whole.exr");
    ASSERT_EQ(testing::write_exr(
                  path, {{"", 8, 8, TINYEXR_PIXELTYPE_HALF, TINYEXR_COMPRESSIONTYPE_ZIP,
                          testing::bytes_of(std::vector<std::uint16_t>(64, float_to_half(0.5f)))}}),
              "");
    const auto bytes = testing::read_bytes(path);
    ASSERT_TRUE(load_images(path).ok());
    const auto cut = testing::temp_path("cut.exr");
    for (std::size_t size = 1; size < bytes.size(); ++size) {
        testing::write_bytes(cut, std::span(bytes).first(size));
        auto images = load_images(cut);
        EXPECT_FALSE(images.ok()) << "a " << size << "-byte prefix opened";
    }
}

}  // namespace
}  // namespace tessera::core
