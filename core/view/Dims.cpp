#include "core/view/Dims.h"

#include <algorithm>
#include <cmath>

namespace tessera::core {

Dims::Dims(std::vector<Axis> axes) : m_axes(std::move(axes)), m_position(m_axes.size(), 0) {
    const std::vector<std::size_t> sliders = slider_axes();
    // The innermost slider first (Z of TZYX): napari's last slider, Fiji's Z.
    m_step_axis = sliders.empty() ? 0 : sliders.back();
}

std::vector<std::size_t> Dims::slider_axes() const {
    std::vector<std::size_t> axes;
    for (std::size_t i = 0; i < m_axes.size(); ++i) {
        if (m_axes[i].extent > 1) {
            axes.push_back(i);
        }
    }
    return axes;
}

void Dims::set(std::size_t axis, std::int64_t index) {
    if (axis >= m_axes.size()) {
        return;
    }
    if (m_playback.playing() && m_playback.axis() == axis) {
        m_playback.stop();
    }
    const std::int64_t clamped = std::clamp<std::int64_t>(index, 0, m_axes[axis].extent - 1);
    if (clamped != m_position[axis]) {
        m_step_direction = clamped > m_position[axis] ? 1 : -1;
    }
    m_position[axis] = clamped;
    m_step_axis = axis;
}

void Dims::step(int steps) {
    if (m_step_axis < m_axes.size() && steps != 0) {
        set(m_step_axis, m_position[m_step_axis] + steps);
        m_step_direction = steps > 0 ? 1 : -1;
    }
}

void Dims::toggle_play(double now) {
    if (m_playback.playing()) {
        m_playback.stop();
    } else if (m_step_axis < m_axes.size()) {
        m_playback.start(m_step_axis, m_position[m_step_axis], m_axes[m_step_axis].extent, now);
    }
}

bool Dims::advance(double now) {
    if (!m_playback.playing() || m_playback.axis() >= m_axes.size()) {
        return false;
    }
    const std::size_t axis = m_playback.axis();
    const std::int64_t index = m_playback.index_at(now, m_axes[axis].extent);
    const bool changed = index != m_position[axis];
    m_position[axis] = index;
    return changed;
}

std::vector<std::vector<std::int64_t>> Dims::ahead(int count) const {
    std::vector<std::vector<std::int64_t>> positions;
    const bool playing = m_playback.playing() && m_playback.axis() < m_axes.size();
    const std::size_t axis = playing ? m_playback.axis() : m_step_axis;
    if (axis >= m_axes.size()) {
        return positions;
    }
    const std::vector<std::int64_t> indices =
        playing ? indices_ahead(m_position[axis], m_axes[axis].extent, count, m_playback.mode(),
                                m_playback.current_direction())
                : indices_ahead(m_position[axis], m_axes[axis].extent, 1, LoopMode::Once,
                                m_step_direction);
    for (std::int64_t index : indices) {
        positions.push_back(m_position);
        positions.back()[axis] = index;
    }
    return positions;
}

std::vector<std::vector<std::int64_t>> Dims::plan_ahead(double now, double frame_seconds,
                                                        int count) {
    if (!m_playback.playing() || m_playback.axis() >= m_axes.size()) {
        return ahead(1);
    }
    const std::size_t axis = m_playback.axis();
    const std::int64_t extent = m_axes[axis].extent;
    const int stride =
        static_cast<int>(std::floor(std::max(0.0, frame_seconds) * m_playback.fps() + 0.5));
    m_playback.set_stride(stride);
    const double step = static_cast<double>(m_playback.stride()) / m_playback.fps();
    std::vector<std::vector<std::int64_t>> positions;
    for (int k = 1; k <= count; ++k) {
        std::vector<std::int64_t> position = m_position;
        position[axis] = m_playback.index_due(now + k * step, extent);
        const bool seen = position == m_position || std::find(positions.begin(), positions.end(),
                                                              position) != positions.end();
        if (!seen) {
            positions.push_back(std::move(position));
        }
    }
    return positions;
}

}  // namespace tessera::core
