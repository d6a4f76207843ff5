// TIFF files written here by libtiff, so every expected value is known: each sample type and
// bit depth, both planar layouts, strips and tiles, both byte orders, BigTIFF, the compressions
// of Debian's libtiff, pages as stacks and parts, ImageJ and OME-TIFF descriptions, files read
// whole and by region (which must agree), damaged files, and a huge sparse tiled file.
#include <atomic>
#include <cmath>
#include <cstdarg>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <tiffio.h>

#include "core/image/SampleType.h"
#include "core/io/ImageLoader.h"
#include "core/io/tiff/TiffMetadata.h"
#include "core/lod/Pyramid.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TiffWriter.h"

namespace tessera::core {
namespace {

using testing::TiffSpec;
using Spec = TiffSpec;

// Writes the file (tests/support/TiffWriter) or fails the test.
void write_file(const std::filesystem::path& path, const Spec& spec,
                const testing::TiffValue& value) {
    ASSERT_TRUE(testing::write_tiff(path, spec, value)) << path;
}

// Every sample of a plane as double, through read_region in the channel's type.
std::vector<double> read_plane(const ImageSource& source, const Plane& plane, Rect rect) {
    const SampleType type = source.channels()[plane.channel].type;
    std::vector<std::byte> bytes(source.region_bytes(plane.channel, rect));
    auto result = source.read_region(plane, rect, bytes);
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
    std::vector<double> values;
    for (std::size_t i = 0; i < bytes.size(); i += sample_size(type)) {
        values.push_back(sample_as_float(bytes.data() + i, type));
    }
    return values;
}

// Opens the file whole and by region and checks both against `expected` everywhere, including
// a region that straddles chunks.
void expect_values(
    const std::filesystem::path& path, std::size_t channels,
    const std::function<double(int channel, std::uint32_t x, std::uint32_t y)>& expected,
    SampleType type, const std::string& what) {
    for (std::uint64_t whole_below : {std::uint64_t{64} << 20, std::uint64_t{0}}) {
        LoadOptions options;
        options.decode_whole_below = whole_below;
        auto images = load_images(path, options);
        ASSERT_TRUE(images.ok()) << what << ": " << images.error().message;
        const ImageSource& source = *images->front().source;
        ASSERT_EQ(source.channel_count(), channels) << what;
        for (const Rect rect : {source.bounds(), Rect{5, 3, 19, 17}}) {
            for (std::size_t c = 0; c < channels; ++c) {
                EXPECT_EQ(source.channels()[c].type, type) << what;
                const auto values = read_plane(source, {c}, rect);
                for (std::int64_t y = 0; y < rect.height; ++y) {
                    for (std::int64_t x = 0; x < rect.width; ++x) {
                        const double want =
                            expected(static_cast<int>(c), static_cast<std::uint32_t>(rect.x + x),
                                     static_cast<std::uint32_t>(rect.y + y));
                        const double got = values[static_cast<std::size_t>(y * rect.width + x)];
                        ASSERT_EQ(got, want)
                            << what << (whole_below ? " (whole)" : " (by region)") << " channel "
                            << c << " at " << rect.x + x << "," << rect.y + y;
                    }
                }
            }
        }
    }
}

struct TypeCase {
    std::uint16_t bits;
    std::uint16_t format;
    SampleType delivered;
    double lo, hi;  // the value range written
};

TEST(TiffRoundTrip, EverySampleTypeKeepsItsValuesByTheDocumentedRule) {
    const TypeCase cases[] = {
        {1, SAMPLEFORMAT_UINT, SampleType::U8, 0, 1},
        {2, SAMPLEFORMAT_UINT, SampleType::U8, 0, 3},
        {4, SAMPLEFORMAT_UINT, SampleType::U8, 0, 15},
        {8, SAMPLEFORMAT_UINT, SampleType::U8, 0, 255},
        {12, SAMPLEFORMAT_UINT, SampleType::U16, 0, 4095},
        {16, SAMPLEFORMAT_UINT, SampleType::U16, 0, 65535},
        {32, SAMPLEFORMAT_UINT, SampleType::U32, 0, 16777215},
        {64, SAMPLEFORMAT_UINT, SampleType::F32, 0, 16777215},
        {8, SAMPLEFORMAT_INT, SampleType::F16, -128, 127},
        {16, SAMPLEFORMAT_INT, SampleType::F32, -32768, 32767},
        {32, SAMPLEFORMAT_INT, SampleType::F32, -16777216, 16777216},
        {64, SAMPLEFORMAT_INT, SampleType::F32, -16777216, 16777216},
        {16, SAMPLEFORMAT_IEEEFP, SampleType::F16, -2048, 2048},
        {32, SAMPLEFORMAT_IEEEFP, SampleType::F32, -1e6, 1e6},
        {64, SAMPLEFORMAT_IEEEFP, SampleType::F32, -1e6, 1e6},
    };
    for (const TypeCase& type : cases) {
        for (const bool big_endian : {false, true}) {
            for (const bool tiled : {false, true}) {
                Spec spec;
                spec.bits = type.bits;
                spec.format = type.format;
                spec.tiled = tiled;
                spec.mode = big_endian ? "wb" : "w";
                // Integers spread over the whole range; exact in every delivered type.
                auto value = [&](int, int, std::uint32_t x, std::uint32_t y) {
                    const double t = static_cast<double>((x * 131 + y * 71) % 97) / 96.0;
                    return std::round(type.lo + t * (type.hi - type.lo));
                };
                const auto path = testing::temp_path("types.tif");
                write_file(path, spec, value);
                const std::string what =
                    fmt::format("{}-bit format {} {} {}", type.bits, type.format,
                                big_endian ? "MM" : "II", tiled ? "tiles" : "strips");
                expect_values(
                    path, 1,
                    [&](int, std::uint32_t x, std::uint32_t y) { return value(0, 0, x, y); },
                    type.delivered, what);
            }
        }
    }
}

TEST(TiffRoundTrip, SeparateAndContiguousPlanesGiveTheSameChannels) {
    for (const std::uint16_t planar : {PLANARCONFIG_CONTIG, PLANARCONFIG_SEPARATE}) {
        for (const bool tiled : {false, true}) {
            Spec spec;
            spec.spp = 4;
            spec.bits = 16;
            spec.photometric = PHOTOMETRIC_RGB;
            spec.extra = {EXTRASAMPLE_UNASSALPHA};
            spec.planar = planar;
            spec.tiled = tiled;
            auto value = [](int, int s, std::uint32_t x, std::uint32_t y) {
                return static_cast<double>(s * 10000 + x * 100 + y);
            };
            const auto path = testing::temp_path("planar.tif");
            write_file(path, spec, value);
            auto images = load_images(path);
            ASSERT_TRUE(images.ok()) << images.error().message;
            const auto& channels = images->front().source->channels();
            ASSERT_EQ(channels.size(), 4u);
            EXPECT_EQ(channels[0].name, "R");
            EXPECT_EQ(channels[3].name, "A");
            expect_values(
                path, 4, [&](int c, std::uint32_t x, std::uint32_t y) { return value(0, c, x, y); },
                SampleType::U16, planar == PLANARCONFIG_SEPARATE ? "separate" : "contiguous");
        }
    }
}

TEST(TiffRoundTrip, EveryCompressionOfThisLibtiffDecodes) {
    struct Case {
        std::uint16_t compression;
        std::uint16_t predictor;
        const char* name;
    };
    const Case cases[] = {
        {COMPRESSION_NONE, PREDICTOR_NONE, "none"},
        {COMPRESSION_PACKBITS, PREDICTOR_NONE, "PackBits"},
        {COMPRESSION_LZW, PREDICTOR_HORIZONTAL, "LZW"},
        {COMPRESSION_ADOBE_DEFLATE, PREDICTOR_HORIZONTAL, "Deflate"},
        {COMPRESSION_ZSTD, PREDICTOR_NONE, "ZSTD"},
        {COMPRESSION_LZMA, PREDICTOR_NONE, "LZMA"},
        {COMPRESSION_WEBP, PREDICTOR_NONE, "WebP"},
        {COMPRESSION_JPEG, PREDICTOR_NONE, "JPEG"},
    };
    for (const Case& c : cases) {
        if (!TIFFIsCODECConfigured(c.compression)) {
            std::printf("libtiff has no %s codec here; not tested\n", c.name);
            continue;
        }
        Spec spec;
        spec.width = 64;
        spec.height = 48;
        spec.spp = 3;
        spec.photometric = PHOTOMETRIC_RGB;
        spec.compression = c.compression;
        spec.predictor = c.predictor;
        spec.tiled = true;
        // Smooth, so the lossy codecs (JPEG, WebP at its default quality) stay close.
        auto value = [](int, int s, std::uint32_t x, std::uint32_t y) {
            return static_cast<double>(40 + s * 50 + x + y);
        };
        const auto path = testing::temp_path("compressed.tif");
        write_file(path, spec, value);
        auto images = load_images(path);
        ASSERT_TRUE(images.ok()) << c.name << ": " << images.error().message;
        EXPECT_NE(images->front().metadata.compression.find(c.name), std::string::npos)
            << images->front().metadata.compression;
        const bool lossy = c.compression == COMPRESSION_JPEG || c.compression == COMPRESSION_WEBP;
        for (std::size_t ch = 0; ch < 3; ++ch) {
            const auto values = read_plane(*images->front().source, {ch}, {0, 0, 64, 48});
            for (std::uint32_t y = 0; y < 48; ++y) {
                for (std::uint32_t x = 0; x < 64; ++x) {
                    const double want = value(0, static_cast<int>(ch), x, y);
                    ASSERT_NEAR(values[y * 64 + x], want, lossy ? 8.0 : 0.0)
                        << c.name << " channel " << ch << " at " << x << "," << y;
                }
            }
        }
    }
}

TEST(TiffRoundTrip, MinIsWhiteIsInvertedAndBigTiffReads) {
    Spec spec;
    spec.photometric = PHOTOMETRIC_MINISWHITE;
    spec.mode = "w8";
    const auto path = testing::temp_path("white.tif");
    write_file(path, spec, [](int, int, std::uint32_t x, std::uint32_t) { return x; });
    expect_values(
        path, 1, [](int, std::uint32_t x, std::uint32_t) { return 255.0 - x; }, SampleType::U8,
        "MinIsWhite BigTIFF");
}

// Every pixel of every plane of a file, read whole (or by region when decode_whole_below is 0).
std::vector<std::vector<double>> all_planes(const std::filesystem::path& path,
                                            std::uint64_t whole_below, std::int64_t& width,
                                            std::int64_t& height) {
    LoadOptions options;
    options.decode_whole_below = whole_below;
    auto images = load_images(path, options);
    EXPECT_TRUE(images.ok()) << (images.ok() ? "" : images.error().message);
    std::vector<std::vector<double>> planes;
    if (!images.ok()) {
        return planes;
    }
    const ImageSource& source = *images->front().source;
    width = source.width();
    height = source.height();
    for (std::size_t c = 0; c < source.channel_count(); ++c) {
        planes.push_back(read_plane(source, {c}, source.bounds()));
    }
    return planes;
}

TEST(TiffRoundTrip, OrientationTagsTurnAndMirrorThePageAsTheySay) {
    // Grey strips (whole and by region), tiles, and CIELab through libtiff's RGBA interface:
    // each orientation shows the stored pixel (sx, sy) where the tag puts row 0 and column 0.
    Spec grey;
    grey.bits = 16;
    grey.width = 11;
    grey.height = 6;
    Spec tiled = grey;
    tiled.tiled = true;
    tiled.tile = 16;
    Spec lab = grey;
    lab.bits = 8;
    lab.spp = 3;
    lab.photometric = PHOTOMETRIC_CIELAB;
    const std::int64_t w = grey.width;
    const std::int64_t h = grey.height;
    const auto shown_at = [&](int orientation, std::int64_t sx, std::int64_t sy) {
        switch (orientation) {
            case 2:  // row 0 top, column 0 right
                return std::pair{w - 1 - sx, sy};
            case 3:  // row 0 bottom, column 0 right
                return std::pair{w - 1 - sx, h - 1 - sy};
            case 4:  // row 0 bottom, column 0 left
                return std::pair{sx, h - 1 - sy};
            case 5:  // row 0 left, column 0 top
                return std::pair{sy, sx};
            case 6:  // row 0 right, column 0 top
                return std::pair{h - 1 - sy, sx};
            case 7:  // row 0 right, column 0 bottom
                return std::pair{h - 1 - sy, w - 1 - sx};
            case 8:  // row 0 left, column 0 bottom
                return std::pair{sy, w - 1 - sx};
            default:
                return std::pair{sx, sy};
        }
    };
    for (Spec spec : {grey, tiled, lab}) {
        const auto value = [](int, int sample, std::uint32_t x, std::uint32_t y) {
            return static_cast<double>((x * 7 + y * 31 + static_cast<std::uint32_t>(sample) * 5) %
                                       200);
        };
        spec.orientation = 1;
        const auto reference_path = testing::temp_path("orientation-1.tif");
        write_file(reference_path, spec, value);
        std::int64_t rw = 0;
        std::int64_t rh = 0;
        const auto reference = all_planes(reference_path, std::uint64_t{64} << 20, rw, rh);
        ASSERT_EQ(rw, w);
        for (int orientation = 2; orientation <= 8; ++orientation) {
            spec.orientation = static_cast<std::uint16_t>(orientation);
            const auto path = testing::temp_path(fmt::format("orientation-{}.tif", orientation));
            write_file(path, spec, value);
            for (const std::uint64_t whole_below : {std::uint64_t{64} << 20, std::uint64_t{0}}) {
                std::int64_t sw = 0;
                std::int64_t sh = 0;
                const auto shown = all_planes(path, whole_below, sw, sh);
                ASSERT_EQ(sw, orientation >= 5 ? h : w) << orientation;
                ASSERT_EQ(sh, orientation >= 5 ? w : h) << orientation;
                ASSERT_EQ(shown.size(), reference.size());
                for (std::size_t c = 0; c < shown.size(); ++c) {
                    for (std::int64_t sy = 0; sy < h; ++sy) {
                        for (std::int64_t sx = 0; sx < w; ++sx) {
                            const auto [x, y] = shown_at(orientation, sx, sy);
                            ASSERT_EQ(shown[c][static_cast<std::size_t>(y * sw + x)],
                                      reference[c][static_cast<std::size_t>(sy * w + sx)])
                                << "photometric " << spec.photometric << ", orientation "
                                << orientation << ", channel " << c << " at " << sx << "," << sy;
                        }
                    }
                }
            }
        }
    }
}

TEST(TiffPages, ReducedPagesOfTheMainChainAreThePyramidsLevels) {
    // A 100 x 70 page, then reduced pages as GDAL writes overviews: 50 x 35 (level 1), a
    // 20 x 14 thumbnail (no level), 13 x 9 (level 3). Each holds 1000 * its level + x.
    const auto path = testing::temp_path("overviews.tif");
    TIFF* tif = TIFFOpen(path.c_str(), "w");
    ASSERT_NE(tif, nullptr);
    const std::tuple<std::uint32_t, std::uint32_t, int> pages[] = {
        {100, 70, 0}, {50, 35, 1}, {20, 14, 9}, {13, 9, 3}};
    for (const auto& [width, height, level] : pages) {
        Spec spec;
        spec.width = width;
        spec.height = height;
        spec.bits = 16;
        spec.tiled = true;
        testing::set_tiff_fields(tif, spec, level == 0);
        if (level > 0) {
            TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_REDUCEDIMAGE);
        }
        for (std::uint32_t ty = 0; ty < height; ty += spec.tile) {
            for (std::uint32_t tx = 0; tx < width; tx += spec.tile) {
                std::vector<std::uint16_t> tile(spec.tile * spec.tile);
                for (std::uint32_t i = 0; i < tile.size(); ++i) {
                    tile[i] = static_cast<std::uint16_t>(1000 * level + tx + i % spec.tile);
                }
                ASSERT_GE(TIFFWriteTile(tif, tile.data(), tx, ty, 0, 0), 0);
            }
        }
        ASSERT_NE(TIFFWriteDirectory(tif), 0);
    }
    TIFFClose(tif);
    auto images = load_images(path);
    ASSERT_TRUE(images.ok()) << images.error().message;
    ASSERT_EQ(images->size(), 1u) << "reduced pages are levels, not parts";
    const Image& image = images->front();
    auto source = image.source;
    ASSERT_EQ(source->width(), 100);
    ASSERT_NE(source->stored_level(1), nullptr);
    EXPECT_EQ(source->stored_level(1)->width(), 50);
    EXPECT_EQ(source->stored_level(2), nullptr);
    ASSERT_NE(source->stored_level(3), nullptr);
    EXPECT_EQ(source->stored_level(3)->height(), 9);
    EXPECT_EQ(read_plane(*source->stored_level(3), {0}, {12, 8, 1, 1}),
              std::vector<double>{3000 + 12});
    bool listed = false;
    for (const auto& [key, value] : image.metadata.properties) {
        listed = listed || (key == "stored pyramid" &&
                            value ==
                                "2 reduced-page levels (50x35, 13x9), read as the pyramid's "
                                "levels");
    }
    EXPECT_TRUE(listed);
    // The pyramid reads level 1 from the file; level 2, not stored, is built from level 0.
    Pyramid pyramid(source, std::size_t{8} << 20, 16);
    std::vector<std::uint16_t> got(50 * 35);
    ASSERT_TRUE(
        pyramid.read_region({0}, 1, {0, 0, 50, 35}, std::as_writable_bytes(std::span(got))).ok());
    EXPECT_EQ(got[7], 1000 + 7);
    std::vector<std::uint16_t> two(25 * 18);
    ASSERT_TRUE(
        pyramid.read_region({0}, 2, {0, 0, 25, 18}, std::as_writable_bytes(std::span(two))).ok());
    EXPECT_EQ(two[0], 2);  // the mean of 0, 1, 2, 3, rounded
}

TEST(TiffMetadata, PageZerosDescriptiveTagsAreListedAsProperties) {
    Spec spec;
    spec.compression = COMPRESSION_LZW;
    spec.description = "made by a test\twith a tab";
    const auto path = testing::temp_path("tags.tif");
    write_file(path, spec, [](int, int, std::uint32_t x, std::uint32_t) { return x; });
    auto images = load_images(path);
    ASSERT_TRUE(images.ok()) << images.error().message;
    std::map<std::string, std::string> properties;
    for (const auto& [key, value] : images->front().metadata.properties) {
        properties[key] = value;
    }
    EXPECT_EQ(properties["tag ImageWidth x ImageLength"], "37 x 29");
    EXPECT_EQ(properties["tag BitsPerSample"], "8");
    EXPECT_EQ(properties["tag Compression"], "5 (LZW)");
    EXPECT_EQ(properties["tag ImageDescription"], "made by a test with a tab") << "printable";
}

TEST(TiffRoundTrip, PaletteBecomesRgbThroughItsColormap) {
    const auto path = testing::temp_path("palette.tif");
    Spec spec;
    spec.width = 4;
    spec.height = 1;
    spec.bits = 2;
    spec.photometric = PHOTOMETRIC_PALETTE;
    spec.colormap = {{{0, 65535, 0, 32896}, {0, 0, 65535, 32896}, {0, 0, 0, 65535}}};
    write_file(path, spec, [](int, int, std::uint32_t x, std::uint32_t) { return x; });
    auto images = load_images(path);
    ASSERT_TRUE(images.ok()) << images.error().message;
    const ImageSource& source = *images->front().source;
    ASSERT_EQ(source.channel_count(), 3u);
    EXPECT_EQ(read_plane(source, {0}, {0, 0, 4, 1}), (std::vector<double>{0, 255, 0, 128}));
    EXPECT_EQ(read_plane(source, {1}, {0, 0, 4, 1}), (std::vector<double>{0, 0, 255, 128}));
    EXPECT_EQ(read_plane(source, {2}, {0, 0, 4, 1}), (std::vector<double>{0, 0, 0, 255}));
}

TEST(TiffPages, PagesOfOneLayoutStackAndOthersBecomeParts) {
    const auto path = testing::temp_path("pages.tif");
    TIFF* tif = TIFFOpen(path.c_str(), "w");
    ASSERT_NE(tif, nullptr);
    // Three 8x6 u16 pages, then one 4x4 u8 page.
    for (int page = 0; page < 4; ++page) {
        const bool small = page == 3;
        Spec spec;
        spec.width = small ? 4 : 8;
        spec.height = small ? 4 : 6;
        spec.bits = small ? 8 : 16;
        testing::set_tiff_fields(tif, spec, page == 0);
        for (std::uint32_t y = 0; y < spec.height; ++y) {
            std::uint16_t row16[8];
            std::uint8_t row8[4];
            for (std::uint32_t x = 0; x < spec.width; ++x) {
                row16[x % 8] = static_cast<std::uint16_t>(page * 1000 + y * 10 + x);
                row8[x % 4] = static_cast<std::uint8_t>(200 + x);
            }
            ASSERT_EQ(TIFFWriteScanline(tif, small ? static_cast<void*>(row8) : row16, y, 0), 1);
        }
        TIFFWriteDirectory(tif);
    }
    TIFFClose(tif);
    auto images = load_images(path);
    ASSERT_TRUE(images.ok()) << images.error().message;
    ASSERT_EQ(images->size(), 2u);
    const ImageSource& stack = *(*images)[0].source;
    ASSERT_EQ(stack.axes().size(), 1u);
    EXPECT_EQ(stack.axes()[0].name, "Z");
    EXPECT_EQ(stack.axes()[0].extent, 3);
    EXPECT_EQ(read_plane(stack, {0, {2}}, {3, 4, 1, 1}), std::vector<double>{2043});
    EXPECT_EQ((*images)[1].source->width(), 4);
    EXPECT_EQ((*images)[1].metadata.part_name, "page 3");
    EXPECT_EQ(read_plane(*(*images)[1].source, {0}, {1, 0, 1, 1}), std::vector<double>{201});
}

// A value per (c, z, t) plane that says where it came from.
double plane_value(int c, int z, int t) {
    return c * 100 + z * 10 + t;
}

TEST(TiffPages, ImageJHyperstackPagesBecomeChannelsAndSlices) {
    Spec spec;
    spec.bits = 32;
    spec.format = SAMPLEFORMAT_IEEEFP;
    spec.pages = 2 * 3 * 2;  // C fastest, then Z, then T
    spec.description = "ImageJ=1.53t\nimages=12\nchannels=2\nslices=3\nframes=2\nhyperstack=true\n";
    const auto path = testing::temp_path("imagej.tif");
    write_file(path, spec, [](int page, int, std::uint32_t, std::uint32_t) {
        return plane_value(page % 2, page / 2 % 3, page / 6);
    });
    auto images = load_images(path);
    ASSERT_TRUE(images.ok()) << images.error().message;
    const ImageSource& source = *images->front().source;
    ASSERT_EQ(source.channel_count(), 2u);
    EXPECT_EQ(source.channels()[1].name, "C1");
    ASSERT_EQ(source.axes().size(), 2u);
    EXPECT_EQ(source.axes()[0].name, "T");
    EXPECT_EQ(source.axes()[1].name, "Z");
    EXPECT_EQ(images->front().metadata.axes, "TZCYX");
    for (int t = 0; t < 2; ++t) {
        for (int z = 0; z < 3; ++z) {
            for (int c = 0; c < 2; ++c) {
                EXPECT_EQ(read_plane(source, {static_cast<std::size_t>(c), {t, z}}, {1, 1, 1, 1}),
                          std::vector<double>{plane_value(c, z, t)});
            }
        }
    }
}

// What ImageJ writes for a hyperstack over 4 GB, by hand (libtiff writes its IFD after the
// pixels): one IFD of one 16-bit strip, the description, then `images` planes one after another.
std::vector<std::byte> imagej_one_ifd(bool big_endian, std::uint32_t width, std::uint32_t height,
                                      const std::string& description,
                                      const std::vector<std::uint16_t>& samples) {
    std::vector<std::byte> out;
    const auto put = [&](std::uint64_t value, int bytes) {
        for (int k = 0; k < bytes; ++k) {
            const int shift = big_endian ? 8 * (bytes - 1 - k) : 8 * k;
            out.push_back(static_cast<std::byte>(value >> shift & 0xff));
        }
    };
    const std::uint32_t entries = 10;
    const std::uint32_t text_at = 8 + 2 + entries * 12 + 4;
    const auto text_size = static_cast<std::uint32_t>(description.size() + 1);
    const std::uint32_t data_at = (text_at + text_size + 15) / 16 * 16;
    out.push_back(std::byte{big_endian ? std::uint8_t{'M'} : std::uint8_t{'I'}});
    out.push_back(out.back());
    put(42, 2);
    put(8, 4);
    put(entries, 2);
    // tag, type (3 SHORT, 4 LONG, 2 ASCII), count, value: a SHORT sits in the field's first bytes
    const auto entry = [&](std::uint16_t tag, std::uint16_t type, std::uint32_t count,
                           std::uint32_t value) {
        put(tag, 2);
        put(type, 2);
        put(count, 4);
        if (type == 3) {
            put(value, 2);
            put(0, 2);
        } else {
            put(value, 4);
        }
    };
    entry(256, 4, 1, width);
    entry(257, 4, 1, height);
    entry(258, 3, 1, 16);
    entry(259, 3, 1, 1);
    entry(262, 3, 1, 1);
    entry(270, 2, text_size, text_at);
    entry(273, 4, 1, data_at);
    entry(277, 3, 1, 1);
    entry(278, 4, 1, height);
    entry(279, 4, 1, width * height * 2);
    put(0, 4);
    for (char ch : description) {
        out.push_back(static_cast<std::byte>(ch));
    }
    out.resize(data_at, std::byte{0});
    for (std::uint16_t v : samples) {
        put(v, 2);
    }
    return out;
}

TEST(TiffPages, ImageJHyperstacksOverFourGigabytesAreReadFromTheirOneIfd) {
    constexpr std::uint32_t kWidth = 7;
    constexpr std::uint32_t kHeight = 5;
    const std::string description =
        "ImageJ=1.54f\nimages=12\nchannels=2\nslices=3\nframes=2\nhyperstack=true\n";
    // Plane k (C fastest, then Z, then T) holds 1000 k + the pixel's index.
    std::vector<std::uint16_t> samples;
    for (std::uint32_t k = 0; k < 12; ++k) {
        for (std::uint32_t i = 0; i < kWidth * kHeight; ++i) {
            samples.push_back(static_cast<std::uint16_t>(1000 * k + i));
        }
    }
    for (const bool big_endian : {false, true}) {
        const auto path = testing::temp_path("imagej-4gb.tif");
        testing::write_bytes(path,
                             imagej_one_ifd(big_endian, kWidth, kHeight, description, samples));
        auto images = load_images(path);
        ASSERT_TRUE(images.ok()) << images.error().message;
        ASSERT_EQ(images->size(), 1u);
        const Image& image = images->front();
        EXPECT_NE(image.metadata.storage.find("ImageJ over 4 GB"), std::string::npos)
            << image.metadata.storage;
        EXPECT_EQ(image.metadata.axes, "TZCYX");
        const ImageSource& source = *image.source;
        ASSERT_EQ(source.channel_count(), 2u);
        EXPECT_EQ(source.channels()[1].name, "C1");
        EXPECT_EQ(source.channels()[1].type, SampleType::U16);
        ASSERT_EQ(source.axes().size(), 2u);
        EXPECT_EQ(source.axes()[0].name, "T");
        EXPECT_EQ(source.axes()[1].name, "Z");
        for (int t = 0; t < 2; ++t) {
            for (int z = 0; z < 3; ++z) {
                for (int c = 0; c < 2; ++c) {
                    const double k = (t * 3 + z) * 2 + c;
                    EXPECT_EQ(
                        read_plane(source, {static_cast<std::size_t>(c), {t, z}}, {3, 2, 1, 1}),
                        std::vector<double>{1000 * k + 2 * kWidth + 3})
                        << "big endian " << big_endian;
                }
            }
        }
    }
    // Fewer planes in the file than the description promises: an error saying so.
    const auto path = testing::temp_path("imagej-4gb-short.tif");
    samples.resize(samples.size() - 1);
    testing::write_bytes(path, imagej_one_ifd(false, kWidth, kHeight, description, samples));
    auto images = load_images(path);
    ASSERT_FALSE(images.ok());
    EXPECT_NE(images.error().message.find("ImageJ says 12 images of 7x5 follow the first page"),
              std::string::npos)
        << images.error().message;
}

TEST(TiffPages, OmeTiffPlacesPlanesByDimensionOrderAndTiffData) {
    // DimensionOrder XYCZT with the IFDs listed backwards through TiffData.
    std::string xml =
        R"(<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06">)"
        R"(<Image ID="Image:0"><Pixels ID="Pixels:0" DimensionOrder="XYCZT" Type="uint16" )"
        R"(SizeX="37" SizeY="29" SizeZ="2" SizeC="3" SizeT="1" PhysicalSizeX="0.325" )"
        R"(PhysicalSizeY="0.325" PhysicalSizeXUnit="µm">)"
        R"(<Channel ID="Channel:0:0" Name="DAPI" Color="65535" SamplesPerPixel="1"/>)"
        R"(<Channel ID="Channel:0:1" Name="GFP &amp; co" Color="16711935" SamplesPerPixel="1"/>)"
        R"(<Channel ID="Channel:0:2" Name="mCherry" Color="-16776961" SamplesPerPixel="1"/>)";
    for (int plane = 0; plane < 6; ++plane) {
        xml += fmt::format(R"(<TiffData IFD="{}" FirstC="{}" FirstZ="{}" PlaneCount="1"/>)",
                           5 - plane, plane % 3, plane / 3);
    }
    xml += "</Pixels></Image></OME>";
    Spec spec;
    spec.bits = 16;
    spec.pages = 6;
    spec.description = xml;
    const auto path = testing::temp_path("planes.ome.tif");
    write_file(path, spec, [](int page, int, std::uint32_t, std::uint32_t) {
        const int plane = 5 - page;
        return plane_value(plane % 3, plane / 3, 0);
    });
    auto images = load_images(path);
    ASSERT_TRUE(images.ok()) << images.error().message;
    const Image& image = images->front();
    const ImageSource& source = *image.source;
    ASSERT_EQ(source.channel_count(), 3u);
    EXPECT_EQ(source.channels()[0].name, "DAPI");
    EXPECT_EQ(source.channels()[1].name, "GFP & co");
    // Color is a signed RGBA integer: 65535 is blue, 16711935 green, -16776961 red.
    EXPECT_EQ(source.channels()[0].colour, (std::array<std::uint8_t, 3>{0, 0, 255}));
    EXPECT_EQ(source.channels()[1].colour, (std::array<std::uint8_t, 3>{0, 255, 0}));
    EXPECT_EQ(source.channels()[2].colour, (std::array<std::uint8_t, 3>{255, 0, 0}));
    ASSERT_EQ(source.axes().size(), 1u);
    EXPECT_EQ(source.axes()[0].extent, 2);
    EXPECT_DOUBLE_EQ(image.metadata.pixel_size.x, 0.325);
    EXPECT_EQ(image.metadata.pixel_size.unit, "µm");
    for (int z = 0; z < 2; ++z) {
        for (int c = 0; c < 3; ++c) {
            EXPECT_EQ(read_plane(source, {static_cast<std::size_t>(c), {z}}, {0, 0, 1, 1}),
                      std::vector<double>{plane_value(c, z, 0)});
        }
    }
}

