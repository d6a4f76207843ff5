#include "core/ipc/LiveImages.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace tessera::core::ipc {

WholeUpdate::Counted::Counted(std::shared_ptr<std::atomic<std::uint64_t>> counter,
                              std::uint64_t size)
    : total(std::move(counter)), bytes(size) {
    *total += bytes;
}

WholeUpdate::Counted::Counted(Counted&& other) noexcept
    : total(std::move(other.total)), bytes(std::exchange(other.bytes, 0)) {}

WholeUpdate::Counted& WholeUpdate::Counted::operator=(Counted&& other) noexcept {
    if (this != &other) {
        release();
        total = std::move(other.total);
        bytes = std::exchange(other.bytes, 0);
    }
    return *this;
}

void WholeUpdate::Counted::release() {
    if (total && bytes > 0) {
        *total -= bytes;
    }
    bytes = 0;
}

std::uint64_t LiveImages::held_bytes(std::string_view except) const {
    std::uint64_t bytes = *m_receiving;
    for (const auto& [name, image] : m_images) {
        if (name != except) {
            bytes += static_cast<std::uint64_t>(image->width() * image->height()) *
                         image->channel_count() * 4 +
                     image->spare_bytes();
        }
    }
    return bytes;
}

Result<std::shared_ptr<PlanarImage>> LiveImages::create(const CreateImage& packet) {
    const auto fail = [&](std::string reason) {
        return Error{fmt::format("CreateImage '{}': {}", packet.name, reason)};
    };
    if (packet.width <= 0 || packet.height <= 0) {
        return fail(fmt::format("the image has zero pixels ({}x{})", packet.width, packet.height));
    }
    if (packet.channels.empty()) {
        return fail("the image has no channels");
    }
    const std::uint64_t bytes = static_cast<std::uint64_t>(packet.width) *
                                static_cast<std::uint64_t>(packet.height) * packet.channels.size() *
                                4;
    if (packet.width > m_limits.max_side || packet.height > m_limits.max_side ||
        packet.channels.size() > m_limits.max_channels || bytes > m_limits.max_bytes) {
        return fail(
            fmt::format("{}x{} with {} channels is more than a viewer holds (at most {} "
                        "pixels a side, {} channels, {} MB)",
                        packet.width, packet.height, packet.channels.size(), m_limits.max_side,
                        m_limits.max_channels, m_limits.max_bytes >> 20));
    }
    for (std::size_t i = 0; i < packet.channels.size(); ++i) {
        if (std::find(packet.channels.begin(), packet.channels.begin() + static_cast<long>(i),
                      packet.channels[i]) != packet.channels.begin() + static_cast<long>(i)) {
            return fail(fmt::format("the channel '{}' is named twice", packet.channels[i]));
        }
    }
    {
        std::lock_guard lock(m_mutex);
        const std::uint64_t others = held_bytes(packet.name);
        if (others + bytes > m_limits.max_total_bytes) {
            return fail(fmt::format("the live images would hold {} MB, more than the {} MB allowed",
                                    (others + bytes) >> 20, m_limits.max_total_bytes >> 20));
        }
    }
    auto image = std::make_shared<PlanarImage>(packet.width, packet.height);
    for (const std::string& channel : packet.channels) {
        image->add_channel(channel, SampleType::F32);
    }
    std::lock_guard lock(m_mutex);
    m_images.insert_or_assign(packet.name, image);
    return image;
}

Result<void> LiveImages::update(const UpdateImage& packet) {
    std::shared_ptr<PlanarImage> image = find(packet.name);
    if (!image) {
        return Error{
            fmt::format("image '{}' could not be updated: no image of that name was "
                        "created (CreateImage)",
                        packet.name)};
    }
    std::vector<std::size_t> indices;
    for (const std::string& name : packet.channels) {
        const auto& channels = image->channels();
        const auto found = std::find_if(channels.begin(), channels.end(),
                                        [&](const ChannelInfo& info) { return info.name == name; });
        if (found == channels.end()) {
            return Error{
                fmt::format("image '{}' has no channel '{}' to update", packet.name, name)};
        }
        indices.push_back(static_cast<std::size_t>(found - channels.begin()));
    }
    const Rect& rect = packet.rect;
    if (rect.x < 0 || rect.y < 0 || rect.x + rect.width > image->width() ||
        rect.y + rect.height > image->height()) {
        return Error{fmt::format(
            "the {}x{} rectangle at ({}, {}) does not fit into image '{}' "
            "({}x{})",
            rect.width, rect.height, rect.x, rect.y, packet.name, image->width(), image->height())};
    }
    if (rect.empty()) {
        return {};
    }
    std::vector<float> gathered;
    for (std::size_t c = 0; c < indices.size(); ++c) {
        const Plane plane{indices[c], {}};
        Result<void> written;
        if (packet.contiguous(c)) {
            written = image->write_region(plane, rect, packet.contiguous_bytes(c));
        } else {
            gathered.resize(static_cast<std::size_t>(rect.area()));
            packet.values_of(c, gathered);
            written = image->write_region(plane, rect, std::as_bytes(std::span(gathered)));
        }
        if (!written) {
            return Error{fmt::format("image '{}': {}", packet.name, written.error().message)};
        }
    }
    return {};
}

