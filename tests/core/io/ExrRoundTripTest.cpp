// OpenEXR files written with tinyexr's writer (compiled into tessera_core) and read back through
// the loader: every sample must come back bit for bit, in its own type, with layers and parts.
#include <cstring>

#include <gtest/gtest.h>
#include <tinyexr.h>

#include "core/image/PlanarImage.h"
#include "core/io/ImageLoader.h"
#include "core/stats/ChannelStatistics.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestEnvironment.h"

namespace tessera::core {
namespace {

struct TestChannel {
    std::string name;
    int exr_type;  // TINYEXR_PIXELTYPE_*
    std::vector<std::byte> data;
};

// Values encode coordinates and the channel index, exactly representable in each type.
TestChannel make_channel(std::string name, int exr_type, int width, int height, int salt) {
    TestChannel channel{std::move(name), exr_type, {}};
    const std::size_t size = exr_type == TINYEXR_PIXELTYPE_HALF ? 2 : 4;
    channel.data.resize(static_cast<std::size_t>(width * height) * size);
    for (int y = 0; y < height; ++y) {
        for (int x = 0; x < width; ++x) {
            std::byte* p = &channel.data[static_cast<std::size_t>(y * width + x) * size];
            if (exr_type == TINYEXR_PIXELTYPE_HALF) {
                const std::uint16_t h =
                    float_to_half(static_cast<float>(x + 64 * y + salt) / 64.0f);
                std::memcpy(p, &h, 2);
            } else if (exr_type == TINYEXR_PIXELTYPE_FLOAT) {
                const float f = static_cast<float>(x) * 0.5f + static_cast<float>(y) * 1000.25f +
                                static_cast<float>(salt);
                std::memcpy(p, &f, 4);
            } else {
                const std::uint32_t u = static_cast<std::uint32_t>(x + y * 65536 + salt * 7919);
                std::memcpy(p, &u, 4);
            }
        }
    }
    return channel;
}

// Owns the arrays tinyexr's writer reads from.
struct PartToWrite {
    std::string name;
    int width = 0;
    int height = 0;
    int compression = TINYEXR_COMPRESSIONTYPE_ZIP;
    std::vector<TestChannel> channels;

    std::vector<EXRChannelInfo> infos;
    std::vector<int> types;
    std::vector<unsigned char*> pointers;
    EXRHeader header{};
    EXRImage image{};

