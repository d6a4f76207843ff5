#include "core/ipc/IpcPacket.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include <fmt/format.h>

namespace tessera::core::ipc {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the protocol is little-endian; big-endian hosts would byte-swap here");

// Reads fields from one packet's payload; every read checks what is left first. A reader of a
// packet's beginning (`total` payload bytes announced, fewer received) fails where the rest is
// needed and says so (short()): the packet is not wrong, only incomplete.
class Reader {
  public:
    Reader(std::span<const std::byte> bytes, std::string_view packet)
        : Reader(bytes, packet, bytes.size()) {}
    Reader(std::span<const std::byte> bytes, std::string_view packet, std::size_t total)
        : m_bytes(bytes), m_packet(packet), m_total(total) {}

    Result<std::uint8_t> u8(std::string_view what) {
        std::uint8_t value = 0;
        if (auto ok = raw(&value, 1, what); !ok) {
            return ok.error();
        }
        return value;
    }
    Result<bool> boolean(std::string_view what) {
        auto value = u8(what);
        if (!value) {
            return value.error();
        }
        return *value == 1;  // tev reads only 1 as true
    }
    Result<std::int32_t> i32(std::string_view what) {
        std::int32_t value = 0;
        if (auto ok = raw(&value, 4, what); !ok) {
            return ok.error();
        }
        return value;
    }
    Result<std::int64_t> i64(std::string_view what) {
        std::int64_t value = 0;
        if (auto ok = raw(&value, 8, what); !ok) {
            return ok.error();
        }
        return value;
    }
    Result<float> f32(std::string_view what) {
        float value = 0;
        if (auto ok = raw(&value, 4, what); !ok) {
            return ok.error();
        }
        return value;
    }
    Result<std::string> string(std::string_view what) {
        const auto* begin = m_bytes.data() + m_at;
        const auto* end = m_bytes.data() + m_bytes.size();
        const auto* nul = std::find(begin, end, std::byte{0});
        if (nul == end) {
            m_short = m_bytes.size() < m_total;
            return fail(fmt::format("{} has no terminating NUL", what));
        }
        std::string value(reinterpret_cast<const char*>(begin),
                          static_cast<std::size_t>(nul - begin));
        m_at += value.size() + 1;
        return value;
    }
    // A count of items that each take at least `min_bytes` of what is left.
    Result<std::size_t> count(std::string_view what, std::size_t min_bytes) {
        auto value = i32(what);
        if (!value) {
            return value.error();
        }
        if (*value < 0 || static_cast<std::size_t>(*value) * min_bytes > left()) {
            return fail(fmt::format("{} is {}, more than the packet holds", what, *value));
        }
        return static_cast<std::size_t>(*value);
    }
    std::size_t left() const { return m_total - m_at; }
    std::size_t at() const { return m_at; }
    bool short_of_bytes() const { return m_short; }
    std::span<const std::byte> rest() const { return m_bytes.subspan(m_at); }
    Error fail(std::string_view reason) const {
        return Error{fmt::format("{}: {}", m_packet, reason)};
    }

  private:
    Result<void> raw(void* out, std::size_t size, std::string_view what) {
        if (left() < size) {
            return fail(fmt::format("packet ends before {}", what));
        }
        if (m_bytes.size() - m_at < size) {
            m_short = true;
            return fail(fmt::format("{} has not arrived", what));
        }
        std::memcpy(out, m_bytes.data() + m_at, size);
        m_at += size;
        return {};
    }

    std::span<const std::byte> m_bytes;
    std::string_view m_packet;
    std::size_t m_total;
    std::size_t m_at = 0;
    bool m_short = false;
};

#define TESSERA_READ(variable, expression) \
    auto variable = (expression);          \
    if (!variable) {                       \
        return variable.error();           \
    }

Result<std::vector<std::string>> read_strings(Reader& in, std::size_t count,
                                              std::string_view what) {
    std::vector<std::string> out;
    out.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        TESSERA_READ(value, in.string(what));
        out.push_back(std::move(value).value());
    }
    return out;
}

