// Derived images against brute force: every block and window statistic recomputed pixel by pixel
// in long double from the pixels each output covers, on small random images of every sample type,
// with partial edge blocks, constant blocks, NaN inputs and u16 data whose float sums would be
// wrong; blocks and windows agree where they cover the same pixels; projections against a direct
// loop; and an input change recomputes only what it reaches.
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <tuple>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/derive/DerivedImage.h"
#include "core/image/PlanarImage.h"

namespace tessera::core::derive {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A one-channel image of `type` whose samples come from `value(x, y)`.
std::shared_ptr<PlanarImage> image_of(
    std::int64_t w, std::int64_t h, SampleType type,
    const std::function<float(std::int64_t, std::int64_t)>& value) {
    auto image = std::make_shared<PlanarImage>(w, h);
    image->add_channel("v", type);
    std::vector<float> values(static_cast<std::size_t>(w * h));
    for (std::int64_t y = 0; y < h; ++y) {
        for (std::int64_t x = 0; x < w; ++x) {
            values[static_cast<std::size_t>(y * w + x)] = value(x, y);
        }
    }
    floats_as_samples(values.data(), values.size(), type, image->plane(0).data());
    return image;
}

float sample(const ImageSource& source, std::int64_t x, std::int64_t y) {
    std::byte bytes[4];
    EXPECT_TRUE(
        source.read_region({0}, {x, y, 1, 1}, {bytes, sample_size(source.channels()[0].type)})
            .ok());
    return sample_as_float(bytes, source.channels()[0].type);
}

// The statistic over the listed pixels, two-pass in long double.
double reference(const BlockSpec& spec, const std::vector<std::pair<float, float>>& pixels) {
    std::vector<std::pair<long double, long double>> kept;
    for (const auto& [a, b] : pixels) {
        if (!std::isnan(a) && !(input_count(spec.op) == 2 && std::isnan(b))) {
            kept.emplace_back(a, b);
        }
    }
    const auto n = static_cast<long double>(kept.size());
    if (kept.empty()) {
        return kNaN;
    }
    long double ma = 0, mb = 0;
    for (const auto& [a, b] : kept) {
        ma += a;
        mb += b;
    }
    ma /= n;
    mb /= n;
    long double saa = 0, sbb = 0, sab = 0, lo = kept[0].first, hi = kept[0].first;
    long double m_own = 0, m_both = 0, m2_own = 0, m2_both = 0;
    for (const auto& [a, b] : kept) {
        saa += (a - ma) * (a - ma);
        sbb += (b - mb) * (b - mb);
        sab += (a - ma) * (b - mb);
        lo = std::min(lo, a);
        hi = std::max(hi, a);
        const bool above_a = a > spec.threshold_a;
        const bool above_b = b > spec.threshold_b;
        m_own += above_a ? a : 0;
        m_both += above_a && above_b ? a : 0;
        m2_own += above_b ? b : 0;
        m2_both += above_a && above_b ? b : 0;
    }
    switch (spec.op) {
        case BlockOp::Mean:
            return static_cast<double>(ma);
        case BlockOp::StdDev:
            return static_cast<double>(std::sqrt(saa / n));
        case BlockOp::Min:
            return static_cast<double>(lo);
        case BlockOp::Max:
            return static_cast<double>(hi);
        case BlockOp::Pearson:
            if (kept.size() < 2 || saa == 0 || sbb == 0) {
                return kNaN;
            }
            return static_cast<double>(sab / std::sqrt(saa * sbb));
        case BlockOp::MandersM1:
            return m_own != 0 ? static_cast<double>(m_both / m_own) : kNaN;
        case BlockOp::MandersM2:
            return m2_own != 0 ? static_cast<double>(m2_both / m2_own) : kNaN;
    }
    return kNaN;
}

// Every output pixel of `spec` over inputs a (and b) against reference().
void expect_matches_brute_force(const BlockSpec& spec, const ImageSource& a, const ImageSource* b,
                                const std::string& what) {
    std::vector<DeriveInput> inputs{{std::shared_ptr<const ImageSource>(&a, [](auto*) {}), {0}}};
    if (input_count(spec.op) == 2) {
        inputs.push_back({std::shared_ptr<const ImageSource>(b, [](auto*) {}), {0}});
    }
    auto derived = BlockImage::create(spec, inputs);
    ASSERT_TRUE(derived.ok()) << derived.error().message;
    ASSERT_TRUE((*derived)->update(2).ok());
    const ImageSource& out = **derived;
    const bool blocks = spec.footprint == Footprint::Blocks;
    ASSERT_EQ(out.width(), blocks ? (a.width() + spec.width - 1) / spec.width : a.width());
    ASSERT_EQ(out.height(), blocks ? (a.height() + spec.height - 1) / spec.height : a.height());
    for (std::int64_t oy = 0; oy < out.height(); ++oy) {
        for (std::int64_t ox = 0; ox < out.width(); ++ox) {
            const std::int64_t x0 = blocks ? ox * spec.width : ox - (spec.width - 1) / 2;
            const std::int64_t y0 = blocks ? oy * spec.height : oy - (spec.height - 1) / 2;
            std::vector<std::pair<float, float>> pixels;
            for (std::int64_t y = std::max<std::int64_t>(0, y0);
                 y < std::min(a.height(), y0 + spec.height); ++y) {
                for (std::int64_t x = std::max<std::int64_t>(0, x0);
                     x < std::min(a.width(), x0 + spec.width); ++x) {
                    pixels.emplace_back(sample(a, x, y), b ? sample(*b, x, y) : 0.0f);
                }
            }
            const double want = reference(spec, pixels);
            const double got = sample(out, ox, oy);
            if (std::isnan(want)) {
                ASSERT_TRUE(std::isnan(got)) << what << " at " << ox << "," << oy << ": " << got;
            } else {
                // The result is stored as f32.
                ASSERT_NEAR(got, want, 1e-6 * std::max(1.0, std::abs(want)))
                    << what << " at " << ox << "," << oy;
            }
        }
    }
}

float random_value(std::mt19937& rng, SampleType type) {
    const double unit = static_cast<double>(rng()) / 4294967296.0;
    switch (type) {
        case SampleType::U8:
            return static_cast<float>(std::floor(unit * 256));
        case SampleType::U16:
            return static_cast<float>(std::floor(unit * 65536));
        case SampleType::U32:
            return static_cast<float>(std::floor(unit * 16777216));  // exact as float
        case SampleType::F16:
            return static_cast<float>(unit * 8 - 4);
        case SampleType::F32:
            return static_cast<float>(unit * 2000 - 1000);
    }
    return 0;
}

TEST(BlockStatistics, EveryOperationMatchesBruteForceOnEverySampleTypeWithPartialEdges) {
    std::mt19937 rng(7);
    for (const SampleType type :
         {SampleType::U8, SampleType::U16, SampleType::U32, SampleType::F16, SampleType::F32}) {
        // 37 x 29: 10 x 10 blocks leave partial blocks of 7 columns and 9 rows.
        auto a = image_of(37, 29, type, [&](auto, auto) { return random_value(rng, type); });
        // b follows a in part, so r spreads over (-1, 1).
        auto b = image_of(37, 29, type, [&](std::int64_t x, std::int64_t y) {
            const float base = sample(*a, x, y);
            return (x + y) % 3 == 0 ? random_value(rng, type) : base;
        });
        for (const BlockOp op : {BlockOp::Mean, BlockOp::StdDev, BlockOp::Min, BlockOp::Max,
                                 BlockOp::Pearson, BlockOp::MandersM1, BlockOp::MandersM2}) {
            for (const auto& [footprint, w, h] :
                 {std::tuple{Footprint::Blocks, 10, 10}, std::tuple{Footprint::Blocks, 4, 7},
                  std::tuple{Footprint::Window, 5, 5}, std::tuple{Footprint::Window, 4, 3}}) {
                BlockSpec spec{op, footprint, w, h};
                spec.threshold_a = random_value(rng, type) / 2;
                spec.threshold_b = random_value(rng, type) / 3;
                expect_matches_brute_force(
                    spec, *a, b.get(),
                    fmt::format("{} {} {}x{} {}", name(op),
                                footprint == Footprint::Blocks ? "blocks" : "window", w, h,
                                to_string(type)));
            }
        }
    }
}

TEST(BlockStatistics, ConstantBlocksGiveNanRAndNanPixelsAreLeftOut) {
    // Left half constant (r undefined there); a NaN every 7th pixel of a; one block all NaN.
    auto a = image_of(20, 10, SampleType::F32, [](std::int64_t x, std::int64_t y) {
        if (x >= 15 && y < 5) {
            return std::numeric_limits<float>::quiet_NaN();
        }
        if ((x + 3 * y) % 7 == 0) {
            return std::numeric_limits<float>::quiet_NaN();
        }
        return x < 10 ? 3.0f : static_cast<float>(x * y % 11);
    });
    auto b = image_of(20, 10, SampleType::F32,
                      [](std::int64_t x, std::int64_t y) { return static_cast<float>(x + y); });
    for (const BlockOp op : {BlockOp::Pearson, BlockOp::Mean, BlockOp::Max, BlockOp::StdDev}) {
        for (const Footprint footprint : {Footprint::Blocks, Footprint::Window}) {
            expect_matches_brute_force({op, footprint, 5, 5}, *a, b.get(), std::string(name(op)));
        }
    }
    auto derived =
        BlockImage::create({BlockOp::Pearson, Footprint::Blocks, 5, 5}, {{a, {0}}, {b, {0}}});
    ASSERT_TRUE(derived.ok());
    ASSERT_TRUE((*derived)->update().ok());
    EXPECT_TRUE(std::isnan(sample(**derived, 0, 0)));  // a constant over the block
    EXPECT_TRUE(std::isnan(sample(**derived, 3, 0)));  // every pixel NaN
    EXPECT_FALSE(std::isnan(sample(**derived, 2, 1)));
}

TEST(BlockStatistics, SixteenBitSumsOfSquaresKeepTheirDigits) {
    // 60000 + 0 or 1 over 100 x 100 blocks: float32 sums of squares (3.6e13) cannot tell the
    // spread (0.5) from rounding; the result must still be the exact 0.5 and a correlation of 1.
    auto a = image_of(300, 200, SampleType::U16, [](std::int64_t x, std::int64_t y) {
        return 60000.0f + static_cast<float>((x + y) % 2);
    });
    auto derived = BlockImage::create({BlockOp::StdDev, Footprint::Blocks, 100, 100}, {{a, {0}}});
    ASSERT_TRUE(derived.ok());
    ASSERT_TRUE((*derived)->update().ok());
    for (std::int64_t y = 0; y < 2; ++y) {
        for (std::int64_t x = 0; x < 3; ++x) {
            EXPECT_EQ(sample(**derived, x, y), 0.5f);
        }
    }
    auto r =
        BlockImage::create({BlockOp::Pearson, Footprint::Window, 15, 15}, {{a, {0}}, {a, {0}}});
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE((*r)->update().ok());
    EXPECT_EQ(sample(**r, 150, 100), 1.0f);
    EXPECT_EQ(sample(**r, 0, 0), 1.0f);
}

TEST(BlockStatistics, BlocksAndWindowsAgreeWhereTheyCoverTheSamePixels) {
    std::mt19937 rng(11);
    auto a = image_of(40, 30, SampleType::F32,
                      [&](auto, auto) { return random_value(rng, SampleType::F32); });
    auto b = image_of(40, 30, SampleType::F32,
                      [&](auto, auto) { return random_value(rng, SampleType::F32); });
    for (const auto& [w, h] : {std::pair{5, 5}, std::pair{4, 6}}) {
        auto blocks =
            BlockImage::create({BlockOp::Pearson, Footprint::Blocks, w, h}, {{a, {0}}, {b, {0}}});
        auto window =
            BlockImage::create({BlockOp::Pearson, Footprint::Window, w, h}, {{a, {0}}, {b, {0}}});
        ASSERT_TRUE(blocks.ok() && window.ok());
        ASSERT_TRUE((*blocks)->update().ok() && (*window)->update().ok());
        for (std::int64_t by = 0; by < 30 / h; ++by) {
            for (std::int64_t bx = 0; bx < 40 / w; ++bx) {
                // The window centred on (x, y) spans [x - (w - 1) / 2, x + w / 2].
                const std::int64_t cx = bx * w + (w - 1) / 2;
                const std::int64_t cy = by * h + (h - 1) / 2;
                EXPECT_NEAR(sample(**blocks, bx, by), sample(**window, cx, cy), 1e-6)
                    << w << "x" << h << " block " << bx << "," << by;
            }
        }
    }
}

TEST(BlockStatistics, BadInputsAreRefusedWithTheReason) {
    auto a = image_of(10, 10, SampleType::U8, [](auto, auto) { return 1.0f; });
    auto b = image_of(11, 10, SampleType::U8, [](auto, auto) { return 1.0f; });
    auto sizes =
        BlockImage::create({BlockOp::Pearson, Footprint::Blocks, 2, 2}, {{a, {0}}, {b, {0}}});
    ASSERT_FALSE(sizes.ok());
    EXPECT_EQ(sizes.error().message, "the inputs differ in size: 10x10 and 11x10");
    auto count = BlockImage::create({BlockOp::Pearson, Footprint::Blocks, 2, 2}, {{a, {0}}});
    ASSERT_FALSE(count.ok());
    EXPECT_EQ(count.error().message, "pearson takes 2 inputs, not 1");
    auto block = BlockImage::create({BlockOp::Mean, Footprint::Window, 0, 3}, {{a, {0}}});
    ASSERT_FALSE(block.ok());
    EXPECT_EQ(block.error().message, "a window of 0x3 pixels is not possible");
    auto channel = BlockImage::create({BlockOp::Mean, Footprint::Blocks, 2, 2}, {{a, {3}}});
    ASSERT_FALSE(channel.ok());
}

TEST(DerivedImage, AnInputChangeRecomputesOnlyTheOutputItReaches) {
    for (const Footprint footprint : {Footprint::Blocks, Footprint::Window}) {
        auto a = image_of(100, 80, SampleType::F32, [](std::int64_t x, std::int64_t y) {
            return static_cast<float>(x * y % 17);
        });
        auto b = image_of(100, 80, SampleType::F32, [](std::int64_t x, std::int64_t y) {
            return static_cast<float>(x + y % 5);
        });
        const BlockSpec spec{BlockOp::Pearson, footprint, 10, 8};
        auto derived = BlockImage::create(spec, {{a, {0}}, {b, {0}}});
        ASSERT_TRUE(derived.ok());
        ASSERT_TRUE((*derived)->update().ok());
        const std::uint64_t first = (*derived)->computed_pixels();
        EXPECT_EQ(first, static_cast<std::uint64_t>((*derived)->width() * (*derived)->height()));
        ASSERT_TRUE((*derived)->update().ok());
        EXPECT_EQ((*derived)->computed_pixels(), first) << "nothing changed";

        // Change 3 x 2 pixels at (25, 17) of b: blocks 2 of columns and rows 2; a 10 x 8 window
        // reaches from (25 - 5, 17 - 4) over 3 + 9 by 2 + 7 pixels.
        const std::vector<float> patch{9, 8, 7, 6, 5, 4};
        ASSERT_TRUE(b->write_region({0}, {25, 17, 3, 2}, std::as_bytes(std::span(patch))).ok());
        ASSERT_TRUE((*derived)->update().ok());
        const std::uint64_t reached = footprint == Footprint::Blocks ? 1 * 1 : 12 * 9;
        EXPECT_EQ((*derived)->computed_pixels() - first, reached);

        auto fresh = BlockImage::create(spec, {{a, {0}}, {b, {0}}});
        ASSERT_TRUE(fresh.ok());
        ASSERT_TRUE((*fresh)->update().ok());
        for (std::int64_t y = 0; y < (*fresh)->height(); ++y) {
            for (std::int64_t x = 0; x < (*fresh)->width(); ++x) {
                const float want = sample(**fresh, x, y);
                const float got = sample(**derived, x, y);
                ASSERT_TRUE(got == want || (std::isnan(got) && std::isnan(want)))
                    << x << "," << y << ": " << got << " vs " << want;
            }
        }
    }
}

TEST(DerivedImage, AReloadedInputOfTheSameShapeIsReadFromThenOn) {
    auto a = image_of(20, 10, SampleType::U8, [](auto x, auto) { return static_cast<float>(x); });
    auto reloaded =
        image_of(20, 10, SampleType::U8, [](auto x, auto) { return static_cast<float>(2 * x); });
    auto other = image_of(21, 10, SampleType::U8, [](auto, auto) { return 1.0f; });
    auto derived = BlockImage::create({BlockOp::Max, Footprint::Blocks, 5, 5}, {{a, {0}}});
    ASSERT_TRUE(derived.ok());
    ASSERT_TRUE((*derived)->update().ok());
    EXPECT_EQ(sample(**derived, 1, 0), 9.0f);
    EXPECT_FALSE((*derived)->inputs_changed());
    EXPECT_FALSE((*derived)->replace_input(a.get(), other)) << "another size";
    EXPECT_FALSE((*derived)->replace_input(other.get(), reloaded)) << "not an input";
    EXPECT_FALSE((*derived)->inputs_changed());
    EXPECT_TRUE((*derived)->replace_input(a.get(), reloaded));
    EXPECT_TRUE((*derived)->inputs_changed());
    ASSERT_TRUE((*derived)->update().ok());
    EXPECT_EQ(sample(**derived, 1, 0), 18.0f);
    EXPECT_EQ((*derived)->computed_pixels(), 2u * 4 * 2) << "everything, twice";
}

TEST(DerivedImage, InputsOfAnotherShapeGiveANewImageOfTheSameOperationOrSayWhatNoLongerFits) {
    auto a = image_of(20, 10, SampleType::U8, [](auto x, auto) { return static_cast<float>(x); });
    auto b = image_of(20, 10, SampleType::U8, [](auto, auto y) { return static_cast<float>(y); });
    auto wider =
        image_of(31, 10, SampleType::U8, [](auto x, auto) { return static_cast<float>(x); });
    auto max = BlockImage::create({BlockOp::Max, Footprint::Blocks, 5, 5}, {{a, {0}}});
    ASSERT_TRUE(max.ok());
    EXPECT_TRUE((*max)->reads(a.get()));
    EXPECT_FALSE((*max)->reads(b.get()));
    auto reshaped = (*max)->reshaped({{a.get(), wider}});
    ASSERT_TRUE(reshaped.ok()) << reshaped.error().message;
    EXPECT_EQ((*reshaped)->width(), 7) << "ceil(31 / 5) blocks";
    EXPECT_EQ((*reshaped)->height(), 2);
    ASSERT_TRUE((*reshaped)->update().ok());
    EXPECT_EQ(sample(**reshaped, 6, 1), 30.0f) << "the partial last block";
    EXPECT_EQ((*max)->width(), 4) << "the old image is left as it was";

    // Channels follow by name; one that is gone, or inputs of different sizes, are refused.
    auto renamed = std::make_shared<PlanarImage>(20, 10);
    renamed->add_channel("w", SampleType::U8);
    const auto gone = (*max)->reshaped({{a.get(), renamed}});
    ASSERT_FALSE(gone.ok());
    EXPECT_EQ(gone.error().message, "input 1 has no channel 'v' any more");
    auto r = BlockImage::create({BlockOp::Pearson, Footprint::Blocks, 5, 5}, {{a, {0}}, {b, {0}}});
    ASSERT_TRUE(r.ok());
    const auto apart = (*r)->reshaped({{a.get(), wider}});
    ASSERT_FALSE(apart.ok());
    EXPECT_EQ(apart.error().message, "the inputs differ in size: 31x10 and 20x10");

    // A projection follows its axis by name, wherever it lies in the reloaded stack.
    auto zt = std::make_shared<PlanarImage>(2, 2, std::vector<Axis>{{"Z", 3}});
    zt->add_channel("v", SampleType::U8);
    auto tz = std::make_shared<PlanarImage>(2, 2, std::vector<Axis>{{"T", 2}, {"Z", 4}});
    tz->add_channel("v", SampleType::U8);
    tz->plane(0)[7 * 4] = std::byte{9};  // T 1, Z 3, pixel (0, 0)
    auto projected = ProjectionImage::create(zt, 0, ProjectionOp::Max);
    ASSERT_TRUE(projected.ok());
    auto along_z = (*projected)->reshaped({{zt.get(), tz}});
    ASSERT_TRUE(along_z.ok()) << along_z.error().message;
    ASSERT_EQ((*along_z)->axes().size(), 1u);
    EXPECT_EQ((*along_z)->axes()[0].name, "T");
    ASSERT_TRUE((*along_z)->update().ok());
    std::uint8_t value = 0;
    ASSERT_TRUE(
        (*along_z)
            ->read_region({0, {1}}, {0, 0, 1, 1}, std::as_writable_bytes(std::span(&value, 1)))
            .ok());
    EXPECT_EQ(value, 9);
    auto flat = image_of(2, 2, SampleType::U8, [](auto, auto) { return 0.0f; });
    const auto no_axis = (*projected)->reshaped({{zt.get(), flat}});
    ASSERT_FALSE(no_axis.ok());
    EXPECT_EQ(no_axis.error().message, "the reloaded input has no axis 'Z' any more");
}

TEST(Projection, EveryOperationAlongEitherAxisMatchesADirectLoop) {
    // T = 2, Z = 3, two channels (u16 and f32 with NaN), 6 x 5 pixels.
    auto stack = std::make_shared<PlanarImage>(6, 5, std::vector<Axis>{{"T", 2}, {"Z", 3}});
    stack->add_channel("u", SampleType::U16);
    stack->add_channel("f", SampleType::F32);
    const auto value = [](std::size_t c, std::int64_t t, std::int64_t z, std::int64_t x,
                          std::int64_t y) -> float {
        if (c == 1 && (x + y + z) % 4 == 0 && t == 0) {
            return std::numeric_limits<float>::quiet_NaN();
        }
        return static_cast<float>((x * 7 + y * 13 + z * 29 + t * 31 + c) % 50) + (c ? 0.25f : 0.0f);
    };
    for (std::size_t c = 0; c < 2; ++c) {
        for (std::int64_t t = 0; t < 2; ++t) {
            for (std::int64_t z = 0; z < 3; ++z) {
                std::vector<float> plane(30);
                for (std::int64_t i = 0; i < 30; ++i) {
                    plane[static_cast<std::size_t>(i)] = value(c, t, z, i % 6, i / 6);
                }
                const SampleType type = stack->channels()[c].type;
                std::vector<std::byte> bytes(30 * sample_size(type));
                floats_as_samples(plane.data(), 30, type, bytes.data());
                ASSERT_TRUE(stack->write_region({c, {t, z}}, {0, 0, 6, 5}, bytes).ok());
            }
        }
    }
    for (const ProjectionOp op : {ProjectionOp::Max, ProjectionOp::Min, ProjectionOp::Mean,
                                  ProjectionOp::Sum, ProjectionOp::StdDev}) {
        for (const std::size_t axis : {std::size_t{0}, std::size_t{1}}) {
            auto projected = ProjectionImage::create(stack, axis, op);
            ASSERT_TRUE(projected.ok());
            ASSERT_TRUE((*projected)->update().ok());
            const ImageSource& out = **projected;
            ASSERT_EQ(out.axes().size(), 1u);
            EXPECT_EQ(out.axes()[0].name, axis == 0 ? "Z" : "T");
            const bool keeps = op == ProjectionOp::Max || op == ProjectionOp::Min;
            EXPECT_EQ(out.channels()[0].type, keeps ? SampleType::U16 : SampleType::F32);
            for (std::size_t c = 0; c < 2; ++c) {
                for (std::int64_t other = 0; other < out.axes()[0].extent; ++other) {
                    for (std::int64_t i = 0; i < 30; ++i) {
                        std::vector<double> kept;
                        for (std::int64_t k = 0; k < stack->axes()[axis].extent; ++k) {
                            const float v = axis == 0 ? value(c, k, other, i % 6, i / 6)
                                                      : value(c, other, k, i % 6, i / 6);
                            if (!std::isnan(v)) {
                                kept.push_back(v);
                            }
                        }
                        double want = kNaN;
                        if (!kept.empty()) {
                            double sum = 0, lo = kept[0], hi = kept[0];
                            for (const double v : kept) {
                                sum += v;
                                lo = std::min(lo, v);
                                hi = std::max(hi, v);
                            }
                            const double mean = sum / static_cast<double>(kept.size());
                            double m2 = 0;
                            for (const double v : kept) {
                                m2 += (v - mean) * (v - mean);
                            }
                            want = op == ProjectionOp::Max    ? hi
                                   : op == ProjectionOp::Min  ? lo
                                   : op == ProjectionOp::Mean ? mean
                                   : op == ProjectionOp::Sum
                                       ? sum
                                       : std::sqrt(m2 / static_cast<double>(kept.size()));
                        }
                        std::byte bytes[4];
                        const SampleType type = out.channels()[c].type;
                        ASSERT_TRUE(out.read_region({c, {other}}, {i % 6, i / 6, 1, 1},
                                                    {bytes, sample_size(type)})
                                        .ok());
                        const double got = sample_as_float(bytes, type);
                        if (std::isnan(want)) {
                            EXPECT_TRUE(std::isnan(got));
                        } else {
                            EXPECT_NEAR(got, want, 1e-5)
                                << name(op) << " along " << axis << " channel " << c << " at " << i;
                        }
                    }
                }
            }
        }
    }
    auto flat = std::make_shared<PlanarImage>(4, 4);
    flat->add_channel("v", SampleType::U8);
    EXPECT_FALSE(ProjectionImage::create(flat, 0, ProjectionOp::Max).ok());
}

}  // namespace
}  // namespace tessera::core::derive

