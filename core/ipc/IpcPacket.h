// IpcPacket: tev's IPC protocol (../shared/reference/tev-ipc.md), parsed and written. A packet is
// `uint32 total length | uint8 type | payload`, little-endian and unaligned; strings end with a
// NUL. parse_packet reads one whole packet into a typed value, or says what is wrong with it
// (never reads past the packet, never allocates more than the packet's size); PacketWriter
// builds packets for clients (forwarding files to a running window, tests, the bench).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/base/Result.h"
#include "core/image/ImageSource.h"

namespace tessera::core::ipc {

enum class PacketType : std::uint8_t {
    OpenImage = 0,  // legacy: "path:selector" in one string
    ReloadImage = 1,
    CloseImage = 2,
    UpdateImage = 3,  // V1: one channel
    CreateImage = 4,
    UpdateImageV2 = 5,  // several channels, planar
    UpdateImageV3 = 6,  // several channels, each with its offset and stride (in floats)
    OpenImageV2 = 7,
    VectorGraphics = 8,
};

std::string_view packet_type_name(PacketType type);

struct OpenImage {
    bool grab_focus = false;
    std::string path;
    std::string channel_selector;  // empty: every channel
};

struct ReloadImage {
    bool grab_focus = false;
    std::string name;
};

struct CloseImage {
    std::string name;
};

struct CreateImage {
    bool grab_focus = false;
    std::string name;
    std::int32_t width = 0;
    std::int32_t height = 0;
    std::vector<std::string> channels;
};

// Float32 values of a rectangle of named channels. Channel c's pixel i (row-major in the
// rectangle) is the float at element offsets[c] + i * strides[c] of `data`, which points into the
// packet and may be unaligned (read it with values_of).
struct UpdateImage {
    bool grab_focus = false;
    std::string name;
    std::vector<std::string> channels;
    Rect rect;
    std::vector<std::int64_t> offsets;
    std::vector<std::int64_t> strides;
    std::span<const std::byte> data;

    // Channel c's values, row by row, into `out` (rect.area() floats).
    void values_of(std::size_t c, std::span<float> out) const;
    // Whether channel c's values lie back to back in `data` (stride 1): they can be copied as is.
    bool contiguous(std::size_t c) const { return strides[c] == 1; }
    std::span<const std::byte> contiguous_bytes(std::size_t c) const;
};

enum class VgCommandType : std::int8_t {
    Save = 0,
    Restore = 1,
    FillColor = 2,
    Fill = 3,
    StrokeColor = 4,
    Stroke = 5,
    BeginPath = 6,
    ClosePath = 7,
    PathWinding = 8,
    DebugDumpPathCache = 9,
    MoveTo = 10,
    LineTo = 11,
    ArcTo = 12,
    Arc = 13,
    BezierTo = 14,
    Circle = 15,
    Ellipse = 16,
    QuadTo = 17,
    Rect = 18,
    RoundedRect = 19,
    RoundedRectVarying = 20,
    Text = 21,
    TextAlign = 22,
    FontFace = 23,
    FontSize = 24,
    StrokeWidth = 25,
};

// How many floats a command carries (-1: not a command type).
int vg_float_count(VgCommandType type);
bool vg_has_string(VgCommandType type);

struct VgCommand {
    VgCommandType type = VgCommandType::Save;
    std::vector<float> values;
    std::string text;  // Text and FontFace

    bool operator==(const VgCommand&) const = default;
};

struct VectorGraphics {
    bool grab_focus = false;
    std::string name;
    bool append = false;  // false: replaces the image's commands
    std::vector<VgCommand> commands;
};

using Packet =
    std::variant<OpenImage, ReloadImage, CloseImage, CreateImage, UpdateImage, VectorGraphics>;

// Packets are at least 5 bytes (length and type); longer than `max_bytes` is refused before any
// of it is buffered (a length the client did not mean, or more than a viewer should hold).
struct PacketLimits {
    std::size_t max_bytes = std::size_t{1} << 30;
};

// The length a packet announces in its first 4 bytes (which must be there).
std::uint32_t announced_length(std::span<const std::byte> head);

// One whole packet (its length field equals packet.size()). `data` of an UpdateImage points into
// `packet`. Errors say which packet and what is wrong, e.g. "UpdateImageV3: insufficient image
// data (needs 4096 bytes, has 100)".
Result<Packet> parse_packet(std::span<const std::byte> packet);

// An UpdateImage packet's fields before its data, from the packet's beginning: a receiver may put
// the data where it belongs as it arrives instead of buffering the packet (a large update).
struct UpdateHead {
    UpdateImage update;            // without its data
    std::size_t data_offset = 0;   // where the data begins, from the packet's first byte
    std::uint64_t data_bytes = 0;  // what the data takes; the packet may hold more after it
    std::uint32_t length = 0;      // the whole packet's
};
// Nothing while `head` is too short to tell; an error for a packet that is no UpdateImage or
// whose fields are wrong (parse_packet would refuse it whole, with the same reason).
Result<std::optional<UpdateHead>> parse_update_head(std::span<const std::byte> head);

// The legacy OpenImage's "path:selector": split at the last ':' unless it belongs to a Windows
// drive ("C:\..."), as tev does.
OpenImage split_open_path(bool grab_focus, std::string_view path_and_selector);

// Builds one packet field by field; finish() writes the length and hands the bytes over.
class PacketWriter {
  public:
    explicit PacketWriter(PacketType type);
    PacketWriter& u8(std::uint8_t value);
    PacketWriter& boolean(bool value) { return u8(value ? 1 : 0); }
    PacketWriter& i32(std::int32_t value);
    PacketWriter& i64(std::int64_t value);
    PacketWriter& f32(float value);
    PacketWriter& string(std::string_view value);  // with its NUL
    PacketWriter& floats(std::span<const float> values);
    std::vector<std::byte> finish();

  private:
    void raw(const void* bytes, std::size_t count);
    std::vector<std::byte> m_bytes;
};

// What tev's own clients send.
std::vector<std::byte> encode(const OpenImage& packet);  // OpenImageV2
std::vector<std::byte> encode(const ReloadImage& packet);
std::vector<std::byte> encode(const CloseImage& packet);
std::vector<std::byte> encode(const CreateImage& packet);
std::vector<std::byte> encode(const VectorGraphics& packet);
// UpdateImageV3 of the channels' values, interleaved pixel by pixel (offset c, stride n), as
// tev's Python client sends them; `values` holds rect.area() * channels.size() floats.
std::vector<std::byte> encode_update_interleaved(bool grab_focus, std::string_view name,
                                                 std::span<const std::string> channels, Rect rect,
                                                 std::span<const float> values);

}  // namespace tessera::core::ipc
