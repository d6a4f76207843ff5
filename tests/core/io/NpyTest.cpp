// NumPy .npy loading: every dtype and endianness, C and Fortran order, (H,W), (H,W,C) and
// (C,H,W) with the channel-axis rule and its override, stacks of 4 dimensions plane by plane,
// and memory mapping of a 4 GiB file.
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/dataset/Dataset.h"
#include "core/io/ImageLoader.h"
#include "core/io/MappedFile.h"
#include "tests/support/Fixtures.h"

namespace tessera::core {
namespace {

// Element value for logical index (y, x, c): small integers, exact in every dtype.
double element(std::uint64_t y, std::uint64_t x, std::uint64_t c) {
    return static_cast<double>((y * 10 + x + c * 50) % 120);
}

template <typename T>
void put(std::vector<std::byte>& out, double value, bool big_endian) {
    const T v = static_cast<T>(value);
    std::array<std::byte, sizeof(T)> raw;
    std::memcpy(raw.data(), &v, sizeof v);
    if (big_endian) {
        std::reverse(raw.begin(), raw.end());
    }
    out.insert(out.end(), raw.begin(), raw.end());
}

// Serialises a (H, W, C) logical array into the given physical shape order and memory order.
std::vector<std::byte> array_bytes(const std::string& descr, std::uint64_t h, std::uint64_t w,
                                   std::uint64_t c, bool channels_first, bool fortran) {
    std::vector<std::uint64_t> shape = channels_first ? std::vector{c, h, w} : std::vector{h, w, c};
    std::vector<std::byte> out;
    const bool big = descr[0] == '>';
    const std::string code = descr.substr(1);
    const auto emit = [&](const std::array<std::uint64_t, 3>& idx) {
        const std::uint64_t y = channels_first ? idx[1] : idx[0];
        const std::uint64_t x = channels_first ? idx[2] : idx[1];
        const std::uint64_t ch = channels_first ? idx[0] : idx[2];
        const double v = element(y, x, ch);
        if (code == "u1" || code == "b1")
            put<std::uint8_t>(out, code == "b1" ? (v > 60) : v, big);
        else if (code == "u2")
            put<std::uint16_t>(out, v, big);
        else if (code == "u4")
            put<std::uint32_t>(out, v, big);
        else if (code == "i1")
            put<std::int8_t>(out, -v, big);
        else if (code == "i2")
            put<std::int16_t>(out, -v * 100, big);
        else if (code == "i4")
            put<std::int32_t>(out, -v * 10000, big);
        else if (code == "f2")
            put<std::uint16_t>(out, float_to_half(static_cast<float>(v)), big);
        else if (code == "f4")
            put<float>(out, v / 4, big);
        else if (code == "f8")
            put<double>(out, v / 8, big);
    };
    std::array<std::uint64_t, 3> idx{};
    if (!fortran) {
        for (idx[0] = 0; idx[0] < shape[0]; ++idx[0])
            for (idx[1] = 0; idx[1] < shape[1]; ++idx[1])
                for (idx[2] = 0; idx[2] < shape[2]; ++idx[2])
                    emit(idx);
    } else {
        for (idx[2] = 0; idx[2] < shape[2]; ++idx[2])
            for (idx[1] = 0; idx[1] < shape[1]; ++idx[1])
                for (idx[0] = 0; idx[0] < shape[0]; ++idx[0])
                    emit(idx);
    }
    return out;
}

double expected_value(const std::string& code, double v) {
    if (code == "b1")
        return v > 60 ? 1 : 0;
    if (code == "i1")
        return -v;
    if (code == "i2")
        return -v * 100;
    if (code == "i4")
        return -v * 10000;
    if (code == "f4")
        return v / 4;
    if (code == "f8")
        return v / 8;
    return v;
}

SampleType expected_type(const std::string& code) {
    if (code == "u1" || code == "b1")
        return SampleType::U8;
    if (code == "u2")
        return SampleType::U16;
    if (code == "u4")
        return SampleType::U32;
    if (code == "i1" || code == "f2")
        return SampleType::F16;
    return SampleType::F32;
}

struct NpyCase {
    std::string descr;
    bool channels_first;
    bool fortran;
    int version;
};

class NpyDtypes : public ::testing::TestWithParam<NpyCase> {};

TEST_P(NpyDtypes, EveryElementReadsBackInItsDocumentedType) {
    const NpyCase& param = GetParam();
    constexpr std::uint64_t kH = 5, kW = 7, kC = 3;
    const auto data = array_bytes(param.descr, kH, kW, kC, param.channels_first, param.fortran);
    testing::NpyHeader header{param.descr,
                              param.channels_first ? std::vector<std::uint64_t>{kC, kH, kW}
                                                   : std::vector<std::uint64_t>{kH, kW, kC},
                              param.fortran, param.version};
    const auto path = testing::temp_path("dtype.npy");
    testing::write_npy(path, header, data);
    LoadOptions options;
    options.channel_axis = param.channels_first ? ChannelAxis::First : ChannelAxis::Last;
    auto images = load_images(path, options);
    ASSERT_TRUE(images.ok()) << images.error().message;
    const ImageSource& source = *images->front().source;
    ASSERT_EQ(source.width(), 7);
    ASSERT_EQ(source.height(), 5);
    ASSERT_EQ(source.channel_count(), 3u);
    const std::string code = param.descr.substr(1);
    for (std::size_t c = 0; c < kC; ++c) {
        EXPECT_EQ(source.channels()[c].type, expected_type(code));
        const Rect all{0, 0, 7, 5};
        std::vector<std::byte> raw(source.region_bytes(c, all));
        ASSERT_TRUE(source.read_region({c}, all, raw).ok());
        for (std::uint64_t y = 0; y < kH; ++y) {
            for (std::uint64_t x = 0; x < kW; ++x) {
                const std::size_t i = static_cast<std::size_t>(y * kW + x);
                const double got =
                    sample_as_float(raw.data() + i * sample_size(source.channels()[c].type),
                                    source.channels()[c].type);
                ASSERT_EQ(got, expected_value(code, element(y, x, c)))
                    << param.descr << " at " << x << "," << y << " channel " << c;
            }
        }
    }
}

std::vector<NpyCase> all_cases() {
    std::vector<NpyCase> cases;
    for (const char* code : {"u1", "u2", "u4", "i1", "i2", "i4", "f2", "f4", "f8", "b1"}) {
        for (char order : {'<', '>'}) {
            cases.push_back({std::string(1, order) + code, false, false, 1});
        }
    }
    cases.push_back({"<f4", true, false, 1});
    cases.push_back({"<i4", true, false, 1});  // contiguous rows of a type that is converted
    cases.push_back({"|b1", true, false, 1});
    cases.push_back({"<u2", true, true, 2});
    cases.push_back({">f8", false, true, 3});
    return cases;
}

std::string npy_test_name(const ::testing::TestParamInfo<NpyCase>& info) {
    std::string name = info.param.descr[0] == '<' ? "le_" : "be_";
    name += info.param.descr.substr(1);
    name += info.param.channels_first ? "_chw" : "_hwc";
    name += info.param.fortran ? "_fortran" : "";
    return name + "_v" + std::to_string(info.param.version);
}

INSTANTIATE_TEST_SUITE_P(Npy, NpyDtypes, ::testing::ValuesIn(all_cases()), npy_test_name);

std::vector<ChannelInfo> channels_of(const std::vector<std::uint64_t>& shape,
                                     ChannelAxis axis = ChannelAxis::Auto,
                                     const std::string& descr = "|u1") {
    std::uint64_t count = 1;
    for (auto d : shape) {
        count *= d;
    }
    const auto path = testing::temp_path("shape.npy");
    testing::write_npy(path, {descr, shape},
                       std::vector<std::byte>(count * (descr == "|u1" ? 1 : 4)));
    LoadOptions options;
    options.channel_axis = axis;
    auto images = load_images(path, options);
    EXPECT_TRUE(images.ok()) << (images.ok() ? "" : images.error().message);
    return images.ok() ? images->front().source->channels() : std::vector<ChannelInfo>{};
}

TEST(NpyShapes, TheChannelAxisIsTheShorterOfFirstAndLastUnlessOverridden) {
    EXPECT_EQ(channels_of({64, 48}).size(), 1u);     // (H, W)
    EXPECT_EQ(channels_of({64, 48, 3}).size(), 3u);  // (H, W, C)
    EXPECT_EQ(channels_of({5, 64, 48}).size(), 5u);  // (C, H, W)
    EXPECT_EQ(channels_of({4, 64, 4}).size(), 4u);   // a tie: the last axis
    EXPECT_EQ(channels_of({3, 64, 48}, ChannelAxis::Last).size(), 48u);
    EXPECT_EQ(channels_of({64, 48, 3}, ChannelAxis::First).size(), 64u);
    EXPECT_EQ(channels_of({1, 1, 5, 64, 48}).size(), 5u);  // leading length-1 axes dropped
}

TEST(NpyShapes, ChannelNamesAreRgbaForPhotosAndNumberedOtherwise) {
    const auto rgb = channels_of({8, 8, 3});
    ASSERT_EQ(rgb.size(), 3u);
    EXPECT_EQ(rgb[0].name, "R");
    EXPECT_EQ(rgb[2].name, "B");
    const auto stack = channels_of({5, 8, 8});
    EXPECT_EQ(stack[0].name, "c0");
    EXPECT_EQ(stack[4].name, "c4");
    const auto floats = channels_of({8, 8, 3}, ChannelAxis::Auto, "<f4");
    EXPECT_EQ(floats[0].name, "c0");
}

// A (2, 3, 8, 6) uint16 array, C or Fortran order, whose element at (a, b, y, x) is
// a * 1000 + b * 100 + y * 10 + x.
std::filesystem::path write_stack(bool fortran) {
    const std::vector<std::uint64_t> shape{2, 3, 8, 6};
    std::vector<std::byte> data;
    const auto value = [](std::uint64_t a, std::uint64_t b, std::uint64_t y, std::uint64_t x) {
        return static_cast<double>(a * 1000 + b * 100 + y * 10 + x);
    };
    if (!fortran) {
        for (std::uint64_t a = 0; a < 2; ++a)
            for (std::uint64_t b = 0; b < 3; ++b)
                for (std::uint64_t y = 0; y < 8; ++y)
                    for (std::uint64_t x = 0; x < 6; ++x)
                        put<std::uint16_t>(data, value(a, b, y, x), false);
    } else {
        for (std::uint64_t x = 0; x < 6; ++x)
            for (std::uint64_t y = 0; y < 8; ++y)
                for (std::uint64_t b = 0; b < 3; ++b)
                    for (std::uint64_t a = 0; a < 2; ++a)
                        put<std::uint16_t>(data, value(a, b, y, x), false);
    }
    const auto path = testing::temp_path(fortran ? "stack_f.npy" : "stack_c.npy");
    testing::write_npy(path, {"<u2", shape, fortran}, data);
    return path;
}

std::uint16_t sample(const ImageSource& source, const Plane& plane, std::int64_t x,
                     std::int64_t y) {
    std::array<std::byte, 2> raw{};
    EXPECT_TRUE(source.read_region(plane, {x, y, 1, 1}, raw).ok());
    std::uint16_t v = 0;
    std::memcpy(&v, raw.data(), 2);
    return v;
}

TEST(NpyStacks, EveryPlaneOfAFourDimensionalArrayReadsItsOwnPixels) {
    for (bool fortran : {false, true}) {
        const auto path = write_stack(fortran);
        LoadOptions options;
        options.axes = "TZYX";
        auto images = load_images(path, options);
        ASSERT_TRUE(images.ok()) << images.error().message;
        const ImageSource& source = *images->front().source;
        ASSERT_EQ(source.axes().size(), 2u);
        EXPECT_EQ(source.axes()[0].name, "T");
        EXPECT_EQ(source.axes()[0].extent, 2);
        EXPECT_EQ(source.axes()[1].name, "Z");
        EXPECT_EQ(source.axes()[1].extent, 3);
        EXPECT_EQ(source.channel_count(), 1u);
        EXPECT_EQ(images->front().metadata.axes, "TZYX");
        for (std::int64_t t = 0; t < 2; ++t) {
            for (std::int64_t z = 0; z < 3; ++z) {
                std::vector<std::byte> row(6 * 2);
                ASSERT_TRUE(source.read_region({0, {t, z}}, {0, 5, 6, 1}, row).ok());
                for (std::int64_t x = 0; x < 6; ++x) {
                    std::uint16_t v = 0;
                    std::memcpy(&v, row.data() + x * 2, 2);
                    EXPECT_EQ(v, t * 1000 + z * 100 + 50 + x) << "fortran " << fortran;
                }
            }
        }
        std::vector<std::byte> one(2);
        EXPECT_FALSE(source.read_region({0, {2, 0}}, {0, 0, 1, 1}, one).ok())
            << "an index past the axis is an error";
    }
}

TEST(NpyStacks, TheDefaultRuleAndChannelsFromAnotherAxis) {
    const auto path = write_stack(false);
    auto images = load_images(path);  // (2, 3, 8, 6): the second axis is small, ZCYX
    ASSERT_TRUE(images.ok()) << images.error().message;
    const ImageSource& source = *images->front().source;
    EXPECT_EQ(images->front().metadata.axes, "ZCYX");
    ASSERT_EQ(source.channel_count(), 3u);
    ASSERT_EQ(source.axes().size(), 1u);
    EXPECT_EQ(sample(source, {2, {1}}, 4, 3), 1234);
    LoadOptions options;
    options.axes = "CZYX";  // the first axis as channels instead
    auto other = load_images(path, options);
    ASSERT_TRUE(other.ok()) << other.error().message;
    ASSERT_EQ(other->front().source->channel_count(), 2u);
    EXPECT_EQ(sample(*other->front().source, {1, {2}}, 4, 3), 1234);
    options.axes = "ZYX";
    auto wrong = load_images(path, options);
    ASSERT_FALSE(wrong.ok());
    EXPECT_NE(wrong.error().message.find("name 3 axes, the array has 4"), std::string::npos)
        << wrong.error().message;
}

TEST(NpyStacks, AStacksStatisticsPoolItsPlanesAndAPlanesAreItsOwn) {
    LoadOptions options;
    options.axes = "TZYX";
    auto images = load_images(write_stack(false), options);
    ASSERT_TRUE(images.ok()) << images.error().message;
    auto dataset = make_dataset(images->front(), StatisticsDetail::Exact);
    ASSERT_TRUE(dataset.ok()) << dataset.error().message;
    const ChannelStatistics& stack = dataset->statistics.front();
    EXPECT_EQ(stack.planes, 6);
    EXPECT_TRUE(stack.exact);
    EXPECT_EQ(stack.samples, 6u * 48u);
    EXPECT_DOUBLE_EQ(stack.min, 0);
    EXPECT_DOUBLE_EQ(stack.max, 1275);
    StatisticsOptions plane;
    plane.position = {1, 2};
    auto one = compute_statistics(*images->front().source, plane);
    ASSERT_TRUE(one.ok());
    EXPECT_DOUBLE_EQ(one->front().min, 1200);
    EXPECT_DOUBLE_EQ(one->front().max, 1275);
    // Sampled (what the window computes): planes spread over the stack, the last included.
    auto sampled = make_dataset(images->front(), StatisticsDetail::Sampled);
    ASSERT_TRUE(sampled.ok());
    EXPECT_DOUBLE_EQ(sampled->statistics.front().max, 1275);
}

TEST(NpyErrors, UnsupportedDtypesShapesAndTruncationAreNamed) {
    const auto path = testing::temp_path("bad.npy");
    struct Case {
        testing::NpyHeader header;
        std::size_t data_bytes;
        std::string expect;
    };
    const std::vector<Case> cases{
        {{"<i8", {4, 4}}, 128, "dtype '<i8' is not supported"},
        {{"<c8", {4, 4}}, 128, "dtype '<c8' is not supported"},
        {{"<f4", {16}}, 64, "shape (16,) is not an image"},
        {{"<f4", {2, 2, 2, 2, 2, 2}}, 256, "is not an image"},
        {{"<f4", {100, 100}}, 100, "truncated"},
        {{"<f4", {0, 5}}, 0, "empty"},
    };
    for (const Case& c : cases) {
        testing::write_npy(path, c.header, std::vector<std::byte>(c.data_bytes));
        auto images = load_images(path);
        ASSERT_FALSE(images.ok()) << c.expect;
        EXPECT_NE(images.error().message.find(c.expect), std::string::npos)
            << images.error().message;
        EXPECT_EQ(images.error().message.rfind(path.string(), 0), 0u) << images.error().message;
    }
}

// A line of /proc/self/status in KiB: VmRSS (all resident memory) or RssFile (file-backed
// pages only: what a memory-mapped file keeps resident, whatever a sanitizer's shadow adds).
std::size_t resident_kib(const std::string& field = "VmRSS:") {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field, 0) == 0) {
            return std::stoul(line.substr(field.size()));
        }
    }
    return 0;
}

