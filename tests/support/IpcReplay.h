// What the IPC server's network thread does with a client's bytes, without sockets: reassembly,
// parsing, and applying creates, updates, closes and vector graphics to live images. Shared by
// the deterministic fuzz test (tests/core/ipc/IpcFuzzTest.cpp), the libFuzzer target
// (tests/fuzz/FuzzIpc.cpp) and its seeds (tests/fuzz/MakeSeeds.cpp). Header-only: the fuzz
// target links tessera_core alone.
#pragma once

#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "core/ipc/LiveImages.h"
#include "core/ipc/PacketStream.h"
#include "core/ipc/VectorGraphics.h"

namespace tessera::testing {

// A client's session touching every packet type: create, update (V3 interleaved, V2 planar, V1,
// whole channels by V3 and V2), draw, open (V2 and legacy), reload, close.
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
    // Whole channels: what the server receives straight into the image when large.
    const std::vector<std::string> green{"G"};
    packets.push_back(encode_update_interleaved(false, "img", green, {0, 0, 16, 8},
                                                std::vector<float>(16 * 8, 0.25f)));
    {
        PacketWriter planar(PacketType::UpdateImageV2);
        planar.boolean(false).string("img").i32(2).string("B").string("R");
        planar.i32(0).i32(0).i32(16).i32(8);
        for (int i = 0; i < 2 * 16 * 8; ++i) {
            planar.f32(static_cast<float>(i));
        }
        packets.push_back(planar.finish());
    }
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

// An update's fields read from the packet's beginning, as the network thread reads a large one
// before its data arrives: every prefix either says "not yet", or agrees with the whole packet.
// Returns false on a disagreement (a bug, whatever the input).
inline bool update_head_agrees(std::span<const std::byte> packet) {
    using namespace core::ipc;
    auto whole = parse_packet(packet);
    const auto* update = whole ? std::get_if<UpdateImage>(&*whole) : nullptr;
    for (std::size_t size = 0; size <= packet.size(); size += 1 + size / 4) {
        auto head = parse_update_head(packet.first(size));
        if (update == nullptr || (head && !head->has_value())) {
            continue;  // anything goes for packets that are no valid update; "not yet" is fine
        }
        if (!head || (*head)->update.name != update->name ||
            (*head)->update.channels != update->channels || (*head)->update.rect != update->rect ||
            (*head)->update.offsets != update->offsets ||
            (*head)->update.strides != update->strides ||
            (*head)->data_offset != static_cast<std::size_t>(update->data.data() - packet.data()) ||
            (*head)->data_bytes != update->data.size() || (*head)->length != packet.size()) {
            return false;
        }
    }
    return true;
}

// Feeds one client's bytes through as the network thread would; returns how many packets
// parsed. Errors of applying them are the expected outcome of bad input and are ignored.
// Updates of whole channels go the way large ones go through the server: their data copied
// into the image's storage (LiveImages::begin_whole), then put in place. A disagreement of
// update_head_agrees aborts (the fuzzers report it as a crash).
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
        if (!update_head_agrees(**next)) {
            std::abort();
        }
        auto packet = parse_packet(**next);
        if (!packet) {
            continue;
        }
        ++parsed;
        if (auto* create = std::get_if<CreateImage>(&*packet)) {
            (void)live.create(*create);
        } else if (auto* update = std::get_if<UpdateImage>(&*packet)) {
            if (auto whole = live.begin_whole(*update)) {
                std::size_t at = 0;
                for (std::span<std::byte> target : whole->targets()) {
                    std::memcpy(target.data(), update->data.data() + at, target.size());
                    at += target.size();
                }
                (void)live.finish(std::move(*whole));
            } else {
                (void)live.update(*update);
            }
        } else if (auto* graphics = std::get_if<VectorGraphics>(&*packet)) {
            (void)interpret(graphics->commands);
        } else if (auto* close = std::get_if<CloseImage>(&*packet)) {
            live.remove(close->name);
        }
    }
}

}  // namespace tessera::testing
