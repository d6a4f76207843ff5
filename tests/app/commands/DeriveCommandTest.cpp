// `tessera derive` end to end: the .npy it writes is parsed here (magic, header dict, padding,
// data) and checked against values worked out by hand; projections keep the stack's type for max;
// --json reports the summary; bad requests are refused naming the input and the reason.
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "tests/support/Fixtures.h"
#include "tests/support/Process.h"

namespace tessera::app {
namespace {

using testing::run_command;
using testing::shell_quote;

const std::string kTessera = shell_quote(TESSERA_EXECUTABLE);

struct Npy {
    std::string header;
    std::vector<char> data;
};

// Checks the format as NumPy's reader does and returns the header dict and the data.
Npy read_npy(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(file)), {});
    Npy npy;
    EXPECT_GE(bytes.size(), 10u);
    if (bytes.size() < 10) {
        return npy;
    }
    EXPECT_EQ(std::string(bytes.data(), 6), "\x93NUMPY");
    EXPECT_EQ(bytes[6], 1);
    const std::size_t length = static_cast<unsigned char>(bytes[8]) |
                               static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8;
    EXPECT_EQ((10 + length) % 64, 0u) << "the data must start 64-byte aligned";
    npy.header.assign(bytes.data() + 10, length);
    EXPECT_EQ(npy.header.back(), '\n');
    npy.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(10 + length), bytes.end());
    return npy;
}

std::vector<float> floats(const Npy& npy) {
    std::vector<float> values(npy.data.size() / 4);
    std::memcpy(values.data(), npy.data.data(), values.size() * 4);
    return values;
}

TEST(TesseraDerive, BlockwisePearsonOfTwoFilesIsWrittenAsFloat32Npy) {
    // 5 x 3 pixels, 2 x 2 blocks: 3 x 2 blocks, the last column and row partial. b = 2a + 1
    // except the second block, where b = -a; the third block is constant in a (r undefined).
    std::vector<float> a{1, 2, 5, 6, 7, 3, 4, 9, 8, 7, 5, 6, 1, 2, 3};
    std::vector<float> b(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
        const bool second = i % 5 == 2 || i % 5 == 3;
        b[i] = second ? -a[i] : 2 * a[i] + 1;
    }
    a[4] = a[9] = 7;  // the last column of rows 0 and 1: constant
    const auto pa = testing::temp_path("derive-a.npy");
    const auto pb = testing::temp_path("derive-b.npy");
    const auto out = testing::temp_path("derive-r.npy");
    testing::write_npy(pa, {"<f4", {3, 5}}, testing::bytes_of(a));
    testing::write_npy(pb, {"<f4", {3, 5}}, testing::bytes_of(b));
    const auto result =
        run_command(kTessera + " derive pearson " + shell_quote(pa.string()) + " " +
                    shell_quote(pb.string()) + " --block 2x2 -o " + shell_quote(out.string()));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("pearson of 2x2 blocks, 3x2"), std::string::npos) << result.output;
    const Npy npy = read_npy(out);
    EXPECT_EQ(npy.header.substr(0, npy.header.find('}') + 1),
              "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
    const auto r = floats(npy);
    ASSERT_EQ(r.size(), 6u);
    EXPECT_FLOAT_EQ(r[0], 1.0f);
    EXPECT_FLOAT_EQ(r[1], -1.0f);
    EXPECT_TRUE(std::isnan(r[2])) << r[2];
    EXPECT_FLOAT_EQ(r[3], 1.0f);  // the bottom row of blocks: one row of two pixels
    EXPECT_FLOAT_EQ(r[4], -1.0f);
    EXPECT_TRUE(std::isnan(r[5])) << "one pixel: " << r[5];
}

TEST(TesseraDerive, MaximumProjectionKeepsTheTypeAndJsonSummarises) {
    // (Z=3, 2, 2) u16: the maximum over Z of each pixel.
    std::vector<std::uint16_t> stack{1, 9, 3, 4, 5, 6, 7, 8, 2, 10, 0, 12};
    const auto path = testing::temp_path("derive-stack.npy");
    const auto out = testing::temp_path("derive-max.npy");
    testing::write_npy(path, {"<u2", {3, 2, 2}}, testing::bytes_of(stack));
    const auto result =
        run_command(kTessera + " derive max " + shell_quote(path.string()) +
                    " --axes ZYX --along z -o " + shell_quote(out.string()) + " --json");
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("\"operation\": \"max along z\""), std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("\"mean\": 8.5"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("\"nan_count\": 0"), std::string::npos) << result.output;
    const Npy npy = read_npy(out);
    EXPECT_EQ(npy.header.substr(0, npy.header.find('}') + 1),
              "{'descr': '<u2', 'fortran_order': False, 'shape': (2, 2), }");
    ASSERT_EQ(npy.data.size(), 8u);
    std::uint16_t got[4];
    std::memcpy(got, npy.data.data(), 8);
    EXPECT_EQ(std::vector<std::uint16_t>(got, got + 4), (std::vector<std::uint16_t>{5, 10, 7, 12}));
}

TEST(TesseraDerive, BadRequestsAreRefusedWithTheReason) {
    const auto small = testing::temp_path("derive-small.npy");
    const auto wide = testing::temp_path("derive-wide.npy");
    std::vector<float> values(12, 1.0f);
    testing::write_npy(small, {"<f4", {3, 4}}, testing::bytes_of(values));
    testing::write_npy(wide, {"<f4", {2, 6}}, testing::bytes_of(values));
    const std::string s = shell_quote(small.string());
    const std::string w = shell_quote(wide.string());
    const std::string out = shell_quote(testing::temp_path("derive-bad.npy").string());
    const struct {
        std::string arguments;
        int exit_code;
        std::string message;
    } cases[] = {
        {"pearson " + s + " " + w + " --block 2x2 -o " + out, 1,
         small.string() + " and " + wide.string() + ": the inputs differ in size: 4x3 and 6x2"},
        {"m1 " + s + " " + s + " --threshold 1 --block 2x2 -o " + out, 2,
         "--threshold expects A,B, got '1'"},
        {"pearson " + s + " --block 2x2 -o " + out, 2, "pearson takes 2 inputs, got 1"},
        {"median " + s + " --block 2x2 -o " + out, 2, "unknown operation 'median'"},
        {"mean " + s + " -o " + out, 2, "mean needs --block WxH or --window WxH"},
        {"mean " + s + " --block 0x2 -o " + out, 2, "--block expects WIDTHxHEIGHT"},
        {"max " + s + " --along z -o " + out, 1, "no axis 'z' to project along"},
        {"mean " + s + " --channel nope --block 2x2 -o " + out, 1, "no channel 'nope'"},
        {"mean " + s + " --block 2x2", 2, "derive needs -o OUT.npy"},
    };
    for (const auto& c : cases) {
        const auto result = run_command(kTessera + " derive " + c.arguments);
        EXPECT_EQ(result.exit_code, c.exit_code) << c.arguments << "\n" << result.output;
        EXPECT_NE(result.output.find(c.message), std::string::npos) << c.arguments << "\n"
                                                                    << result.output;
    }
}

}  // namespace
}  // namespace tessera::app
