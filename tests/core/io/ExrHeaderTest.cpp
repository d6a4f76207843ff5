// The OpenEXR header validation that runs before tinyexr: each check on a valid file written in
// code, changed in exactly the place the check guards.
#include <algorithm>
#include <cstring>

#include <gtest/gtest.h>
#include <tinyexr.h>

#include "core/io/ExrHeader.h"
#include "tests/support/Fixtures.h"

namespace tessera::core {
namespace {

constexpr ExrLimits kLimits{std::uint64_t{1} << 30};

std::vector<std::byte> valid_exr(int compression = TINYEXR_COMPRESSIONTYPE_NONE, int height = 4) {
    const auto path = testing::temp_path("header.exr");
    std::vector<float> values(static_cast<std::size_t>(4 * height), 1.0f);
    EXPECT_EQ(testing::write_exr(path, {{"", 4, height, TINYEXR_PIXELTYPE_FLOAT, compression,
                                         testing::bytes_of(values)}}),
              "");
    return testing::read_bytes(path);
}

std::size_t find(const std::vector<std::byte>& bytes, std::string_view text) {
    const auto* key = reinterpret_cast<const std::byte*>(text.data());
    const auto at = std::search(bytes.begin(), bytes.end(), key, key + text.size());
    EXPECT_NE(at, bytes.end()) << text;
    return static_cast<std::size_t>(at - bytes.begin());
}

std::string refusal(const std::vector<std::byte>& bytes) {
    auto parts = scan_exr(bytes, kLimits);
    return parts.ok() ? std::string("accepted") : parts.error().message;
}

// Puts an attribute first in the header. The header grows, so the offset table no longer
// points at the chunks: only checks that run before the chunks are examined can be tested so.
std::vector<std::byte> with_attribute(std::vector<std::byte> bytes, std::string_view name,
                                      std::string_view type, std::vector<std::byte> value) {
    std::vector<std::byte> attribute;
    for (std::string_view text : {name, type}) {
        for (char ch : text) {
            attribute.push_back(static_cast<std::byte>(ch));
        }
        attribute.push_back(std::byte{0});
    }
    const auto size = static_cast<std::uint32_t>(value.size());
    for (int i = 0; i < 4; ++i) {
        attribute.push_back(static_cast<std::byte>(size >> (8 * i) & 0xff));
    }
    attribute.insert(attribute.end(), value.begin(), value.end());
    bytes.insert(bytes.begin() + 8, attribute.begin(), attribute.end());
    return bytes;
}

TEST(ExrHeader, AValidFileIsReadWithItsChunkCount) {
    const auto bytes = valid_exr(TINYEXR_COMPRESSIONTYPE_ZIP, 40);
    auto parts = scan_exr(bytes, kLimits);
    ASSERT_TRUE(parts.ok()) << parts.error().message;
    ASSERT_EQ(parts->size(), 1u);
    EXPECT_EQ(parts->front().chunk_count, 3u) << "40 lines in blocks of 16";
    EXPECT_EQ(parts->front().data_window.width(), 4);
    EXPECT_EQ(parts->front().channels.size(), 1u);
}

TEST(ExrHeader, AKnownAttributeWithAnotherTypeOrSizeIsRefused) {
    auto bytes = valid_exr();
    bytes[find(bytes, "dataWindow") + 11 + 4] = std::byte{'j'};  // box2i -> box2j
    EXPECT_NE(refusal(bytes).find("'dataWindow' has type 'box2j'"), std::string::npos)
        << refusal(bytes);
}

TEST(ExrHeader, AnAttributeTwiceIsRefused) {
    const auto bytes = with_attribute(valid_exr(), "lineOrder", "lineOrder", {std::byte{0}});
    EXPECT_NE(refusal(bytes).find("'lineOrder' twice"), std::string::npos) << refusal(bytes);
}

TEST(ExrHeader, AMissingRequiredAttributeIsNamed) {
    auto bytes = valid_exr();
    bytes[find(bytes, "lineOrder")] = std::byte{'X'};  // now a custom attribute "XineOrder"
    EXPECT_NE(refusal(bytes).find("lacks the required 'lineOrder'"), std::string::npos)
        << refusal(bytes);
}

TEST(ExrHeader, CoordinatesBeyondTwoToTheThirtyAreRefused) {
    auto bytes = valid_exr();
    const std::size_t value = find(bytes, "displayWindow") + 14 + 6 + 4;
    const std::int32_t far = (1 << 30) + 1;
    std::memcpy(&bytes[value + 8], &far, 4);
    EXPECT_NE(refusal(bytes).find("beyond +-2^30"), std::string::npos) << refusal(bytes);
}

TEST(ExrHeader, AChunkCountThatDisagreesWithTheDataWindowIsRefused) {
    // exr-chunkcount-1-partial-decode.exr in miniature: chunkCount 1 for 4 lines of NONE.
    const std::vector<std::byte> one{std::byte{1}, std::byte{0}, std::byte{0}, std::byte{0}};
    const auto bytes = with_attribute(valid_exr(), "chunkCount", "int", one);
    EXPECT_NE(refusal(bytes).find("chunkCount is 1 but its data window and compression need 4"),
              std::string::npos)
        << refusal(bytes);
}

TEST(ExrHeader, OffsetsOutsideTheFileAndRepeatedBlocksAreRefused) {
    auto bytes = valid_exr();  // NONE: one chunk per line, 4 chunks
    auto parts = scan_exr(bytes, kLimits);
    ASSERT_TRUE(parts.ok());
    // The offset table is the 32 bytes before the first chunk; the first entry points at it.
    const std::size_t table = bytes.size() - 4 * (8 + 16) - 32;
    std::uint64_t first = 0;
    std::memcpy(&first, &bytes[table], 8);
    ASSERT_EQ(first, table + 32) << "the table is where this test expects it";
    auto outside = bytes;
    const std::uint64_t past = bytes.size() + 100;
    std::memcpy(&outside[table + 8], &past, 8);
    EXPECT_NE(refusal(outside).find("chunk 1 has offset"), std::string::npos) << refusal(outside);
    auto repeated = bytes;
    std::memcpy(&repeated[table + 8], &first, 8);  // chunk 1 points at chunk 0
    EXPECT_NE(refusal(repeated).find("repeats a block"), std::string::npos) << refusal(repeated);
}

TEST(ExrHeader, AHeaderClaimingMoreThanTheFileCanHoldIsRefused) {
    auto bytes = valid_exr();
    const std::size_t value = find(bytes, "dataWindow") + 11 + 6 + 4;
    const std::int32_t big = 30000;
    std::memcpy(&bytes[value + 8], &big, 4);
    std::memcpy(&bytes[value + 12], &big, 4);
    EXPECT_NE(refusal(bytes).find("more than its"), std::string::npos) << refusal(bytes);
}

}  // namespace
}  // namespace tessera::core