TEST(NpyMapping, OpeningAFourGigabyteArrayNeitherReadsNorCopiesIt) {
    // A sparse file: 4 GiB of float32 that occupies no disk. Copying or reading it whole would
    // raise resident memory by gigabytes.
    const auto path = testing::temp_path("huge.npy");
    const std::uint64_t h = 32768, w = 32768;
    testing::write_npy(path, {"<f4", {h, w}}, {});
    const auto header_size = std::filesystem::file_size(path);
    std::filesystem::resize_file(path, header_size + h * w * 4);
    const std::size_t before = resident_kib();
    auto images = load_images(path);
    ASSERT_TRUE(images.ok()) << images.error().message;
    const ImageSource& source = *images->front().source;
    EXPECT_EQ(source.width(), 32768);
    std::vector<float> tile(256 * 256, 1.0f);
    ASSERT_TRUE(
        source.read_region({0}, {16000, 16000, 256, 256}, std::as_writable_bytes(std::span(tile)))
            .ok());
    EXPECT_EQ(tile[0], 0.0f);
    const std::size_t grown = resident_kib() - std::min(before, resident_kib());
    EXPECT_LT(grown, 64u * 1024) << "resident memory grew by " << grown << " KiB";
    images = Error{"released"};
    std::filesystem::remove(path);
}

