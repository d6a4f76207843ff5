#include "core/view/Playback.h"

#include <algorithm>
#include <cmath>

namespace tessera::core {

std::string_view to_string(LoopMode mode) {
    switch (mode) {
        case LoopMode::Once:
            return "once";
        case LoopMode::Loop:
            return "loop";
        case LoopMode::BackAndForth:
            return "back and forth";
    }
    return "loop";
}

std::int64_t step_index(std::int64_t index, std::int64_t steps, std::int64_t extent, LoopMode mode,
                        int& direction) {
    if (extent <= 1) {
        return 0;
    }
    index = std::clamp<std::int64_t>(index, 0, extent - 1);
    switch (mode) {
        case LoopMode::Once:
            return std::clamp<std::int64_t>(index + steps * direction, 0, extent - 1);
        case LoopMode::Loop: {
            const std::int64_t moved = (index + steps * direction) % extent;
            return moved < 0 ? moved + extent : moved;
        }
        case LoopMode::BackAndForth: {
            // Positions on a cycle of 2 * (extent - 1): up the stack, then down it.
            const std::int64_t period = 2 * (extent - 1);
            const std::int64_t phase = direction > 0 ? index : period - index;
            std::int64_t moved = (phase + steps) % period;
            moved = moved < 0 ? moved + period : moved;
            direction = moved < extent - 1 ? 1 : -1;
            return moved < extent ? moved : period - moved;
        }
    }
    return index;
}

void Playback::set_fps(double fps) {
    m_fps = std::clamp(std::isfinite(fps) ? fps : 10.0, 0.1, 240.0);
}

void Playback::start(std::size_t axis, std::int64_t index, std::int64_t extent, double now) {
    m_playing = extent > 1;
    m_axis = axis;
    m_origin = std::clamp<std::int64_t>(index, 0, std::max<std::int64_t>(0, extent - 1));
    m_last = m_origin;
    m_origin_time = now;
    // Played to the end once: start again from the beginning.
    if (m_mode == LoopMode::Once && m_origin == extent - 1) {
        m_origin = 0;
    }
    m_direction = m_mode == LoopMode::BackAndForth && m_origin == extent - 1 ? -1 : 1;
    m_current_direction = m_direction;
}

std::int64_t Playback::index_due(double now, std::int64_t extent, int* direction) const {
    if (!m_playing) {
        return m_last;
    }
    auto steps =
        static_cast<std::int64_t>(std::floor(std::max(0.0, now - m_origin_time) * m_fps + 1e-6));
    steps -= steps % m_stride;
    int travel = m_direction;
    const std::int64_t index = step_index(m_origin, steps, extent, m_mode, travel);
    if (direction != nullptr) {
        *direction = travel;
    }
    return index;
}

std::int64_t Playback::index_at(double now, std::int64_t extent) {
    if (!m_playing) {
        return m_last;
    }
    m_last = index_due(now, extent, &m_current_direction);
    if (m_mode == LoopMode::Once && m_last == extent - 1) {
        m_playing = false;
    }
    return m_last;
}

std::vector<std::int64_t> indices_ahead(std::int64_t index, std::int64_t extent, int count,
                                        LoopMode mode, int direction) {
    std::vector<std::int64_t> next;
    std::int64_t at = index;
    // The slice shown is not read ahead (back and forth passes it again); a repeat ends the list.
    for (int k = 0; k < 2 * count + 2 && static_cast<int>(next.size()) < count && extent > 1; ++k) {
        const std::int64_t moved = step_index(at, 1, extent, mode, direction);
        if (moved == at || std::find(next.begin(), next.end(), moved) != next.end()) {
            break;
        }
        if (moved != index) {
            next.push_back(moved);
        }
        at = moved;
    }
    return next;
}

}  // namespace tessera::core
