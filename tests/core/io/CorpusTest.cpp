// The external corpus (../shared/testdata, MANIFEST.tsv) as the yardstick for the loaders: every
// valid file opens with the reference statistics, or is refused naming what is unsupported;
// every invalid file is refused with a message naming the file. One test per manifest row.
// Luminance/chroma EXRs open as RGB: their luminance is checked against the stored Y.
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "core/io/ImageLoader.h"
#include "core/stats/ChannelStatistics.h"
#include "tests/support/Manifest.h"
#include "tests/support/TestEnvironment.h"

namespace tessera::core {
namespace {

struct ManifestRow {
    std::string file;
    std::string format;
    std::string role;
    std::string reference;  // name=min/max/mean;...
};

std::vector<ManifestRow> read_manifest() {
    std::vector<ManifestRow> rows;
    const auto dir = testing::testdata_dir();
    if (!dir) {
        return rows;
    }
    std::ifstream in(*dir / "MANIFEST.tsv");
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        std::vector<std::string> fields;
        std::stringstream stream(line);
        std::string field;
        while (std::getline(stream, field, '\t')) {
            fields.push_back(field);
        }
        fields.resize(18);
        rows.push_back({fields[0], fields[1], fields[2], fields[17]});
    }
    return rows;
}

using testing::expect_reference;

// By channel name.
std::map<std::string, testing::ReferenceStats> parse_reference(const std::string& text) {
    std::map<std::string, testing::ReferenceStats> result;
    for (const auto& r : testing::parse_reference_stats(text)) {
        result[r.name] = r;
    }
    return result;
}

// Every plane of every image, read whole.
std::vector<std::vector<std::byte>> read_all(const std::vector<Image>& images,
                                             std::vector<std::string>& errors) {
    std::vector<std::vector<std::byte>> planes;
    for (const Image& image : images) {
        const ImageSource& source = *image.source;
        for (std::size_t c = 0; c < source.channel_count(); ++c) {
            std::vector<std::byte> bytes(source.region_bytes(c, source.bounds()));
            if (auto ok = source.read_region({c}, source.bounds(), bytes); !ok) {
                errors.push_back(ok.error().message);
            }
            planes.push_back(std::move(bytes));
        }
    }
    return planes;
}

// An OpenEXR file read by region (as files over LoadOptions::decode_whole_below are) holds
// the pixels of its whole decode; an invalid one is refused, at open or when read, never shown.
void expect_same_by_region(const std::filesystem::path& path,
                           const Result<std::vector<Image>>& whole) {
    LoadOptions options;
    options.decode_whole_below = 0;
    auto region = load_images(path, options);
    if (!whole.ok()) {
        if (region.ok()) {
            std::vector<std::string> errors;
            read_all(*region, errors);
            EXPECT_FALSE(errors.empty()) << path << " is refused whole but reads by region";
        }
        return;
    }
    const bool converted = whole->size() == 1 && whole->front().metadata.storage.find(
                                                     "luminance/chroma") != std::string::npos;
    if (converted) {
        return;  // subsampled files are decoded whole either way
    }
    ASSERT_TRUE(region.ok()) << region.error().message;
    ASSERT_EQ(region->size(), whole->size());
    std::vector<std::string> errors;
    const auto a = read_all(*whole, errors);
    const auto b = read_all(*region, errors);
    EXPECT_TRUE(errors.empty()) << errors.front();
    EXPECT_TRUE(a == b) << path << " reads other pixels by region";
}

class Corpus : public ::testing::TestWithParam<ManifestRow> {};

TEST_P(Corpus, FileOpensWithReferenceValuesOrIsRefusedClearly) {
    TESSERA_REQUIRE_TESTDATA(testdata);
    const ManifestRow& row = GetParam();
    const std::filesystem::path path = testdata / row.file;
    auto images = load_images(path);
    if (row.format == "exr") {
        expect_same_by_region(path, images);
    }
    if (row.role == "invalid") {
        ASSERT_FALSE(images.ok()) << row.file << " is invalid but opened";
        EXPECT_EQ(images.error().message.rfind(path.string() + ": ", 0), 0u)
            << "the message must start with the file: " << images.error().message;
        EXPECT_GT(images.error().message.size(), path.string().size() + 10);
        return;
    }
    if (!images.ok()) {
        // A valid file may only be refused for a named unsupported feature.
        EXPECT_NE(images.error().message.find("does not support"), std::string::npos)
            << images.error().message;
        std::printf("refused as unsupported: %s\n", images.error().message.c_str());
        return;
    }
    const auto reference = parse_reference(row.reference);
    ASSERT_FALSE(reference.empty()) << "no reference statistics for " << row.file;
    ASSERT_EQ(images->size(), 1u);
    const Image& image = images->front();
    auto statistics = compute_statistics(*image.source);
    ASSERT_TRUE(statistics.ok()) << statistics.error().message;
    const auto& channels = image.source->channels();
    if (reference.count("RY") && reference.count("BY") && reference.count("Y")) {
        // Luminance/chroma, shown as RGB (OpenEXR's RGBA interface): the reference holds the
        // stored Y, RY and BY; the conversion keeps luminance, Y = 0.2126 R + 0.7152 G +
        // 0.0722 B for Rec. 709 primaries, so the means agree up to half-float rounding.
        ASSERT_EQ(channels.size(), 3u) << row.file;
        const double weights[3] = {0.2126, 0.7152, 0.0722};
        double luminance = 0;
        for (std::size_t c = 0; c < 3; ++c) {
            EXPECT_EQ(channels[c].name, std::string(1, "RGB"[c]));
            luminance += weights[c] * (*statistics)[c].mean;
        }
        EXPECT_NEAR(luminance, reference.at("Y").mean, 1e-3 * reference.at("Y").mean)
            << row.file << " luminance";
        return;
    }
    ASSERT_EQ(channels.size(), reference.size()) << row.file;
    for (std::size_t c = 0; c < channels.size(); ++c) {
        const auto found = reference.find(channels[c].name);
        ASSERT_NE(found, reference.end()) << "unexpected channel " << channels[c].name;
        // PNG references are normalised to [0, 1]; the decoder keeps stored integer values.
        double scale = 1.0;
        if (row.format == "png") {
            scale = channels[c].type == SampleType::U16 ? 65535.0 : 255.0;
        }
        const ChannelStatistics& s = (*statistics)[c];
        const std::string what = row.file + " channel " + channels[c].name;
        expect_reference(s.min / scale, found->second.min, what + " min");
        expect_reference(s.max / scale, found->second.max, what + " max");
        expect_reference(s.mean / scale, found->second.mean, what + " mean");
    }
}

std::string test_name(const ::testing::TestParamInfo<ManifestRow>& info) {
    std::string name;
    for (char ch : info.param.file) {
        name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(Manifest, Corpus, ::testing::ValuesIn(read_manifest()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Corpus);

TEST(CorpusManifest, IsPresentAndListsBothRoles) {
    TESSERA_REQUIRE_TESTDATA(testdata);
    const auto rows = read_manifest();
    EXPECT_GT(rows.size(), 300u);
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [](auto& r) { return r.role == "valid"; }));
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [](auto& r) { return r.role == "invalid"; }));
}

}  // namespace
}  // namespace tessera::core