TEST(NpyMapping, ReadingAWholeGigabyteKeepsAlmostNoneOfItResident) {
    // 1 GiB read band by band, each band released after it is copied (as the pyramid and the
    // statistics do): its pages leave the resident set at once, so memory never grows with it.
    const auto path = testing::temp_path("gigabyte.npy");
    const std::uint64_t h = 32768, w = 32768;
    testing::write_npy(path, {"|u1", {h, w}}, {});
    std::filesystem::resize_file(path, std::filesystem::file_size(path) + h * w);
    auto images = load_images(path);
    ASSERT_TRUE(images.ok()) << images.error().message;
    const ImageSource& source = *images->front().source;
    // The file's pages, not all memory: under ASan, reading 1 GiB through its interceptors maps
    // 1/8 of it of shadow memory (anonymous), which is the sanitizer's, not the file's.
    const std::size_t before = resident_kib("RssFile:");
    std::size_t peak = 0;
    std::vector<std::byte> band(static_cast<std::size_t>(w) * 256);
    for (std::int64_t y = 0; y < static_cast<std::int64_t>(h); y += 256) {
        const Rect rect{0, y, static_cast<std::int64_t>(w), 256};
        ASSERT_TRUE(source.read_region({0}, rect, band).ok());
        source.release_region({0}, rect);
        const std::size_t now = resident_kib("RssFile:");
        peak = std::max(peak, now - std::min(before, now));
    }
    EXPECT_LT(peak, 32u << 10) << "resident memory grew by " << peak << " KiB";
    images = Error{"released"};
    std::filesystem::remove(path);
}

}  // namespace
}  // namespace tessera::core
