#include "core/image/OrientedSource.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace tessera::core {
namespace {

class OrientedSource final : public ImageSource {
  public:
    OrientedSource(std::shared_ptr<const ImageSource> base, int orientation)
        : m_base(std::move(base)), m_orientation(orientation), m_swap(orientation >= 5) {}

    std::int64_t width() const override { return m_swap ? m_base->height() : m_base->width(); }
    std::int64_t height() const override { return m_swap ? m_base->width() : m_base->height(); }
    const std::vector<ChannelInfo>& channels() const override { return m_base->channels(); }
    const std::vector<Axis>& axes() const override { return m_base->axes(); }

    Rect read_unit() const override {
        const Rect unit = m_base->read_unit();
        return m_swap ? Rect{0, 0, unit.height, unit.width} : unit;
    }
    std::uint64_t revision() const override { return m_base->revision(); }
    std::vector<Damage> damage_since(std::uint64_t since) const override {
        std::vector<Damage> damage = m_base->damage_since(since);
        for (Damage& d : damage) {
            d.rect = shown(d.rect);
        }
        return damage;
    }
    std::shared_ptr<const ImageSource> stored_level(int level) const override {
        auto stored = m_base->stored_level(level);
        return stored ? std::make_shared<OrientedSource>(std::move(stored), m_orientation)
                      : nullptr;
    }
    void release_region(const Plane& plane, Rect rect) const override {
        m_base->release_region(plane, stored(rect));
    }
    void prefetch_region(const Plane& plane, Rect rect) const override {
        m_base->prefetch_region(plane, stored(rect));
    }

    Result<void> read_region(const Plane& plane, Rect rect,
                             std::span<std::byte> dst) const override {
        if (auto checked = check_read(plane, rect, dst.size()); !checked) {
            return checked;
        }
        const Rect from = stored(rect);
        std::vector<std::byte> buffer(m_base->region_bytes(plane.channel, from));
        if (auto ok = m_base->read_region(plane, from, buffer); !ok) {
            return ok;
        }
        switch (sample_size(channels()[plane.channel].type)) {
            case 1:
                move<std::uint8_t>(buffer.data(), from, rect, dst.data());
                break;
            case 2:
                move<std::uint16_t>(buffer.data(), from, rect, dst.data());
                break;
            default:
                move<std::uint32_t>(buffer.data(), from, rect, dst.data());
                break;
        }
        return {};
    }

  private:
    // The stored pixel shown at (x, y).
    std::pair<std::int64_t, std::int64_t> stored_pixel(std::int64_t x, std::int64_t y) const {
        const std::int64_t w = width();
        const std::int64_t h = height();
        switch (m_orientation) {
            case 2:
                return {w - 1 - x, y};
            case 3:
                return {w - 1 - x, h - 1 - y};
            case 4:
                return {x, h - 1 - y};
            case 5:
                return {y, x};
            case 6:
                return {y, w - 1 - x};
            case 7:
                return {h - 1 - y, w - 1 - x};
            case 8:
                return {h - 1 - y, x};
            default:
                return {x, y};
        }
    }

    // The stored rectangle under a shown one.
    Rect stored(Rect rect) const {
        const auto [ax, ay] = stored_pixel(rect.x, rect.y);
        const auto [bx, by] = stored_pixel(rect.x + rect.width - 1, rect.y + rect.height - 1);
        return {std::min(ax, bx), std::min(ay, by), std::abs(bx - ax) + 1, std::abs(by - ay) + 1};
    }

    // The shown rectangle over a stored one.
    Rect shown(Rect r) const {
        if (r.empty()) {
            return r;
        }
        // Where a stored pixel is shown: the inverse of stored_pixel.
        const auto forward = [&](std::int64_t sx, std::int64_t sy) {
            const std::int64_t sw = m_base->width();
            const std::int64_t sh = m_base->height();
            switch (m_orientation) {
                case 2:
                    return std::pair{sw - 1 - sx, sy};
                case 3:
                    return std::pair{sw - 1 - sx, sh - 1 - sy};
                case 4:
                    return std::pair{sx, sh - 1 - sy};
                case 5:
                    return std::pair{sy, sx};
                case 6:
                    return std::pair{sh - 1 - sy, sx};
                case 7:
                    return std::pair{sh - 1 - sy, sw - 1 - sx};
                case 8:
                    return std::pair{sy, sw - 1 - sx};
                default:
                    return std::pair{sx, sy};
            }
        };
        const auto [ax, ay] = forward(r.x, r.y);
        const auto [bx, by] = forward(r.x + r.width - 1, r.y + r.height - 1);
        return {std::min(ax, bx), std::min(ay, by), std::abs(bx - ax) + 1, std::abs(by - ay) + 1};
    }

    template <typename T>
    void move(const std::byte* from_bytes, Rect from, Rect rect, std::byte* dst_bytes) const {
        const auto* src = reinterpret_cast<const T*>(from_bytes);
        auto* dst = reinterpret_cast<T*>(dst_bytes);
        for (std::int64_t y = 0; y < rect.height; ++y) {
            for (std::int64_t x = 0; x < rect.width; ++x) {
                const auto [sx, sy] = stored_pixel(rect.x + x, rect.y + y);
                dst[y * rect.width + x] = src[(sy - from.y) * from.width + (sx - from.x)];
            }
        }
    }

    std::shared_ptr<const ImageSource> m_base;
    int m_orientation;
    bool m_swap;
};

}  // namespace

bool valid_orientation(int orientation) {
    return orientation >= 1 && orientation <= 8;
}

std::shared_ptr<const ImageSource> oriented(std::shared_ptr<const ImageSource> base,
                                            int orientation) {
    if (orientation <= 1 || orientation > 8) {
        return base;
    }
    return std::make_shared<OrientedSource>(std::move(base), orientation);
}

}  // namespace tessera::core
