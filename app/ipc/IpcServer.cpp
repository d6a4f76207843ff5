#include "app/ipc/IpcServer.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>

#include <fmt/format.h>

#include "core/ipc/PacketStream.h"

namespace tessera::app {

namespace ipc = core::ipc;

struct IpcServer::Connection {
    Socket socket;
    std::string name;
    ipc::PacketStream stream;
    std::size_t errors = 0;
};

core::Result<std::unique_ptr<IpcServer>> IpcServer::start(const Endpoint& endpoint,
                                                          std::shared_ptr<ipc::LiveImages> live,
                                                          IpcServerOptions options) {
    Endpoint bound;
    auto listener = listen_on(endpoint, bound);
    if (!listener) {
        return core::Error{
            fmt::format("cannot listen for IPC clients at {}", listener.error().message)};
    }
    return std::unique_ptr<IpcServer>(
        new IpcServer(std::move(listener).value(), bound, std::move(live), options));
}

IpcServer::IpcServer(Socket listener, Endpoint endpoint, std::shared_ptr<ipc::LiveImages> live,
                     IpcServerOptions options)
    : m_listener(std::move(listener)),
      m_endpoint(std::move(endpoint)),
      m_live(std::move(live)),
      m_options(options) {
    if (pipe2(m_wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        m_wake[0] = m_wake[1] = -1;  // poll() then times out to notice a stop
    }
    m_log = [](const std::string& message) {
        std::fprintf(stderr, "tessera: %s\n", message.c_str());
    };
    m_thread = std::thread([this] { run(); });
}

IpcServer::~IpcServer() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_changed.notify_all();
    if (m_wake[1] >= 0) {
        const char byte = 1;
        [[maybe_unused]] const auto written = write(m_wake[1], &byte, 1);
    }
    m_thread.join();
    for (int fd : m_wake) {
        if (fd >= 0) {
            close(fd);
        }
    }
    if (m_endpoint.kind == Endpoint::Kind::Unix) {
        std::error_code ignored;
        std::filesystem::remove(m_endpoint.socket_path, ignored);
    }
}

void IpcServer::set_log(std::function<void(const std::string&)> log) {
    std::lock_guard lock(m_mutex);
    m_log = std::move(log);
}

void IpcServer::set_wake(std::function<void()> wake) {
    std::lock_guard lock(m_mutex);
    m_wake_ui = std::move(wake);
}

std::vector<IpcEvent> IpcServer::take_events() {
    std::vector<IpcEvent> events;
    {
        std::lock_guard lock(m_mutex);
        m_woken = false;
        events.assign(std::make_move_iterator(m_events.begin()),
                      std::make_move_iterator(m_events.end()));
        m_events.clear();
    }
    m_changed.notify_all();
    return events;
}

std::vector<std::string> IpcServer::clients() const {
    std::lock_guard lock(m_mutex);
    return m_client_names;
}

IpcStats IpcServer::stats() const {
    std::lock_guard lock(m_mutex);
    return m_stats;
}

bool IpcServer::wait_for_packets(std::uint64_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(m_mutex);
    return m_changed.wait_for(lock, timeout, [&] { return m_stats.packets >= count; });
}

void IpcServer::push(IpcEvent event) {
    std::unique_lock lock(m_mutex);
    // A window that does not take events (busy, or none at all) holds the client back, not memory.
    m_changed.wait(lock, [&] { return m_stop || m_events.size() < m_options.max_events; });
    const auto* focus = std::get_if<LiveImageFocus>(&event.what);
    const auto* last =
        m_events.empty() ? nullptr : std::get_if<LiveImageFocus>(&m_events.back().what);
    if (focus != nullptr && last != nullptr && last->name == focus->name) {
        return;  // tile after tile of one image asking for focus: once is enough
    }
    if (!m_stop) {
        m_events.push_back(std::move(event));
    }
}

void IpcServer::log(Connection& connection, const std::string& message) {
    ++connection.errors;
    std::string text;
    if (connection.errors <= m_options.max_logged_errors) {
        text = fmt::format("IPC client {}: {}", connection.name, message);
    } else if (connection.errors == m_options.max_logged_errors + 1) {
        text =
            fmt::format("IPC client {}: more malformed packets; no longer logged", connection.name);
    }
    if (text.empty()) {
        return;
    }
    std::function<void(const std::string&)> sink;
    {
        std::lock_guard lock(m_mutex);
        sink = m_log;
    }
    if (sink) {
        sink(text);
    }
    push({connection.name, IpcProblem{text}});
}

void IpcServer::run() {
    while (!m_stop) {
        std::vector<pollfd> fds;
        fds.push_back({m_listener.fd(), POLLIN, 0});
        fds.push_back({m_wake[0], POLLIN, 0});
        for (const auto& connection : m_connections) {
            fds.push_back({connection->socket.fd(), POLLIN, 0});
        }
        if (poll(fds.data(), fds.size(), 250) < 0 && errno != EINTR) {
            break;
        }
        if (m_stop) {
            break;
        }
        if (fds[0].revents & POLLIN) {
            accept_clients();
        }
        bool changed = false;
        for (std::size_t i = 0; i < fds.size() - 2 && i < m_connections.size(); ++i) {
            if (fds[i + 2].revents == 0) {
                continue;
            }
            if (!service(*m_connections[i])) {
                m_connections[i].reset();
                changed = true;
            }
        }
        if (changed) {
            std::erase(m_connections, nullptr);
            std::lock_guard lock(m_mutex);
            m_client_names.clear();
            for (const auto& connection : m_connections) {
                m_client_names.push_back(connection->name);
            }
        }
    }
}

void IpcServer::accept_clients() {
    while (true) {
        sockaddr_in address{};
        socklen_t size = sizeof(address);
        const int fd = accept4(m_listener.fd(), reinterpret_cast<sockaddr*>(&address), &size,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            return;
        }
        auto connection = std::make_unique<Connection>();
        connection->socket = Socket(fd);
        connection->stream = ipc::PacketStream(m_options.packets);
        if (m_endpoint.kind == Endpoint::Kind::Tcp) {
            char host[INET_ADDRSTRLEN] = {};
            inet_ntop(AF_INET, &address.sin_addr, host, sizeof(host));
            connection->name = fmt::format("{}:{}", host, ntohs(address.sin_port));
        } else {
            connection->name = fmt::format("unix client {}", m_next_client);
        }
        ++m_next_client;
        std::lock_guard lock(m_mutex);
        m_client_names.push_back(connection->name);
        m_connections.push_back(std::move(connection));
    }
}

bool IpcServer::service(Connection& connection) {
    // Reads what has arrived, a bounded amount per round so that one busy client does not starve
    // the others, and handles every whole packet.
    constexpr std::size_t kRead = std::size_t{4} << 20;
    std::size_t this_round = 0;
    while (this_round < std::size_t{64} << 20) {
        auto room = connection.stream.prepare(kRead);
        const ssize_t got = recv(connection.socket.fd(), room.data(), room.size(), 0);
        if (got == 0) {
            return false;  // the client is done
        }
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno == EAGAIN || errno == EWOULDBLOCK;
        }
        connection.stream.commit(static_cast<std::size_t>(got));
        this_round += static_cast<std::size_t>(got);
        {
            std::lock_guard lock(m_mutex);
            m_stats.bytes += static_cast<std::uint64_t>(got);
        }
        while (true) {
            auto packet = connection.stream.next();
            if (!packet) {
                log(connection, packet.error().message + "; connection closed");
                std::lock_guard lock(m_mutex);
                ++m_stats.closed_connections;
                return false;
            }
            if (!packet->has_value()) {
                break;
            }
            handle(connection, **packet);
        }
    }
    return true;
}

