// tev's IPC packets, byte for byte: each type parsed from bytes built here (as tev's clients
// write them), written back by our encoder, and every malformed case refused with its reason.
#include <cstring>

#include <gtest/gtest.h>

#include "core/ipc/IpcPacket.h"
#include "core/ipc/PacketStream.h"

namespace tessera::core::ipc {
namespace {

// Little-endian bytes, written by hand (independent of PacketWriter).
struct Bytes {
    std::vector<std::byte> data;
    Bytes& u8(int v) {
        data.push_back(static_cast<std::byte>(v));
        return *this;
    }
    Bytes& u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) {
            u8(static_cast<int>((v >> (8 * i)) & 0xff));
        }
        return *this;
    }
    Bytes& i64(std::int64_t v) {
        for (int i = 0; i < 8; ++i) {
            u8(static_cast<int>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xff));
        }
        return *this;
    }
    Bytes& f32(float v) {
        std::uint32_t bits = 0;
        std::memcpy(&bits, &v, 4);
        return u32(bits);
    }
    Bytes& str(std::string_view s) {
        for (char c : s) {
            u8(static_cast<unsigned char>(c));
        }
        return u8(0);
    }
    // The packet: length (including itself), type, these bytes.
    std::vector<std::byte> packet(int type) const {
        Bytes out;
        out.u32(static_cast<std::uint32_t>(data.size() + 5)).u8(type);
        out.data.insert(out.data.end(), data.begin(), data.end());
        return out.data;
    }
};

template <typename T>
T parsed_as(const std::vector<std::byte>& bytes) {
    auto packet = parse_packet(bytes);
    EXPECT_TRUE(packet.ok()) << (packet.ok() ? "" : packet.error().message);
    EXPECT_TRUE(packet.ok() && std::holds_alternative<T>(*packet));
    return packet.ok() && std::holds_alternative<T>(*packet) ? std::get<T>(*packet) : T{};
}

std::string error_of(const std::vector<std::byte>& bytes) {
    auto packet = parse_packet(bytes);
    return packet.ok() ? std::string("(parsed)") : packet.error().message;
}

TEST(IpcPacket, OpenImageV2ReadsFocusPathAndSelector) {
    const auto open = parsed_as<OpenImage>(Bytes().u8(1).str("/data/a.exr").str("R,G").packet(7));
    EXPECT_TRUE(open.grab_focus);
    EXPECT_EQ(open.path, "/data/a.exr");
    EXPECT_EQ(open.channel_selector, "R,G");
    EXPECT_EQ(encode(open), Bytes().u8(1).str("/data/a.exr").str("R,G").packet(7));
}

TEST(IpcPacket, LegacyOpenImageSplitsAtTheLastColonButNotADrive) {
    const auto open = parsed_as<OpenImage>(Bytes().u8(0).str("/a:b/c.exr:diffuse").packet(0));
    EXPECT_FALSE(open.grab_focus);
    EXPECT_EQ(open.path, "/a:b/c.exr");
    EXPECT_EQ(open.channel_selector, "diffuse");
    EXPECT_EQ(split_open_path(true, "C:\\img.exr").path, "C:\\img.exr");
    EXPECT_EQ(split_open_path(true, "C:\\img.exr").channel_selector, "");
    EXPECT_EQ(split_open_path(true, "C:/img.exr:R").channel_selector, "R");
    EXPECT_EQ(split_open_path(true, "plain.png").path, "plain.png");
}

TEST(IpcPacket, ReloadAndCloseImage) {
    const auto reload = parsed_as<ReloadImage>(Bytes().u8(1).str("name").packet(1));
    EXPECT_TRUE(reload.grab_focus);
    EXPECT_EQ(reload.name, "name");
    EXPECT_EQ(encode(reload), Bytes().u8(1).str("name").packet(1));
    // CloseImage has no grabFocus byte.
    const auto close = parsed_as<CloseImage>(Bytes().str("name").packet(2));
    EXPECT_EQ(close.name, "name");
    EXPECT_EQ(encode(close), Bytes().str("name").packet(2));
}

TEST(IpcPacket, CreateImageReadsSizeAndChannelNames) {
    const auto bytes =
        Bytes().u8(1).str("render").u32(640).u32(480).u32(4).str("R").str("G").str("B").str("A");
    const auto create = parsed_as<CreateImage>(bytes.packet(4));
    EXPECT_EQ(create.name, "render");
    EXPECT_EQ(create.width, 640);
    EXPECT_EQ(create.height, 480);
    EXPECT_EQ(create.channels, (std::vector<std::string>{"R", "G", "B", "A"}));
    EXPECT_EQ(encode(create), bytes.packet(4));
}

