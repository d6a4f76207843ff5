// Live images: created zero-filled, written in place by updates (each channel, rectangle and
// layout exactly), damage recorded for the rectangle only, and bad requests refused by name.
#include <gtest/gtest.h>

#include "core/ipc/LiveImages.h"

namespace tessera::core::ipc {
namespace {

std::vector<float> read(const PlanarImage& image, std::size_t channel, Rect rect) {
    std::vector<float> out(static_cast<std::size_t>(rect.area()));
    EXPECT_TRUE(image.read_region({channel}, rect, std::as_writable_bytes(std::span(out))).ok());
    return out;
}

UpdateImage parsed_update(const std::vector<std::byte>& bytes) {
    static std::vector<std::vector<std::byte>> keep;  // the update points into its packet
    keep.push_back(bytes);
    auto packet = parse_packet(keep.back());
    EXPECT_TRUE(packet.ok());
    return std::get<UpdateImage>(*packet);
}

TEST(LiveImages, CreateMakesZeroFilledFloatChannelsAndReplacesByName) {
    LiveImages live;
    auto image = live.create({true, "render", 64, 32, {"R", "G", "B"}});
    ASSERT_TRUE(image.ok());
    EXPECT_EQ((*image)->width(), 64);
    EXPECT_EQ((*image)->channel_count(), 3u);
    EXPECT_EQ((*image)->channels()[1].type, SampleType::F32);
    EXPECT_EQ(read(**image, 2, {0, 0, 64, 32}), std::vector<float>(64 * 32, 0.0f));
    auto again = live.create({false, "render", 8, 8, {"Y"}});
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(live.find("render"), *again);
    EXPECT_EQ(live.size(), 1u);
    EXPECT_TRUE(live.remove("render"));
    EXPECT_FALSE(live.remove("render"));
    EXPECT_EQ(live.find("render"), nullptr);
}

TEST(LiveImages, UpdatesWriteTheirRectangleOfEveryChannelAndRecordOnlyItsDamage) {
    LiveImages live;
    auto image = *live.create({false, "i", 100, 80, {"R", "G", "B"}});
    const std::uint64_t before = image->revision();
    // Interleaved RGB of a 3x2 rectangle at (10, 20): value = channel * 100 + pixel.
    std::vector<float> values;
    for (int pixel = 0; pixel < 6; ++pixel) {
        for (int c = 0; c < 3; ++c) {
            values.push_back(static_cast<float>(c * 100 + pixel));
        }
    }
    const std::vector<std::string> names{"R", "G", "B"};
    ASSERT_TRUE(live.update(parsed_update(encode_update_interleaved(false, "i", names,
                                                                    {10, 20, 3, 2}, values)))
                    .ok());
    for (std::size_t c = 0; c < 3; ++c) {
        const std::vector<float> got = read(*image, c, {10, 20, 3, 2});
        for (int pixel = 0; pixel < 6; ++pixel) {
            EXPECT_EQ(got[static_cast<std::size_t>(pixel)], static_cast<float>(c * 100 + pixel));
        }
        EXPECT_EQ(read(*image, c, {9, 20, 1, 1})[0], 0.0f) << "outside the rectangle";
        EXPECT_EQ(read(*image, c, {13, 21, 1, 1})[0], 0.0f) << "outside the rectangle";
    }
    const auto damage = image->damage_since(before);
    ASSERT_EQ(damage.size(), 3u);  // one per channel
    for (const Damage& change : damage) {
        EXPECT_EQ(change.rect, (Rect{10, 20, 3, 2}));
    }
    // One channel of the three, planar (V1).
    const std::vector<std::byte> v1 = PacketWriter(PacketType::UpdateImage)
                                          .boolean(false)
                                          .string("i")
                                          .string("G")
                                          .i32(99)
                                          .i32(79)
                                          .i32(1)
                                          .i32(1)
                                          .f32(-7.5f)
                                          .finish();
    ASSERT_TRUE(live.update(parsed_update(v1)).ok());
    EXPECT_EQ(read(*image, 1, {99, 79, 1, 1})[0], -7.5f);
    EXPECT_EQ(read(*image, 0, {99, 79, 1, 1})[0], 0.0f);
}

TEST(LiveImages, BadRequestsAreRefusedNamingTheImageChannelOrRectangle) {
    LiveImages live({1024, 4, 1 << 20, 5 << 19});  // 2.5 MB in all: two 1 MB images
    const auto error = [](const auto& result) {
        return result.ok() ? std::string("(ok)") : result.error().message;
    };
    EXPECT_NE(error(live.create({false, "z", 0, 10, {"Y"}})).find("zero pixels"),
              std::string::npos);
    EXPECT_NE(error(live.create({false, "z", 10, 10, {}})).find("no channels"), std::string::npos);
    EXPECT_NE(error(live.create({false, "big", 2000, 10, {"Y"}})).find("more than a viewer holds"),
              std::string::npos);
    EXPECT_NE(error(live.create({false, "big", 512, 512, {"Y", "Z"}})).find("more than a viewer"),
              std::string::npos);
    EXPECT_NE(error(live.create({false, "d", 4, 4, {"Y", "Y"}})).find("'Y' is named twice"),
              std::string::npos);
    ASSERT_TRUE(live.create({false, "a", 512, 512, {"Y"}}).ok());
    ASSERT_TRUE(live.create({false, "b", 512, 512, {"Y"}}).ok());
    EXPECT_NE(error(live.create({false, "c", 512, 512, {"Y"}})).find("MB allowed"),
              std::string::npos);
    EXPECT_TRUE(live.create({false, "b", 512, 512, {"Y"}}).ok()) << "replacing is not adding";

    const std::vector<std::string> y{"Y"};
    const std::vector<std::string> q{"Q"};
    const std::vector<float> one{1.0f};
    EXPECT_NE(error(live.update(parsed_update(
                        encode_update_interleaved(false, "nope", y, {0, 0, 1, 1}, one))))
                  .find("'nope' could not be updated"),
              std::string::npos);
    EXPECT_NE(error(live.update(
                        parsed_update(encode_update_interleaved(false, "a", q, {0, 0, 1, 1}, one))))
                  .find("no channel 'Q'"),
              std::string::npos);
    for (Rect outside : {Rect{512, 0, 1, 1}, Rect{-1, 0, 1, 1}, Rect{0, 512, 1, 1}}) {
        EXPECT_NE(error(live.update(
                            parsed_update(encode_update_interleaved(false, "a", y, outside, one))))
                      .find("does not fit into image 'a'"),
                  std::string::npos);
    }
}

}  // namespace
}  // namespace tessera::core::ipc
