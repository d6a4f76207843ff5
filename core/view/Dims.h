// Dims: which slice of a stack a view shows, and how it moves (napari's "dims"). One index per
// non-spatial axis of the source; sliders exist for the axes longer than 1. Step keys and the
// wheel move the axis used last; playback moves one axis by the clock (core/view/Playback).
#pragma once

#include <cstdint>
#include <vector>

#include "core/image/ImageSource.h"
#include "core/view/Playback.h"

namespace tessera::core {

class Dims {
  public:
    Dims() = default;
    explicit Dims(std::vector<Axis> axes);

    const std::vector<Axis>& axes() const { return m_axes; }
    const std::vector<std::int64_t>& position() const { return m_position; }
    // The axes that get a slider: extent above 1.
    std::vector<std::size_t> slider_axes() const;
    std::size_t step_axis() const { return m_step_axis; }
    Playback& playback() { return m_playback; }
    const Playback& playback() const { return m_playback; }

    // Moves one axis to `index` (clamped) and makes it the one the step keys move. Playback of
    // that axis stops: the user took it over.
    void set(std::size_t axis, std::int64_t index);
    // Moves the step axis by `steps`, stopping at the ends.
    void step(int steps);
    // Plays the step axis from where it is, or stops.
    void toggle_play(double now);
    // Playing: moves to the slice due at `now`. True when the position changed.
    bool advance(double now);
    // Positions to read ahead: the next `count` slices in the direction of travel (playing), or
    // the next one in the direction of the last step.
    std::vector<std::vector<std::int64_t>> ahead(int count) const;
    // Playing: sets the stride to the slices a frame of `frame_seconds` lasts and returns the
    // next `count` slices on it (what the next frames will show, read now); otherwise ahead(1).
    std::vector<std::vector<std::int64_t>> plan_ahead(double now, double frame_seconds, int count);

  private:
    std::vector<Axis> m_axes;
    std::vector<std::int64_t> m_position;
    std::size_t m_step_axis = 0;
    int m_step_direction = 1;
    Playback m_playback;
};

}  // namespace tessera::core