TEST(TiffPages, OmePlanesInAnotherFileAreRefusedByName) {
    tiff::OmePixels pixels;
    pixels.size_x = pixels.size_y = 4;
    pixels.size_z = 2;
    pixels.tiff_data = {{0, 0, 0, 0, 1, ""}, {0, 1, 0, 0, 1, "other.ome.tif"}};
    auto ifds = tiff::ome_plane_ifds(pixels, 1, 1, "this.ome.tif");
    ASSERT_FALSE(ifds.ok());
    EXPECT_NE(ifds.error().message.find("z=1 c=0 t=0 is in another file"), std::string::npos)
        << ifds.error().message;
    EXPECT_NE(ifds.error().message.find("does not support"), std::string::npos);
}

TEST(TiffMetadata, MalformedOrAbsurdOmeXmlIsAnErrorNotACrash) {
    for (const char* xml : {"<OME><Image><Pixels SizeX=\"4\"", "<OME><Image></Image></OME>",
                            "<OME><Image><Pixels SizeX=\"4\" SizeY=\"-3\"/></Image></OME>",
                            "<OME><Image><Pixels SizeX=\"4\" SizeY=\"4\" SizeZ=\"100000000\"/>"
                            "</Image></OME>",
                            "<OME><Image><Pixels SizeX=\"4\" SizeY=\"4\" DimensionOrder=\"XYZZT\"/>"
                            "</Image></OME>"}) {
        EXPECT_FALSE(tiff::parse_ome(xml).ok()) << xml;
    }
    auto imagej = tiff::parse_imagej("ImageJ=1.5\nchannels=3\nslices=oops\nframes=2\n");
    ASSERT_TRUE(imagej.has_value());
    EXPECT_EQ(imagej->channels, 3);
    EXPECT_EQ(imagej->slices, 1);
    EXPECT_EQ(imagej->images, 6);
    EXPECT_FALSE(tiff::parse_imagej("not ImageJ").has_value());
}

