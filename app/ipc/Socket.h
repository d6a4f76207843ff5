// Socket: a move-only owner of a socket descriptor, and the few POSIX calls the IPC server and
// its clients make (listen, accept, connect, send everything). Errors say which address and why.
#pragma once

#include <chrono>
#include <span>
#include <string>

#include "app/ipc/Endpoint.h"
#include "core/base/Result.h"

namespace tessera::app {

class Socket {
  public:
    Socket() = default;
    explicit Socket(int fd) : m_fd(fd) {}
    ~Socket();
    Socket(Socket&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    Socket& operator=(Socket&& other) noexcept;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    int fd() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }

  private:
    int m_fd = -1;
};

// A non-blocking listening socket. A Unix socket whose file is left over from a process that is
// gone is replaced; one that answers is in use. `bound` gets the address actually bound (the port
// chosen for port 0).
core::Result<Socket> listen_on(const Endpoint& endpoint, Endpoint& bound);
// A blocking connection, given up after `timeout`.
core::Result<Socket> connect_to(const Endpoint& endpoint, std::chrono::milliseconds timeout);
// Sends every byte (blocking socket); no SIGPIPE when the peer has gone.
core::Result<void> send_all(const Socket& socket, std::span<const std::byte> bytes);
// Tells the peer nothing more comes, then waits (at most `timeout`) until it has read everything
// and closed, as tev's clients do before exiting.
void finish_sending(Socket& socket, std::chrono::milliseconds timeout);

}  // namespace tessera::app
