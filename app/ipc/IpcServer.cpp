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
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "core/ipc/PacketStream.h"

namespace tessera::app {

namespace ipc = core::ipc;

namespace {

// Updates at least this large that cover whole channels are received straight into the image.
constexpr std::size_t kDirectBytes = std::size_t{1} << 20;

}  // namespace

// The rest of a large whole-image update, received into the image's storage as it arrives.
struct IpcServer::DirectReceive {
    ipc::WholeUpdate update;
    std::vector<std::span<std::byte>> targets;
    std::size_t target = 0;  // the one being filled
    std::size_t filled = 0;  // bytes of it
    std::uint64_t skip = 0;  // bytes of the packet after its data: read and dropped
    bool grab_focus = false;
    std::vector<std::byte> scratch;

    bool done() const { return target == targets.size() && skip == 0; }
    // Where the next bytes go.
    std::span<std::byte> room() {
        if (target < targets.size()) {
            return targets[target].subspan(filled);
        }
        scratch.resize(static_cast<std::size_t>(std::min<std::uint64_t>(skip, 1 << 20)));
        return scratch;
    }
    // `bytes` arrived in room() (or elsewhere, when `from` is given: copied into place).
    void advance(std::size_t bytes, const std::byte* from = nullptr) {
        while (bytes > 0 && target < targets.size()) {
            const std::size_t take = std::min(bytes, targets[target].size() - filled);
            if (from != nullptr) {
                std::memcpy(targets[target].data() + filled, from, take);
                from += take;
            }
            filled += take;
            bytes -= take;
            if (filled == targets[target].size()) {
                ++target;
                filled = 0;
            }
        }
        skip -= std::min<std::uint64_t>(skip, bytes);
    }
};

struct IpcServer::Connection {
    Socket socket;
    std::string name;
    ipc::PacketStream stream;
    std::size_t errors = 0;
    bool head_checked = false;  // the packet being buffered is not one to receive directly
    std::optional<DirectReceive> direct;
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
        auto room =
            connection.direct ? connection.direct->room() : connection.stream.prepare(kRead);
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
        this_round += static_cast<std::size_t>(got);
        {
            std::lock_guard lock(m_mutex);
            m_stats.bytes += static_cast<std::uint64_t>(got);
        }
        if (connection.direct) {
            connection.direct->advance(static_cast<std::size_t>(got));
            if (connection.direct->done()) {
                finish_direct(connection);
            }
            continue;
        }
        connection.stream.commit(static_cast<std::size_t>(got));
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
            connection.head_checked = false;
            handle(connection, **packet);
        }
        if (!connection.head_checked) {
            begin_direct(connection);
        }
    }
    return true;
}

void IpcServer::begin_direct(Connection& connection) {
    const std::span<const std::byte> pending = connection.stream.pending();
    if (pending.size() < 5) {
        return;
    }
    if (ipc::announced_length(pending) < kDirectBytes) {
        connection.head_checked = true;
        return;
    }
    auto head = ipc::parse_update_head(pending);
    if (head && !head->has_value()) {
        return;  // its fields have not all arrived
    }
    connection.head_checked = true;
    if (!head) {
        return;  // not an update, or a wrong one: buffered whole and refused with its reason
    }
    const ipc::UpdateHead& fields = **head;
    auto update = m_live->begin_whole(fields.update);
    if (!update) {
        return;
    }
    DirectReceive direct;
    direct.targets = update->targets();
    direct.update = std::move(*update);
    direct.grab_focus = fields.update.grab_focus;
    direct.skip = fields.length - fields.data_offset - fields.data_bytes;
    const auto arrived = pending.subspan(std::min(fields.data_offset, pending.size()));
    direct.advance(arrived.size(), arrived.data());
    connection.stream.drop_pending();
    connection.direct = std::move(direct);
    if (connection.direct->done()) {
        finish_direct(connection);
    }
}

void IpcServer::finish_direct(Connection& connection) {
    DirectReceive direct = std::move(*connection.direct);
    connection.direct.reset();
    connection.head_checked = false;
    const std::string name = direct.update.name();
    const auto finished = m_live->finish(std::move(direct.update));
    if (!finished) {
        log(connection, "UpdateImage dropped: " + finished.error().message);
    } else {
        {
            std::lock_guard lock(m_mutex);
            ++m_stats.received_in_place;
        }
        updated(connection, name, direct.grab_focus);
    }
    handled(!finished.ok());
}

void IpcServer::updated(Connection& connection, const std::string& name, bool grab_focus) {
    if (m_update_hook) {
        const auto image = m_live->find(name);
        m_update_hook(name, image ? image->revision() : 0);
    }
    if (grab_focus) {
        push({connection.name, LiveImageFocus{name}});
    }
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
            updated(connection, update->name, update->grab_focus);
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
    handled(malformed);
}

void IpcServer::handled(bool malformed) {
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