// Counts calls of libtiff's process-wide handlers, which Tessera must never reach.
int g_global_messages = 0;
void count_global(const char*, const char*, va_list) {
    ++g_global_messages;
}

TEST(TiffErrors, DamagedFilesAreRefusedNamingFileAndReasonThroughTheirOwnHandlers) {
    Spec spec;
    spec.compression = COMPRESSION_ADOBE_DEFLATE;
    spec.rows_per_strip = 29;
    const auto good = testing::temp_path("good.tif");
    write_tiff(good, spec, [](int, int, std::uint32_t x, std::uint32_t y) { return x ^ y; });
    auto bytes = testing::read_bytes(good);
    // Damage the deflate stream (it starts right after the 8-byte header).
    for (std::size_t i = 10; i < 60; ++i) {
        bytes[i] = std::byte{0x5a};
    }
    const auto bad = testing::temp_path("bad.tif");
    testing::write_bytes(bad, bytes);
    const auto old_error = TIFFSetErrorHandler(count_global);
    const auto old_warning = TIFFSetWarningHandler(count_global);
    auto refused = load_images(bad);
    // By region: the damage shows when the strip is read, as an error, not a crash.
    LoadOptions by_region;
    by_region.decode_whole_below = 0;
    auto lazy = load_images(bad, by_region);
    auto fine = load_images(good);
    TIFFSetErrorHandler(old_error);
    TIFFSetWarningHandler(old_warning);
    EXPECT_EQ(g_global_messages, 0);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(
        refused.error().message.rfind(bad.string() + ": cannot decode strip 0 of page 0: ", 0), 0u)
        << refused.error().message;
    ASSERT_TRUE(lazy.ok()) << lazy.error().message;
    std::vector<std::byte> dst(37 * 29);
    auto read = lazy->front().source->read_region({0}, {0, 0, 37, 29}, dst);
    ASSERT_FALSE(read.ok());
    EXPECT_NE(read.error().message.find("cannot decode strip 0"), std::string::npos);
    EXPECT_TRUE(fine.ok());

    // Truncated: the header promises pages the file no longer holds.
    bytes.resize(20);
    testing::write_bytes(bad, bytes);
    auto truncated = load_images(bad);
    ASSERT_FALSE(truncated.ok());
    EXPECT_EQ(truncated.error().message.rfind(bad.string() + ": ", 0), 0u);
}

