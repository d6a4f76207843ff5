// OpenEXR files tinyexr cannot decode, written here with the OpenEXR library and read back
// through the loader: PXR24, B44, B44A, DWAA and DWAB (lossless ones bit for bit, lossy ones
// equal to what the OpenEXR library itself decodes), multi-part files with float and uint
// channels at a data window that does not start at 0, and luminance/chroma files converted to
// RGB; damaged data is an error naming the file.
#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

#include <ImfChannelList.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfInputFile.h>
#include <ImfMultiPartOutputFile.h>
#include <ImfOutputFile.h>
#include <ImfOutputPart.h>
#include <ImfPartType.h>
#include <ImfRgbaFile.h>

#include "core/image/SampleType.h"
#include "core/io/ExrHeader.h"
#include "core/io/ImageLoader.h"
#include "tests/support/Fixtures.h"

namespace tessera::core {
namespace {

constexpr int kWidth = 67;
constexpr int kHeight = 45;

// Smooth with detail, in half's range: lossy codecs keep it close, lossless ones exactly.
float pixel(int x, int y, int c) {
    return 0.25f +
           0.5f * std::sin(0.11f * static_cast<float>(x + c * 7)) *
               std::cos(0.07f * static_cast<float>(y)) +
           static_cast<float>((x * 3 + y) % 5) * 0.01f;
}

void write_rgb_half(const std::filesystem::path& path, Imf::Compression compression) {
    Imf::Header header(kWidth, kHeight);
    header.compression() = compression;
    const char* names[] = {"B", "G", "R"};
    for (const char* name : names) {
        header.channels().insert(name, Imf::Channel(Imf::HALF));
    }
    std::vector<std::vector<half>> planes(3, std::vector<half>(kWidth * kHeight));
    Imf::FrameBuffer frame;
    for (int c = 0; c < 3; ++c) {
        for (int y = 0; y < kHeight; ++y) {
            for (int x = 0; x < kWidth; ++x) {
                planes[static_cast<std::size_t>(c)][static_cast<std::size_t>(y * kWidth + x)] =
                    pixel(x, y, c);
            }
        }
        frame.insert(names[c],
                     Imf::Slice(Imf::HALF,
                                reinterpret_cast<char*>(planes[static_cast<std::size_t>(c)].data()),
                                sizeof(half), sizeof(half) * kWidth));
    }
    Imf::OutputFile file(path.c_str(), header);
    file.setFrameBuffer(frame);
    file.writePixels(kHeight);
}

// The OpenEXR library's own decode of one half channel: the reference for lossy codecs.
std::vector<float> library_decode(const std::filesystem::path& path, const char* name) {
    Imf::InputFile file(path.c_str());
    std::vector<half> plane(kWidth * kHeight);
    Imf::FrameBuffer frame;
    frame.insert(name, Imf::Slice(Imf::HALF, reinterpret_cast<char*>(plane.data()), sizeof(half),
                                  sizeof(half) * kWidth));
    file.setFrameBuffer(frame);
    file.readPixels(0, kHeight - 1);
    return {plane.begin(), plane.end()};
}

std::vector<float> read_channel(const ImageSource& source, std::size_t channel) {
    const SampleType type = source.channels()[channel].type;
    std::vector<std::byte> bytes(source.region_bytes(channel, source.bounds()));
    EXPECT_TRUE(source.read_region({channel}, source.bounds(), bytes).ok());
    std::vector<float> values;
    for (std::size_t i = 0; i < bytes.size(); i += sample_size(type)) {
        values.push_back(sample_as_float(bytes.data() + i, type));
    }
    return values;
}

TEST(OpenExr, EveryCompressionTinyexrLacksDecodesAsTheLibraryDoes) {
    const std::pair<Imf::Compression, const char*> cases[] = {
        {Imf::PXR24_COMPRESSION, "PXR24"}, {Imf::B44_COMPRESSION, "B44"},
        {Imf::B44A_COMPRESSION, "B44A"},   {Imf::DWAA_COMPRESSION, "DWAA"},
        {Imf::DWAB_COMPRESSION, "DWAB"},
    };
    for (const auto& [compression, name] : cases) {
        const auto path = testing::temp_path(std::string("comp-") + name + ".exr");
        write_rgb_half(path, compression);
        auto images = load_images(path);
        ASSERT_TRUE(images.ok()) << name << ": " << images.error().message;
        const Image& image = images->front();
        EXPECT_EQ(image.metadata.compression, name);
        const ImageSource& source = *image.source;
        ASSERT_EQ(source.channel_count(), 3u);
        for (std::size_t c = 0; c < 3; ++c) {
            EXPECT_EQ(source.channels()[c].type, SampleType::F16);
            const auto values = read_channel(source, c);
            const auto reference = library_decode(path, source.channels()[c].name.c_str());
            EXPECT_EQ(values, reference) << name << " channel " << source.channels()[c].name;
            if (compression == Imf::PXR24_COMPRESSION) {
                // Lossless for half data: the very values written.
                EXPECT_EQ(values[5 * kWidth + 7],
                          static_cast<float>(half(pixel(7, 5, static_cast<int>(c)))));
            }
        }
    }
}

TEST(OpenExr, MultiPartFloatAndUintChannelsAtAnOffsetDataWindow) {
    const auto path = testing::temp_path("multipart-dwab.exr");
    const Imath::Box2i window({-5, 3}, {-5 + kWidth - 1, 3 + kHeight - 1});
    std::vector<Imf::Header> headers;
    for (int part = 0; part < 2; ++part) {
        Imf::Header header(Imath::Box2i({0, 0}, {99, 99}), window);
        header.setName(part == 0 ? "beauty" : "ids");
        header.setType(Imf::SCANLINEIMAGE);
        header.compression() = part == 0 ? Imf::DWAB_COMPRESSION : Imf::PXR24_COMPRESSION;
        header.channels().insert(part == 0 ? "Z" : "id",
                                 Imf::Channel(part == 0 ? Imf::FLOAT : Imf::UINT));
        headers.push_back(header);
    }
    std::vector<float> depth(kWidth * kHeight);
    std::vector<std::uint32_t> ids(kWidth * kHeight);
    for (int i = 0; i < kWidth * kHeight; ++i) {
        depth[static_cast<std::size_t>(i)] = 1000.0f + static_cast<float>(i);
        ids[static_cast<std::size_t>(i)] = static_cast<std::uint32_t>(i * 7919);
    }
    {
        Imf::MultiPartOutputFile file(path.c_str(), headers.data(), 2);
        for (int part = 0; part < 2; ++part) {
            Imf::OutputPart out(file, part);
            Imf::FrameBuffer frame;
            const std::ptrdiff_t origin = window.min.x + window.min.y * kWidth;
            if (part == 0) {
                frame.insert(
                    "Z", Imf::Slice(Imf::FLOAT, reinterpret_cast<char*>(depth.data() - origin), 4,
                                    4 * kWidth));
            } else {
                frame.insert("id",
                             Imf::Slice(Imf::UINT, reinterpret_cast<char*>(ids.data() - origin), 4,
                                        4 * kWidth));
            }
            out.setFrameBuffer(frame);
            out.writePixels(kHeight);
        }
    }
    auto images = load_images(path);
    ASSERT_TRUE(images.ok()) << images.error().message;
    ASSERT_EQ(images->size(), 2u);
    EXPECT_EQ((*images)[0].metadata.part_name, "beauty");
    EXPECT_EQ((*images)[0].metadata.data_window.min_x, -5);
    EXPECT_EQ((*images)[0].metadata.data_window.min_y, 3);
    const ImageSource& beauty = *(*images)[0].source;
    const ImageSource& id = *(*images)[1].source;
    EXPECT_EQ(beauty.channels()[0].type, SampleType::F32);
    EXPECT_EQ(id.channels()[0].type, SampleType::U32);
    // DWAB leaves float channels lossless (only half RGB-like channels are lossy).
    EXPECT_EQ(read_channel(beauty, 0), depth);
    std::vector<std::uint32_t> got(kWidth * kHeight);
    ASSERT_TRUE(id.read_region({0}, id.bounds(), std::as_writable_bytes(std::span(got))).ok());
    EXPECT_EQ(got, ids);
}

TEST(OpenExr, LuminanceChromaBecomesRgbKeepingLuminance) {
    // Subsampled chroma needs a data window of even width and height.
    constexpr int kEvenWidth = kWidth + 1;
    constexpr int kEvenHeight = kHeight + 1;
    // Luminance/chroma holds no negative colours: positive values only.
    auto colour = [](int x, int y, int c) {
        return pixel(x, y, c) + 0.6f;
    };
    const auto path = testing::temp_path("yc.exr");
    std::vector<Imf::Rgba> pixels(kEvenWidth * kEvenHeight);
    for (int y = 0; y < kEvenHeight; ++y) {
        for (int x = 0; x < kEvenWidth; ++x) {
            pixels[static_cast<std::size_t>(y * kEvenWidth + x)] =
                Imf::Rgba(colour(x, y, 0), colour(x, y, 1), colour(x, y, 2), 1.0f);
        }
    }
    {
        Imf::RgbaOutputFile file(path.c_str(), kEvenWidth, kEvenHeight, Imf::WRITE_YC);
        file.setFrameBuffer(pixels.data(), 1, kEvenWidth);
        file.writePixels(kEvenHeight);
    }
    auto images = load_images(path);
    ASSERT_TRUE(images.ok()) << images.error().message;
    const ImageSource& source = *images->front().source;
    ASSERT_EQ(source.channel_count(), 3u);
    EXPECT_EQ(source.channels()[0].name, "R");
    const auto r = read_channel(source, 0);
    const auto g = read_channel(source, 1);
    const auto b = read_channel(source, 2);
    // Chroma is stored at half resolution: colours are close, luminance closer.
    double worst = 0;
    for (int y = 1; y < kEvenHeight - 1; ++y) {
        for (int x = 1; x < kEvenWidth - 1; ++x) {
            const auto i = static_cast<std::size_t>(y * kEvenWidth + x);
            const double want =
                0.2126 * colour(x, y, 0) + 0.7152 * colour(x, y, 1) + 0.0722 * colour(x, y, 2);
            const double got_y = 0.2126 * r[i] + 0.7152 * g[i] + 0.0722 * b[i];
            worst = std::max(worst, std::abs(got_y - want));
            EXPECT_NEAR(r[i], colour(x, y, 0), 0.1) << x << "," << y;
        }
    }
    EXPECT_LT(worst, 0.01);
}

TEST(OpenExr, DamagedDwaDataIsAnErrorNamingTheFile) {
    const auto path = testing::temp_path("damaged-dwaa.exr");
    write_rgb_half(path, Imf::DWAA_COMPRESSION);
    auto bytes = testing::read_bytes(path);
    // The first chunk's DWA header (after the chunk's line and size): sizes no data can have.
    auto parts = scan_exr(bytes, {std::uint64_t{1} << 30});
    ASSERT_TRUE(parts.ok()) << parts.error().message;
    std::uint64_t chunk = 0;
    std::memcpy(&chunk, bytes.data() + parts->front().offset_table, 8);
    for (std::size_t i = chunk + 8 + 8; i < chunk + 8 + 88; ++i) {
        bytes[i] = std::byte{0xff};
    }
    testing::write_bytes(path, bytes);
    auto images = load_images(path);
    ASSERT_FALSE(images.ok());
    EXPECT_NE(images.error().message.find("cannot decode OpenEXR pixels: "), std::string::npos)
        << images.error().message;
    EXPECT_EQ(images.error().message.rfind(path.string() + ": ", 0), 0u) << images.error().message;
}

}  // namespace
}  // namespace tessera::core
