// Header plausibility checks: every claim is held against the bytes that follow it, at the exact
// boundary where the data stops fitting.
#include <gtest/gtest.h>

#include "core/io/HeaderChecks.h"
#include "tests/support/Fixtures.h"

namespace tessera::core {
namespace {

std::vector<std::byte> bytes(std::initializer_list<int> values) {
    std::vector<std::byte> out;
    for (int v : values) {
        out.push_back(static_cast<std::byte>(v));
    }
    return out;
}
void put_le(std::vector<std::byte>& out, std::uint32_t value, int size) {
    for (int i = 0; i < size; ++i) {
        out.push_back(static_cast<std::byte>(value >> (8 * i) & 0xff));
    }
}
bool refused_with(const Result<void>& result, const std::string& text) {
    return !result.ok() && result.error().message.find(text) != std::string::npos;
}

std::vector<std::byte> bmp(std::int32_t width, std::int32_t height, int bits, std::size_t data) {
    std::vector<std::byte> out = bytes({'B', 'M'});
    put_le(out, static_cast<std::uint32_t>(54 + data), 4);
    put_le(out, 0, 4);
    put_le(out, 54, 4);
    put_le(out, 40, 4);
    put_le(out, static_cast<std::uint32_t>(width), 4);
    put_le(out, static_cast<std::uint32_t>(height), 4);
    put_le(out, 1, 2);
    put_le(out, static_cast<std::uint32_t>(bits), 2);
    put_le(out, 0, 4);
    out.resize(54 + data, std::byte{0x7f});
    return out;
}

TEST(HeaderChecks, BmpRowsMustLieInsideTheFileTheLastOneWithoutPadding) {
    // 5 pixels of 24 bits: 15 bytes a row, padded to 16.
    EXPECT_TRUE(check_bmp(bmp(5, 3, 24, 16 * 2 + 15)).ok());
    EXPECT_TRUE(check_bmp(bmp(5, -3, 24, 16 * 3)).ok()) << "top-down rows count the same";
    EXPECT_TRUE(refused_with(check_bmp(bmp(5, 3, 24, 16 * 2 + 14)), "BMP pixels (5x3, 24 bits)"));
    // bmp-573-bytes-8388608x17.bmp in miniature: a huge width and almost no data.
    EXPECT_TRUE(refused_with(check_bmp(bmp(8388608, 17, 24, 519)), "need 427819062 bytes"));
    EXPECT_TRUE(refused_with(check_bmp(bmp(5, 3, 7, 64)), "7 bits per pixel"));
}

std::vector<std::byte> tga(int type, int width, int height, int bits, std::size_t data) {
    std::vector<std::byte> out = bytes({0, 0, type, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    put_le(out, static_cast<std::uint32_t>(width), 2);
    put_le(out, static_cast<std::uint32_t>(height), 2);
    out.push_back(static_cast<std::byte>(bits));
    out.push_back(std::byte{0});
    out.resize(18 + data, std::byte{0});
    return out;
}

TEST(HeaderChecks, TgaRawPixelsMustAllBePresentAndRunLengthPacketsCoverAtMost128) {
    EXPECT_TRUE(check_tga(tga(2, 3, 2, 24, 18)).ok());
    EXPECT_TRUE(refused_with(check_tga(tga(2, 3, 2, 24, 17)), "need 36 bytes, the file has 35"));
    // 300 pixels need at least 3 packets of a count byte and one 4-byte pixel.
    EXPECT_TRUE(check_tga(tga(10, 300, 1, 32, 15)).ok());
    EXPECT_TRUE(refused_with(check_tga(tga(10, 300, 1, 32, 14)), "run-length pixels"));
}

TEST(HeaderChecks, TheTgaEntryNeverMatchesAnotherFormatsSignature) {
    // stb_image's generic loader tries every format it knows; a TGA header must exclude them all.
    const std::vector<std::string> signatures{"\x89PNG\r\n\x1a\n",
                                              "\xff\xd8\xff\xe0",
                                              "BM",
                                              "GIF89a",
                                              "8BPS",
                                              "#?RADIANCE\n",
                                              "P6 ",
                                              "P5\n",
                                              std::string("\x53\x80\xf6\x34", 4)};
    for (const std::string& signature : signatures) {
        std::vector<std::byte> header = tga(2, 3, 2, 24, 18);
        for (std::size_t i = 0; i < signature.size(); ++i) {
            header[i] = static_cast<std::byte>(signature[i]);
        }
        EXPECT_FALSE(parse_tga_header(header)) << "read as TGA: " << signature;
    }
    EXPECT_TRUE(parse_tga_header(tga(2, 3, 2, 24, 18)));
    EXPECT_FALSE(parse_tga_header(tga(2, 3, 2, 24, 18)).value().run_length);
    EXPECT_FALSE(parse_tga_header(tga(2, 0, 2, 24, 18))) << "zero width";
    EXPECT_FALSE(parse_tga_header(tga(2, 3, 2, 12, 18))) << "12 bits per pixel";
    EXPECT_FALSE(parse_tga_header(tga(7, 3, 2, 24, 18))) << "image type 7";
}

TEST(HeaderChecks, CompressedFormatsHoldAtMostTheirLargestExpansionPerByte) {
    const std::vector<std::byte> file(18);
    EXPECT_TRUE(check_gif(file, {768, 768}).ok()) << "18 * 32768 = 589824 >= 768^2";
    EXPECT_TRUE(refused_with(check_gif(file, {28809, 18254}), "more than its 18 bytes"));
    EXPECT_TRUE(check_jpeg(file, {96, 96}).ok()) << "18 * 512 = 9216 = 96^2";
    EXPECT_FALSE(check_jpeg(file, {97, 96}).ok());
    EXPECT_FALSE(check_gif(file, {UINT64_MAX, 2}).ok()) << "a claim that wraps is refused";
}

TEST(HeaderChecks, PngScanlinesMustFitTheLargestExpansionOfTheirCompressedData) {
    const std::vector<std::uint16_t> one_pixel(3, 1);
    // A valid PNG whose IHDR claims 200000 x 8 pixels of 6 bytes: 9.6 MB from a few bytes.
    const auto absurd = testing::png16(200000, 8, 3, one_pixel);
    EXPECT_TRUE(refused_with(check_png(absurd, std::uint64_t{1} << 30), "more than its"));
    EXPECT_TRUE(refused_with(check_png(absurd, 1000), "more than the limit of 1000 pixels"));
    const std::vector<std::uint16_t> samples(4 * 3 * 3, 7);
    EXPECT_TRUE(check_png(testing::png16(4, 3, 3, samples), 100).ok());
}

}  // namespace
}  // namespace tessera::core