Result<Rect> read_rect(Reader& in) {
    TESSERA_READ(x, in.i32("x"));
    TESSERA_READ(y, in.i32("y"));
    TESSERA_READ(width, in.i32("width"));
    TESSERA_READ(height, in.i32("height"));
    if (*width < 0 || *height < 0) {
        return in.fail(fmt::format("negative size {}x{}", *width, *height));
    }
    return Rect{*x, *y, *width, *height};
}

// `data_bytes`: what the data takes (the packet may hold more after it). Of a packet's beginning
// (see Reader), `data` stays empty.
Result<Packet> parse_update(Reader& in, PacketType type, std::uint64_t* data_bytes = nullptr) {
    UpdateImage update;
    TESSERA_READ(grab, in.boolean("grabFocus"));
    update.grab_focus = *grab;
    TESSERA_READ(name, in.string("the image name"));
    update.name = std::move(name).value();
    if (type == PacketType::UpdateImage) {
        TESSERA_READ(channel, in.string("the channel name"));
        update.channels.push_back(std::move(channel).value());
    } else {
        TESSERA_READ(count, in.count("the channel count", 1));
        TESSERA_READ(channels, read_strings(in, *count, "a channel name"));
        update.channels = std::move(channels).value();
    }
    TESSERA_READ(rect, read_rect(in));
    update.rect = *rect;
    const std::int64_t pixels = update.rect.area();
    if (type == PacketType::UpdateImageV3) {
        for (auto* list : {&update.offsets, &update.strides}) {
            for (std::size_t c = 0; c < update.channels.size(); ++c) {
                TESSERA_READ(value, in.i64(list == &update.offsets ? "a channel offset"
                                                                   : "a channel stride"));
                if (*value < 0 || *value > std::numeric_limits<std::int32_t>::max()) {
                    return in.fail(fmt::format("channel {}'s {} is {}", c,
                                               list == &update.offsets ? "offset" : "stride",
                                               *value));
                }
                list->push_back(*value);
            }
        }
    } else {
        // Planar: channel after channel. Checked first, so that c * pixels below cannot overflow.
        const auto planar = static_cast<unsigned __int128>(pixels) * update.channels.size() * 4;
        if (planar > in.left()) {
            return in.fail(fmt::format(
                "insufficient image data ({} channels of {}x{} need more "
                "than the {} bytes the packet has)",
                update.channels.size(), update.rect.width, update.rect.height, in.left()));
        }
        for (std::size_t c = 0; c < update.channels.size(); ++c) {
            update.offsets.push_back(static_cast<std::int64_t>(c) * pixels);
            update.strides.push_back(1);
        }
    }
    // The last element any channel reads. Offsets and strides are below 2^31 and the area below
    // 2^62, so 128-bit arithmetic cannot overflow where 64-bit could.
    std::uint64_t needed = 0;
    for (std::size_t c = 0; c < update.channels.size() && pixels > 0; ++c) {
        const auto last = static_cast<unsigned __int128>(update.offsets[c]) +
                          static_cast<unsigned __int128>(pixels - 1) *
                              static_cast<unsigned __int128>(update.strides[c]) +
                          1;
        if (last * 4 > in.left()) {
            return in.fail(
                fmt::format("insufficient image data (channel '{}' needs {} bytes, the "
                            "packet has {})",
                            update.channels[c],
                            last > (std::uint64_t{1} << 62)
                                ? std::string("more than 2^64")
                                : std::to_string(static_cast<std::uint64_t>(last) * 4),
                            in.left()));
        }
        needed = std::max(needed, static_cast<std::uint64_t>(last) * 4);
    }
    if (data_bytes != nullptr) {
        *data_bytes = needed;
    }
    if (in.rest().size() >= needed) {
        update.data = in.rest().first(static_cast<std::size_t>(needed));
    }
    return Packet{std::move(update)};
}

