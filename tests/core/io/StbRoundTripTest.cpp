// Files written with stb_image_write (and by hand where it has no writer: 16-bit PNG, PNM) and
// read back through the loader: lossless formats exactly, lossy ones within their precision.
#include <cmath>
#include <cstring>

#include <gtest/gtest.h>
#include <stb_image_write.h>

#include "core/image/PlanarImage.h"
#include "core/io/ImageLoader.h"
#include "tests/support/Fixtures.h"

namespace tessera::core {
namespace {

// Interleaved 8-bit samples that encode x, y and the channel.
std::vector<std::uint8_t> coordinate_pixels(int width, int height, int channels) {
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width * height * channels));
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            for (int c = 0; c < channels; ++c) {
                pixels[static_cast<std::size_t>((y * width + x) * channels + c)] =
                    static_cast<std::uint8_t>(c == 0   ? x * 7
                                              : c == 1 ? y * 11
                                                       : (x + y) * 3 + c);
            }
        }
    }
    return pixels;
}

Image load_one(const std::filesystem::path& path) {
    auto images = load_images(path);
    EXPECT_TRUE(images.ok()) << (images.ok() ? "" : images.error().message);
    if (!images.ok() || images->empty()) {
        return {};
    }
    return std::move(images->front());
}

template <typename T>
std::vector<T> channel_samples(const Image& image, std::size_t channel) {
    std::vector<T> samples(
        static_cast<std::size_t>(image.source->width() * image.source->height()));
    const Rect all{0, 0, image.source->width(), image.source->height()};
    EXPECT_TRUE(
        image.source->read_region({channel}, all, std::as_writable_bytes(std::span(samples))).ok());
    return samples;
}

void expect_channels(const Image& image, std::vector<std::string> names, SampleType type) {
    ASSERT_NE(image.source, nullptr);
    const auto& channels = image.source->channels();
    ASSERT_EQ(channels.size(), names.size());
    for (std::size_t c = 0; c < names.size(); ++c) {
        EXPECT_EQ(channels[c].name, names[c]);
        EXPECT_EQ(channels[c].type, type);
    }
}

TEST(StbRoundTrip, EightBitPngGrayAndRgbaComeBackExactly) {
    for (int channels : {1, 2, 3, 4}) {
        const auto pixels = coordinate_pixels(23, 17, channels);
        const auto path = testing::temp_path("rt" + std::to_string(channels) + ".png");
        ASSERT_TRUE(stbi_write_png(path.c_str(), 23, 17, channels, pixels.data(), 23 * channels));
        const Image image = load_one(path);
        static const std::vector<std::vector<std::string>> kNames{
            {"Y"}, {"Y", "A"}, {"R", "G", "B"}, {"R", "G", "B", "A"}};
        expect_channels(image, kNames[static_cast<std::size_t>(channels - 1)], SampleType::U8);
        EXPECT_EQ(image.metadata.format, "PNG");
        EXPECT_EQ(image.metadata.transfer, Transfer::Srgb);
        for (int c = 0; c < channels; ++c) {
            const auto samples = channel_samples<std::uint8_t>(image, static_cast<std::size_t>(c));
            for (std::size_t i = 0; i < samples.size(); ++i) {
                ASSERT_EQ(
                    samples[i],
                    pixels[i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)]);
            }
        }
    }
}

TEST(StbRoundTrip, SixteenBitPngStaysSixteenBit) {
    std::vector<std::uint16_t> samples(19 * 5 * 3);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        samples[i] = static_cast<std::uint16_t>(i * 677 + 3);
    }
    const auto path = testing::temp_path("rt16.png");
    testing::write_bytes(path, testing::png16(19, 5, 3, samples));
    const Image image = load_one(path);
    expect_channels(image, {"R", "G", "B"}, SampleType::U16);
    for (std::size_t c = 0; c < 3; ++c) {
        const auto values = channel_samples<std::uint16_t>(image, c);
        for (std::size_t i = 0; i < values.size(); ++i) {
            ASSERT_EQ(values[i], samples[i * 3 + c]);
        }
    }
}

TEST(StbRoundTrip, BmpAndTgaAreLosslessAndTgaIsFoundWithoutAMagicNumber) {
    const auto pixels = coordinate_pixels(13, 9, 3);
    const auto bmp = testing::temp_path("rt.bmp");
    const auto tga = testing::temp_path("rt.data");  // extension says nothing; content decides
    ASSERT_TRUE(stbi_write_bmp(bmp.c_str(), 13, 9, 3, pixels.data()));
    ASSERT_TRUE(stbi_write_tga(tga.c_str(), 13, 9, 3, pixels.data()));
    for (const auto& [path, format] : {std::pair{bmp, "BMP"}, std::pair{tga, "TGA"}}) {
        const Image image = load_one(path);
        expect_channels(image, {"R", "G", "B"}, SampleType::U8);
        EXPECT_EQ(image.metadata.format, format);
        const auto green = channel_samples<std::uint8_t>(image, 1);
        for (std::size_t i = 0; i < green.size(); ++i) {
            ASSERT_EQ(green[i], pixels[i * 3 + 1]) << format;
        }
    }
}

