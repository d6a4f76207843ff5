// DamageLog: the revisions of a changing source and what each changed, for ImageSource's
// revision() and damage_since(). Keeps the most recent records only; a reader further behind
// gets one whole-image damage instead (re-reading everything is always correct).
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "core/image/ImageSource.h"

namespace tessera::core {

class DamageLog {
  public:
    explicit DamageLog(std::size_t keep = 4096) : m_keep(keep) {}

    // Records a change and returns the new revision.
    std::uint64_t record(Damage damage);
    std::uint64_t revision() const;
    // Damage after revision `since`; `whole` is what to report for a reader too far behind.
    std::vector<Damage> since(std::uint64_t since, const Rect& whole) const;

  private:
    mutable std::mutex m_mutex;
    std::size_t m_keep;
    std::uint64_t m_revision = 0;
    std::deque<std::pair<std::uint64_t, Damage>> m_records;  // oldest first
};

}  // namespace tessera::core