Result<Packet> parse_vector_graphics(Reader& in) {
    VectorGraphics graphics;
    TESSERA_READ(grab, in.boolean("grabFocus"));
    graphics.grab_focus = *grab;
    TESSERA_READ(name, in.string("the image name"));
    graphics.name = std::move(name).value();
    TESSERA_READ(append, in.boolean("append"));
    graphics.append = *append;
    TESSERA_READ(count, in.count("the command count", 1));
    graphics.commands.reserve(*count);
    for (std::size_t i = 0; i < *count; ++i) {
        TESSERA_READ(id, in.u8("a command type"));
        VgCommand command;
        command.type = static_cast<VgCommandType>(static_cast<std::int8_t>(*id));
        const int floats = vg_float_count(command.type);
        if (floats < 0) {
            return in.fail(fmt::format("command {} has the invalid type {}", i,
                                       static_cast<int>(static_cast<std::int8_t>(*id))));
        }
        for (int k = 0; k < floats; ++k) {
            TESSERA_READ(value, in.f32("a command's values"));
            command.values.push_back(*value);
        }
        if (vg_has_string(command.type)) {
            TESSERA_READ(text, in.string("a command's text"));
            command.text = std::move(text).value();
        }
        graphics.commands.push_back(std::move(command));
    }
    return Packet{std::move(graphics)};
}

}  // namespace

std::string_view packet_type_name(PacketType type) {
    switch (type) {
        case PacketType::OpenImage:
            return "OpenImage";
        case PacketType::ReloadImage:
            return "ReloadImage";
        case PacketType::CloseImage:
            return "CloseImage";
        case PacketType::UpdateImage:
            return "UpdateImage";
        case PacketType::CreateImage:
            return "CreateImage";
        case PacketType::UpdateImageV2:
            return "UpdateImageV2";
        case PacketType::UpdateImageV3:
            return "UpdateImageV3";
        case PacketType::OpenImageV2:
            return "OpenImageV2";
        case PacketType::VectorGraphics:
            return "VectorGraphics";
    }
    return "unknown";
}

int vg_float_count(VgCommandType type) {
    static constexpr int kFloats[] = {0, 0, 4, 0, 4, 0, 0, 0, 1, 0, 2, 2, 5,
                                      6, 6, 3, 4, 4, 4, 5, 8, 2, 1, 0, 2, 2};
    const auto id = static_cast<int>(type);
    return id >= 0 && id < static_cast<int>(std::size(kFloats)) ? kFloats[id] : -1;
}

bool vg_has_string(VgCommandType type) {
    return type == VgCommandType::Text || type == VgCommandType::FontFace;
}

void UpdateImage::values_of(std::size_t c, std::span<float> out) const {
    assert(out.size() == static_cast<std::size_t>(rect.area()) && "values_of: wrong size");
    const std::byte* base = data.data() + offsets[c] * 4;
    const std::size_t stride = static_cast<std::size_t>(strides[c]) * 4;
    if (stride == 4) {
        std::memcpy(out.data(), base, out.size() * 4);
        return;
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        std::memcpy(&out[i], base + i * stride, 4);
    }
}

std::span<const std::byte> UpdateImage::contiguous_bytes(std::size_t c) const {
    assert(contiguous(c) && "contiguous_bytes of a strided channel");
    return data.subspan(static_cast<std::size_t>(offsets[c]) * 4,
                        static_cast<std::size_t>(rect.area()) * 4);
}

std::uint32_t announced_length(std::span<const std::byte> head) {
    assert(head.size() >= 4 && "announced_length needs 4 bytes");
    std::uint32_t length = 0;
    std::memcpy(&length, head.data(), 4);
    return length;
}

OpenImage split_open_path(bool grab_focus, std::string_view text) {
    OpenImage open{grab_focus, std::string(text), {}};
    const std::size_t colon = text.rfind(':');
    const bool drive = colon == 1 && text.size() > 2 && (text[2] == '\\' || text[2] == '/');
    if (colon != std::string_view::npos && !drive) {
        open.path = std::string(text.substr(0, colon));
        open.channel_selector = std::string(text.substr(colon + 1));
    }
    return open;
}

