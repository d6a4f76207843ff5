// What the IPC server's network thread does with a client's bytes, without sockets: reassembly,
// parsing, and applying creates, updates, closes and vector graphics to live images. Shared by
// the deterministic fuzz test (tests/core/ipc/IpcFuzzTest.cpp), the libFuzzer target
// (tests/fuzz/FuzzIpc.cpp) and its seeds (tests/fuzz/MakeSeeds.cpp). Header-only: the fuzz
// target links tessera_core alone.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "core/ipc/LiveImages.h"
#include "core/ipc/PacketStream.h"
#include "core/ipc/VectorGraphics.h"

namespace tessera::testing {

// A client's session touching every packet type: create, update (V3 interleaved, V2 planar, V1),
// draw, open (V2 and legacy), reload, close.
inline std::vector<std::vector<std::byte>> valid_ipc_packets() {
    using namespace core::ipc;
    const std::vector<std::string> rgb{"R", "G", "B"};
    std::vector<std::vector<std::byte>> packets;
    packets.push_back(encode(CreateImage{true, "img", 16, 8, rgb}));
    packets.push_back(encode_update_interleaved(false, "img", rgb, {2, 3, 4, 4},
                                                std::vector<float>(4 * 4 * 3, 0.5f)));
    packets.push_back(PacketWriter(PacketType::UpdateImageV2)
                          .boolean(false)
                          .string("img")
                          .i32(1)
                          .string("G")
                          .i32(0)
                          .i32(0)
                          .i32(2)
                          .i32(1)
                          .f32(1)
                          .f32(2)
                          .finish());
    packets.push_back(PacketWriter(PacketType::UpdateImage)
                          .boolean(false)
                          .string("img")
                          .string("B")
                          .i32(3)
                          .i32(4)
                          .i32(1)
                          .i32(1)
                          .f32(-1)
                          .finish());
    packets.push_back(encode(VectorGraphics{false,
                                            "img",
                                            true,
                                            {{VgCommandType::BeginPath, {}, {}},
                                             {VgCommandType::Arc, {1, 2, 3, 0, 6, 1}, {}},
                                             {VgCommandType::RoundedRect, {1, 1, 5, 4, 1}, {}},
                                             {VgCommandType::Fill, {}, {}},
                                             {VgCommandType::Text, {1, 1}, "t"},
                                             {VgCommandType::Stroke, {}, {}}}}));
    packets.push_back(encode(OpenImage{true, "/tmp/x.exr", "R"}));
    packets.push_back(
        PacketWriter(PacketType::OpenImage).boolean(true).string("/tmp/a.exr:R").finish());
    packets.push_back(encode(ReloadImage{false, "img"}));
    packets.push_back(encode(CloseImage{"img"}));
    return packets;
}

// Feeds one client's bytes through as the network thread would; returns how many packets
// parsed. Errors of applying them are the expected outcome of bad input and are ignored.
inline int replay_ipc(std::span<const std::byte> bytes, core::ipc::LiveImages& live) {
    using namespace core::ipc;
    PacketStream stream(PacketLimits{1 << 16});
    stream.append(bytes);
    int parsed = 0;
    while (true) {
        auto next = stream.next();
        if (!next || !next->has_value()) {
            return parsed;
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
        } else if (auto* close = std::get_if<CloseImage>(&*packet)) {
            live.remove(close->name);
        }
    }
}

}  // namespace tessera::testing
