// Derived images: sources computed from other sources, shown, tiled, measured and exported like
// files. A derived image reads its inputs region by region (bands of rows with the margin its
// operation needs) on every core and keeps its result in memory, at full resolution, so its
// pyramid and statistics come from its own values. update() computes it the first time and then
// only where the inputs' damage (a reload, a live update) reaches.
//
// BlockImage: blockwise or sliding-window statistics of one or two planes (BlockStatistics.h).
// ProjectionImage: maximum, minimum, mean, sum or standard deviation along one non-spatial axis.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/Result.h"
#include "core/derive/BlockStatistics.h"
#include "core/image/PlanarImage.h"

namespace tessera::core::derive {

// One input: a plane of a source.
struct DeriveInput {
    std::shared_ptr<const ImageSource> source;
    Plane plane;
};

class DerivedImage : public ImageSource {
  public:
    std::int64_t width() const override { return m_output->width(); }
    std::int64_t height() const override { return m_output->height(); }
    const std::vector<ChannelInfo>& channels() const override { return m_output->channels(); }
    const std::vector<Axis>& axes() const override { return m_output->axes(); }
    Result<void> read_region(const Plane& plane, Rect rect,
                             std::span<std::byte> dst) const override {
        return m_output->read_region(plane, rect, dst);
    }
    std::uint64_t revision() const override { return m_output->revision(); }
    std::vector<Damage> damage_since(std::uint64_t since) const override {
        return m_output->damage_since(since);
    }

    // Computes what the inputs changed since the last update (everything the first time), on up
    // to `threads` threads (0: every core). An input that fails to read is an error naming it.
    Result<void> update(unsigned threads = 0);
    // A reloaded input: every input reading `old` reads `replacement` instead, and the next
    // update computes everything again. Refused (false) unless both have the same shape. Not
    // while update() runs.
    bool replace_input(const ImageSource* old, std::shared_ptr<const ImageSource> replacement);
    // Whether an input changed since the last update (or there was none yet).
    bool inputs_changed() const;
    // Whether an input reads `source`.
    bool reads(const ImageSource* source) const;
    // Inputs reloaded with another shape, which replace_input refuses: a new derived image of
    // the same operation that reads each replacement where this one reads the old source (the
    // channel of the same name, the same position), not computed yet. An error says what no
    // longer fits (a channel gone, inputs of different sizes, a position out of range).
    using Reload = std::pair<const ImageSource*, std::shared_ptr<const ImageSource>>;
    Result<std::shared_ptr<DerivedImage>> reshaped(const std::vector<Reload>& reloads) const;
    // Output pixels computed so far, summed over updates and planes.
    std::uint64_t computed_pixels() const { return m_computed.load(); }
    const std::vector<DeriveInput>& inputs() const { return m_inputs; }

  protected:
    DerivedImage(std::vector<DeriveInput> inputs, std::shared_ptr<PlanarImage> output,
                 std::int64_t band_rows);

    // Computes every output plane over the output rows of `band`.
    virtual Result<void> compute(Rect band) const = 0;
    // The same operation over `sources` (one per input, for reshaped()).
    virtual Result<std::shared_ptr<DerivedImage>> recreate(
        std::vector<std::shared_ptr<const ImageSource>> sources) const = 0;
    // The output pixels a change of `changed` in input `input` reaches (empty: none).
    virtual Rect affected(std::size_t input, const Damage& changed) const = 0;

    PlanarImage& output() const { return *m_output; }
    void count(std::uint64_t pixels) const { m_computed += pixels; }

  private:
    std::vector<DeriveInput> m_inputs;
    std::shared_ptr<PlanarImage> m_output;
    std::int64_t m_band_rows;
    std::vector<std::optional<std::uint64_t>> m_seen;  // per input: the revision computed
    mutable std::atomic<std::uint64_t> m_computed{0};
};

class BlockImage final : public DerivedImage {
  public:
    // Inputs: input_count(spec.op) planes of one size. Errors name what does not fit.
    static Result<std::shared_ptr<BlockImage>> create(const BlockSpec& spec,
                                                      std::vector<DeriveInput> inputs);
    const BlockSpec& spec() const { return m_spec; }
    // The input pixels output pixel (x, y) is computed from: its block, or its window, clipped
    // to the input; empty outside the output.
    Rect footprint(std::int64_t x, std::int64_t y) const;

  private:
    BlockImage(const BlockSpec& spec, std::vector<DeriveInput> inputs,
               std::shared_ptr<PlanarImage> output, std::int64_t band_rows);
    Result<void> compute(Rect band) const override;
    Result<std::shared_ptr<DerivedImage>> recreate(
        std::vector<std::shared_ptr<const ImageSource>> sources) const override;
    Rect affected(std::size_t input, const Damage& changed) const override;

    BlockSpec m_spec;
};

enum class ProjectionOp : std::uint8_t { Max, Min, Mean, Sum, StdDev };
// "max", "min", "mean", "sum", "std".
std::string_view name(ProjectionOp op);
std::optional<ProjectionOp> parse_projection_op(std::string_view text);

// Every channel of `source` projected along its axis `axis` (an index into axes()): the output
// has the other axes. NaN samples are left out (NaN where every sample along the axis is NaN).
// Maximum and minimum keep the channel's type; mean, sum and the (population) standard
// deviation are f32, accumulated in double.
class ProjectionImage final : public DerivedImage {
  public:
    static Result<std::shared_ptr<ProjectionImage>> create(
        std::shared_ptr<const ImageSource> source, std::size_t axis, ProjectionOp op);

  private:
    ProjectionImage(std::shared_ptr<const ImageSource> source, std::size_t axis, ProjectionOp op,
                    std::shared_ptr<PlanarImage> output);
    Result<void> compute(Rect band) const override;
    Result<std::shared_ptr<DerivedImage>> recreate(
        std::vector<std::shared_ptr<const ImageSource>> sources) const override;
    Rect affected(std::size_t input, const Damage& changed) const override;

    std::size_t m_axis;
    ProjectionOp m_op;
};

}  // namespace tessera::core::derive
