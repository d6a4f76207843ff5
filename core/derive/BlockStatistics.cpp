#include "core/derive/BlockStatistics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

namespace tessera::core::derive {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::int64_t before(std::int64_t size) {
    return (size - 1) / 2;
}
std::int64_t after(std::int64_t size) {
    return size / 2;
}

// The first value that is not NaN, to subtract from every sample: sums of squares of shifted
// values keep their digits where the values are large and their spread small.
double shift_of(Rows values, std::int64_t width, std::int64_t height) {
    for (std::int64_t y = 0; y < height; ++y) {
        const float* row = values.row(y);
        for (std::int64_t x = 0; x < width; ++x) {
            if (!std::isnan(row[x])) {
                return row[x];
            }
        }
    }
    return 0;
}

// Variance times n from shifted sums; zero when it is rounding noise next to the sum of squares.
double spread(double n, double sum, double sum_squares) {
    const double s = sum_squares - sum * sum / n;
    return s > 1e-12 * sum_squares ? s : 0.0;
}

// One operation as per-pixel terms summed over a box, then a value from the sums. Terms are
// computed whatever the sample and then chosen (ok ? term : 0), never computed under a
// condition: the compiler may not move floating-point arithmetic out of a branch, so a branch
// would keep the row loop from being vectorised.
template <int K, typename Terms, typename Finish>
struct SumOp {
    static constexpr int kTerms = K;
    Terms terms;    // (a, b, double* t): all zero for a pixel left out (NaN); no branches
    Finish finish;  // (const double* sums) -> value
};
template <int K, typename Terms, typename Finish>
SumOp<K, Terms, Finish> sum_op(Terms terms, Finish finish) {
    return {terms, finish};
}

// Adds (sign = 1) or takes away (-1) the terms of input row `row` to per-column sums, laid out
// term by term (columns[k * width + x]), or with Start sets the sums to them (a block's first
// row: no zeroing pass before it): one straight loop per row that the compiler vectorises. The
// K sums of a column lie `width` apart and never overlap, which the compiler cannot know.
template <bool Two, bool Start, typename Op>
void add_row_of(const Op& op, const float* __restrict a, const float* __restrict b,
                std::int64_t width, double sign, double* __restrict columns) {
    constexpr int K = Op::kTerms;
    // GCC needs telling; clang's own checks decide (and an unmet request would be an error).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC ivdep
#endif
    for (std::int64_t x = 0; x < width; ++x) {
        std::array<double, K> t;
        op.terms(a[x], Two ? b[x] : 0.0f, t.data());
        for (int k = 0; k < K; ++k) {
            if constexpr (Start) {
                columns[k * width + x] = t[static_cast<std::size_t>(k)];
            } else {
                columns[k * width + x] += sign * t[static_cast<std::size_t>(k)];
            }
        }
    }
}

template <bool Start = false, typename Op>
void add_row(const Op& op, const float* a, const float* b, std::int64_t width, double sign,
             double* columns) {
    if (b != nullptr) {
        add_row_of<true, Start>(op, a, b, width, sign, columns);
    } else {
        add_row_of<false, Start>(op, a, b, width, sign, columns);
    }
}

template <typename Op>
void blocks(const BlockSpec& spec, const Op& op, Rect in, Rows a, Rows b, Rect out,
            std::span<double> result) {
    constexpr int K = Op::kTerms;
    // Kept per thread: a fresh allocation per band would fault its pages in again.
    thread_local std::vector<double> columns;
    columns.resize(static_cast<std::size_t>(in.width) * K);
    for (std::int64_t r = 0; r < out.height; ++r) {
        const std::int64_t y0 = (out.y + r) * spec.height;
        const std::int64_t y1 = std::min(in.y + in.height, y0 + spec.height);
        // Whole rows, one after the other: the inputs are read in long straight runs. The first
        // sets the sums (every block has at least one row).
        add_row<true>(op, a.row(y0 - in.y), b.empty() ? nullptr : b.row(y0 - in.y), in.width, 1.0,
                      columns.data());
        for (std::int64_t y = y0 + 1; y < y1; ++y) {
            add_row(op, a.row(y - in.y), b.empty() ? nullptr : b.row(y - in.y), in.width, 1.0,
                    columns.data());
        }
        for (std::int64_t j = 0; j < out.width; ++j) {
            const std::int64_t x0 = (out.x + j) * spec.width - in.x;
            const std::int64_t x1 = std::min(in.width, x0 + spec.width);
            std::array<double, K> sums{};
            for (int k = 0; k < K; ++k) {
                const double* c = &columns[static_cast<std::size_t>(k * in.width)];
                for (std::int64_t x = x0; x < x1; ++x) {
                    sums[static_cast<std::size_t>(k)] += c[x];
                }
            }
            result[static_cast<std::size_t>(r * out.width + j)] = op.finish(sums.data());
        }
    }
}

// Running box sums: per input column, the sums over the window's rows (one row added and one
// taken away per output row), then along the row over the window's columns.
template <typename Op>
void window(const BlockSpec& spec, const Op& op, Rect in, Rows a, Rows b, Rect out,
            std::span<double> result) {
    constexpr int K = Op::kTerms;
    thread_local std::vector<double> columns;
    columns.assign(static_cast<std::size_t>(in.width) * K, 0.0);
    const auto add = [&](std::int64_t y, double sign) {
        add_row(op, a.row(y - in.y), b.empty() ? nullptr : b.row(y - in.y), in.width, sign,
                columns.data());
    };
    const std::int64_t in_end_y = in.y + in.height;
    const std::int64_t in_end_x = in.x + in.width;
    std::int64_t lo = 0;
    std::int64_t hi = 0;  // rows [lo, hi) are in `columns`
    std::array<double, K> box{};
    const auto add_column = [&](std::int64_t x, double sign) {
        for (int k = 0; k < K; ++k) {
            box[static_cast<std::size_t>(k)] += sign * columns[k * in.width + (x - in.x)];
        }
    };
    for (std::int64_t r = 0; r < out.height; ++r) {
        const std::int64_t y = out.y + r;
        const std::int64_t want_lo = std::max(in.y, y - before(spec.height));
        const std::int64_t want_hi = std::min(in_end_y, y + after(spec.height) + 1);
        if (r == 0) {
            lo = hi = want_lo;
        }
        for (; hi < want_hi; ++hi) {
            add(hi, 1.0);
        }
        for (; lo < want_lo; ++lo) {
            add(lo, -1.0);
        }
        std::int64_t x_lo = 0;
        std::int64_t x_hi = 0;
        box.fill(0.0);
        for (std::int64_t j = 0; j < out.width; ++j) {
            const std::int64_t x = out.x + j;
            const std::int64_t want_x_lo = std::max(in.x, x - before(spec.width));
            const std::int64_t want_x_hi = std::min(in_end_x, x + after(spec.width) + 1);
            if (j == 0) {
                x_lo = x_hi = want_x_lo;
            }
            for (; x_hi < want_x_hi; ++x_hi) {
                add_column(x_hi, 1.0);
            }
            for (; x_lo < want_x_lo; ++x_lo) {
                add_column(x_lo, -1.0);
            }
            result[static_cast<std::size_t>(r * out.width + j)] = op.finish(box.data());
        }
    }
}

template <typename Op>
void run(const BlockSpec& spec, const Op& op, Rect in, Rows a, Rows b, Rect out,
         std::span<double> result) {
    if (spec.footprint == Footprint::Blocks) {
        blocks(spec, op, in, a, b, out, result);
    } else {
        window(spec, op, in, a, b, out, result);
    }
}

// Sliding minimum or maximum along one line, NaN left out: out[i] covers the source positions
// [i0 + i - lead, i0 + i + trail] inside [s0, s0 + count). A monotonic queue of positions.
template <bool Max, typename Out>
void sliding_extreme(const float* src, std::ptrdiff_t stride, std::int64_t s0, std::int64_t count,
                     std::int64_t i0, std::int64_t n, std::int64_t lead, std::int64_t trail,
                     Out* dst, std::ptrdiff_t dst_stride, std::vector<std::int64_t>& queue) {
    queue.resize(static_cast<std::size_t>(count));
    std::size_t head = 0;
    std::size_t tail = 0;
    std::int64_t next = s0;  // the next source position to enter
    const auto value = [&](std::int64_t p) {
        return src[(p - s0) * stride];
    };
    for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t lo = std::max(s0, i0 + i - lead);
        const std::int64_t hi = std::min(s0 + count, i0 + i + trail + 1);
        for (; next < hi; ++next) {
            const float v = value(next);
            if (std::isnan(v)) {
                continue;
            }
            while (tail > head &&
                   (Max ? value(queue[tail - 1]) <= v : value(queue[tail - 1]) >= v)) {
                --tail;
            }
            queue[tail++] = next;
        }
        while (tail > head && queue[head] < lo) {
            ++head;
        }
        dst[i * dst_stride] = static_cast<Out>(
            tail > head ? value(queue[head]) : std::numeric_limits<float>::quiet_NaN());
    }
}

