// GpuTimer: GPU time of a section of GL commands through GL_TIME_ELAPSED queries, asynchronous:
// results are collected frames later, when the driver says they are available, so measuring
// never stalls the pipeline. A ring of queries is reused; if all are still in flight, a section
// goes unmeasured rather than waiting. A result longer than the wall time since its section
// began is impossible and dropped (llvmpipe reports one for its very first query).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

#include "gl/objects/Object.h"

namespace tessera::gl {

struct QueryTraits {
    static void destroy(GLuint id) { glDeleteQueries(1, &id); }
};

class GpuTimer {
  public:
    GpuTimer();

    struct Result {
        std::uint64_t tag = 0;  // what begin() was given, e.g. the frame index
        double ms = 0;
    };

    void begin(std::uint64_t tag = 0);  // at most one section open at a time
    void end();
    // The oldest finished measurement, if one is ready; never blocks.
    std::optional<Result> take_result();

  private:
    std::optional<Result> take_oldest();

    static constexpr std::size_t kQueries = 8;
    std::array<Object<QueryTraits>, kQueries> m_queries;
    std::array<bool, kQueries> m_pending{};
    std::array<std::uint64_t, kQueries> m_tags{};
    std::array<std::chrono::steady_clock::time_point, kQueries> m_began{};
    std::size_t m_next = 0;    // the query the next section uses
    std::size_t m_oldest = 0;  // the oldest pending query
    bool m_open = false;
};

}  // namespace tessera::gl
