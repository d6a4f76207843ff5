// A deterministic fuzz test of the packet reader: valid packets of every type, mutated from a
// fixed seed (bytes flipped, cut, repeated, lengths rewritten), streamed through PacketStream,
// parsed and applied to live images. Nothing may crash, hang or allocate without bound (the
// sanitizer builds run it too); the libFuzzer target tests/fuzz/FuzzIpc.cpp explores further.
#include <random>

#include <gtest/gtest.h>

#include "core/ipc/LiveImages.h"
#include "core/ipc/PacketStream.h"
#include "core/ipc/VectorGraphics.h"

namespace tessera::core::ipc {
namespace {

std::vector<std::vector<std::byte>> valid_packets() {
    const std::vector<std::string> rgb{"R", "G", "B"};
    std::vector<float> values(4 * 4 * 3, 0.5f);
    std::vector<std::vector<std::byte>> packets;
    packets.push_back(encode(CreateImage{true, "img", 16, 8, rgb}));
    packets.push_back(encode_update_interleaved(false, "img", rgb, {2, 3, 4, 4}, values));
    packets.push_back(encode(OpenImage{true, "/tmp/x.exr", "R"}));
    packets.push_back(encode(ReloadImage{false, "img"}));
    packets.push_back(encode(CloseImage{"img"}));
    packets.push_back(encode(VectorGraphics{false,
                                            "img",
                                            true,
                                            {{VgCommandType::BeginPath, {}, {}},
                                             {VgCommandType::Arc, {1, 2, 3, 0, 6, 1}, {}},
                                             {VgCommandType::Text, {1, 1}, "t"},
                                             {VgCommandType::Stroke, {}, {}}}}));
    packets.push_back(PacketWriter(PacketType::UpdateImage)
                          .boolean(false)
                          .string("img")
                          .string("G")
                          .i32(0)
                          .i32(0)
                          .i32(2)
                          .i32(1)
                          .f32(1)
                          .f32(2)
                          .finish());
    return packets;
}

// Parses and applies one stream of bytes; returns how many packets parsed.
int feed(const std::vector<std::byte>& bytes, LiveImages& live) {
    PacketStream stream(PacketLimits{1 << 16});
    stream.append(bytes);
    int parsed = 0;
    while (true) {
        auto next = stream.next();
        if (!next || !next->has_value()) {
            break;
        }
        auto packet = parse_packet(**next);
        if (!packet) {
            continue;
        }
        ++parsed;
        if (auto* create = std::get_if<CreateImage>(&*packet)) {
            (void)live.create(*create);
        } else if (auto* update = std::get_if<UpdateImage>(&*packet)) {
            (void)live.update(*update);
        } else if (auto* graphics = std::get_if<VectorGraphics>(&*packet)) {
            (void)interpret(graphics->commands);
        }
    }
    return parsed;
}

TEST(IpcFuzz, MutatedPacketStreamsNeverCrashAndValidOnesAllParse) {
    const auto packets = valid_packets();
    std::vector<std::byte> all;
    for (const auto& packet : packets) {
        all.insert(all.end(), packet.begin(), packet.end());
    }
    LiveImages clean({4096, 16, 1 << 24, 1 << 26});
    EXPECT_EQ(feed(all, clean), static_cast<int>(packets.size()));

    std::mt19937 random(20261202);
    int parsed = 0;
    for (int round = 0; round < 20000; ++round) {
        std::vector<std::byte> bytes = all;
        const int mutations = 1 + static_cast<int>(random() % 8);
        for (int m = 0; m < mutations && !bytes.empty(); ++m) {
            const std::size_t at = random() % bytes.size();
            switch (random() % 5) {
                case 0:
                    bytes[at] = static_cast<std::byte>(random());
                    break;
                case 1:
                    bytes[at] ^= static_cast<std::byte>(1u << (random() % 8));
                    break;
                case 2:
                    bytes.resize(at);
                    break;
                case 3:
                    bytes.insert(bytes.begin() + static_cast<long>(at), bytes.begin(),
                                 bytes.begin() + static_cast<long>(std::min<std::size_t>(
                                                     bytes.size(), random() % 64)));
                    break;
                default: {  // an interesting integer somewhere
                    static constexpr std::uint32_t kValues[] = {
                        0, 1, 4, 5, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 65536};
                    const std::uint32_t v = kValues[random() % std::size(kValues)];
                    for (std::size_t k = 0; k < 4 && at + k < bytes.size(); ++k) {
                        bytes[at + k] = static_cast<std::byte>((v >> (8 * k)) & 0xff);
                    }
                }
            }
        }
        LiveImages live({4096, 16, 1 << 24, 1 << 26});
        parsed += feed(bytes, live);
    }
    EXPECT_GT(parsed, 20000) << "the mutations still leave many packets whole";
}

}  // namespace
}  // namespace tessera::core::ipc
