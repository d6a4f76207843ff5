// FrameStats: per-frame timing and transfer records, kept for a window of recent frames, with
// the summaries the FPS overlay and `tessera bench` report (mean, percentiles, worst, upload
// rate), and the CSV form of --record-frames.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace tessera::core {

struct FrameRecord {
    std::uint64_t index = 0;
    double timestamp_s = 0;        // since the run started
    double cpu_ms = 0;             // time the CPU spent producing the frame
    std::optional<double> gpu_ms;  // GPU time of the image pass, when the driver reports it
    std::uint64_t uploads = 0;     // texture uploads during the frame
    std::uint64_t upload_bytes = 0;
    std::uint64_t tiles_resident = 0;
};

struct Summary {
    std::size_t count = 0;
    double mean = 0;
    double p50 = 0;
    double p95 = 0;
    double p99 = 0;
    double max = 0;
};

// Nearest-rank percentiles of the values (0 for none).
Summary summarise(std::vector<double> values);

class FrameStats {
  public:
    explicit FrameStats(std::size_t window = 300) : m_window(window) {}

    void add(const FrameRecord& record);
    // A GPU time that arrived after its frame was added (timer queries are asynchronous).
    void set_gpu_ms(std::uint64_t index, double ms);
    const std::deque<FrameRecord>& frames() const { return m_frames; }

    Summary cpu() const;
    std::optional<Summary> gpu() const;      // nullopt when no frame in the window had a GPU time
    double fps() const;                      // frames per second over the window's timestamps
    double upload_bytes_per_second() const;  // over the last second

  private:
    std::size_t m_window;
    std::deque<FrameRecord> m_frames;
};

std::string csv_header();
std::string csv_row(const FrameRecord& record);

}  // namespace tessera::core
