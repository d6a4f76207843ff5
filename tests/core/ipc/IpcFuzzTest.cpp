// A deterministic fuzz test of the packet reader: valid packets of every type, mutated from a
// fixed seed (bytes flipped, cut, repeated, lengths rewritten), streamed through PacketStream,
// parsed and applied to live images. Nothing may crash, hang or allocate without bound (the
// sanitizer builds run it too); the libFuzzer target tests/fuzz/FuzzIpc.cpp explores further.
#include <random>

#include <gtest/gtest.h>

#include "tests/support/IpcReplay.h"

namespace tessera::core::ipc {
namespace {

TEST(IpcFuzz, MutatedPacketStreamsNeverCrashAndValidOnesAllParse) {
    const auto packets = testing::valid_ipc_packets();
    std::vector<std::byte> all;
    for (const auto& packet : packets) {
        all.insert(all.end(), packet.begin(), packet.end());
    }
    LiveImages clean({4096, 16, 1 << 24, 1 << 26});
    EXPECT_EQ(testing::replay_ipc(all, clean), static_cast<int>(packets.size()));

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
        parsed += testing::replay_ipc(bytes, live);
    }
    EXPECT_GT(parsed, 20000) << "the mutations still leave many packets whole";
}

}  // namespace
}  // namespace tessera::core::ipc
