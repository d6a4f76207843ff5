// PNG decoding on libdeflate (core/io/PngDecoder): every row filter, bit depth and colour type it
// decodes gives the samples written, split over many IDAT chunks; every PNG of the external
// corpus gives exactly what stb_image gives (the files it hands to stb_image included); damaged
// image data is an error naming the file and what is wrong.
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include "core/io/ImageLoader.h"
#include "core/io/StbDecoder.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestEnvironment.h"

namespace tessera::core {
namespace {

int paeth(int a, int b, int c) {
    const int p = a + b - c;
    const int pa = std::abs(p - a);
    const int pb = std::abs(p - b);
    const int pc = std::abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

// Rows of `row` bytes, each filtered with filter (y % 5) as an encoder would, filter byte first.
std::vector<std::uint8_t> filter_rows(const std::vector<std::uint8_t>& image, std::size_t row,
                                      std::size_t bpp) {
    std::vector<std::uint8_t> raw;
    const std::size_t height = image.size() / row;
    for (std::size_t y = 0; y < height; ++y) {
        const unsigned filter = y % 5;
        raw.push_back(static_cast<std::uint8_t>(filter));
        for (std::size_t i = 0; i < row; ++i) {
            const int x = image[y * row + i];
            const int a = i >= bpp ? image[y * row + i - bpp] : 0;
            const int b = y > 0 ? image[(y - 1) * row + i] : 0;
            const int c = i >= bpp && y > 0 ? image[(y - 1) * row + i - bpp] : 0;
            const int predicted = filter == 0   ? 0
                                  : filter == 1 ? a
                                  : filter == 2 ? b
                                  : filter == 3 ? (a + b) / 2
                                                : paeth(a, b, c);
            raw.push_back(static_cast<std::uint8_t>(x - predicted));
        }
    }
    return raw;
}

std::vector<std::byte> plane_bytes(const ImageSource& source, std::size_t c) {
    std::vector<std::byte> bytes(source.region_bytes(c, source.bounds()));
    EXPECT_TRUE(source.read_region({c}, source.bounds(), bytes).ok());
    return bytes;
}

// The same channels, types and samples.
void expect_same(const Image& a, const Image& b, const std::string& what) {
    const ImageSource& x = *a.source;
    const ImageSource& y = *b.source;
    ASSERT_EQ(x.width(), y.width()) << what;
    ASSERT_EQ(x.height(), y.height()) << what;
    ASSERT_EQ(x.channel_count(), y.channel_count()) << what;
    for (std::size_t c = 0; c < x.channel_count(); ++c) {
        EXPECT_EQ(x.channels()[c].name, y.channels()[c].name) << what;
        ASSERT_EQ(x.channels()[c].type, y.channels()[c].type) << what;
        EXPECT_TRUE(plane_bytes(x, c) == plane_bytes(y, c)) << what << " channel " << c;
    }
}

TEST(Png, EveryFilterDepthAndColourTypeGivesTheSamplesWritten) {
    constexpr std::uint32_t kWidth = 37;
    constexpr std::uint32_t kHeight = 23;
    const std::pair<int, int> colours[] = {{0, 1}, {2, 3}, {4, 2}, {6, 4}};  // type, channels
    std::uint32_t state = 12345;
    for (const auto& [colour, channels] : colours) {
        for (const int depth : {8, 16}) {
            const std::size_t bytes = static_cast<std::size_t>(depth / 8);
            const std::size_t bpp = static_cast<std::size_t>(channels) * bytes;
            const std::size_t row = kWidth * bpp;
            std::vector<std::uint8_t> image(row * kHeight);
            for (std::uint8_t& v : image) {
                state = state * 1664525u + 1013904223u;
                v = static_cast<std::uint8_t>(state >> 24);
            }
            const auto raw = filter_rows(image, row, bpp);
            const auto path = testing::temp_path(fmt::format("png-{}-{}.png", colour, depth));
            testing::write_bytes(path,
                                 testing::png_from_rows(kWidth, kHeight, depth, colour, raw, 97));
            auto images = load_images(path);
            ASSERT_TRUE(images.ok()) << images.error().message;
            const ImageSource& source = *images->front().source;
            ASSERT_EQ(source.channel_count(), static_cast<std::size_t>(channels));
            const std::string what = fmt::format("colour type {}, {}-bit", colour, depth);
            for (std::size_t c = 0; c < source.channel_count(); ++c) {
                ASSERT_EQ(source.channels()[c].type, depth == 8 ? SampleType::U8 : SampleType::U16);
                const auto plane = plane_bytes(source, c);
                for (std::size_t i = 0; i < std::size_t{kWidth} * kHeight; ++i) {
                    const std::uint8_t* sample = &image[i * bpp + c * bytes];
                    const unsigned want = depth == 8 ? sample[0] : sample[0] << 8 | sample[1];
                    unsigned got = std::to_integer<unsigned>(plane[i * bytes]);
                    if (depth == 16) {
                        std::uint16_t v = 0;
                        std::memcpy(&v, &plane[i * 2], 2);
                        got = v;
                    }
                    ASSERT_EQ(got, want) << what << " channel " << c << " pixel " << i;
                }
            }
            auto file = MappedFile::read(path);
            ASSERT_TRUE(file.ok());
            auto stb = decode_png_stb(*file, {}, false);
            ASSERT_TRUE(stb.ok()) << stb.error().message;
            expect_same(images->front(), stb->front(), what);
        }
    }
}

TEST(Png, DamagedImageDataIsAnErrorNamingTheFileAndTheFault) {
    constexpr std::uint32_t kWidth = 16;
    constexpr std::uint32_t kHeight = 8;
    std::vector<std::uint8_t> image(kWidth * 3 * kHeight, 40);
    auto raw = filter_rows(image, kWidth * 3, 3);
    const auto refused = [&](const std::vector<std::uint8_t>& rows, std::uint32_t height,
                             const std::string& reason) {
        const auto path = testing::temp_path("damaged.png");
        testing::write_bytes(path, testing::png_from_rows(kWidth, height, 8, 2, rows, 1 << 20));
        auto images = load_images(path);
        ASSERT_FALSE(images.ok()) << reason;
        EXPECT_EQ(images.error().message.rfind(path.string() + ": ", 0), 0u)
            << images.error().message;
        EXPECT_NE(images.error().message.find(reason), std::string::npos) << images.error().message;
    };
    auto unknown = raw;
    unknown[3 * (kWidth * 3 + 1)] = 5;
    refused(unknown, kHeight, "PNG row 3 has an unknown filter type 5");
    refused(raw, kHeight + 1, "PNG image data ends after 392 of the 441 bytes");
    refused(raw, kHeight - 1, "PNG image data holds more than the 343 bytes");
    // A stream that is not deflate: a valid zlib header, then a reserved block type (and the
    // chunk's CRC made right again, so that only the data is wrong).
    const auto path = testing::temp_path("not-deflate.png");
    auto bytes = testing::png_from_rows(kWidth, kHeight, 8, 2, raw, 1 << 20);
    const std::size_t idat = 8 + 25;  // signature, IHDR chunk
    ASSERT_EQ(std::memcmp(&bytes[idat + 4], "IDAT", 4), 0);
    const std::size_t length = std::to_integer<std::size_t>(bytes[idat + 2]) << 8 |
                               std::to_integer<std::size_t>(bytes[idat + 3]);
    bytes[idat + 8 + 2] = std::byte{0x07};
    const auto crc = static_cast<std::uint32_t>(
        crc32(crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(&bytes[idat + 4]),
              static_cast<uInt>(length + 4)));
    for (int k = 0; k < 4; ++k) {
        bytes[idat + 8 + length + static_cast<std::size_t>(k)] =
            static_cast<std::byte>(crc >> (24 - 8 * k));
    }
    testing::write_bytes(path, bytes);
    auto images = load_images(path);
    ASSERT_FALSE(images.ok());
    EXPECT_NE(images.error().message.find("PNG image data is not a valid zlib stream"),
              std::string::npos)
        << images.error().message;
}

TEST(Png, EveryCorpusFileDecodesAsStbImageDecodesIt) {
    TESSERA_REQUIRE_TESTDATA(testdata);
    std::size_t compared = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(testdata)) {
        if (entry.path().extension() != ".png") {
            continue;
        }
        auto ours = load_images(entry.path());
        auto file = MappedFile::read(entry.path());
        ASSERT_TRUE(file.ok());
        auto stb = decode_png_stb(*file, {}, false);
        if (!stb.ok()) {
            // Refused by the checks both share, or by stb_image: ours refuses it too.
            EXPECT_FALSE(ours.ok()) << entry.path() << " opens, but stb_image refuses it";
            continue;
        }
        if (!ours.ok()) {
            // Only a fault stb_image overlooks (it checks no Adler-32) may be refused here.
            EXPECT_NE(ours.error().message.find("zlib"), std::string::npos) << ours.error().message;
            continue;
        }
        expect_same(ours->front(), stb->front(), entry.path().string());
        ++compared;
    }
    EXPECT_GT(compared, 100u);
}

}  // namespace
}  // namespace tessera::core
