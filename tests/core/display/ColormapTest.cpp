#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>

#include "core/display/Colormap.h"

namespace tessera::core {
namespace {

void expect_entry(std::string_view name, std::size_t index, std::array<float, 3> expected) {
    const auto colormap = parse_colormap(name);
    ASSERT_TRUE(colormap.has_value()) << name;
    const auto& entry = colormap_table(colormap->index)[index];
    for (std::size_t k = 0; k < 3; ++k) {
        EXPECT_NEAR(entry[k], expected[k], 1.0 / 255.0) << name << "[" << index << "][" << k << "]";
    }
}

TEST(Colormap, PublishedTablesMatchTheirReferenceValues) {
    // matplotlib's _cm_listed.py and Google's turbo_colormap.c, first, middle and last entries.
    expect_entry("viridis", 0, {0.267004f, 0.004874f, 0.329415f});
    expect_entry("viridis", 128, {0.127568f, 0.566949f, 0.550556f});
    expect_entry("viridis", 255, {0.993248f, 0.906157f, 0.143936f});
    expect_entry("magma", 0, {0.001462f, 0.000466f, 0.013866f});
    expect_entry("magma", 255, {0.987053f, 0.991438f, 0.749504f});
    expect_entry("inferno", 255, {0.988362f, 0.998364f, 0.644924f});
    expect_entry("plasma", 0, {0.050383f, 0.029803f, 0.527975f});
    expect_entry("cividis", 0, {0.0f, 0.135112f, 0.304751f});
    expect_entry("turbo", 0, {0.18995f, 0.07176f, 0.23217f});
    expect_entry("turbo", 255, {0.4796f, 0.01583f, 0.01055f});
    expect_entry("twilight", 0, {0.88575f, 0.850009f, 0.887974f});
    expect_entry("coolwarm", 0, {0.2298057f, 0.298717966f, 0.753683153f});
    expect_entry("coolwarm", 255, {0.705673158f, 0.01555616f, 0.150232812f});
}

TEST(Colormap, FiJiFireIceAndHiLoFollowImageJ) {
    expect_entry("fire", 0, {0, 0, 0});
    expect_entry("fire", 255, {1, 1, 1});
    expect_entry("ice", 0, {0, 156 / 255.0f, 140 / 255.0f});
    expect_entry("HiLo", 0, {0, 0, 1});
    expect_entry("HiLo", 128, {128 / 255.0f, 128 / 255.0f, 128 / 255.0f});
    expect_entry("HiLo", 255, {1, 0, 0});
    expect_entry("magenta", 255, {1, 0, 1});
    expect_entry("gray", 51, {0.2f, 0.2f, 0.2f});
}

TEST(Colormap, NamesParseCaseInsensitivelyWithReversal) {
    EXPECT_EQ(colormap_names().size(), 18u);
    const auto hilo = parse_colormap("hilo");
    ASSERT_TRUE(hilo);
    EXPECT_EQ(colormap_name(*hilo), "HiLo");
    const auto reversed = parse_colormap("Viridis_r");
    ASSERT_TRUE(reversed);
    EXPECT_TRUE(reversed->reversed);
    EXPECT_EQ(colormap_name(*reversed), "viridis_r");
    EXPECT_FALSE(parse_colormap("jet"));
    EXPECT_FALSE(parse_colormap("_r"));
}

TEST(Colormap, SamplingInterpolatesBetweenEntriesAndReversalMirrors) {
    const Colormap gray = named_colormap("gray");
    EXPECT_FLOAT_EQ(sample_colormap(gray, 0.5f)[0], 0.5f);
    EXPECT_FLOAT_EQ(sample_colormap(gray, -3.0f)[0], 0.0f);
    EXPECT_FLOAT_EQ(sample_colormap(gray, 7.0f)[0], 1.0f);
    const Colormap viridis = named_colormap("viridis");
    const Colormap viridis_r = *parse_colormap("viridis_r");
    for (float t : {0.0f, 0.13f, 0.5f, 0.77f, 1.0f}) {
        const auto a = sample_colormap(viridis, t);
        const auto b = sample_colormap(viridis_r, 1.0f - t);
        for (int k = 0; k < 3; ++k) {
            EXPECT_NEAR(a[k], b[k], 1e-6f);
        }
    }
    // Halfway between entries 10 and 11.
    const auto& lut = colormap_table(viridis.index);
    const auto mid = sample_colormap(viridis, 10.5f / 255.0f);
    EXPECT_NEAR(mid[1], (lut[10][1] + lut[11][1]) / 2, 1e-6f);
}

TEST(Colormap, RampsAreTheirTablesInterpolatedAndNothingElseIsARamp) {
    for (const std::string_view name : colormap_names()) {
        for (const bool reversed : {false, true}) {
            Colormap colormap = named_colormap(name);
            colormap.reversed = reversed;
            const auto ramp = colormap_ramp(colormap);
            const bool one_colour = name == "gray" || name == "red" || name == "green" ||
                                    name == "blue" || name == "cyan" || name == "magenta" ||
                                    name == "yellow";
            ASSERT_EQ(ramp.has_value(), one_colour) << name;
            if (!ramp) {
                continue;
            }
            // The table interpolated as the GPU would (mix between entries), at every entry,
            // between entries, and clamped outside [0, 1].
            const auto& lut = colormap_table(colormap.index);
            for (int step = -8; step <= 2048 + 8; ++step) {
                const float t = static_cast<float>(step) / 2048.0f;
                float u = std::clamp(t, 0.0f, 1.0f);
                u = reversed ? 1.0f - u : u;
                const float x = u * 255.0f;
                const float below = std::min(std::floor(x), 254.0f);
                const float f = x - below;
                const auto i = static_cast<std::size_t>(below);
                const auto got = sample_colormap(colormap, t);
                for (std::size_t k = 0; k < 3; ++k) {
                    EXPECT_NEAR(got[k], lut[i][k] * (1.0f - f) + lut[i + 1][k] * f, 1e-6f)
                        << name << (reversed ? "_r" : "") << " at " << t;
                    EXPECT_FLOAT_EQ(got[k], (*ramp)[k] * u);
                }
            }
        }
    }
}

}  // namespace
}  // namespace tessera::core
