#include <gtest/gtest.h>

#include "core/image/Image.h"
#include "core/io/ImageLoader.h"

namespace tessera::core {
namespace {

TEST(ImageModel, LayersComeFromTheTextBeforeTheLastDot) {
    const std::vector<ChannelInfo> channels{{"A"},         {"diffuse.B"}, {"diffuse.G"},
                                            {"diffuse.R"}, {"Z"},         {"a.b.c"}};
    const auto layers = layers_of(channels);
    ASSERT_EQ(layers.size(), 3u);
    EXPECT_EQ(layers[0].name, "");
    EXPECT_EQ(layers[0].channels, (std::vector<std::size_t>{0, 4}));
    EXPECT_EQ(layers[1].name, "diffuse");
    EXPECT_EQ(layers[1].channels, (std::vector<std::size_t>{1, 2, 3}));
    EXPECT_EQ(layers[2].name, "a.b");
    EXPECT_EQ(short_channel_name("diffuse.R"), "R");
    EXPECT_EQ(short_channel_name("Z"), "Z");
}

TEST(ImageModel, DisplayNameAddsThePartOfMultiPartFiles) {
    Image image;
    image.metadata.path = "/data/shot.exr";
    EXPECT_EQ(image.display_name(), "shot.exr");
    image.metadata.part_count = 3;
    image.metadata.part_index = 1;
    image.metadata.part_name = "aovs";
    EXPECT_EQ(image.display_name(), "shot.exr [aovs]");
}

TEST(ImageModel, EveryFormatIsInTheDecoderTableOnce) {
    std::vector<std::string> formats;
    for (const Decoder& decoder : decoders()) {
        formats.emplace_back(decoder.format);
    }
    for (const char* format :
         {"PNG", "JPEG", "BMP", "TGA", "GIF", "PSD", "PNM", "Radiance HDR", "OpenEXR", "NumPy"}) {
        EXPECT_EQ(std::count(formats.begin(), formats.end(), format), 1) << format;
    }
    EXPECT_EQ(formats.back(), "TGA") << "TGA has no signature and must be tried last";
}

}  // namespace
}  // namespace tessera::core