TEST(TiffErrors, UnsupportedSamplesAreRefusedByName) {
    Spec spec;
    spec.bits = 24;
    spec.format = SAMPLEFORMAT_IEEEFP;
    const auto path = testing::temp_path("float24.tif");
    write_file(path, spec, [](int, int, std::uint32_t, std::uint32_t) { return 0.0; });
    auto images = load_images(path);
    ASSERT_FALSE(images.ok());
    EXPECT_NE(images.error().message.find("does not support 24-bit floating-point samples"),
              std::string::npos)
        << images.error().message;
}

std::size_t resident_kib() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) {
            return std::stoul(line.substr(6));
        }
    }
    return 0;
}

TEST(TiffStreaming, AHugeSparseTiledFileReadsOneTileWithBoundedMemory) {
    // 100000 x 100000 u16 (20 GB decoded), deflate tiles of 256: only one tile is written, the
    // others are sparse (no bytes; libtiff reads them as zeros).
    const auto path = testing::temp_path("huge-sparse.tif");
    {
        Spec spec;
        spec.width = spec.height = 100000;
        spec.bits = 16;
        spec.compression = COMPRESSION_ADOBE_DEFLATE;
        spec.tiled = true;
        spec.tile = 256;
        TIFF* tif = TIFFOpen(path.c_str(), "w8");
        ASSERT_NE(tif, nullptr);
        testing::set_tiff_fields(tif, spec, true);
        std::vector<std::uint16_t> tile(256 * 256);
        for (std::size_t i = 0; i < tile.size(); ++i) {
            tile[i] = static_cast<std::uint16_t>(i % 65521);
        }
        ASSERT_GE(TIFFWriteTile(tif, tile.data(), 50176, 50176, 0, 0), 0);
        TIFFClose(tif);
    }
    EXPECT_LT(std::filesystem::file_size(path), 2u << 20);
    const std::size_t before = resident_kib();
    auto images = load_images(path);
    ASSERT_TRUE(images.ok()) << images.error().message;
    const ImageSource& source = *images->front().source;
    EXPECT_EQ(source.width(), 100000);
    EXPECT_NE(images->front().metadata.storage.find("read by region"), std::string::npos);
    const auto written = read_plane(source, {0}, {50176 + 10, 50176 + 3, 4, 1});
    EXPECT_EQ(written,
              (std::vector<double>{3 * 256 + 10, 3 * 256 + 11, 3 * 256 + 12, 3 * 256 + 13}));
    const auto sparse = read_plane(source, {0}, {1000, 1000, 256, 256});
    EXPECT_TRUE(std::all_of(sparse.begin(), sparse.end(), [](double v) { return v == 0; }));
    const std::size_t grown = resident_kib() - std::min(before, resident_kib());
    EXPECT_LT(grown, 64u * 1024) << "resident memory grew by " << grown << " KiB";
}