Result<Packet> parse_packet(std::span<const std::byte> packet) {
    if (packet.size() < 5) {
        return Error{fmt::format("packet of {} bytes, shorter than its header (5)", packet.size())};
    }
    if (announced_length(packet) != packet.size()) {
        return Error{fmt::format("packet announces {} bytes but holds {}", announced_length(packet),
                                 packet.size())};
    }
    const auto id = static_cast<std::uint8_t>(packet[4]);
    if (id > static_cast<std::uint8_t>(PacketType::VectorGraphics)) {
        return Error{fmt::format("invalid packet type {}", id)};
    }
    const auto type = static_cast<PacketType>(id);
    Reader in(packet.subspan(5), packet_type_name(type));
    switch (type) {
        case PacketType::OpenImage: {
            TESSERA_READ(grab, in.boolean("grabFocus"));
            TESSERA_READ(path, in.string("the path"));
            return Packet{split_open_path(*grab, *path)};
        }
        case PacketType::OpenImageV2: {
            TESSERA_READ(grab, in.boolean("grabFocus"));
            TESSERA_READ(path, in.string("the path"));
            TESSERA_READ(selector, in.string("the channel selector"));
            return Packet{OpenImage{*grab, std::move(path).value(), std::move(selector).value()}};
        }
        case PacketType::ReloadImage: {
            TESSERA_READ(grab, in.boolean("grabFocus"));
            TESSERA_READ(name, in.string("the image name"));
            return Packet{ReloadImage{*grab, std::move(name).value()}};
        }
        case PacketType::CloseImage: {
            TESSERA_READ(name, in.string("the image name"));
            return Packet{CloseImage{std::move(name).value()}};
        }
        case PacketType::CreateImage: {
            CreateImage create;
            TESSERA_READ(grab, in.boolean("grabFocus"));
            create.grab_focus = *grab;
            TESSERA_READ(name, in.string("the image name"));
            create.name = std::move(name).value();
            TESSERA_READ(width, in.i32("the width"));
            TESSERA_READ(height, in.i32("the height"));
            create.width = *width;
            create.height = *height;
            TESSERA_READ(count, in.count("the channel count", 1));
            TESSERA_READ(channels, read_strings(in, *count, "a channel name"));
            create.channels = std::move(channels).value();
            return Packet{std::move(create)};
        }
        case PacketType::UpdateImage:
        case PacketType::UpdateImageV2:
        case PacketType::UpdateImageV3:
            return parse_update(in, type);
        case PacketType::VectorGraphics:
            return parse_vector_graphics(in);
    }
    return Error{fmt::format("invalid packet type {}", id)};
}

Result<std::optional<UpdateHead>> parse_update_head(std::span<const std::byte> head) {
    if (head.size() < 5) {
        return std::optional<UpdateHead>{};
    }
    const std::uint32_t length = announced_length(head);
    const auto id = static_cast<std::uint8_t>(head[4]);
    const auto type = static_cast<PacketType>(id);
    if (length < 5 || (type != PacketType::UpdateImage && type != PacketType::UpdateImageV2 &&
                       type != PacketType::UpdateImageV3)) {
        return Error{fmt::format("not an UpdateImage packet (type {}, {} bytes)", id, length)};
    }
    head = head.first(std::min<std::size_t>(head.size(), length));
    Reader in(head.subspan(5), packet_type_name(type), length - 5);
    UpdateHead parsed;
    auto packet = parse_update(in, type, &parsed.data_bytes);
    if (!packet) {
        if (in.short_of_bytes()) {
            return std::optional<UpdateHead>{};
        }
        return packet.error();
    }
    parsed.update = std::get<UpdateImage>(std::move(packet).value());
    parsed.update.data = {};
    parsed.data_offset = 5 + in.at();
    parsed.length = length;
    return std::optional<UpdateHead>{std::move(parsed)};
}

#undef TESSERA_READ

PacketWriter::PacketWriter(PacketType type) {
    m_bytes.resize(4);
    u8(static_cast<std::uint8_t>(type));
}

