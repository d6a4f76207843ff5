#include "gl/context/GpuTimer.h"

#include <cassert>

namespace tessera::gl {

GpuTimer::GpuTimer() {
    for (auto& query : m_queries) {
        GLuint id = 0;
        glGenQueries(1, &id);
        query = Object<QueryTraits>(id);
    }
}

void GpuTimer::begin(std::uint64_t tag) {
    assert(!m_open && "GpuTimer sections do not nest");
    if (m_pending[m_next]) {
        return;  // every query is in flight: skip this section rather than wait
    }
    glBeginQuery(GL_TIME_ELAPSED, m_queries[m_next].id());
    m_tags[m_next] = tag;
    m_began[m_next] = std::chrono::steady_clock::now();
    m_open = true;
}

void GpuTimer::end() {
    if (!m_open) {
        return;
    }
    glEndQuery(GL_TIME_ELAPSED);
    m_pending[m_next] = true;
    m_next = (m_next + 1) % kQueries;
    m_open = false;
}

std::optional<GpuTimer::Result> GpuTimer::take_result() {
    while (true) {
        if (!m_pending[m_oldest]) {
            return std::nullopt;
        }
        const auto began = m_began[m_oldest];
        auto result = take_oldest();
        if (!result) {
            return std::nullopt;
        }
        const double wall_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began)
                .count();
        if (result->ms <= wall_ms + 1.0) {
            return result;
        }
    }
}

std::optional<GpuTimer::Result> GpuTimer::take_oldest() {
    GLint available = 0;
    glGetQueryObjectiv(m_queries[m_oldest].id(), GL_QUERY_RESULT_AVAILABLE, &available);
    if (!available) {
        return std::nullopt;
    }
    GLuint64 nanoseconds = 0;
    glGetQueryObjectui64v(m_queries[m_oldest].id(), GL_QUERY_RESULT, &nanoseconds);
    const Result result{m_tags[m_oldest], static_cast<double>(nanoseconds) / 1e6};
    m_pending[m_oldest] = false;
    m_oldest = (m_oldest + 1) % kQueries;
    return result;
}

}  // namespace tessera::gl