TEST(IpcPacket, UpdateImageV1ReadsOneChannelOfUnalignedFloats) {
    // The floats start at byte 5 + 1 + 5 + 2 + 16 = 29 of the packet: unaligned.
    Bytes bytes;
    bytes.u8(0).str("img2").str("Y").u32(3).u32(4).u32(2).u32(1).f32(1.5f).f32(-2.25f);
    const auto packet = bytes.packet(3);  // the update points into it
    const auto update = parsed_as<UpdateImage>(packet);
    EXPECT_EQ(update.name, "img2");
    EXPECT_EQ(update.channels, (std::vector<std::string>{"Y"}));
    EXPECT_EQ(update.rect, (Rect{3, 4, 2, 1}));
    EXPECT_NE(reinterpret_cast<std::uintptr_t>(update.data.data()) % 4, 0u) << "test is aligned";
    std::vector<float> values(2);
    update.values_of(0, values);
    EXPECT_EQ(values, (std::vector<float>{1.5f, -2.25f}));
    EXPECT_TRUE(update.contiguous(0));
}

TEST(IpcPacket, UpdateImageV2IsPlanar) {
    Bytes bytes;
    bytes.u8(1).str("i").u32(2).str("R").str("G").u32(0).u32(0).u32(2).u32(1);
    bytes.f32(1).f32(2).f32(10).f32(20);  // R R G G
    const auto packet = bytes.packet(5);  // the update points into it
    const auto update = parsed_as<UpdateImage>(packet);
    EXPECT_TRUE(update.grab_focus);
    std::vector<float> r(2), g(2);
    update.values_of(0, r);
    update.values_of(1, g);
    EXPECT_EQ(r, (std::vector<float>{1, 2}));
    EXPECT_EQ(g, (std::vector<float>{10, 20}));
}

TEST(IpcPacket, UpdateImageV3ReadsInterleavedDataByOffsetAndStride) {
    // Two pixels of R, G, B interleaved: offset c, stride 3 (tev's Python client).
    Bytes bytes;
    bytes.u8(0).str("im").u32(3).str("R").str("G").str("B").u32(5).u32(6).u32(1).u32(2);
    bytes.i64(0).i64(1).i64(2).i64(3).i64(3).i64(3);
    for (float v : {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f}) {
        bytes.f32(v);
    }
    const auto packet = bytes.packet(6);  // the update points into it
    const auto update = parsed_as<UpdateImage>(packet);
    EXPECT_EQ(update.rect, (Rect{5, 6, 1, 2}));
    EXPECT_EQ(update.offsets, (std::vector<std::int64_t>{0, 1, 2}));
    EXPECT_EQ(update.strides, (std::vector<std::int64_t>{3, 3, 3}));
    std::vector<float> r(2), g(2), b(2);
    update.values_of(0, r);
    update.values_of(1, g);
    update.values_of(2, b);
    EXPECT_EQ(r, (std::vector<float>{1, 4}));
    EXPECT_EQ(g, (std::vector<float>{2, 5}));
    EXPECT_EQ(b, (std::vector<float>{3, 6}));
    EXPECT_FALSE(update.contiguous(0));
    // Our encoder writes the same bytes.
    const std::vector<std::string> names{"R", "G", "B"};
    const std::vector<float> values{1, 2, 3, 4, 5, 6};
    EXPECT_EQ(encode_update_interleaved(false, "im", names, {5, 6, 1, 2}, values), bytes.packet(6));
}

