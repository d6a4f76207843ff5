// LiveImages: the images clients create and update over the IPC protocol, by name. CreateImage
// makes a zero-filled float32 PlanarImage (replacing one of the same name); UpdateImage writes
// its rectangle into the image in place, on the caller's thread (the network thread), which
// records the damage that streaming images re-read. There is no queue: an update overwrites the
// pixels, so a client faster than the screen costs no memory (the latest values win).
// Thread-safe; errors say which image, channel or rectangle is wrong.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/base/Result.h"
#include "core/image/PlanarImage.h"
#include "core/ipc/IpcPacket.h"

namespace tessera::core::ipc {

// What clients may create: a side, a channel count, the bytes of one image and of all together.
struct LiveLimits {
    std::int64_t max_side = std::int64_t{1} << 18;
    std::size_t max_channels = 1024;
    std::uint64_t max_bytes = std::uint64_t{4} << 30;
    std::uint64_t max_total_bytes = std::uint64_t{8} << 30;
};

class LiveImages {
  public:
    explicit LiveImages(LiveLimits limits = {}) : m_limits(limits) {}

    Result<std::shared_ptr<PlanarImage>> create(const CreateImage& packet);
    Result<void> update(const UpdateImage& packet);
    bool remove(std::string_view name);  // false: no such image
    std::shared_ptr<PlanarImage> find(std::string_view name) const;
    std::size_t size() const;

  private:
    LiveLimits m_limits;
    mutable std::mutex m_mutex;
    std::map<std::string, std::shared_ptr<PlanarImage>, std::less<>> m_images;
};

}  // namespace tessera::core::ipc