template <bool Max>
void extreme(const BlockSpec& spec, Rect in, Rows a, Rect out, std::span<double> result) {
    if (spec.footprint == Footprint::Blocks) {
        for (std::int64_t r = 0; r < out.height; ++r) {
            const std::int64_t y0 = (out.y + r) * spec.height;
            const std::int64_t y1 = std::min(in.y + in.height, y0 + spec.height);
            for (std::int64_t j = 0; j < out.width; ++j) {
                const std::int64_t x0 = (out.x + j) * spec.width;
                const std::int64_t x1 = std::min(in.x + in.width, x0 + spec.width);
                double best = kNaN;
                for (std::int64_t y = y0; y < y1; ++y) {
                    const float* row = a.row(y - in.y);
                    for (std::int64_t x = x0; x < x1; ++x) {
                        const double v = row[x - in.x];
                        if (!std::isnan(v) && (std::isnan(best) || (Max ? v > best : v < best))) {
                            best = v;
                        }
                    }
                }
                result[static_cast<std::size_t>(r * out.width + j)] = best;
            }
        }
        return;
    }
    // Separable: along each input row, then down each output column.
    // Kept per thread (and so owned by no frame here): compute() may run under read_mapped().
    thread_local std::vector<float> rows;
    thread_local std::vector<std::int64_t> queue;
    rows.resize(static_cast<std::size_t>(in.height * out.width));
    for (std::int64_t y = 0; y < in.height; ++y) {
        sliding_extreme<Max>(a.row(y), 1, in.x, in.width, out.x, out.width, before(spec.width),
                             after(spec.width), &rows[static_cast<std::size_t>(y * out.width)], 1,
                             queue);
    }
    for (std::int64_t j = 0; j < out.width; ++j) {
        sliding_extreme<Max>(&rows[static_cast<std::size_t>(j)], out.width, in.y, in.height, out.y,
                             out.height, before(spec.height), after(spec.height),
                             &result[static_cast<std::size_t>(j)], out.width, queue);
    }
}

}  // namespace