std::vector<std::span<std::byte>> WholeUpdate::targets() {
    std::vector<std::span<std::byte>> out;
    for (auto& [channel, storage] : m_storage) {
        out.push_back(storage.bytes());
    }
    return out;
}

std::optional<WholeUpdate> LiveImages::begin_whole(const UpdateImage& head) {
    std::shared_ptr<PlanarImage> image = find(head.name);
    if (!image || !image->axes().empty() || head.rect != image->bounds() || head.channels.empty()) {
        return std::nullopt;
    }
    std::vector<std::size_t> indices;
    const std::int64_t area = head.rect.area();
    for (std::size_t c = 0; c < head.channels.size(); ++c) {
        if (head.strides[c] != 1 || head.offsets[c] != static_cast<std::int64_t>(c) * area) {
            return std::nullopt;
        }
        const auto& channels = image->channels();
        const auto found = std::find_if(channels.begin(), channels.end(), [&](const auto& info) {
            return info.name == head.channels[c];
        });
        if (found == channels.end() || found->type != SampleType::F32) {
            return std::nullopt;
        }
        const auto index = static_cast<std::size_t>(found - channels.begin());
        if (std::find(indices.begin(), indices.end(), index) != indices.end()) {
            return std::nullopt;  // named twice: update() writes it twice, the last wins
        }
        indices.push_back(index);
    }
    const std::uint64_t channel_bytes = static_cast<std::uint64_t>(area) * sizeof(float);
    // Spare storage is reused; new storage must fit. Spares are taken only here, so none goes
    // between the count and the taking.
    std::lock_guard lock(m_mutex);
    std::uint64_t added = 0;
    for (std::size_t index : indices) {
        added += image->has_spare(index) ? 0 : channel_bytes;
    }
    if (held_bytes({}) + added > m_limits.max_total_bytes) {
        return std::nullopt;
    }
    WholeUpdate update;
    for (std::size_t index : indices) {
        update.m_storage.emplace_back(index, image->take_storage(index));
    }
    update.m_counted = WholeUpdate::Counted(m_receiving, channel_bytes * indices.size());
    update.m_name = head.name;
    update.m_image = std::move(image);
    return update;
}

Result<void> LiveImages::finish(WholeUpdate update) {
    const std::shared_ptr<PlanarImage> current = find(update.m_name);
    if (current == nullptr) {
        return Error{
            fmt::format("image '{}' was closed while its update arrived; the update is "
                        "dropped",
                        update.m_name)};
    }
    if (current != update.m_image) {
        // Created again meanwhile. As tev applies an update once its packet has arrived, it goes
        // to the image of that name now: written channel by channel, checked as update() checks.
        for (auto& [index, storage] : update.m_storage) {
            UpdateImage channel;
            channel.name = update.m_name;
            channel.channels = {update.m_image->channels()[index].name};
            channel.rect = update.m_image->bounds();
            channel.offsets = {0};
            channel.strides = {1};
            channel.data = storage.bytes();
            if (auto written = this->update(channel); !written) {
                return Error{fmt::format("{} (it was created again while the update arrived)",
                                         written.error().message)};
            }
        }
        return {};
    }
    if (auto ok = update.m_image->replace_channels(std::move(update.m_storage)); !ok) {
        return Error{fmt::format("image '{}': {}", update.m_name, ok.error().message)};
    }
    update.m_counted.release();  // the storage is the image's pixels now, the replaced its spares
    return {};
}

bool LiveImages::remove(std::string_view name) {
    std::lock_guard lock(m_mutex);
    const auto found = m_images.find(name);
    if (found == m_images.end()) {
        return false;
    }
    m_images.erase(found);
    return true;
}

std::shared_ptr<PlanarImage> LiveImages::find(std::string_view name) const {
    std::lock_guard lock(m_mutex);
    const auto found = m_images.find(name);
    return found == m_images.end() ? nullptr : found->second;
}

std::size_t LiveImages::size() const {
    std::lock_guard lock(m_mutex);
    return m_images.size();
}

}  // namespace tessera::core::ipc
