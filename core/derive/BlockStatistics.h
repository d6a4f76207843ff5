// Blockwise and sliding-window statistics of one or two planes: mean, standard deviation,
// minimum, maximum, Pearson's r and Manders' M1/M2. The kernels work on float rows read from
// the inputs and accumulate in double through running box sums (each input pixel is added once
// per block, or twice per window: entering and leaving), so a 10100 x 9660 pair takes one pass.
//
// The rules, also in the README ("Derived images"):
// - Blocks: the output has ceil(W / bw) x ceil(H / bh) pixels, one per block of bw x bh input
//   pixels, left to right and top to bottom from (0, 0). Blocks at the right and bottom edges
//   are partial and are computed from the pixels they have.
// - Window: the output has the input's size; the window of pixel (x, y) spans
//   [x - (w - 1) / 2, x + w / 2] by [y - (h - 1) / 2, y + h / 2] (centred; one more pixel right
//   and below for even sizes), clipped to the image.
// - A pixel whose value (or either value, for two inputs) is NaN is left out; a block or window
//   with no pixel left gives NaN.
// - Standard deviation is the population one (divided by n, NumPy's default). r is NaN where
//   either input is constant over the block (its variance is zero to double precision) or
//   fewer than two pixels remain.
// - Manders (with thresholds ta, tb; Costes' thresholded form): M1 = sum of a over pixels with
//   a > ta and b > tb, divided by the sum of a over pixels with a > ta; M2 the same with a and
//   b exchanged. NaN where the denominator is zero.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "core/image/ImageSource.h"

namespace tessera::core::derive {

enum class BlockOp : std::uint8_t { Mean, StdDev, Min, Max, Pearson, MandersM1, MandersM2 };
enum class Footprint : std::uint8_t { Blocks, Window };

struct BlockSpec {
    BlockOp op = BlockOp::Pearson;
    Footprint footprint = Footprint::Blocks;
    std::int64_t width = 10;  // block or window size, pixels
    std::int64_t height = 10;
    double threshold_a = 0;  // Manders
    double threshold_b = 0;
};

// "mean", "std", "min", "max", "pearson", "m1", "m2".
std::string_view name(BlockOp op);
std::optional<BlockOp> parse_block_op(std::string_view text);
// 1, or 2 for Pearson and Manders.
int input_count(BlockOp op);

// The output's size for an input of width x height.
std::int64_t output_width(const BlockSpec& spec, std::int64_t width);
std::int64_t output_height(const BlockSpec& spec, std::int64_t height);
// The input pixels the output rectangle `out` depends on (inside the input's bounds).
Rect input_rect(const BlockSpec& spec, Rect out, std::int64_t width, std::int64_t height);
// The output pixels that depend on the input rectangle `changed` (inside the output's bounds).
Rect affected_output(const BlockSpec& spec, Rect changed, std::int64_t width, std::int64_t height);

// Samples as rows of floats: row r starts `stride` floats after row r - 1.
struct Rows {
    const float* first = nullptr;
    std::int64_t stride = 0;
    const float* row(std::int64_t r) const { return first + r * stride; }
    bool empty() const { return first == nullptr; }
};

// Computes the output rectangle `out` into `result` (out.width x out.height, row by row) from
// the inputs' samples over `in` == input_rect(spec, out, width, height): `a`, and `b` for
// two-input operations (empty otherwise), each in.height rows of in.width floats. It owns
// nothing with a destructor while it reads them (its buffers are per thread), so it may read a
// mapped file in place under read_mapped() (FaultGuard.h).
void compute(const BlockSpec& spec, Rect in, Rows a, Rows b, Rect out, std::span<double> result);

}  // namespace tessera::core::derive