std::string_view name(BlockOp op) {
    switch (op) {
        case BlockOp::Mean:
            return "mean";
        case BlockOp::StdDev:
            return "std";
        case BlockOp::Min:
            return "min";
        case BlockOp::Max:
            return "max";
        case BlockOp::Pearson:
            return "pearson";
        case BlockOp::MandersM1:
            return "m1";
        case BlockOp::MandersM2:
            return "m2";
    }
    return "?";
}

std::optional<BlockOp> parse_block_op(std::string_view text) {
    for (const BlockOp op : {BlockOp::Mean, BlockOp::StdDev, BlockOp::Min, BlockOp::Max,
                             BlockOp::Pearson, BlockOp::MandersM1, BlockOp::MandersM2}) {
        if (text == name(op)) {
            return op;
        }
    }
    return std::nullopt;
}

int input_count(BlockOp op) {
    return op == BlockOp::Pearson || op == BlockOp::MandersM1 || op == BlockOp::MandersM2 ? 2 : 1;
}

std::int64_t output_width(const BlockSpec& spec, std::int64_t width) {
    return spec.footprint == Footprint::Blocks ? (width + spec.width - 1) / spec.width : width;
}

std::int64_t output_height(const BlockSpec& spec, std::int64_t height) {
    return spec.footprint == Footprint::Blocks ? (height + spec.height - 1) / spec.height : height;
}

Rect input_rect(const BlockSpec& spec, Rect out, std::int64_t width, std::int64_t height) {
    if (spec.footprint == Footprint::Blocks) {
        const std::int64_t x0 = out.x * spec.width;
        const std::int64_t y0 = out.y * spec.height;
        return intersection({x0, y0, out.width * spec.width, out.height * spec.height},
                            {0, 0, width, height});
    }
    const std::int64_t x0 = out.x - before(spec.width);
    const std::int64_t y0 = out.y - before(spec.height);
    return intersection({x0, y0, out.width + spec.width - 1, out.height + spec.height - 1},
                        {0, 0, width, height});
}

