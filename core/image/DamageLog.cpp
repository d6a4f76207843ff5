#include "core/image/DamageLog.h"

namespace tessera::core {

std::uint64_t DamageLog::record(Damage damage) {
    std::lock_guard lock(m_mutex);
    ++m_revision;
    m_records.emplace_back(m_revision, std::move(damage));
    while (m_records.size() > m_keep) {
        m_records.pop_front();
    }
    return m_revision;
}

std::uint64_t DamageLog::revision() const {
    std::lock_guard lock(m_mutex);
    return m_revision;
}

std::vector<Damage> DamageLog::since(std::uint64_t since, const Rect& whole) const {
    std::lock_guard lock(m_mutex);
    std::vector<Damage> out;
    if (since >= m_revision) {
        return out;
    }
    if (m_records.empty() || m_records.front().first > since + 1) {
        out.push_back({whole, {}});  // forgotten: everything may have changed
        return out;
    }
    for (const auto& [revision, damage] : m_records) {
        if (revision > since) {
            out.push_back(damage);
        }
    }
    return out;
}

}  // namespace tessera::core
