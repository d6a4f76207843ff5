// libFuzzer target for the IPC server's input: the bytes are one client's stream, reassembled by
// PacketStream, parsed, and applied as the network thread does (live images created and
// updated, vector graphics interpreted), under small limits so that every input stays fast.
#include <cstddef>
#include <cstdint>

#include "tests/support/IpcReplay.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    tessera::core::ipc::LiveImages live(tessera::core::ipc::LiveLimits{4096, 16, 1 << 22, 1 << 23});
    tessera::testing::replay_ipc({reinterpret_cast<const std::byte*>(data), size}, live);
    return 0;
}
