#include "core/ipc/PacketStream.h"

#include <cstring>

#include <fmt/format.h>

namespace tessera::core::ipc {

std::span<std::byte> PacketStream::prepare(std::size_t bytes) {
    if (m_begin > 0) {  // packets handed out already: move what is left to the front
        std::memmove(m_buffer.data(), m_buffer.data() + m_begin, m_end - m_begin);
        m_end -= m_begin;
        m_begin = 0;
    }
    if (m_buffer.size() - m_end < bytes) {
        m_buffer.resize(m_end + bytes);
    }
    return std::span(m_buffer).subspan(m_end, bytes);
}

void PacketStream::commit(std::size_t bytes) {
    assert(m_end + bytes <= m_buffer.size() && "commit past prepare");
    m_end += bytes;
}

void PacketStream::append(std::span<const std::byte> bytes) {
    if (bytes.empty()) {
        return;
    }
    auto room = prepare(bytes.size());
    std::memcpy(room.data(), bytes.data(), bytes.size());
    commit(bytes.size());
}

Result<std::optional<std::span<const std::byte>>> PacketStream::next() {
    const std::size_t have = m_end - m_begin;
    if (have < 4) {
        return std::optional<std::span<const std::byte>>{};
    }
    const std::span<const std::byte> rest = std::span(m_buffer).subspan(m_begin, have);
    const std::uint32_t length = announced_length(rest);
    if (length < 5) {
        return Error{
            fmt::format("a packet announces {} bytes, fewer than its header (5); the "
                        "stream cannot be resynchronised",
                        length)};
    }
    if (length > m_limits.max_bytes) {
        return Error{
            fmt::format("a packet announces {} bytes, more than the limit of {}; the "
                        "stream cannot be resynchronised",
                        length, m_limits.max_bytes)};
    }
    if (have < length) {
        return std::optional<std::span<const std::byte>>{};
    }
    m_begin += length;
    if (m_begin == m_end) {
        m_begin = m_end = 0;  // nothing left: the next read starts at the front
    }
    return std::optional<std::span<const std::byte>>{rest.first(length)};
}

}  // namespace tessera::core::ipc
