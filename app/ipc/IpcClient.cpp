#include "app/ipc/IpcClient.h"

#include <filesystem>

#include "app/cli/Report.h"
#include "app/ipc/Socket.h"
#include "core/ipc/IpcPacket.h"

namespace tessera::app {

std::optional<int> forward_files(const Endpoint& endpoint, const std::vector<std::string>& files,
                                 std::FILE* out, std::FILE* err) {
    auto socket = connect_to(endpoint, std::chrono::milliseconds(250));
    if (!socket) {
        return std::nullopt;
    }
    int status = 0;
    int sent = 0;
    for (const std::string& file : files) {
        std::error_code error;
        const auto path = std::filesystem::canonical(file, error);
        if (error) {
            report_error(err, file + ": does not exist");
            status = 1;
            continue;
        }
        const auto packet = core::ipc::encode(core::ipc::OpenImage{sent == 0, path.string(), {}});
        if (auto ok = send_all(*socket, packet); !ok) {
            report_error(err,
                         "sending to the window at " + endpoint.text() + ": " + ok.error().message);
            return 1;
        }
        ++sent;
    }
    finish_sending(*socket, std::chrono::seconds(5));
    std::fprintf(out, "tessera: sent %d file%s to the window at %s (--new opens another)\n", sent,
                 sent == 1 ? "" : "s", endpoint.text().c_str());
    return status;
}

}  // namespace tessera::app
