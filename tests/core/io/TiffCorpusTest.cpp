// The TIFF corpus (../shared/testdata/tiff, its own MANIFEST.tsv: Pillow's test images, crash
// files and stacks written with tifffile) as the yardstick for the TIFF decoder. One test per
// row: every valid file opens with the reference statistics (per plane and with the channel
// names where the manifest has them), or is refused naming a feature the manifest allows to be
// refused; every invalid file is refused with a message naming the file.
//
// Which reference applies: the raw samples (reference_stats_min_max_mean), inverted for
// MinIsWhite (Tessera shows white as white: max - value); for palette images and for pages only
// libtiff's RGBA interface converts (CIELab, old-style JPEG, YCbCr without JPEG) the 8-bit RGBA
// statistics of that interface (libtiff_rgba8_stats).
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

// One manifest row, by column name; printed as its file in test names and failures.
struct Row {
    std::map<std::string, std::string> fields;
    const std::string& at(const std::string& column) const { return fields.at(column); }
};

void PrintTo(const Row& row, std::ostream* out) {
    *out << row.at("file");
}

std::vector<Row> read_tiff_manifest() {
    std::vector<Row> rows;
    const auto dir = testing::testdata_dir();
    if (!dir) {
        return rows;
    }
    std::ifstream in(*dir / "tiff" / "MANIFEST.tsv");
    std::string line;
    std::getline(in, line);
    const auto header = testing::split_list(line, '\t');
    while (std::getline(in, line)) {
        const auto fields = testing::split_list(line, '\t');
        Row row;
        for (std::size_t i = 0; i < header.size(); ++i) {
            row.fields[header[i]] = i < fields.size() ? fields[i] : "";
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

using testing::expect_reference;
using testing::split_list;

bool contains(const std::string& text, const std::string& word) {
    return text.find(word) != std::string::npos;
}

class TiffCorpus : public ::testing::TestWithParam<Row> {};

TEST_P(TiffCorpus, FileOpensWithReferenceValuesOrIsRefusedClearly) {
    TESSERA_REQUIRE_TESTDATA(testdata);
    const Row& row = GetParam();
    const std::string& file = row.at("file");
    const std::filesystem::path path = testdata / "tiff" / file;
    auto images = load_images(path);
    const std::string& expect = row.at("expect");
    if (row.at("role") == "invalid" && expect == "refuse") {
        ASSERT_FALSE(images.ok()) << file << " is invalid but opened";
    }
    if (!images.ok()) {
        const std::string& message = images.error().message;
        EXPECT_EQ(message.rfind(path.string() + ": ", 0), 0u)
            << "the message must start with the file: " << message;
        EXPECT_GT(message.size(), path.string().size() + 10) << message;
        if (row.at("role") == "valid") {
            ASSERT_EQ(expect, "decode-or-refuse") << file << " must open: " << message;
            EXPECT_TRUE(contains(message, "does not support")) << message;
            std::printf("refused as unsupported (%s): %s\n", row.at("may_refuse").c_str(),
                        message.c_str());
        }
        return;
    }
    const Image& image = images->front();
    const ImageSource& source = *image.source;
    const std::string& photometric = row.at("photometric");
    const bool rgba_interface = contains(photometric, "palette") ||
                                contains(photometric, "cielab") ||
                                row.at("compression").rfind("ojpeg", 0) == 0;
    auto reference = testing::parse_reference_stats(
        rgba_interface ? row.at("libtiff_rgba8_stats") : row.at("reference_stats_min_max_mean"));
    ASSERT_FALSE(reference.empty()) << "no reference statistics for " << file;
    if (rgba_interface && reference.size() == 4 && source.channel_count() == 3) {
        reference.pop_back();  // libtiff's opaque A; Tessera keeps no A a file does not have
    }
    const bool inverted = contains(photometric, "miniswhite");
    const double top = std::ldexp(1.0, std::stoi(row.at("bits_per_sample"))) - 1;
    if (inverted) {
        for (testing::ReferenceStats& r : reference) {
            r = {r.name, top - r.max, top - r.min, top - r.mean};
        }
    }
    StatisticsOptions options;
    options.positions = spread_positions(source, 0);
    auto statistics = compute_statistics(source, options);
    ASSERT_TRUE(statistics.ok()) << statistics.error().message;
    ASSERT_EQ(source.channel_count(), reference.size()) << file;
    for (std::size_t c = 0; c < reference.size(); ++c) {
        const ChannelStatistics& s = (*statistics)[c];
        const std::string what = file + " channel " + source.channels()[c].name + " (reference " +
                                 reference[c].name + ")";
        expect_reference(s.min, reference[c].min, what + " min");
        expect_reference(s.max, reference[c].max, what + " max");
        expect_reference(s.mean, reference[c].mean, what + " mean");
    }
    if (!row.at("channel_names").empty()) {
        const auto names = split_list(row.at("channel_names"), ',');
        ASSERT_EQ(names.size(), source.channel_count());
        for (std::size_t c = 0; c < names.size(); ++c) {
            EXPECT_EQ(source.channels()[c].name, names[c]);
        }
    }
    if (!row.at("nonfinite").empty()) {
        // "all=nan:801,+inf:2,-inf:2"
        std::uint64_t nan = 0, pos = 0, neg = 0;
        ASSERT_EQ(std::sscanf(row.at("nonfinite").c_str(), "all=nan:%lu,+inf:%lu,-inf:%lu", &nan,
                              &pos, &neg),
                  3);
        EXPECT_EQ((*statistics)[0].nan, nan);
        EXPECT_EQ((*statistics)[0].pos_inf, pos);
        EXPECT_EQ((*statistics)[0].neg_inf, neg);
    }
    if (!row.at("plane_means").empty() && !rgba_interface) {
        // Page order: the channels of a position (when pages hold channels), then positions.
        const auto means = split_list(row.at("plane_means"), ',');
        const auto positions = spread_positions(source, 0);
        const std::size_t groups = means.size() / positions.size();
        ASSERT_EQ(groups * positions.size(), means.size()) << file;
        ASSERT_EQ(groups, source.channel_count()) << file;
        for (std::size_t k = 0; k < means.size(); ++k) {
            StatisticsOptions plane;
            plane.position = positions[k / groups];
            auto one = compute_statistics(source, plane);
            ASSERT_TRUE(one.ok()) << one.error().message;
            const double mean = std::stod(means[k]);
            expect_reference((*one)[k % groups].mean, inverted ? top - mean : mean,
                             file + " plane " + std::to_string(k) + " mean");
        }
    }
    if (!row.at("pyramid_level_means").empty()) {
        // The file's own levels (SubIFDs), read as the pyramid's: the mean over every channel
        // of each level, level 0 first.
        const auto levels = split_list(row.at("pyramid_level_means"), ',');
        ASSERT_GT(levels.size(), 1u) << row.at("pyramid_level_means");
        for (std::size_t k = 1; k < levels.size(); ++k) {
            const auto level = source.stored_level(static_cast<int>(k));
            ASSERT_NE(level, nullptr) << file << " level " << k;
            EXPECT_EQ(level->width(), (source.width() + (1 << k) - 1) >> k);
            auto level_stats = compute_statistics(*level);
            ASSERT_TRUE(level_stats.ok()) << level_stats.error().message;
            double mean = 0;
            for (const ChannelStatistics& channel : *level_stats) {
                mean += channel.mean / static_cast<double>(level_stats->size());
            }
            expect_reference(mean, std::stod(levels[k]), file + " level " + std::to_string(k));
        }
    }
}

std::string test_name(const ::testing::TestParamInfo<Row>& info) {
    std::string name;
    for (char ch : info.param.at("file")) {
        name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(Manifest, TiffCorpus, ::testing::ValuesIn(read_tiff_manifest()),
                         test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(TiffCorpus);

TEST(TiffCorpusManifest, IsPresentAndListsBothRoles) {
    TESSERA_REQUIRE_TESTDATA(testdata);
    const auto rows = read_tiff_manifest();
    EXPECT_GE(rows.size(), 60u);
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(),
                            [](const Row& r) { return r.at("role") == "valid"; }));
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(),
                            [](const Row& r) { return r.at("role") == "invalid"; }));
}

}  // namespace
}  // namespace tessera::core
