// Live images: created zero-filled, written in place by updates (each channel, rectangle and
// layout exactly), damage recorded for the rectangle only, and bad requests refused by name.
#include <cstring>

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

// A V2 update of whole channels, planar: channel c's pixel i is c * 1000 + i + frame / 4.
std::vector<std::byte> whole_update(const std::vector<std::string>& channels, int width, int height,
                                    int frame, const std::string& image = "live") {
    PacketWriter out(PacketType::UpdateImageV2);
    out.boolean(false).string(image).i32(static_cast<std::int32_t>(channels.size()));
    for (const std::string& channel : channels) {
        out.string(channel);
    }
    out.i32(0).i32(0).i32(width).i32(height);
    for (std::size_t c = 0; c < channels.size(); ++c) {
        for (int i = 0; i < width * height; ++i) {
            out.f32(static_cast<float>(c * 1000 + i) + static_cast<float>(frame) / 4);
        }
    }
    return out.finish();
}

// What the network thread does with a large whole-channel update: its data into the storage,
// as it arrives; finish() comes once it has all arrived.
std::optional<WholeUpdate> arrive(LiveImages& live, const UpdateImage& update) {
    auto whole = live.begin_whole(update);
    EXPECT_TRUE(whole.has_value());
    if (whole) {
        std::size_t at = 0;
        for (std::span<std::byte> target : whole->targets()) {
            std::memcpy(target.data(), update.data.data() + at, target.size());
            at += target.size();
        }
        EXPECT_EQ(at, update.data.size());
    }
    return whole;
}

Result<void> receive_whole(LiveImages& live, const UpdateImage& update) {
    auto whole = arrive(live, update);
    if (!whole) {
        return Error{"not whole"};
    }
    return live.finish(std::move(*whole));
}

TEST(LiveImages, WholeChannelsReceivedIntoStorageReplaceThePixelsAsOneChange) {
    LiveImages live;
    auto image = live.create({true, "live", 40, 30, {"R", "G", "B"}});
    ASSERT_TRUE(image.ok());
    const PlanarImage& pixels = **image;
    for (int frame = 1; frame <= 3; ++frame) {
        const std::uint64_t before = pixels.revision();
        // B then R, named in that order: each channel's values go to the channel named.
        ASSERT_TRUE(receive_whole(live, parsed_update(whole_update({"B", "R"}, 40, 30, frame))));
        EXPECT_EQ(pixels.revision(), before + 1) << "one change for both channels";
        const std::vector<Damage> damage = pixels.damage_since(before);
        ASSERT_EQ(damage.size(), 1u);
        EXPECT_EQ(damage[0].rect, (Rect{0, 0, 40, 30}));
        EXPECT_TRUE(damage[0].touches({0})) << "R";
        EXPECT_FALSE(damage[0].touches({1})) << "G is not written";
        EXPECT_TRUE(damage[0].touches({2})) << "B";
        const std::vector<float> b = read(pixels, 2, {0, 0, 40, 30});
        const std::vector<float> r = read(pixels, 0, {0, 0, 40, 30});
        for (int i = 0; i < 40 * 30; ++i) {
            ASSERT_EQ(b[static_cast<std::size_t>(i)], static_cast<float>(i) + frame / 4.0f);
            ASSERT_EQ(r[static_cast<std::size_t>(i)], static_cast<float>(1000 + i) + frame / 4.0f);
        }
        EXPECT_EQ(read(pixels, 1, {0, 0, 40, 30}), std::vector<float>(40 * 30, 0.0f));
    }
}

TEST(LiveImages, OnlyPlanarUpdatesOfWholeDistinctChannelsAreReceivedIntoStorage) {
    LiveImages live;
    ASSERT_TRUE(live.create({true, "live", 8, 4, {"R", "G"}}).ok());
    const std::vector<std::string> rg{"R", "G"};
    const std::vector<float> values(8 * 4 * 2, 1.0f);
    EXPECT_FALSE(live.begin_whole(
        parsed_update(encode_update_interleaved(false, "live", rg, {0, 0, 8, 4}, values))))
        << "interleaved";
    EXPECT_FALSE(live.begin_whole(
        parsed_update(encode_update_interleaved(false, "live", std::vector<std::string>{"R"},
                                                {0, 0, 8, 3}, std::vector<float>(8 * 3, 1.0f)))))
        << "part of the image";
    EXPECT_FALSE(live.begin_whole(parsed_update(whole_update({"R", "R"}, 8, 4, 0))))
        << "a channel named twice";
    EXPECT_FALSE(live.begin_whole(parsed_update(whole_update({"X"}, 8, 4, 0)))) << "no such";
    EXPECT_FALSE(live.begin_whole(parsed_update(whole_update({"R"}, 8, 5, 0)))) << "too large";
    EXPECT_TRUE(live.begin_whole(parsed_update(whole_update({"G", "R"}, 8, 4, 0))));
}