    void prepare() {
        InitEXRHeader(&header);
        InitEXRImage(&image);
        infos.resize(channels.size());
        types.clear();
        pointers.clear();
        for (std::size_t c = 0; c < channels.size(); ++c) {
            std::memset(&infos[c], 0, sizeof(EXRChannelInfo));
            std::strncpy(infos[c].name, channels[c].name.c_str(), 255);
            types.push_back(channels[c].exr_type);
            pointers.push_back(reinterpret_cast<unsigned char*>(channels[c].data.data()));
        }
        header.num_channels = static_cast<int>(channels.size());
        header.channels = infos.data();
        header.pixel_types = types.data();
        header.requested_pixel_types = types.data();
        header.compression_type = compression;
        std::strncpy(header.name, name.c_str(), 255);
        image.num_channels = static_cast<int>(channels.size());
        image.images = pointers.data();
        image.width = width;
        image.height = height;
    }
};

void expect_same_pixels(const Image& image, const PartToWrite& part) {
    const auto& channels = image.source->channels();
    ASSERT_EQ(channels.size(), part.channels.size());
    ASSERT_EQ(image.source->width(), part.width);
    ASSERT_EQ(image.source->height(), part.height);
    const auto* planar = dynamic_cast<const PlanarImage*>(image.source.get());
    ASSERT_NE(planar, nullptr);
    for (const TestChannel& expected : part.channels) {
        const auto found =
            std::find_if(channels.begin(), channels.end(),
                         [&](const ChannelInfo& c) { return c.name == expected.name; });
        ASSERT_NE(found, channels.end()) << expected.name;
        const auto index = static_cast<std::size_t>(found - channels.begin());
        const SampleType want = expected.exr_type == TINYEXR_PIXELTYPE_HALF    ? SampleType::F16
                                : expected.exr_type == TINYEXR_PIXELTYPE_FLOAT ? SampleType::F32
                                                                               : SampleType::U32;
        EXPECT_EQ(found->type, want) << expected.name;
        const auto plane = planar->plane(index);
        ASSERT_EQ(plane.size(), expected.data.size());
        EXPECT_EQ(std::memcmp(plane.data(), expected.data.data(), plane.size()), 0)
            << expected.name << " differs";
    }
}

class ExrCompression : public ::testing::TestWithParam<int> {};

TEST_P(ExrCompression, LayeredHalfFloatUintChannelsRoundTripExactly) {
    PartToWrite part;
    part.width = 37;
    part.height = 21;
    part.compression = GetParam();
    part.channels.push_back(make_channel("depth.Z", TINYEXR_PIXELTYPE_FLOAT, 37, 21, 1));
    part.channels.push_back(make_channel("diffuse.B", TINYEXR_PIXELTYPE_HALF, 37, 21, 2));
    part.channels.push_back(make_channel("diffuse.G", TINYEXR_PIXELTYPE_HALF, 37, 21, 3));
    part.channels.push_back(make_channel("diffuse.R", TINYEXR_PIXELTYPE_HALF, 37, 21, 4));
    part.channels.push_back(make_channel("id", TINYEXR_PIXELTYPE_UINT, 37, 21, 5));
    part.prepare();
    const auto path = testing::temp_path("layers-" + std::to_string(GetParam()) + ".exr");
    const char* err = nullptr;
    ASSERT_EQ(SaveEXRImageToFile(&part.image, &part.header, path.c_str(), &err), TINYEXR_SUCCESS)
        << (err ? err : "");

    // Both libraries, whichever the loader prefers for this compression.
    for (const auto library :
         {LoadOptions::ExrLibrary::TinyExr, LoadOptions::ExrLibrary::OpenExr}) {
        LoadOptions options;
        options.exr_library = library;
        auto forced = load_images(path, options);
        ASSERT_TRUE(forced.ok()) << forced.error().message;
        ASSERT_EQ(forced->size(), 1u);
        expect_same_pixels(forced->front(), part);
    }
    auto images = load_images(path);
    ASSERT_TRUE(images.ok()) << images.error().message;
    ASSERT_EQ(images->size(), 1u);
    expect_same_pixels(images->front(), part);
    const auto layers = layers_of(images->front().source->channels());
    ASSERT_EQ(layers.size(), 3u);
    EXPECT_EQ(layers[0].name, "depth");
    EXPECT_EQ(layers[1].name, "diffuse");
    EXPECT_EQ(layers[1].channels.size(), 3u);
    EXPECT_EQ(layers[2].name, "");
    EXPECT_EQ(images->front().metadata.transfer, Transfer::Linear);
}

std::string compression_test_name(const ::testing::TestParamInfo<int>& info) {
    static const char* kNames[] = {"NONE", "RLE", "ZIPS", "ZIP", "PIZ"};
    return kNames[info.param];
}

INSTANTIATE_TEST_SUITE_P(Exr, ExrCompression,
                         ::testing::Values(TINYEXR_COMPRESSIONTYPE_NONE,
                                           TINYEXR_COMPRESSIONTYPE_RLE,
                                           TINYEXR_COMPRESSIONTYPE_ZIPS,
                                           TINYEXR_COMPRESSIONTYPE_ZIP,
                                           TINYEXR_COMPRESSIONTYPE_PIZ),
                         compression_test_name);

TEST(ExrMultiPart, EveryPartOpensAsItsOwnNamedImage) {
    std::vector<PartToWrite> parts(2);
    parts[0].name = "beauty";
    parts[0].width = 32;
    parts[0].height = 24;
    for (const char* name : {"B", "G", "R"}) {
        parts[0].channels.push_back(make_channel(name, TINYEXR_PIXELTYPE_HALF, 32, 24, name[0]));
    }
    parts[1].name = "aovs";
    parts[1].width = 20;
    parts[1].height = 10;
    parts[1].compression = TINYEXR_COMPRESSIONTYPE_PIZ;
    parts[1].channels.push_back(make_channel("depth.Z", TINYEXR_PIXELTYPE_FLOAT, 20, 10, 9));
    parts[1].channels.push_back(make_channel("id", TINYEXR_PIXELTYPE_UINT, 20, 10, 8));
    parts[1].channels.push_back(make_channel("specular.R", TINYEXR_PIXELTYPE_HALF, 20, 10, 7));
    std::vector<EXRImage> images;
    std::vector<const EXRHeader*> headers;
    for (PartToWrite& part : parts) {
        part.prepare();
        images.push_back(part.image);
    }
    for (PartToWrite& part : parts) {
        headers.push_back(&part.header);
    }
    const auto path = testing::temp_path("multipart.exr");
    const char* err = nullptr;
    ASSERT_EQ(SaveEXRMultipartImageToFile(images.data(), headers.data(), 2, path.c_str(), &err),
              TINYEXR_SUCCESS)
        << (err ? err : "");

    auto loaded = load_images(path);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    ASSERT_EQ(loaded->size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        const Image& image = (*loaded)[i];
        EXPECT_EQ(image.metadata.part_name, parts[i].name);
        EXPECT_EQ(image.metadata.part_index, static_cast<int>(i));
        EXPECT_EQ(image.metadata.part_count, 2);
        EXPECT_NE(image.display_name().find(parts[i].name), std::string::npos);
        expect_same_pixels(image, parts[i]);
    }
}

TEST(ExrStatistics, HalfChannelStatisticsAreExact) {
    PartToWrite part;
    part.width = 8;
    part.height = 4;
    part.channels.push_back(make_channel("Y", TINYEXR_PIXELTYPE_HALF, 8, 4, 0));
    part.prepare();
    const auto path = testing::temp_path("stats.exr");
    const char* err = nullptr;
    ASSERT_EQ(SaveEXRImageToFile(&part.image, &part.header, path.c_str(), &err), TINYEXR_SUCCESS);
    auto images = load_images(path);
    ASSERT_TRUE(images.ok());
    auto statistics = compute_statistics(*images->front().source);
    ASSERT_TRUE(statistics.ok());
    // Values are (x + 64 y) / 64 for x < 8, y < 4: min 0, max (7 + 192) / 64.
    EXPECT_EQ((*statistics)[0].min, 0.0);
    EXPECT_EQ((*statistics)[0].max, 199.0 / 64.0);
    EXPECT_EQ((*statistics)[0].finite, 32u);
}

}  // namespace
}  // namespace tessera::core

