#include "app/ipc/Endpoint.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

namespace tessera::app {

bool Endpoint::loopback() const {
    if (kind == Kind::Unix) {
        return true;
    }
    return host == "localhost" || host.rfind("127.", 0) == 0;
}

std::string Endpoint::text() const {
    return kind == Kind::Unix ? socket_path.string() : fmt::format("{}:{}", host, port);
}

std::filesystem::path runtime_directory() {
    const char* dir = std::getenv("XDG_RUNTIME_DIR");
    return dir != nullptr && *dir != '\0' ? std::filesystem::path(dir) : "/tmp";
}

core::Result<Endpoint> parse_endpoint(std::string_view hostname,
                                      const std::filesystem::path& runtime_dir) {
    const auto fail = [&](std::string_view reason) {
        return core::Error{fmt::format("--hostname '{}': {}", hostname, reason)};
    };
    if (hostname.empty()) {
        return fail("empty; give HOST:PORT or a socket name");
    }
    if (std::count(hostname.begin(), hostname.end(), ':') > 1) {
        return fail("more than one ':'; give HOST:PORT or a socket name");
    }
    const std::size_t colon = hostname.find(':');
    Endpoint endpoint;
    if (colon == std::string_view::npos || hostname.substr(colon + 1) == "unix") {
        const std::string_view name = hostname.substr(0, colon);
        if (name.empty() || name.find('/') != std::string_view::npos) {
            return fail("a socket name must be non-empty and hold no '/'");
        }
        endpoint.kind = Endpoint::Kind::Unix;
        endpoint.socket_path = runtime_dir / fmt::format(".tev.{}.sock", name);
        return endpoint;
    }
    endpoint.host = std::string(hostname.substr(0, colon));
    const std::string_view port = hostname.substr(colon + 1);
    int value = -1;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (endpoint.host.empty()) {
        return fail("no host before ':'");
    }
    if (error != std::errc{} || end != port.data() + port.size() || value < 0 || value > 65535) {
        return fail("the port must be a number from 0 to 65535");
    }
    endpoint.port = value;
    return endpoint;
}

}  // namespace tessera::app