namespace tessera::core::derive {
namespace {

TEST(DerivedImage, AnOutputPixelsFootprintIsItsBlockOrItsWindowClippedToTheInput) {
    auto input = std::make_shared<PlanarImage>(25, 13);
    input->add_channel("v", SampleType::F32);
    const auto blocks =
        BlockImage::create({BlockOp::Mean, Footprint::Blocks, 10, 4}, {{input, {0, {}}}});
    ASSERT_TRUE(blocks.ok()) << blocks.error().message;
    EXPECT_EQ((*blocks)->footprint(0, 0), (Rect{0, 0, 10, 4}));
    EXPECT_EQ((*blocks)->footprint(2, 3), (Rect{20, 12, 5, 1}));  // the partial corner block
    EXPECT_TRUE((*blocks)->footprint(3, 0).empty());              // outside the 3 x 4 output
    const auto windows =
        BlockImage::create({BlockOp::Mean, Footprint::Window, 5, 4}, {{input, {0, {}}}});
    ASSERT_TRUE(windows.ok()) << windows.error().message;
    // [x - (w-1)/2, x + w/2] x [y - (h-1)/2, y + h/2]: 5 x 4 about (10, 6) is x 8..12, y 5..8.
    EXPECT_EQ((*windows)->footprint(10, 6), (Rect{8, 5, 5, 4}));
    EXPECT_EQ((*windows)->footprint(0, 0), (Rect{0, 0, 3, 3}));  // clipped at the corner
}

}  // namespace
}  // namespace tessera::core::derive