void IpcServer::handle(Connection& connection, std::span<const std::byte> bytes) {
    auto parsed = ipc::parse_packet(bytes);
    bool malformed = !parsed.ok();
    if (!parsed) {
        log(connection, "malformed packet dropped: " + parsed.error().message);
    } else if (auto* create = std::get_if<ipc::CreateImage>(&*parsed)) {
        auto image = m_live->create(*create);
        if (image) {
            push({connection.name,
                  LiveImageCreated{create->name, std::move(image).value(), create->grab_focus}});
        } else {
            malformed = true;
            log(connection, "packet dropped: " + image.error().message);
        }
    } else if (auto* update = std::get_if<ipc::UpdateImage>(&*parsed)) {
        if (auto written = m_live->update(*update); !written) {
            malformed = true;
            log(connection, "UpdateImage dropped: " + written.error().message);
        } else {
            if (m_update_hook) {
                const auto image = m_live->find(update->name);
                m_update_hook(update->name, image ? image->revision() : 0);
            }
            if (update->grab_focus) {
                push({connection.name, LiveImageFocus{update->name}});
            }
        }
    } else {
        std::visit(
            [&](auto& packet) {
                using T = std::decay_t<decltype(packet)>;
                if constexpr (!std::is_same_v<T, ipc::CreateImage> &&
                              !std::is_same_v<T, ipc::UpdateImage>) {
                    push({connection.name, std::move(packet)});
                }
            },
            *parsed);
    }
    std::function<void()> wake;
    {
        std::lock_guard lock(m_mutex);
        ++m_stats.packets;
        m_stats.malformed += malformed ? 1 : 0;
        if (!m_woken) {
            m_woken = true;
            wake = m_wake_ui;
        }
    }
    m_changed.notify_all();
    if (wake) {
        wake();
    }
}

}  // namespace tessera::app