TEST(IpcPacket, AnUpdatesFieldsAreReadFromItsBeginningBeforeItsDataArrives) {
    // V1, V2 and V3, each with 4 bytes after its data (tev reads past none of them).
    std::vector<std::vector<std::byte>> packets;
    Bytes v1;
    v1.u8(1).str("img").str("Y").u32(3).u32(4).u32(2).u32(1).f32(1.5f).f32(-2.25f).u32(7);
    packets.push_back(v1.packet(3));
    Bytes v2;
    v2.u8(0).str("i").u32(2).str("R").str("G").u32(0).u32(0).u32(2).u32(1);
    v2.f32(1).f32(2).f32(10).f32(20).u32(7);
    packets.push_back(v2.packet(5));
    Bytes v3;
    v3.u8(0).str("im").u32(2).str("R").str("G").u32(5).u32(6).u32(1).u32(2);
    v3.i64(2).i64(0).i64(1).i64(1).f32(1).f32(2).f32(3).f32(4).u32(7);
    packets.push_back(v3.packet(6));
    for (const auto& packet : packets) {
        const auto whole = parsed_as<UpdateImage>(packet);
        const auto data_offset = static_cast<std::size_t>(whole.data.data() - packet.data());
        for (std::size_t size = 0; size <= packet.size(); ++size) {
            SCOPED_TRACE(testing::Message()
                         << "type " << int(packet[4]) << ", " << size << " bytes");
            auto head = parse_update_head(std::span(packet).first(size));
            ASSERT_TRUE(head.ok()) << head.error().message;
            // The fields end where the data begins: from there on, every prefix tells.
            ASSERT_EQ(head->has_value(), size >= data_offset);
            if (!head->has_value()) {
                continue;
            }
            const UpdateHead& fields = **head;
            EXPECT_EQ(fields.update.name, whole.name);
            EXPECT_EQ(fields.update.grab_focus, whole.grab_focus);
            EXPECT_EQ(fields.update.channels, whole.channels);
            EXPECT_EQ(fields.update.rect, whole.rect);
            EXPECT_EQ(fields.update.offsets, whole.offsets);
            EXPECT_EQ(fields.update.strides, whole.strides);
            EXPECT_TRUE(fields.update.data.empty());
            EXPECT_EQ(fields.data_offset, data_offset);
            EXPECT_EQ(fields.data_bytes, whole.data.size());
            EXPECT_EQ(fields.length, packet.size());
            EXPECT_EQ(fields.data_offset + fields.data_bytes + 4, packet.size());
        }
    }
    // Not an update, or one whose fields are wrong: refused at once, with parse_packet's reason.
    EXPECT_FALSE(parse_update_head(encode(CloseImage{"x"})).ok());
    Bytes negative;
    negative.u8(0).str("im").str("Y").u32(0).u32(0).u32(0xffffffff).u32(1);
    const auto bad = negative.packet(3);
    const auto refused = parse_update_head(std::span(bad).first(bad.size()));
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("negative size"), std::string::npos)
        << refused.error().message;
    // A packet announcing more data than it has is refused from its fields alone.
    Bytes short_data;
    short_data.u8(0).str("im").str("Y").u32(0).u32(0).u32(100).u32(100);
    auto announced = short_data.packet(3);
    const auto too_short = parse_update_head(announced);
    ASSERT_FALSE(too_short.ok());
    EXPECT_NE(too_short.error().message.find("insufficient image data"), std::string::npos)
        << too_short.error().message;
}

TEST(IpcPacket, VectorGraphicsReadsCommandsWithTheirFloatsAndText) {
    Bytes bytes;
    bytes.u8(0).str("img").u8(1).u32(4);
    bytes.u8(6);                               // BeginPath
    bytes.u8(18).f32(1).f32(2).f32(3).f32(4);  // Rect
    bytes.u8(21).f32(7).f32(8).str("hello");   // Text
    bytes.u8(25).f32(2).f32(1);                // StrokeWidth
    const auto graphics = parsed_as<VectorGraphics>(bytes.packet(8));
    EXPECT_EQ(graphics.name, "img");
    EXPECT_TRUE(graphics.append);
    ASSERT_EQ(graphics.commands.size(), 4u);
    EXPECT_EQ(graphics.commands[1], (VgCommand{VgCommandType::Rect, {1, 2, 3, 4}, {}}));
    EXPECT_EQ(graphics.commands[2], (VgCommand{VgCommandType::Text, {7, 8}, "hello"}));
    EXPECT_EQ(graphics.commands[3], (VgCommand{VgCommandType::StrokeWidth, {2, 1}, {}}));
    EXPECT_EQ(encode(graphics), bytes.packet(8));
}