TEST(TiffStreaming, AStripTooLargeToCacheDecodesOnlyDownToTheRowsARegionNeeds) {
    // One deflate strip of 8192 x 2304 u8 (18.9 MB, over half the chunk cache), its last
    // kilobyte of compressed data overwritten: rows near the top decode, rows near the bottom
    // meet the damage, and a lower max_chunk_bytes refuses the strip by name.
    Spec spec;
    spec.width = 8192;
    spec.height = 2304;
    spec.rows_per_strip = spec.height;
    spec.compression = COMPRESSION_ADOBE_DEFLATE;
    const auto path = testing::temp_path("one-large-strip.tif");
    const auto value = [](int, int, std::uint32_t x, std::uint32_t y) {
        return (x * 7 + y * 13) % 251;
    };
    write_file(path, spec, value);
    std::uint64_t offset = 0;
    std::uint64_t count = 0;
    {
        TIFF* tif = TIFFOpen(path.c_str(), "r");
        ASSERT_NE(tif, nullptr);
        ASSERT_EQ(TIFFNumberOfStrips(tif), 1u);
        offset = TIFFGetStrileOffset(tif, 0);
        count = TIFFGetStrileByteCount(tif, 0);
        TIFFClose(tif);
    }
    ASSERT_GT(count, 4096u);
    LoadOptions options;
    options.decode_whole_below = 0;
    {
        auto images = load_images(path, options);
        ASSERT_TRUE(images.ok()) << images.error().message;
        const ImageSource& source = *images->front().source;
        const auto expect_rect = [&](Rect rect) {
            const auto values = read_plane(source, {0}, rect);
            ASSERT_EQ(values.size(), static_cast<std::size_t>(rect.width * rect.height));
            for (std::int64_t i = 0; i < static_cast<std::int64_t>(values.size()); ++i) {
                ASSERT_EQ(values[static_cast<std::size_t>(i)],
                          value(0, 0, static_cast<std::uint32_t>(rect.x + i % rect.width),
                                static_cast<std::uint32_t>(rect.y + i / rect.width)))
                    << rect.x << "," << rect.y << " pixel " << i;
            }
        };
        expect_rect({100, 5, 50, 4});
        expect_rect({8000, 2290, 192, 14});
    }
    {
        std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(static_cast<std::streamoff>(offset + count - 1024));
        const std::string garbage(1024, '\xff');
        file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    }
    auto images = load_images(path, options);
    ASSERT_TRUE(images.ok()) << images.error().message;
    const ImageSource& source = *images->front().source;
    EXPECT_EQ(read_plane(source, {0}, {0, 0, 3, 1}), (std::vector<double>{0, 7, 14}));
    std::vector<std::byte> bottom(source.region_bytes(0, {0, 2303, 8, 1}));
    auto damaged = source.read_region({0}, {0, 2303, 8, 1}, bottom);
    ASSERT_FALSE(damaged.ok());
    EXPECT_NE(damaged.error().message.find("strip 0 of page 0"), std::string::npos)
        << damaged.error().message;

    options.max_chunk_bytes = std::size_t{1} << 20;
    auto limited = load_images(path, options);
    ASSERT_TRUE(limited.ok()) << limited.error().message;
    std::vector<std::byte> top(limited->front().source->region_bytes(0, {0, 0, 8, 1}));
    auto refused = limited->front().source->read_region({0}, {0, 0, 8, 1}, top);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("strip 0 of page 0 would decode to 18874368 bytes"),
              std::string::npos)
        << refused.error().message;
}

