// Our Radiance HDR decoder against stb_image's, pixel for pixel, on files stb_image_write wrote
// (flat and run-length scanlines); and the damage stb_image loops on or invents pixels for.
#include <cstring>

#include <gtest/gtest.h>
#include <stb_image.h>
#include <stb_image_write.h>

#include "core/io/ImageLoader.h"
#include "tests/support/Fixtures.h"

namespace tessera::core {
namespace {

std::vector<float> radiance(int width, int height) {
    std::vector<float> values(static_cast<std::size_t>(width * height * 3));
    for (std::size_t i = 0; i < values.size(); ++i) {
        // Runs of equal values (so the writer emits runs) beside varied ones, over many exponents.
        values[i] = (i / 3) % 5 == 0 ? 0.5f : static_cast<float>(i % 97) * 0.37f + 1e-3f * i;
    }
    return values;
}

void expect_same_as_stb(const std::filesystem::path& path) {
    int width = 0;
    int height = 0;
    int channels = 0;
    float* expected = stbi_loadf(path.c_str(), &width, &height, &channels, 3);
    ASSERT_NE(expected, nullptr);
    auto images = load_images(path);
    ASSERT_TRUE(images.ok()) << images.error().message;
    const ImageSource& source = *images->front().source;
    ASSERT_EQ(source.width(), width);
    ASSERT_EQ(source.height(), height);
    ASSERT_EQ(source.channels().size(), 3u);
    for (std::size_t c = 0; c < 3; ++c) {
        std::vector<float> plane(static_cast<std::size_t>(width * height));
        ASSERT_TRUE(source.read_region({c}, {0, 0, width, height},
                                       std::as_writable_bytes(std::span(plane))));
        for (std::size_t i = 0; i < plane.size(); ++i) {
            ASSERT_EQ(plane[i], expected[i * 3 + c]) << "pixel " << i << " channel " << c;
        }
    }
    stbi_image_free(expected);
}

TEST(Hdr, RunLengthAndFlatScanlinesDecodeExactlyAsStbImageDoes) {
    const auto rle = testing::temp_path("rle.hdr");
    const auto wide = radiance(300, 7);
    ASSERT_TRUE(stbi_write_hdr(rle.c_str(), 300, 7, 3, wide.data()));
    expect_same_as_stb(rle);
    const auto flat = testing::temp_path("flat.hdr");
    const auto narrow = radiance(5, 4);
    ASSERT_TRUE(stbi_write_hdr(flat.c_str(), 5, 4, 3, narrow.data()));
    expect_same_as_stb(flat);
}

std::string refusal(const std::vector<std::byte>& bytes) {
    const auto path = testing::temp_path("damaged.hdr");
    testing::write_bytes(path, bytes);
    auto images = load_images(path);
    return images.ok() ? std::string("opened") : images.error().message;
}

TEST(Hdr, ZeroLengthRunsAndTruncatedScanlinesAreErrorsNotEndlessLoops) {
    const auto path = testing::temp_path("whole.hdr");
    const auto values = radiance(16, 3);
    ASSERT_TRUE(stbi_write_hdr(path.c_str(), 16, 3, 3, values.data()));
    const auto whole = testing::read_bytes(path);
    const std::string text(reinterpret_cast<const char*>(whole.data()), whole.size());
    const std::size_t first_row = text.find("+X 16\n") + 6;
    // A run count of 0 where the first component's runs begin: stb_image loops forever on it.
    auto zero = whole;
    zero[first_row + 4] = std::byte{0};
    EXPECT_NE(refusal(zero).find("run of 0 pixels"), std::string::npos) << refusal(zero);
    auto cut = whole;
    cut.resize(first_row + 30);
    EXPECT_NE(refusal(cut).find("truncated"), std::string::npos) << refusal(cut);
    auto huge = std::vector<std::byte>(whole.begin(), whole.begin() + static_cast<long>(first_row));
    const std::string claim = text.substr(0, text.find("-Y ")) + "-Y 20000 +X 20000\n";
    huge.assign(reinterpret_cast<const std::byte*>(claim.data()),
                reinterpret_cast<const std::byte*>(claim.data()) + claim.size());
    huge.resize(huge.size() + 64);
    EXPECT_NE(refusal(huge).find("need at least"), std::string::npos) << refusal(huge);
}

}  // namespace
}  // namespace tessera::core
