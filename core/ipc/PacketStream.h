// PacketStream: reassembles tev protocol packets from what one connection receives. Bytes are
// received straight into its buffer (prepare/commit), so a large update is copied once, from the
// socket. The buffer holds at most one packet plus one read: a packet announcing fewer than 5 or
// more than the limit's bytes is a stream that cannot be resynchronised, and next() says so
// before buffering any of it.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "core/base/Result.h"
#include "core/ipc/IpcPacket.h"

namespace tessera::core::ipc {

class PacketStream {
  public:
    explicit PacketStream(PacketLimits limits = {}) : m_limits(limits) {}

    // Room for at least `bytes` more received bytes; commit() says how many arrived.
    std::span<std::byte> prepare(std::size_t bytes);
    void commit(std::size_t bytes);
    // Whole bytes at once (tests, fuzzing).
    void append(std::span<const std::byte> bytes);

    // The next whole packet (valid until the next call), nothing while one is incomplete, or an
    // error when the stream cannot go on (then the connection should close).
    Result<std::optional<std::span<const std::byte>>> next();
    std::size_t buffered() const { return m_end - m_begin; }
    // What is buffered of the packet next() has not handed out yet (after next() said it is
    // incomplete), and forgetting it: the caller received the rest of that packet elsewhere.
    std::span<const std::byte> pending() const {
        return std::span(m_buffer).subspan(m_begin, m_end - m_begin);
    }
    void drop_pending() { m_begin = m_end = 0; }
    std::size_t capacity() const { return m_buffer.size(); }

  private:
    PacketLimits m_limits;
    std::vector<std::byte> m_buffer;
    std::size_t m_begin = 0;  // first byte not handed out
    std::size_t m_end = 0;    // one past the last received byte
};

}  // namespace tessera::core::ipc