Rect affected_output(const BlockSpec& spec, Rect changed, std::int64_t width, std::int64_t height) {
    if (changed.empty()) {
        return {};
    }
    if (spec.footprint == Footprint::Blocks) {
        const std::int64_t x0 = changed.x / spec.width;
        const std::int64_t y0 = changed.y / spec.height;
        const std::int64_t x1 = (changed.x + changed.width + spec.width - 1) / spec.width;
        const std::int64_t y1 = (changed.y + changed.height + spec.height - 1) / spec.height;
        return intersection({x0, y0, x1 - x0, y1 - y0},
                            {0, 0, output_width(spec, width), output_height(spec, height)});
    }
    // Output pixel x sees inputs [x - before, x + after]: input x affects [x - after, x + before].
    return intersection({changed.x - after(spec.width), changed.y - after(spec.height),
                         changed.width + spec.width - 1, changed.height + spec.height - 1},
                        {0, 0, width, height});
}

void compute(const BlockSpec& spec, Rect in, Rows a, Rows b, Rect out, std::span<double> result) {
    switch (spec.op) {
        case BlockOp::Mean:
            run(spec,
                sum_op<2>(
                    [](float x, float, double* t) {
                        const bool ok = x == x;
                        const double v = x;
                        t[0] = ok ? 1.0 : 0.0;
                        t[1] = ok ? v : 0.0;
                    },
                    [](const double* s) { return s[0] > 0 ? s[1] / s[0] : kNaN; }),
                in, a, b, out, result);
            return;
        case BlockOp::StdDev: {
            const double k = shift_of(a, in.width, in.height);
            run(spec,
                sum_op<3>(
                    [k](float x, float, double* t) {
                        const bool ok = x == x;
                        const double dk = static_cast<double>(x) - k;
                        const double d = ok ? dk : 0.0;
                        t[0] = ok ? 1.0 : 0.0;
                        t[1] = d;
                        t[2] = d * d;
                    },
                    [](const double* s) {
                        return s[0] > 0 ? std::sqrt(spread(s[0], s[1], s[2]) / s[0]) : kNaN;
                    }),
                in, a, b, out, result);
            return;
        }
        case BlockOp::Min:
            extreme<false>(spec, in, a, out, result);
            return;
        case BlockOp::Max:
            extreme<true>(spec, in, a, out, result);
            return;
        case BlockOp::Pearson: {
            const double ka = shift_of(a, in.width, in.height);
            const double kb = shift_of(b, in.width, in.height);
            run(spec,
                sum_op<6>(
                    [ka, kb](float x, float y, double* t) {
                        const bool ok = (x == x) & (y == y);
                        const double dxk = static_cast<double>(x) - ka;
                        const double dyk = static_cast<double>(y) - kb;
                        const double dx = ok ? dxk : 0.0;
                        const double dy = ok ? dyk : 0.0;
                        t[0] = ok ? 1.0 : 0.0;
                        t[1] = dx;
                        t[2] = dy;
                        t[3] = dx * dx;
                        t[4] = dy * dy;
                        t[5] = dx * dy;
                    },
                    [](const double* s) {
                        const double n = s[0];
                        if (n < 2) {
                            return kNaN;
                        }
                        const double sxx = spread(n, s[1], s[3]);
                        const double syy = spread(n, s[2], s[4]);
                        if (sxx <= 0 || syy <= 0) {
                            return kNaN;
                        }
                        const double sxy = s[5] - s[1] * s[2] / n;
                        return std::clamp(sxy / std::sqrt(sxx * syy), -1.0, 1.0);
                    }),
                in, a, b, out, result);
            return;
        }
        case BlockOp::MandersM1:
        case BlockOp::MandersM2: {
            const bool first = spec.op == BlockOp::MandersM1;
            const double ta = spec.threshold_a;
            const double tb = spec.threshold_b;
            run(spec,
                sum_op<2>(
                    [first, ta, tb](float x, float y, double* t) {
                        // NaN is above no threshold: a pixel with a NaN adds nothing.
                        // (Comparisons with NaN are false.)
                        const bool above_a = x > ta;
                        const bool above_b = y > tb;
                        const bool ok = (x == x) & (y == y);
                        const double v = first ? x : y;
                        const bool own = (first ? above_a : above_b) & ok;
                        t[0] = own ? v : 0.0;
                        t[1] = (above_a & above_b) ? v : 0.0;
                    },
                    [](const double* s) { return s[0] != 0 ? s[1] / s[0] : kNaN; }),
                in, a, b, out, result);
            return;
        }
    }
}

}  // namespace tessera::core::derive
