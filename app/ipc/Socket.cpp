#include "app/ipc/Socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace tessera::app {
namespace {

std::string last_error() {
    return std::strerror(errno);
}

core::Result<sockaddr_in> tcp_address(const Endpoint& endpoint) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(endpoint.port));
    if (inet_pton(AF_INET, endpoint.host.c_str(), &address.sin_addr) == 1) {
        return address;
    }
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int error = getaddrinfo(endpoint.host.c_str(), nullptr, &hints, &found);
        error != 0 || found == nullptr) {
        return core::Error{fmt::format("{}: cannot resolve host '{}': {}", endpoint.text(),
                                       endpoint.host, gai_strerror(error))};
    }
    address.sin_addr = reinterpret_cast<const sockaddr_in*>(found->ai_addr)->sin_addr;
    freeaddrinfo(found);
    return address;
}

core::Result<sockaddr_un> unix_address(const Endpoint& endpoint) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string path = endpoint.socket_path.string();
    if (path.size() >= sizeof(address.sun_path)) {
        return core::Error{fmt::format("{}: the socket path is longer than {} bytes", path,
                                       sizeof(address.sun_path) - 1)};
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    return address;
}

// connect() with a deadline on a socket made non-blocking for it.
core::Result<void> connect_within(int fd, const sockaddr* address, socklen_t size,
                                  std::chrono::milliseconds timeout, const std::string& text) {
    const int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (connect(fd, address, size) != 0) {
        if (errno != EINPROGRESS) {
            return core::Error{fmt::format("{}: {}", text, last_error())};
        }
        pollfd wait{fd, POLLOUT, 0};
        if (poll(&wait, 1, static_cast<int>(timeout.count())) != 1) {
            return core::Error{fmt::format("{}: no answer within {} ms", text, timeout.count())};
        }
        int error = 0;
        socklen_t length = sizeof(error);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            return core::Error{fmt::format("{}: {}", text, std::strerror(error))};
        }
    }
    fcntl(fd, F_SETFL, flags);
    return {};
}

}  // namespace

Socket::~Socket() {
    if (m_fd >= 0) {
        close(m_fd);
    }
}

Socket& Socket::operator=(Socket&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) {
            close(m_fd);
        }
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

core::Result<Socket> listen_on(const Endpoint& endpoint, Endpoint& bound) {
    bound = endpoint;
    const std::string text = endpoint.text();
    if (endpoint.kind == Endpoint::Kind::Unix) {
        auto address = unix_address(endpoint);
        if (!address) {
            return address.error();
        }
        if (std::filesystem::exists(endpoint.socket_path)) {
            if (connect_to(endpoint, std::chrono::milliseconds(200))) {
                return core::Error{fmt::format("{}: another program listens there", text)};
            }
            std::error_code ignored;
            std::filesystem::remove(endpoint.socket_path, ignored);  // left by a process gone
        }
        Socket socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!socket.valid() ||
            bind(socket.fd(), reinterpret_cast<const sockaddr*>(&*address), sizeof(*address)) !=
                0 ||
            listen(socket.fd(), 16) != 0) {
            return core::Error{fmt::format("{}: {}", text, last_error())};
        }
        return socket;
    }
    auto address = tcp_address(endpoint);
    if (!address) {
        return address.error();
    }
    Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    const int yes = 1;
    if (socket.valid()) {
        setsockopt(socket.fd(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    }
    if (!socket.valid() ||
        bind(socket.fd(), reinterpret_cast<const sockaddr*>(&*address), sizeof(*address)) != 0 ||
        listen(socket.fd(), 16) != 0) {
        return core::Error{fmt::format("{}: {}", text, last_error())};
    }
    sockaddr_in actual{};
    socklen_t size = sizeof(actual);
    getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&actual), &size);
    bound.port = ntohs(actual.sin_port);
    return socket;
}

core::Result<Socket> connect_to(const Endpoint& endpoint, std::chrono::milliseconds timeout) {
    const std::string text = endpoint.text();
    const bool unix_socket = endpoint.kind == Endpoint::Kind::Unix;
    sockaddr_storage address{};
    socklen_t size = 0;
    if (unix_socket) {
        auto found = unix_address(endpoint);
        if (!found) {
            return found.error();
        }
        std::memcpy(&address, &*found, sizeof(*found));
        size = sizeof(*found);
    } else {
        auto found = tcp_address(endpoint);
        if (!found) {
            return found.error();
        }
        std::memcpy(&address, &*found, sizeof(*found));
        size = sizeof(*found);
    }
    Socket socket(::socket(unix_socket ? AF_UNIX : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!socket.valid()) {
        return core::Error{fmt::format("{}: {}", text, last_error())};
    }
    if (auto ok = connect_within(socket.fd(), reinterpret_cast<const sockaddr*>(&address), size,
                                 timeout, text);
        !ok) {
        return ok.error();
    }
    if (!unix_socket) {
        const int yes = 1;
        setsockopt(socket.fd(), IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
    }
    return socket;
}

core::Result<void> send_all(const Socket& socket, std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
        const ssize_t sent = send(socket.fd(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR) {
                continue;
            }
            return core::Error{fmt::format("sending: {}", last_error())};
        }
        bytes = bytes.subspan(static_cast<std::size_t>(sent));
    }
    return {};
}

void finish_sending(Socket& socket, std::chrono::milliseconds timeout) {
    if (!socket.valid()) {
        return;
    }
    shutdown(socket.fd(), SHUT_WR);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char sink[4096];
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd wait{socket.fd(), POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (poll(&wait, 1, static_cast<int>(std::max<long>(0, left.count()))) <= 0 ||
            recv(socket.fd(), sink, sizeof(sink), 0) <= 0) {
            break;
        }
    }
    socket = Socket();
}

}  // namespace tessera::app
