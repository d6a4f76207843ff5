// libFuzzer target for the IPC server's input: the bytes are one client's stream, reassembled by
// PacketStream, parsed, and applied as the network thread does (live images created and
// updated, vector graphics interpreted), under small limits so that every input stays fast.
#include <cstddef>
#include <cstdint>

#include "core/ipc/LiveImages.h"
#include "core/ipc/PacketStream.h"
#include "core/ipc/VectorGraphics.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tessera::core::ipc;
    PacketStream stream(PacketLimits{1 << 16});
    LiveImages live(LiveLimits{4096, 16, 1 << 22, 1 << 23});
    stream.append({reinterpret_cast<const std::byte*>(data), size});
    while (true) {
        auto next = stream.next();
        if (!next || !next->has_value()) {
            return 0;
        }
        auto packet = parse_packet(**next);
        if (!packet) {
            continue;
        }
        if (auto* create = std::get_if<CreateImage>(&*packet)) {
            (void)live.create(*create);
        } else if (auto* update = std::get_if<UpdateImage>(&*packet)) {
            (void)live.update(*update);
        } else if (auto* graphics = std::get_if<VectorGraphics>(&*packet)) {
            (void)interpret(graphics->commands);
        } else if (auto* close = std::get_if<CloseImage>(&*packet)) {
            live.remove(close->name);
        }
    }
}
