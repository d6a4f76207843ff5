// JPEG through libjpeg-turbo: the same pictures stb_image decodes (within the few levels two IDCTs
// differ by), and data that ends early or is corrupt refused rather than filled with grey.
#include <cstdlib>

#include <gtest/gtest.h>
#include <stb_image.h>
#include <stb_image_write.h>

#include "core/io/ImageLoader.h"
#include "tests/support/Fixtures.h"

namespace tessera::core {
namespace {

std::vector<std::uint8_t> picture(int width, int height, int channels) {
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width * height * channels));
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            for (int c = 0; c < channels; ++c) {
                // Smooth gradients: JPEG keeps them to within a few levels.
                pixels[static_cast<std::size_t>((y * width + x) * channels + c)] =
                    static_cast<std::uint8_t>((x * 3 + y * 2 + c * 60) % 256 / 2 + 40);
            }
        }
    }
    return pixels;
}

TEST(Jpeg, DecodesWhatStbImageDecodesWithinAFewLevels) {
    for (int channels : {1, 3}) {
        const auto path = testing::temp_path("picture.jpg");
        const auto pixels = picture(67, 45, channels);
        ASSERT_TRUE(stbi_write_jpg(path.c_str(), 67, 45, channels, pixels.data(), 95));
        int w = 0;
        int h = 0;
        int n = 0;
        stbi_uc* expected = stbi_load(path.c_str(), &w, &h, &n, 0);
        ASSERT_NE(expected, nullptr);
        // stb_image_write stores grey as three components: compare what the file holds.
        const int stored = n;
        auto images = load_images(path);
        ASSERT_TRUE(images.ok()) << images.error().message;
        const ImageSource& source = *images->front().source;
        ASSERT_EQ(source.width(), 67);
        ASSERT_EQ(source.height(), 45);
        ASSERT_EQ(source.channels().size(), static_cast<std::size_t>(stored));
        EXPECT_EQ(source.channels()[0].name, stored == 1 ? "Y" : "R");
        for (std::size_t c = 0; c < static_cast<std::size_t>(stored); ++c) {
            std::vector<std::uint8_t> plane(67 * 45);
            ASSERT_TRUE(
                source.read_region({c}, {0, 0, 67, 45}, std::as_writable_bytes(std::span(plane))));
            for (std::size_t i = 0; i < plane.size(); ++i) {
                ASSERT_LE(std::abs(plane[i] - expected[i * static_cast<std::size_t>(stored) + c]),
                          4)
                    << "sample " << i << " of channel " << c;
            }
        }
        stbi_image_free(expected);
    }
}

TEST(Jpeg, DataThatEndsEarlyIsRefusedNotFilledWithGrey) {
    const auto path = testing::temp_path("whole.jpg");
    const auto pixels = picture(64, 64, 3);
    ASSERT_TRUE(stbi_write_jpg(path.c_str(), 64, 64, 3, pixels.data(), 90));
    auto bytes = testing::read_bytes(path);
    bytes.resize(bytes.size() * 2 / 3);
    const auto cut = testing::temp_path("cut.jpg");
    testing::write_bytes(cut, bytes);
    auto images = load_images(cut);
    ASSERT_FALSE(images.ok());
    EXPECT_NE(images.error().message.find("JPEG is corrupt: Premature end of JPEG file"),
              std::string::npos)
        << images.error().message;
}

TEST(Jpeg, CorruptEntropyCodedDataIsRefused) {
    const auto path = testing::temp_path("garbled.jpg");
    const auto pixels = picture(64, 64, 3);
    ASSERT_TRUE(stbi_write_jpg(path.c_str(), 64, 64, 3, pixels.data(), 90));
    auto bytes = testing::read_bytes(path);
    // A restart marker in the middle of the scan, where no restart interval was declared.
    bytes[bytes.size() - 200] = std::byte{0xff};
    bytes[bytes.size() - 199] = std::byte{0xd3};
    testing::write_bytes(path, bytes);
    auto images = load_images(path);
    ASSERT_FALSE(images.ok());
    EXPECT_NE(images.error().message.find("JPEG is corrupt: Corrupt JPEG data"), std::string::npos)
        << images.error().message;
}

}  // namespace
}  // namespace tessera::core
