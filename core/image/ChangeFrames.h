// ChangeFrames: a changing source's damage grouped into frames, as a client streams them. A
// client that sends its frames region by region (tev's Python client sends 128x128 tiles) writes
// each region once per frame; a change to a region already changed in the current frame begins
// the next one. A viewer shows a frame once all of it is re-read, not every part as it arrives
// (each redraw a composite of the whole view).
//
// Planes are tracked apart (a multi-channel update writes its channels one after another, the
// same rectangle of each); damage of every plane (a reload) begins a frame. The regions of a
// frame are kept merged: a frame swept row by row is a handful of rectangles; one that is not
// merges less, up to a bound beyond which the frame is ended early (a redraw too many, never one
// too few).
#pragma once

#include <cstddef>
#include <map>
#include <vector>

#include "core/image/ImageSource.h"

namespace tessera::core {

class ChangeFrames {
  public:
    explicit ChangeFrames(std::size_t max_regions = 4096) : m_max_regions(max_regions) {}

    // Notes a change; true when it begins a new frame (it touches a region the current frame
    // already changed, in one of its planes).
    bool add(const Damage& change);
    std::size_t regions() const;  // kept for the current frame, all planes together

  private:
    bool add(const Plane& plane, const Rect& rect);

    std::size_t m_max_regions;
    std::map<Plane, std::vector<Rect>> m_changed;  // the current frame's, per plane
};

}  // namespace tessera::core