TEST(TiffStreaming, AStripLargerThanTheCacheReadsTheRowsAskedForInAnyOrder) {
    // One deflate strip of 12288 x 4096 u8 (50 MB, more than the 32 MB chunk cache holds):
    // rows read forwards, backwards and by three threads at once, so that the handles reading
    // the strip row by row go on from where they stand, or start it again, or are shared.
    Spec spec;
    spec.width = 12288;
    spec.height = 4096;
    spec.rows_per_strip = spec.height;
    spec.compression = COMPRESSION_ADOBE_DEFLATE;
    const auto path = testing::temp_path("one-huge-strip.tif");
    const auto value = [](int, int, std::uint32_t x, std::uint32_t y) {
        return (x * 3 + y * 17) % 253;
    };
    write_file(path, spec, value);
    LoadOptions options;
    options.decode_whole_below = 0;  // read by region, not decoded at open
    auto images = load_images(path, options);
    ASSERT_TRUE(images.ok()) << images.error().message;
    const ImageSource& source = *images->front().source;
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t) {
        threads.emplace_back([&, t] {
            std::uint32_t state = 77u + static_cast<std::uint32_t>(t);
            for (int k = 0; k < 30; ++k) {
                state = state * 1664525u + 1013904223u;
                const auto y = static_cast<std::int64_t>(state % 4090);
                const Rect rect{static_cast<std::int64_t>(state % 12000), y, 64,
                                std::min<std::int64_t>(1 + k % 7, 4096 - y)};
                const auto values = read_plane(source, {0}, rect);
                for (std::int64_t i = 0; i < rect.area(); ++i) {
                    if (values.size() != static_cast<std::size_t>(rect.area()) ||
                        values[static_cast<std::size_t>(i)] !=
                            value(0, 0, static_cast<std::uint32_t>(rect.x + i % rect.width),
                                  static_cast<std::uint32_t>(rect.y + i / rect.width))) {
                        ++wrong;
                        break;
                    }
                }
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(wrong.load(), 0);
}

TEST(TiffStreaming, ThreadsReadingPagesAtOnceGetTheirOwnPlanes) {
    Spec spec;
    spec.bits = 16;
    spec.pages = 8;
    spec.compression = COMPRESSION_LZW;
    spec.tiled = true;
    const auto path = testing::temp_path("threads.tif");
    write_file(path, spec, [](int page, int, std::uint32_t x, std::uint32_t y) {
        return page * 1000 + y * 37 + x;
    });
    LoadOptions options;
    options.decode_whole_below = 0;
    auto images = load_images(path, options);
    ASSERT_TRUE(images.ok()) << images.error().message;
    const ImageSource& source = *images->front().source;
    std::vector<std::thread> threads;
    std::atomic<int> wrong{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int round = 0; round < 50; ++round) {
                const int page = (t + round) % 8;
                std::vector<std::uint16_t> values(37 * 29);
                auto read = source.read_region({0, {page}}, source.bounds(),
                                               std::as_writable_bytes(std::span(values)));
                if (!read.ok() || values[37 * 2 + 5] != page * 1000 + 2 * 37 + 5) {
                    ++wrong;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace tessera::core