void PacketWriter::raw(const void* bytes, std::size_t count) {
    const auto* begin = static_cast<const std::byte*>(bytes);
    m_bytes.insert(m_bytes.end(), begin, begin + count);
}

PacketWriter& PacketWriter::u8(std::uint8_t value) {
    raw(&value, 1);
    return *this;
}
PacketWriter& PacketWriter::i32(std::int32_t value) {
    raw(&value, 4);
    return *this;
}
PacketWriter& PacketWriter::i64(std::int64_t value) {
    raw(&value, 8);
    return *this;
}
PacketWriter& PacketWriter::f32(float value) {
    raw(&value, 4);
    return *this;
}
PacketWriter& PacketWriter::string(std::string_view value) {
    raw(value.data(), value.size());
    return u8(0);
}
PacketWriter& PacketWriter::floats(std::span<const float> values) {
    raw(values.data(), values.size_bytes());
    return *this;
}

std::vector<std::byte> PacketWriter::finish() {
    assert(m_bytes.size() <= std::numeric_limits<std::uint32_t>::max() && "packet over 4 GiB");
    const auto length = static_cast<std::uint32_t>(m_bytes.size());
    std::memcpy(m_bytes.data(), &length, 4);
    return std::move(m_bytes);
}

std::vector<std::byte> encode(const OpenImage& packet) {
    return PacketWriter(PacketType::OpenImageV2)
        .boolean(packet.grab_focus)
        .string(packet.path)
        .string(packet.channel_selector)
        .finish();
}

std::vector<std::byte> encode(const ReloadImage& packet) {
    return PacketWriter(PacketType::ReloadImage)
        .boolean(packet.grab_focus)
        .string(packet.name)
        .finish();
}

std::vector<std::byte> encode(const CloseImage& packet) {
    return PacketWriter(PacketType::CloseImage).string(packet.name).finish();
}

std::vector<std::byte> encode(const CreateImage& packet) {
    PacketWriter out(PacketType::CreateImage);
    out.boolean(packet.grab_focus)
        .string(packet.name)
        .i32(packet.width)
        .i32(packet.height)
        .i32(static_cast<std::int32_t>(packet.channels.size()));
    for (const std::string& channel : packet.channels) {
        out.string(channel);
    }
    return out.finish();
}

std::vector<std::byte> encode(const VectorGraphics& packet) {
    PacketWriter out(PacketType::VectorGraphics);
    out.boolean(packet.grab_focus)
        .string(packet.name)
        .boolean(packet.append)
        .i32(static_cast<std::int32_t>(packet.commands.size()));
    for (const VgCommand& command : packet.commands) {
        out.u8(static_cast<std::uint8_t>(command.type)).floats(command.values);
        if (vg_has_string(command.type)) {
            out.string(command.text);
        }
    }
    return out.finish();
}

std::vector<std::byte> encode_update_interleaved(bool grab_focus, std::string_view name,
                                                 std::span<const std::string> channels, Rect rect,
                                                 std::span<const float> values) {
    assert(values.size() == static_cast<std::size_t>(rect.area()) * channels.size() &&
           "encode_update_interleaved: wrong number of values");
    PacketWriter out(PacketType::UpdateImageV3);
    out.boolean(grab_focus).string(name).i32(static_cast<std::int32_t>(channels.size()));
    for (const std::string& channel : channels) {
        out.string(channel);
    }
    out.i32(static_cast<std::int32_t>(rect.x))
        .i32(static_cast<std::int32_t>(rect.y))
        .i32(static_cast<std::int32_t>(rect.width))
        .i32(static_cast<std::int32_t>(rect.height));
    for (std::size_t c = 0; c < channels.size(); ++c) {
        out.i64(static_cast<std::int64_t>(c));
    }
    for (std::size_t c = 0; c < channels.size(); ++c) {
        out.i64(static_cast<std::int64_t>(channels.size()));
    }
    return out.floats(values).finish();
}

}  // namespace tessera::core::ipc