// Frame 1 of `channels` of the 8x4 image "live", arrived and not finished yet.
std::optional<WholeUpdate> arriving(LiveImages& live, const std::vector<std::string>& channels) {
    return arrive(live, parsed_update(whole_update(channels, 8, 4, 1)));
}

TEST(LiveImages, AWholeUpdateOfAnImageCreatedAgainMeanwhileGoesToTheNewImage) {
    LiveImages live;
    ASSERT_TRUE(live.create({true, "live", 8, 4, {"R", "G"}}).ok());
    auto whole = arriving(live, {"R", "G"});
    ASSERT_TRUE(whole.has_value());
    // Created again, as tev would see it before the update's packet has arrived: the update
    // then applies to the new image (its channels in another order).
    auto again = live.create({true, "live", 8, 4, {"G", "B", "R"}});
    ASSERT_TRUE(again.ok());
    ASSERT_TRUE(live.finish(std::move(*whole)).ok());
    EXPECT_EQ(read(**again, 2, {0, 0, 8, 4})[3], 3.25f) << "R";
    EXPECT_EQ(read(**again, 0, {0, 0, 8, 4})[3], 1003.25f) << "G";
    EXPECT_EQ(read(**again, 1, {0, 0, 8, 4})[3], 0.0f) << "B is not written";
}

TEST(LiveImages, AWholeUpdateOfAnImageClosedOrChangedMeanwhileIsDroppedNamingIt) {
    LiveImages live;
    ASSERT_TRUE(live.create({true, "live", 8, 4, {"R"}}).ok());
    auto closed = arriving(live, {"R"});
    ASSERT_TRUE(live.remove("live"));
    const auto dropped = live.finish(std::move(*closed));
    ASSERT_FALSE(dropped.ok());
    EXPECT_NE(dropped.error().message.find("'live' was closed while its update arrived"),
              std::string::npos)
        << dropped.error().message;

    ASSERT_TRUE(live.create({true, "live", 8, 4, {"R"}}).ok());
    auto resized = arriving(live, {"R"});
    auto smaller = live.create({true, "live", 8, 2, {"R"}});
    ASSERT_TRUE(smaller.ok());
    const auto refused = live.finish(std::move(*resized));
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("does not fit into image 'live'"), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("created again"), std::string::npos);
    EXPECT_EQ((*smaller)->revision(), 0u) << "the new image is untouched";
}

TEST(LiveImages, StorageForWholeUpdatesCountsAgainstTheTotalUntilItIsFinishedOrDropped) {
    const std::uint64_t image_bytes = 40 * 30 * 4;
    LiveImages live(LiveLimits{1 << 16, 16, image_bytes, 3 * image_bytes});
    const auto update_of = [](const std::string& name, int frame) {
        return parsed_update(whole_update({"Y"}, 40, 30, frame, name));
    };
    const auto create = [&](const std::string& name) {
        return live.create({true, name, 40, 30, {"Y"}});
    };
    ASSERT_TRUE(create("a").ok());
    ASSERT_TRUE(receive_whole(live, update_of("a", 1)));  // a keeps the storage it replaced
    ASSERT_TRUE(create("b").ok());                        // a twice and b: the total
    const auto refused = create("c");
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("would hold"), std::string::npos)
        << refused.error().message;
    // b has no spare and new storage does not fit: its update is written in place instead.
    EXPECT_FALSE(live.begin_whole(update_of("b", 1)));
    ASSERT_TRUE(live.update(update_of("b", 1)).ok());
    EXPECT_EQ(read(*live.find("b"), 0, {0, 0, 40, 30})[5], 5.25f);
    // a's next whole update is received into its spare.
    ASSERT_TRUE(receive_whole(live, update_of("a", 2)));
    EXPECT_EQ(read(*live.find("a"), 0, {0, 0, 40, 30})[7], 7.5f);

    // Storage being received into is counted until the update is finished or dropped.
    ASSERT_TRUE(live.remove("b"));
    {
        auto arriving = live.begin_whole(update_of("a", 3));  // takes a's spare
        ASSERT_TRUE(arriving.has_value());
        ASSERT_TRUE(create("c").ok());
        EXPECT_FALSE(create("d").ok()) << "a, the storage in flight and c fill the total";
    }  // dropped (its client went away): the storage is freed, and a has no spare left
    EXPECT_TRUE(create("d").ok());
    EXPECT_FALSE(create("e").ok());
}

}  // namespace
}  // namespace tessera::core::ipc
