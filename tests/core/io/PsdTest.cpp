// The PSD decoder: composite planes raw and PackBits, 8/16/32 bits, every channel kept as stored;
// sizes checked against the file before allocating, RLE rows decoded exactly.
#include <cstring>

#include <gtest/gtest.h>

#include "core/io/ImageLoader.h"
#include "tests/support/Fixtures.h"

namespace tessera::core {
namespace {

void put_be(std::vector<std::byte>& out, std::uint32_t value, int size) {
    for (int i = size - 1; i >= 0; --i) {
        out.push_back(static_cast<std::byte>(value >> (8 * i) & 0xff));
    }
}

std::vector<std::byte> psd_header(std::uint32_t width, std::uint32_t height, int channels,
                                  int depth, int mode, int compression) {
    std::vector<std::byte> out;
    for (char ch : std::string("8BPS")) {
        out.push_back(static_cast<std::byte>(ch));
    }
    put_be(out, 1, 2);
    out.resize(out.size() + 6, std::byte{0});  // reserved
    put_be(out, static_cast<std::uint32_t>(channels), 2);
    put_be(out, height, 4);
    put_be(out, width, 4);
    put_be(out, static_cast<std::uint32_t>(depth), 2);
    put_be(out, static_cast<std::uint32_t>(mode), 2);
    put_be(out, 0, 4);  // colour mode data
    put_be(out, 4, 4);  // image resources: 4 bytes the decoder skips
    put_be(out, 0xdeadbeef, 4);
    put_be(out, 0, 4);  // layers
    put_be(out, static_cast<std::uint32_t>(compression), 2);
    return out;
}

Result<std::vector<Image>> load(const std::vector<std::byte>& bytes) {
    const auto path = testing::temp_path("test.psd");
    testing::write_bytes(path, bytes);
    return load_images(path);
}

template <typename T>
std::vector<T> plane(const Image& image, std::size_t channel) {
    std::vector<T> values(static_cast<std::size_t>(image.source->width() * image.source->height()));
    EXPECT_TRUE(image.source->read_region({channel},
                                          {0, 0, image.source->width(), image.source->height()},
                                          std::as_writable_bytes(std::span(values))));
    return values;
}

TEST(Psd, RawRgbaPlanesKeepEveryChannelAsStored) {
    auto bytes = psd_header(3, 2, 4, 8, 3, 0);
    for (int c = 0; c < 4; ++c) {
        for (int i = 0; i < 6; ++i) {
            bytes.push_back(static_cast<std::byte>(c * 10 + i));  // each sample names its place
        }
    }
    auto images = load(bytes);
    ASSERT_TRUE(images.ok()) << images.error().message;
    const Image& image = images->front();
    EXPECT_EQ(image.metadata.format, "PSD");
    ASSERT_EQ(image.source->channels().size(), 4u);
    EXPECT_EQ(image.source->channels()[3].name, "A");
    EXPECT_EQ(plane<std::uint8_t>(image, 2), (std::vector<std::uint8_t>{20, 21, 22, 23, 24, 25}));
    EXPECT_EQ(plane<std::uint8_t>(image, 3), (std::vector<std::uint8_t>{30, 31, 32, 33, 34, 35}));
}

TEST(Psd, PackBitsRowsOf16BitGreyDecodeExactly) {
    auto bytes = psd_header(4, 2, 1, 16, 1, 1);
    // Row 0: a literal run of 8 bytes; row 1: one byte pair repeated (two runs of 4 bytes).
    const std::vector<int> row0{7, 0, 1, 0, 2, 0x12, 0x34, 0xff, 0xff};
    const std::vector<int> row1{-3, 0xab, -3, 0xcd};
    put_be(bytes, static_cast<std::uint32_t>(row0.size()), 2);
    put_be(bytes, static_cast<std::uint32_t>(row1.size()), 2);
    for (int v : row0) {
        bytes.push_back(static_cast<std::byte>(v));
    }
    for (int v : row1) {
        bytes.push_back(static_cast<std::byte>(v));
    }
    auto images = load(bytes);
    ASSERT_TRUE(images.ok()) << images.error().message;
    EXPECT_EQ(images->front().source->channels()[0].name, "Y");
    EXPECT_EQ(plane<std::uint16_t>(images->front(), 0),
              (std::vector<std::uint16_t>{1, 2, 0x1234, 0xffff, 0xabab, 0xabab, 0xcdcd, 0xcdcd}));
}

TEST(Psd, ClaimsTheFileCannotHoldAreRefusedBeforeAllocating) {
    auto raw = psd_header(30000, 30000, 4, 8, 3, 0);
    raw.resize(raw.size() + 100);
    auto images = load(raw);
    ASSERT_FALSE(images.ok());
    EXPECT_NE(images.error().message.find("need 3600000000 bytes"), std::string::npos)
        << images.error().message;
    auto rle = psd_header(30000, 30000, 3, 8, 3, 1);
    rle.resize(rle.size() + 100);
    images = load(rle);
    ASSERT_FALSE(images.ok());
    EXPECT_NE(images.error().message.find("need at least"), std::string::npos)
        << images.error().message;
}

TEST(Psd, RunLengthRowsThatDecodeToTheWrongLengthAreRefused) {
    auto bytes = psd_header(4, 1, 1, 8, 1, 1);
    put_be(bytes, 3, 2);
    for (int v : {-2, 7, 0x80}) {  // 3 bytes where the row has 4
        bytes.push_back(static_cast<std::byte>(v));
    }
    auto images = load(bytes);
    ASSERT_FALSE(images.ok());
    EXPECT_NE(images.error().message.find("row 0 of channel 0 does not decode to 4 bytes"),
              std::string::npos)
        << images.error().message;
    auto cmyk = psd_header(4, 1, 4, 8, 4, 0);
    cmyk.resize(cmyk.size() + 16);
    images = load(cmyk);
    ASSERT_FALSE(images.ok());
    EXPECT_NE(images.error().message.find("colour mode 4 (CMYK) is not supported"),
              std::string::npos);
}

}  // namespace
}  // namespace tessera::core