TEST(StbRoundTrip, JpegDecodesWithinItsLossyPrecision) {
    std::vector<std::uint8_t> pixels(64 * 64 * 3, 0);
    for (std::size_t i = 0; i < pixels.size(); i += 3) {
        pixels[i] = 200;  // flat colours survive JPEG almost exactly
        pixels[i + 1] = 100;
        pixels[i + 2] = 50;
    }
    const auto path = testing::temp_path("rt.jpg");
    ASSERT_TRUE(stbi_write_jpg(path.c_str(), 64, 64, 3, pixels.data(), 100));
    const Image image = load_one(path);
    expect_channels(image, {"R", "G", "B"}, SampleType::U8);
    const auto red = channel_samples<std::uint8_t>(image, 0);
    EXPECT_NEAR(red[64 * 32 + 32], 200, 3);
}

TEST(StbRoundTrip, RadianceHdrIsLinearFloat) {
    std::vector<float> pixels(8 * 4 * 3);
    for (std::size_t i = 0; i < pixels.size(); ++i) {
        pixels[i] = 0.25f * static_cast<float>(i % 7) + 100.0f * static_cast<float>(i % 2);
    }
    const auto path = testing::temp_path("rt.hdr");
    ASSERT_TRUE(stbi_write_hdr(path.c_str(), 8, 4, 3, pixels.data()));
    const Image image = load_one(path);
    expect_channels(image, {"R", "G", "B"}, SampleType::F32);
    EXPECT_EQ(image.metadata.transfer, Transfer::Linear);
    EXPECT_EQ(image.metadata.format, "Radiance HDR");
    const auto red = channel_samples<float>(image, 0);
    for (std::size_t i = 0; i < red.size(); ++i) {
        // RGBE keeps 8 bits of mantissa for the largest component of a pixel.
        const float largest = std::max({pixels[i * 3], pixels[i * 3 + 1], pixels[i * 3 + 2]});
        EXPECT_NEAR(red[i], pixels[i * 3], largest / 128.0f + 1e-6f);
    }
}

TEST(Pnm, AllSixVariantsDecodeWithTheirStoredValues) {
    const std::string ascii_gray = "P2\n# a comment\n3 2\n1000\n0 500 1000\n1 2 3\n";
    const std::string ascii_rgb = "P3 2 1 255 255 0 0  0 0 255\n";
    const std::string ascii_bits = "P1\n4 2\n0101\n1 1 0 0\n";
    std::string binary_gray = "P5\n2 2\n255\n";
    binary_gray += std::string("\x00\x40\x80\xff", 4);
    std::string binary_rgb16 = "P6 1 1 65535\n";
    binary_rgb16 += std::string("\x12\x34\xab\xcd\x00\x01", 6);
    std::string binary_bits = "P4\n10 1\n";
    binary_bits += std::string("\xa0\x40", 2);  // 1010000001 -> black white black ...

    struct Case {
        std::string text;
        std::vector<std::string> names;
        SampleType type;
        std::vector<std::uint16_t> first_channel;
    };
    const std::vector<Case> cases{
        {ascii_gray, {"Y"}, SampleType::U16, {0, 500, 1000, 1, 2, 3}},
        {ascii_rgb, {"R", "G", "B"}, SampleType::U8, {255, 0}},
        {ascii_bits, {"Y"}, SampleType::U8, {255, 0, 255, 0, 0, 0, 255, 255}},
        {binary_gray, {"Y"}, SampleType::U8, {0, 0x40, 0x80, 0xff}},
        {binary_rgb16, {"R", "G", "B"}, SampleType::U16, {0x1234}},
        {binary_bits, {"Y"}, SampleType::U8, {0, 255, 0, 255, 255, 255, 255, 255, 255, 0}},
    };
    for (std::size_t k = 0; k < cases.size(); ++k) {
        const auto path = testing::temp_path("pnm" + std::to_string(k));
        testing::write_text(path, cases[k].text);
        const Image image = load_one(path);
        expect_channels(image, cases[k].names, cases[k].type);
        if (!image.source) {
            continue;
        }
        std::vector<std::uint16_t> values;
        if (cases[k].type == SampleType::U16) {
            values = channel_samples<std::uint16_t>(image, 0);
        } else {
            for (std::uint8_t v : channel_samples<std::uint8_t>(image, 0)) {
                values.push_back(v);
            }
        }
        EXPECT_EQ(values, cases[k].first_channel) << "case " << k;
    }
}

TEST(Pnm, TruncatedAndOutOfRangeSamplesAreRefused) {
    const auto truncated = testing::temp_path("short.pgm");
    testing::write_text(truncated, std::string("P5 4 4 255\n") + std::string(5, 'x'));
    auto a = load_images(truncated);
    ASSERT_FALSE(a.ok());
    EXPECT_NE(a.error().message.find("truncated"), std::string::npos) << a.error().message;
    const auto too_big = testing::temp_path("big.pgm");
    testing::write_text(too_big, "P2 1 1 10 11\n");
    auto b = load_images(too_big);
    ASSERT_FALSE(b.ok());
    EXPECT_NE(b.error().message.find("exceeds maxval"), std::string::npos) << b.error().message;
}

}  // namespace
}  // namespace tessera::core
