// Endpoint: where the IPC server listens and clients connect, from a --hostname value as tev
// takes it: "HOST:PORT" is TCP (IPv4), a name without ':' (or "NAME:unix") is a Unix socket
// `.tev.NAME.sock` in the runtime directory, so that tev's clients find it unchanged.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/base/Result.h"

namespace tessera::app {

inline constexpr std::string_view kDefaultHostname = "127.0.0.1:14158";

struct Endpoint {
    enum class Kind { Tcp, Unix };
    Kind kind = Kind::Tcp;
    std::string host;                   // TCP
    int port = 0;                       // TCP; 0 when listening: any free port
    std::filesystem::path socket_path;  // Unix

    // Only this machine can connect: a Unix socket, or a TCP host on the loopback interface.
    bool loopback() const;
    std::string text() const;  // "127.0.0.1:14158" or the socket's path
};

// $XDG_RUNTIME_DIR, or /tmp when it is unset or empty.
std::filesystem::path runtime_directory();
core::Result<Endpoint> parse_endpoint(
    std::string_view hostname, const std::filesystem::path& runtime_dir = runtime_directory());

}  // namespace tessera::app
