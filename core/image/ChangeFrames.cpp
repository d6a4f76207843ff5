#include "core/image/ChangeFrames.h"

#include <algorithm>

namespace tessera::core {
namespace {

// `b` continues `a` into one rectangle: the next along a row, or the next row below.
bool extends(const Rect& a, const Rect& b) {
    return (a.y == b.y && a.height == b.height && a.x + a.width == b.x) ||
           (a.x == b.x && a.width == b.width && a.y + a.height == b.y);
}

Rect merged(const Rect& a, const Rect& b) {
    return {a.x, a.y, b.x + b.width - a.x, b.y + b.height - a.y};
}

}  // namespace

bool ChangeFrames::add(const Damage& change) {
    if (change.rect.empty()) {
        return false;
    }
    if (change.planes.empty()) {
        m_changed.clear();  // every plane: a frame of its own
        return true;
    }
    bool begins = false;
    for (const Plane& plane : change.planes) {
        begins = add(plane, change.rect) || begins;
    }
    if (begins) {
        // The frame ends for every plane at once: the next one starts with this change.
        std::erase_if(m_changed, [&](const auto& entry) {
            return std::find(change.planes.begin(), change.planes.end(), entry.first) ==
                   change.planes.end();
        });
        for (const Plane& plane : change.planes) {
            m_changed[plane] = {change.rect};
        }
    }
    return begins;
}

bool ChangeFrames::add(const Plane& plane, const Rect& rect) {
    std::vector<Rect>& changed = m_changed[plane];
    const bool touched = std::any_of(changed.begin(), changed.end(), [&](const Rect& region) {
        return !intersection(region, rect).empty();
    });
    if (touched || regions() >= m_max_regions) {
        return true;
    }
    changed.push_back(rect);
    // A row swept tile by tile is one rectangle; rows of the same span stack into one.
    while (changed.size() >= 2 && extends(changed[changed.size() - 2], changed.back())) {
        changed[changed.size() - 2] = merged(changed[changed.size() - 2], changed.back());
        changed.pop_back();
    }
    return false;
}

std::size_t ChangeFrames::regions() const {
    std::size_t count = 0;
    for (const auto& [plane, changed] : m_changed) {
        count += changed.size();
    }
    return count;
}

}  // namespace tessera::core