TEST(IpcPacket, MalformedPacketsAreRefusedWithTheirReason) {
    EXPECT_NE(error_of(Bytes().u32(4).data).find("shorter than its header"), std::string::npos);
    EXPECT_NE(error_of(Bytes().u8(0).packet(42)).find("invalid packet type 42"), std::string::npos);
    // A string without its NUL.
    auto unterminated = Bytes().u8(0).packet(1);
    unterminated.push_back(std::byte{'x'});
    unterminated[0] = static_cast<std::byte>(unterminated.size());
    EXPECT_NE(error_of(unterminated).find("no terminating NUL"), std::string::npos);
    // A length that disagrees with the packet.
    auto lying = Bytes().str("x").packet(2);
    lying[0] = std::byte{50};
    EXPECT_NE(error_of(lying).find("announces 50 bytes"), std::string::npos);
    // Counts larger than the packet, negative ones.
    EXPECT_NE(error_of(Bytes().u8(0).str("i").u32(5).u32(5).u32(1000000).packet(4))
                  .find("channel count is 1000000"),
              std::string::npos);
    EXPECT_NE(
        error_of(Bytes().u8(0).str("i").u32(0xffffffff).packet(5)).find("channel count is -1"),
        std::string::npos);
    EXPECT_NE(error_of(Bytes().u8(0).str("i").u8(0).u32(100000).packet(8)).find("command count"),
              std::string::npos);
    // Too little float data for the rectangle (V1), and for a V3 stride.
    EXPECT_NE(error_of(Bytes().u8(0).str("i").str("Y").u32(0).u32(0).u32(2).u32(2).f32(1).packet(3))
                  .find("insufficient image data"),
              std::string::npos);
    // Planar V2 whose channel offsets (c * area) would overflow: refused before they are computed
    // (found by the libFuzzer target).
    EXPECT_NE(error_of(Bytes()
                           .u8(0)
                           .str("i")
                           .u32(3)
                           .str("R")
                           .str("G")
                           .str("B")
                           .u32(0)
                           .u32(0)
                           .u32(0x7fffffff)
                           .u32(0x7fffffff)
                           .f32(0)
                           .packet(5))
                  .find("insufficient image data"),
              std::string::npos);
    Bytes strided;
    strided.u8(0).str("i").u32(1).str("Y").u32(0).u32(0).u32(2).u32(1).i64(0).i64(4);
    strided.f32(1).f32(2).f32(3).f32(4);  // the second pixel is at element 4: a fifth float needed
    EXPECT_NE(error_of(strided.packet(6)).find("insufficient image data"), std::string::npos);
    // Offsets and strides that would overflow 64-bit arithmetic are refused, not wrapped.
    Bytes huge;
    huge.u8(0).str("i").u32(1).str("Y").u32(0).u32(0).u32(0x7fffffff).u32(0x7fffffff);
    huge.i64(0x7fffffff).i64(0x7fffffff).f32(0);
    EXPECT_NE(error_of(huge.packet(6)).find("insufficient image data"), std::string::npos);
    Bytes negative;
    negative.u8(0).str("i").u32(1).str("Y").u32(0).u32(0).u32(1).u32(1).i64(-1).i64(1).f32(0);
    EXPECT_NE(error_of(negative.packet(6)).find("offset is -1"), std::string::npos);
    EXPECT_NE(
        error_of(Bytes().u8(0).str("i").str("Y").u32(0).u32(0).u32(0xffffffff).u32(1).packet(3))
            .find("negative size"),
        std::string::npos);
    // An unknown vector graphics command.
    EXPECT_NE(
        error_of(Bytes().u8(0).str("i").u8(0).u32(1).u8(127).packet(8)).find("invalid type 127"),
        std::string::npos);
    // Fields cut short.
    EXPECT_NE(error_of(Bytes().u8(0).str("i").u32(5).packet(4)).find("packet ends before"),
              std::string::npos);
}

TEST(PacketStream, ReassemblesPacketsFromBytesArrivingOneByOne) {
    const auto first = encode(CloseImage{"a"});
    const auto second = encode(ReloadImage{true, "bb"});
    std::vector<std::byte> all = first;
    all.insert(all.end(), second.begin(), second.end());
    PacketStream stream;
    std::vector<std::vector<std::byte>> packets;
    for (std::byte b : all) {
        stream.append(std::span(&b, 1));
        while (true) {
            auto next = stream.next();
            ASSERT_TRUE(next.ok());
            if (!next->has_value()) {
                break;
            }
            packets.emplace_back((*next)->begin(), (*next)->end());
        }
    }
    EXPECT_EQ(packets, (std::vector<std::vector<std::byte>>{first, second}));
    EXPECT_EQ(stream.buffered(), 0u);
}

TEST(PacketStream, ALengthBelowTheHeaderOrAboveTheLimitEndsTheStreamBeforeBuffering) {
    for (std::uint32_t length : {0u, 1u, 4u}) {
        PacketStream stream;
        stream.append(Bytes().u32(length).data);
        auto next = stream.next();
        ASSERT_FALSE(next.ok());
        EXPECT_NE(next.error().message.find("cannot be resynchronised"), std::string::npos);
    }
    PacketStream limited(PacketLimits{1000});
    limited.append(Bytes().u32(0xfffffff0).u8(4).data);
    auto next = limited.next();
    ASSERT_FALSE(next.ok());
    EXPECT_NE(next.error().message.find("more than the limit of 1000"), std::string::npos);
    EXPECT_LT(limited.capacity(), 100u) << "nothing of the announced 4 GB was allocated";
}

}  // namespace
}  // namespace tessera::core::ipc
