// OpenEXR files read by region (core/io/OpenExrRegion): every compression of a scanline file reads
// back, region by region and from several threads, exactly what the whole decode gives; a tiled
// file's mip-map levels are the pyramid's stored levels where their sizes agree; such files are
// not held to the decoded-pixel limit; a damaged chunk is an error naming it, when it is read.
#include <atomic>
#include <cstring>

#include <gtest/gtest.h>

#include <ImfChannelList.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfOutputFile.h>
#include <ImfTiledOutputFile.h>

#include "core/base/Parallel.h"
#include "core/image/SampleType.h"
#include "core/io/ExrHeader.h"
#include "core/io/ImageLoader.h"
#include "core/lod/Pyramid.h"
#include "tests/support/Fixtures.h"

namespace tessera::core {
namespace {

constexpr int kWidth = 75;
constexpr int kHeight = 83;
const Imath::Box2i kWindow({-4, 7}, {-4 + kWidth - 1, 7 + kHeight - 1});

// A half colour channel, a float depth and uint ids, at a data window off the origin.
void write_scanline(const std::filesystem::path& path, Imf::Compression compression) {
    Imf::Header header(Imath::Box2i({0, 0}, {99, 99}), kWindow);
    header.compression() = compression;
    header.channels().insert("R", Imf::Channel(Imf::HALF));
    header.channels().insert("Z", Imf::Channel(Imf::FLOAT));
    header.channels().insert("id", Imf::Channel(Imf::UINT));
    std::vector<half> r(kWidth * kHeight);
    std::vector<float> z(kWidth * kHeight);
    std::vector<std::uint32_t> id(kWidth * kHeight);
    for (int y = 0; y < kHeight; ++y) {
        for (int x = 0; x < kWidth; ++x) {
            const auto i = static_cast<std::size_t>(y * kWidth + x);
            r[i] = 0.25f + 0.001f * static_cast<float>(x * y % 97) + 0.01f * static_cast<float>(y);
            z[i] = 100.0f + static_cast<float>(x) * 0.5f - static_cast<float>(y);
            id[i] = static_cast<std::uint32_t>(i * 2654435761u);
        }
    }
    const std::ptrdiff_t origin = kWindow.min.x + kWindow.min.y * kWidth;
    Imf::FrameBuffer frame;
    frame.insert("R",
                 Imf::Slice(Imf::HALF, reinterpret_cast<char*>(r.data() - origin), 2, 2 * kWidth));
    frame.insert("Z",
                 Imf::Slice(Imf::FLOAT, reinterpret_cast<char*>(z.data() - origin), 4, 4 * kWidth));
    frame.insert("id",
                 Imf::Slice(Imf::UINT, reinterpret_cast<char*>(id.data() - origin), 4, 4 * kWidth));
    Imf::OutputFile file(path.c_str(), header);
    file.setFrameBuffer(frame);
    file.writePixels(kHeight);
}

LoadOptions by_region() {
    LoadOptions options;
    options.decode_whole_below = 0;
    return options;
}

std::vector<std::byte> read(const ImageSource& source, std::size_t channel, Rect rect) {
    std::vector<std::byte> bytes(source.region_bytes(channel, rect));
    auto ok = source.read_region({channel}, rect, bytes);
    EXPECT_TRUE(ok.ok()) << (ok.ok() ? "" : ok.error().message);
    return bytes;
}

// Copies `rect` out of a whole plane.
std::vector<std::byte> cut(const std::vector<std::byte>& whole, std::int64_t width,
                           std::size_t size, Rect rect) {
    std::vector<std::byte> out;
    for (std::int64_t y = rect.y; y < rect.y + rect.height; ++y) {
        const auto* row = whole.data() + static_cast<std::size_t>(y * width + rect.x) * size;
        out.insert(out.end(), row, row + static_cast<std::size_t>(rect.width) * size);
    }
    return out;
}

TEST(OpenExrRegion, EveryScanlineCompressionReadsWhatTheWholeDecodeReads) {
    const std::pair<Imf::Compression, const char*> cases[] = {
        {Imf::NO_COMPRESSION, "NONE"},   {Imf::RLE_COMPRESSION, "RLE"},
        {Imf::ZIPS_COMPRESSION, "ZIPS"}, {Imf::ZIP_COMPRESSION, "ZIP"},
        {Imf::PIZ_COMPRESSION, "PIZ"},   {Imf::PXR24_COMPRESSION, "PXR24"},
        {Imf::B44_COMPRESSION, "B44"},   {Imf::B44A_COMPRESSION, "B44A"},
        {Imf::DWAA_COMPRESSION, "DWAA"}, {Imf::DWAB_COMPRESSION, "DWAB"},
    };
    // Regions that start and end inside chunks of 1, 16, 32 and 256 lines, and one pixel.
    const Rect regions[] = {{0, 0, kWidth, kHeight}, {3, 5, 40, 30}, {70, 14, 5, 50},
                            {10, 31, 1, 2},          {74, 82, 1, 1}, {0, 60, 75, 23}};
    for (const auto& [compression, name] : cases) {
        const auto path = testing::temp_path(std::string("region-") + name + ".exr");
        write_scanline(path, compression);
        auto whole = load_images(path);
        auto region = load_images(path, by_region());
        ASSERT_TRUE(whole.ok()) << name << ": " << whole.error().message;
        ASSERT_TRUE(region.ok()) << name << ": " << region.error().message;
        const Image& image = region->front();
        EXPECT_NE(image.metadata.storage.find("read by region"), std::string::npos)
            << image.metadata.storage;
        EXPECT_EQ(whole->front().metadata.storage.find("read by region"), std::string::npos);
        EXPECT_EQ(image.metadata.compression, name);
        EXPECT_EQ(image.metadata.data_window.min_x, -4);
        EXPECT_EQ(image.metadata.data_window.min_y, 7);
        const ImageSource& a = *whole->front().source;
        const ImageSource& b = *image.source;
        ASSERT_EQ(b.width(), kWidth);
        ASSERT_EQ(b.height(), kHeight);
        ASSERT_EQ(b.channel_count(), 3u);
        EXPECT_EQ(b.read_unit().height,
                  std::min(kHeight, exr_lines_per_block(static_cast<int>(compression))))
            << name;
        for (std::size_t c = 0; c < 3; ++c) {
            ASSERT_EQ(a.channels()[c].name, b.channels()[c].name);
            ASSERT_EQ(a.channels()[c].type, b.channels()[c].type);
            const auto all = read(a, c, a.bounds());
            for (const Rect& rect : regions) {
                EXPECT_EQ(read(b, c, rect),
                          cut(all, kWidth, sample_size(a.channels()[c].type), rect))
                    << name << " channel " << c << " region " << rect.x << "," << rect.y;
            }
        }
        // Many threads at once, each with a file object of its own, sharing the chunk cache.
        const auto reference = read(a, 1, a.bounds());
        std::atomic<int> wrong{0};
        parallel_for(
            64,
            [&](unsigned, std::size_t k) {
                const Rect rect{static_cast<std::int64_t>(k % 7) * 9,
                                static_cast<std::int64_t>(k % 11) * 7, 13, 9};
                if (read(b, 1, rect) != cut(reference, kWidth, 4, rect)) {
                    ++wrong;
                }
            },
            4);
        EXPECT_EQ(wrong.load(), 0) << name;
    }
}

// Level k of the file holds 1000 k + x + y / 2: not what reducing level 0 would give.
float level_value(int level, int x, int y) {
    return 1000.0f * static_cast<float>(level) + static_cast<float>(x) +
           0.5f * static_cast<float>(y);
}

void write_mipmap(const std::filesystem::path& path, int width, int height,
                  Imf::LevelRoundingMode rounding) {
    Imf::Header header(width, height);
    header.compression() = Imf::ZIP_COMPRESSION;
    header.channels().insert("Y", Imf::Channel(Imf::FLOAT));
    header.setTileDescription(Imf::TileDescription(16, 8, Imf::MIPMAP_LEVELS, rounding));
    Imf::TiledOutputFile file(path.c_str(), header);
    for (int level = 0; level < file.numLevels(); ++level) {
        const int w = file.levelWidth(level);
        const int h = file.levelHeight(level);
        std::vector<float> pixels(static_cast<std::size_t>(w * h));
        for (int y = 0; y < h; ++y) {
            for (int x = 0; x < w; ++x) {
                pixels[static_cast<std::size_t>(y * w + x)] = level_value(level, x, y);
            }
        }
        Imf::FrameBuffer frame;
        frame.insert("Y", Imf::Slice(Imf::FLOAT, reinterpret_cast<char*>(pixels.data()), 4,
                                     4 * static_cast<std::size_t>(w)));
        file.setFrameBuffer(frame);
        file.writeTiles(0, file.numXTiles(level) - 1, 0, file.numYTiles(level) - 1, level);
    }
}

void expect_level(const ImageSource& source, int level) {
    std::vector<float> got(static_cast<std::size_t>(source.width() * source.height()));
    ASSERT_TRUE(
        source.read_region({0}, source.bounds(), std::as_writable_bytes(std::span(got))).ok());
    for (std::int64_t y = 0; y < source.height(); ++y) {
        for (std::int64_t x = 0; x < source.width(); ++x) {
            ASSERT_EQ(got[static_cast<std::size_t>(y * source.width() + x)],
                      level_value(level, static_cast<int>(x), static_cast<int>(y)))
                << "level " << level << " at " << x << "," << y;
        }
    }
}

TEST(OpenExrRegion, MipMapLevelsAreThePyramidsStoredLevels) {
    const auto path = testing::temp_path("region-mipmap.exr");
    write_mipmap(path, 100, 70, Imf::ROUND_UP);
    auto images = load_images(path, by_region());
    ASSERT_TRUE(images.ok()) << images.error().message;
    const Image& image = images->front();
    auto source = image.source;
    EXPECT_EQ(source->read_unit(), (Rect{0, 0, 16, 8}));
    expect_level(*source, 0);
    // 100 x 70 halves, rounding up, to 50x35, 25x18, 13x9, 7x5, 4x3, 2x2, 1x1.
    for (int k = 1; k <= 7; ++k) {
        auto level = source->stored_level(k);
        ASSERT_NE(level, nullptr) << k;
        EXPECT_EQ(level->width(), (100 + (1 << k) - 1) >> k);
        EXPECT_EQ(level->height(), (70 + (1 << k) - 1) >> k);
        expect_level(*level, k);
    }
    EXPECT_EQ(source->stored_level(8), nullptr);
    bool listed = false;
    for (const auto& [key, value] : image.metadata.properties) {
        listed = listed || (key == "stored pyramid" && value.find("7 mip-map levels (50x35, "
                                                                  "25x18") == 0);
    }
    EXPECT_TRUE(listed);
    // The pyramid reads the file's level 2 rather than reducing level 0.
    Pyramid pyramid(source, std::size_t{8} << 20, 16);
    std::vector<float> got(25 * 18);
    ASSERT_TRUE(
        pyramid.read_region({0}, 2, {0, 0, 25, 18}, std::as_writable_bytes(std::span(got))).ok());
    EXPECT_EQ(got[0], level_value(2, 0, 0));
    EXPECT_EQ(got[3 * 25 + 24], level_value(2, 24, 3));
}

TEST(OpenExrRegion, RoundedDownLevelsAreUsedOnlyWhileTheirSizesAgree) {
    const auto path = testing::temp_path("region-mipmap-down.exr");
    write_mipmap(path, 100, 70, Imf::ROUND_DOWN);
    auto images = load_images(path, by_region());
    ASSERT_TRUE(images.ok()) << images.error().message;
    const auto& source = images->front().source;
    // 50x35 and 25x17: the second is not ceil(70 / 4) = 18 rows, so only level 1 is used.
    ASSERT_NE(source->stored_level(1), nullptr);
    expect_level(*source->stored_level(1), 1);
    EXPECT_EQ(source->stored_level(2), nullptr);
    // Whole, the same file shows level 0 and builds its pyramid.
    auto whole = load_images(path);
    ASSERT_TRUE(whole.ok()) << whole.error().message;
    EXPECT_EQ(whole->front().source->stored_level(1), nullptr);
    expect_level(*whole->front().source, 0);
}

TEST(OpenExrRegion, FilesReadByRegionAreNotHeldToThePixelLimit) {
    const auto path = testing::temp_path("region-limit.exr");
    write_scanline(path, Imf::ZIP_COMPRESSION);
    LoadOptions options = by_region();
    options.max_pixels = 100;
    auto region = load_images(path, options);
    ASSERT_TRUE(region.ok()) << region.error().message;
    options.decode_whole_below = LoadOptions{}.decode_whole_below;
    auto whole = load_images(path, options);
    ASSERT_FALSE(whole.ok());
    EXPECT_NE(whole.error().message.find("more than the limit of 100 pixels"), std::string::npos)
        << whole.error().message;
    // Chunks over the chunk limit are refused when read, naming them.
    options = by_region();
    options.max_chunk_bytes = 1000;  // a 16-line ZIP block of 75 pixels of 10 bytes is 12000
    auto refused = load_images(path, options);
    ASSERT_TRUE(refused.ok());
    std::vector<std::byte> dst(4);
    auto read = refused->front().source->read_region({1}, {0, 0, 1, 1}, dst);
    ASSERT_FALSE(read.ok());
    EXPECT_NE(read.error().message.find("scanlines 7 to 22 would decode to 12000 bytes"),
              std::string::npos)
        << read.error().message;
}

TEST(OpenExrRegion, ADamagedChunkIsAnErrorNamingItWhenRead) {
    const auto path = testing::temp_path("region-damaged.exr");
    write_scanline(path, Imf::ZIP_COMPRESSION);
    auto bytes = testing::read_bytes(path);
    auto parts = scan_exr(bytes, {std::uint64_t{1} << 30});
    ASSERT_TRUE(parts.ok()) << parts.error().message;
    // The second chunk's compressed bytes (after its line number and size) become garbage.
    std::uint64_t chunk = 0;
    std::memcpy(&chunk, bytes.data() + parts->front().offset_table + 8, 8);
    std::int32_t size = 0;
    std::memcpy(&size, bytes.data() + chunk + 4, 4);
    for (std::size_t i = chunk + 8; i < chunk + 8 + static_cast<std::size_t>(size); ++i) {
        bytes[i] = std::byte{0xa5};
    }
    testing::write_bytes(path, bytes);
    auto images = load_images(path, by_region());
    ASSERT_TRUE(images.ok()) << images.error().message;
    const ImageSource& source = *images->front().source;
    std::vector<std::byte> dst(source.region_bytes(1, {0, 0, kWidth, 16}));
    EXPECT_TRUE(source.read_region({1}, {0, 0, kWidth, 16}, dst).ok());
    auto damaged = source.read_region({1}, {0, 16, kWidth, 16}, dst);
    ASSERT_FALSE(damaged.ok());
    EXPECT_EQ(damaged.error().message.rfind("cannot decode OpenEXR scanlines 23 to 38: ", 0), 0u)
        << damaged.error().message;
    // Whole, the same file is refused at open.
    EXPECT_FALSE(load_images(path).ok());
}

}  // namespace
}  // namespace tessera::core
