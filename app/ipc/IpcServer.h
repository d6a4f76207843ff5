// IpcServer: listens for tev protocol clients (renderers, tev's Python client, pbrt-v4) on its
// own thread. Packets are parsed there; CreateImage and UpdateImage are applied there too, into
// the session's live images (core/ipc/LiveImages), so the UI thread never waits for the socket
// and a fast client costs no queue. What the window must do (open, reload, close, show an image,
// draw vector graphics) becomes an event that the UI takes once per frame. A malformed packet is
// logged with the client's address and dropped; a stream that cannot be resynchronised (a length
// below 5 or above the limit) is closed; nothing else is affected.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "app/ipc/Endpoint.h"
#include "app/ipc/Socket.h"
#include "core/base/Result.h"
#include "core/ipc/IpcPacket.h"
#include "core/ipc/LiveImages.h"

namespace tessera::app {

// A client created an image (or replaced one of the same name): show it.
struct LiveImageCreated {
    std::string name;
    std::shared_ptr<core::PlanarImage> image;
    bool grab_focus = false;
};
// A client updated an image and asked for it to be shown.
struct LiveImageFocus {
    std::string name;
};
// Something went wrong with a client's packet (already logged).
struct IpcProblem {
    std::string message;
};

struct IpcEvent {
    std::string client;  // "127.0.0.1:50312", or "unix client 3"
    std::variant<core::ipc::OpenImage, core::ipc::ReloadImage, core::ipc::CloseImage,
                 core::ipc::VectorGraphics, LiveImageCreated, LiveImageFocus, IpcProblem>
        what;
};

struct IpcServerOptions {
    core::ipc::PacketLimits packets;
    std::size_t max_events = 4096;       // then the network thread waits for the UI to take them
    std::size_t max_logged_errors = 20;  // per client; later ones are counted, not printed
};

struct IpcStats {
    std::uint64_t bytes = 0;
    std::uint64_t packets = 0;
    std::uint64_t malformed = 0;
    std::uint64_t closed_connections = 0;  // closed for a stream that could not be resynchronised
    std::uint64_t received_in_place = 0;   // large whole-image updates received into the image
};

class IpcServer {
  public:
    // Listens at once; an error says why not (address in use, bad host).
    static core::Result<std::unique_ptr<IpcServer>> start(
        const Endpoint& endpoint, std::shared_ptr<core::ipc::LiveImages> live,
        IpcServerOptions options = {});
    ~IpcServer();  // stops the thread, closes every connection
    IpcServer(const IpcServer&) = delete;
    IpcServer& operator=(const IpcServer&) = delete;

    // Messages for the log (stderr by default), called on the network thread.
    void set_log(std::function<void(const std::string&)> log);
    // Called on the network thread after a packet when the UI has taken every event since the
    // last call: the window stops waiting for input and draws what changed.
    void set_wake(std::function<void()> wake);
    // Called on the network thread after each update is written, with the image's name and its
    // revision then (the streaming bench times frames by it). Set before clients connect.
    void set_update_hook(std::function<void(const std::string&, std::uint64_t)> hook) {
        m_update_hook = std::move(hook);
    }
    // The events since the last call, in arrival order (UI thread).
    std::vector<IpcEvent> take_events();
    const Endpoint& endpoint() const { return m_endpoint; }  // as bound (the port for port 0)
    std::vector<std::string> clients() const;
    IpcStats stats() const;
    // Until `count` packets have been handled in all, or the timeout (tests and the bench).
    bool wait_for_packets(std::uint64_t count, std::chrono::milliseconds timeout) const;

  private:
    struct Connection;
    struct DirectReceive;
    IpcServer(Socket listener, Endpoint endpoint, std::shared_ptr<core::ipc::LiveImages> live,
              IpcServerOptions options);
    void run();
    void accept_clients();
    bool service(Connection& connection);  // false: close it
    void handle(Connection& connection, std::span<const std::byte> packet);
    // A large whole-image update is received into the image, not buffered (LiveImages).
    void begin_direct(Connection& connection);
    void finish_direct(Connection& connection);
    void updated(Connection& connection, const std::string& name, bool grab_focus);
    void handled(bool malformed);  // counts a packet, wakes the UI
    void push(IpcEvent event);
    void log(Connection& connection, const std::string& message);

    Socket m_listener;
    Endpoint m_endpoint;
    std::shared_ptr<core::ipc::LiveImages> m_live;
    IpcServerOptions m_options;
    int m_wake[2] = {-1, -1};  // a pipe: writing to it ends the thread's poll()
    std::atomic<bool> m_stop{false};
    std::vector<std::unique_ptr<Connection>> m_connections;  // network thread only
    std::uint64_t m_next_client = 1;

    mutable std::mutex m_mutex;  // guards what follows
    mutable std::condition_variable m_changed;
    std::deque<IpcEvent> m_events;
    std::vector<std::string> m_client_names;
    IpcStats m_stats;
    std::function<void(const std::string&)> m_log;
    std::function<void()> m_wake_ui;
    std::function<void(const std::string&, std::uint64_t)> m_update_hook;
    bool m_woken = false;  // woken since the UI last took events

    std::thread m_thread;
};

}  // namespace tessera::app
