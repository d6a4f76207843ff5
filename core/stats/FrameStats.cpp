#include "core/stats/FrameStats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/format.h>

namespace tessera::core {

Summary summarise(std::vector<double> values) {
    Summary s;
    s.count = values.size();
    if (values.empty()) {
        return s;
    }
    std::sort(values.begin(), values.end());
    const auto rank = [&](double q) {
        const auto k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
        return values[std::clamp<std::size_t>(k, 1, values.size()) - 1];
    };
    s.mean =
        std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    s.p50 = rank(0.50);
    s.p95 = rank(0.95);
    s.p99 = rank(0.99);
    s.max = values.back();
    return s;
}

void FrameStats::add(const FrameRecord& record) {
    m_frames.push_back(record);
    while (m_frames.size() > m_window) {
        m_frames.pop_front();
    }
}

void FrameStats::set_gpu_ms(std::uint64_t index, double ms) {
    for (auto f = m_frames.rbegin(); f != m_frames.rend(); ++f) {
        if (f->index == index) {
            f->gpu_ms = ms;
            return;
        }
    }
}

Summary FrameStats::cpu() const {
    std::vector<double> values;
    for (const FrameRecord& f : m_frames) {
        values.push_back(f.cpu_ms);
    }
    return summarise(values);
}

std::optional<Summary> FrameStats::gpu() const {
    std::vector<double> values;
    for (const FrameRecord& f : m_frames) {
        if (f.gpu_ms) {
            values.push_back(*f.gpu_ms);
        }
    }
    return values.empty() ? std::nullopt : std::optional(summarise(values));
}

double FrameStats::fps() const {
    if (m_frames.size() < 2) {
        return 0;
    }
    const double span = m_frames.back().timestamp_s - m_frames.front().timestamp_s;
    return span > 0 ? static_cast<double>(m_frames.size() - 1) / span : 0;
}

double FrameStats::upload_bytes_per_second() const {
    if (m_frames.empty()) {
        return 0;
    }
    const double now = m_frames.back().timestamp_s;
    std::uint64_t bytes = 0;
    for (auto f = m_frames.rbegin(); f != m_frames.rend() && now - f->timestamp_s < 1.0; ++f) {
        bytes += f->upload_bytes;
    }
    return static_cast<double>(bytes);
}

std::string csv_header() {
    return "frame,timestamp_s,cpu_ms,gpu_ms,uploads,upload_bytes,tiles_resident\n";
}

std::string csv_row(const FrameRecord& r) {
    return fmt::format("{},{:.6f},{:.3f},{},{},{},{}\n", r.index, r.timestamp_s, r.cpu_ms,
                       r.gpu_ms ? fmt::format("{:.3f}", *r.gpu_ms) : std::string(), r.uploads,
                       r.upload_bytes, r.tiles_resident);
}

}  // namespace tessera::core
