// Stepping through a stack: which slice of an axis to show, by hand (step keys, the wheel) or
// played at a frame rate. Playback follows a clock, not a frame count: the slice due at time t
// is the one shown, so when slices arrive slower than the rate, the ones in between are skipped
// (their reads dropped), never queued. The clock is passed in, so tests need no sleeping.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace tessera::core {

enum class LoopMode : std::uint8_t { Once, Loop, BackAndForth };
std::string_view to_string(LoopMode mode);

// An index stepped by `steps` within [0, extent): clamped at the ends (Once), wrapped (Loop) or
// reflected (BackAndForth, which also turns `direction` around at each end).
std::int64_t step_index(std::int64_t index, std::int64_t steps, std::int64_t extent, LoopMode mode,
                        int& direction);

// The next `count` indices after `index` going `direction` (to read ahead), without repeating
// one or running past the end of a single pass.
std::vector<std::int64_t> indices_ahead(std::int64_t index, std::int64_t extent, int count,
                                        LoopMode mode, int direction);

class Playback {
  public:
    bool playing() const { return m_playing; }
    std::size_t axis() const { return m_axis; }
    double fps() const { return m_fps; }
    LoopMode mode() const { return m_mode; }
    int direction() const { return m_direction; }

    void set_fps(double fps);  // clamped to [0.1, 240]
    void set_mode(LoopMode mode) { m_mode = mode; }
    // Frames longer than a slice's time: slices advance by whole strides (every n-th slice
    // shown), so the slices read ahead are the ones that will be due.
    void set_stride(int stride) { m_stride = stride < 1 ? 1 : stride; }
    int stride() const { return m_stride; }
    // Starts playing `axis` from `index` at time `now` (seconds), forwards unless at the end.
    void start(std::size_t axis, std::int64_t index, std::int64_t extent, double now);
    void stop() { m_playing = false; }
    // The index due at `now`, or the current one when not playing. Once stops at the end.
    std::int64_t index_at(double now, std::int64_t extent);
    // The same without moving: what will be due at a later time (to read it ahead).
    std::int64_t index_due(double now, std::int64_t extent, int* direction = nullptr) const;
    // The direction of travel at the last index_at (back and forth turns at the ends).
    int current_direction() const { return m_current_direction; }

  private:
    bool m_playing = false;
    std::size_t m_axis = 0;
    double m_fps = 10;
    LoopMode m_mode = LoopMode::Loop;
    int m_direction = 1;  // at the start of playback
    std::int64_t m_origin = 0;
    double m_origin_time = 0;
    std::int64_t m_last = 0;
    int m_current_direction = 1;
    int m_stride = 1;
};

}  // namespace tessera::core