namespace tessera::core {
namespace {

std::vector<std::vector<std::byte>> all_planes(const Image& image) {
    const ImageSource& source = *image.source;
    std::vector<std::vector<std::byte>> planes;
    for (std::size_t c = 0; c < source.channels().size(); ++c) {
        const Rect all{0, 0, source.width(), source.height()};
        planes.emplace_back(source.region_bytes(c, all));
        EXPECT_TRUE(source.read_region({c}, all, planes.back()));
    }
    return planes;
}

TEST(ExrLineOrder, DecreasingLinesAreStoredBottomUpButShownTheRightWayUp) {
    // OpenEXR's own test pair: the same picture, its scanlines stored in the two orders. The line
    // order says how blocks lie in the file, never where their pixels go.
    TESSERA_REQUIRE_TESTDATA(testdata);
    auto increasing = load_images(testdata / "exr/openexr/lineOrder_increasing.exr");
    auto decreasing = load_images(testdata / "exr/openexr/lineOrder_decreasing.exr");
    ASSERT_TRUE(increasing.ok()) << increasing.error().message;
    ASSERT_TRUE(decreasing.ok()) << decreasing.error().message;
    EXPECT_TRUE(all_planes(increasing->front()) == all_planes(decreasing->front()))
        << "the two files decode to different pixels";
}

}  // namespace
}  // namespace tessera::core
