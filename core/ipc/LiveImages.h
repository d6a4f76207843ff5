// LiveImages: the images clients create and update over the IPC protocol, by name. CreateImage
// makes a zero-filled float32 PlanarImage (replacing one of the same name); UpdateImage writes
// its rectangle into the image in place, on the caller's thread (the network thread), which
// records the damage that streaming images re-read. There is no queue: an update overwrites the
// pixels, so a client faster than the screen costs no memory (the latest values win).
// Thread-safe; errors say which image, channel or rectangle is wrong.
#pragma once

#include <atomic>
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

// What clients may create: a side, a channel count, the bytes of one image and of all together
// (their pixels, and the storage whole-image updates are received into: see begin_whole).
struct LiveLimits {
    std::int64_t max_side = std::int64_t{1} << 18;
    std::size_t max_channels = 1024;
    std::uint64_t max_bytes = std::uint64_t{4} << 30;
    std::uint64_t max_total_bytes = std::uint64_t{8} << 30;
};

// An update of whole channels, received straight into storage of the image (see
// LiveImages::begin_whole): the receiver fills targets() in order, then hands it to finish().
class WholeUpdate {
  public:
    // Where the update's data goes, in the order it arrives (channel after channel).
    std::vector<std::span<std::byte>> targets();
    const std::string& name() const { return m_name; }

  private:
    friend class LiveImages;
    std::string m_name;
    std::shared_ptr<PlanarImage> m_image;
    std::vector<std::pair<std::size_t, PlanarImage::ZeroedBlock>> m_storage;
    // The storage's bytes, counted in the live images' total until it is finished or dropped.
    struct Counted {
        std::shared_ptr<std::atomic<std::uint64_t>> total;
        std::uint64_t bytes = 0;

        Counted() = default;
        Counted(std::shared_ptr<std::atomic<std::uint64_t>> counter, std::uint64_t size);
        Counted(Counted&& other) noexcept;
        Counted& operator=(Counted&& other) noexcept;
        ~Counted() { release(); }
        void release();
    } m_counted;
};

class LiveImages {
  public:
    explicit LiveImages(LiveLimits limits = {}) : m_limits(limits) {}

    Result<std::shared_ptr<PlanarImage>> create(const CreateImage& packet);
    Result<void> update(const UpdateImage& packet);
    // An update (its fields, without data) that covers whole channels of an image, planar
    // (each channel's values back to back, channel after channel, as UpdateImage V1 and V2 and
    // V3 with offsets c * area and stride 1 lay them out): storage for its data, so the network
    // thread receives the data there and nothing copies it again. Nothing for any other update
    // (which update() then applies, or refuses with its reason). Nothing either when new storage
    // would take the live images past max_total_bytes: an image that has had a whole update
    // keeps the storage it replaced for the next one, so it holds its pixels twice.
    std::optional<WholeUpdate> begin_whole(const UpdateImage& head);
    // The filled storage becomes the image's pixels, as update() would have written them. An
    // image created again meanwhile gets the update as update() would write it (an error when
    // it no longer has those channels or that size); an error when it was closed.
    Result<void> finish(WholeUpdate update);
    bool remove(std::string_view name);  // false: no such image
    std::shared_ptr<PlanarImage> find(std::string_view name) const;
    std::size_t size() const;

  private:
    // What the images hold (pixels, spare storage, storage being received into), but for the
    // image named `except`. With m_mutex held.
    std::uint64_t held_bytes(std::string_view except) const;

    LiveLimits m_limits;
    std::shared_ptr<std::atomic<std::uint64_t>> m_receiving =
        std::make_shared<std::atomic<std::uint64_t>>(0);  // bytes of WholeUpdates not finished
    mutable std::mutex m_mutex;
    std::map<std::string, std::shared_ptr<PlanarImage>, std::less<>> m_images;
};

}  // namespace tessera::core::ipc
