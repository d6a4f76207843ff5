#include "assets/DemoImage.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

namespace tessera::assets {
namespace {

// splitmix64: small, fast and identical on every platform, so the demo never changes.
class Random {
  public:
    explicit Random(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    float uniform(float lo, float hi) {
        return lo + (hi - lo) * static_cast<float>(next() >> 40) / static_cast<float>(1 << 24);
    }

  private:
    std::uint64_t m_state;
};

struct Cell {
    float x, y, radius_x, radius_y, angle, brightness;
};

void add_clamped(std::uint16_t& sample, float value) {
    sample = static_cast<std::uint16_t>(std::clamp(sample + value, 0.0f, 65535.0f));
}

}  // namespace

std::unique_ptr<core::PlanarImage> make_fluorescence_demo(int width, int height) {
    auto image = std::make_unique<core::PlanarImage>(width, height);
    const std::size_t dapi = image->add_channel("DAPI", core::SampleType::U16);
    const std::size_t actin = image->add_channel("Actin", core::SampleType::U16);
    const std::size_t mito = image->add_channel("Mito", core::SampleType::U16);
    auto nuclei = image->samples<std::uint16_t>(dapi);
    auto fibres = image->samples<std::uint16_t>(actin);
    auto speckles = image->samples<std::uint16_t>(mito);

    Random random(20261122);
    for (std::size_t i = 0; i < nuclei.size(); ++i) {
        nuclei[i] = static_cast<std::uint16_t>(600 + random.uniform(0, 400));
        fibres[i] = static_cast<std::uint16_t>(900 + random.uniform(0, 500));
        speckles[i] = static_cast<std::uint16_t>(500 + random.uniform(0, 300));
    }

    const int cell_count = width * height / 9000;
    std::vector<Cell> cells;
    for (int i = 0; i < cell_count; ++i) {
        cells.push_back({random.uniform(0, static_cast<float>(width)),
                         random.uniform(0, static_cast<float>(height)), random.uniform(9, 17),
                         random.uniform(7, 13), random.uniform(0, std::numbers::pi_v<float>),
                         random.uniform(0.45f, 1.0f)});
    }

    const auto index = [width](int x, int y) {
        return static_cast<std::size_t>(y) * width + x;
    };
    for (const Cell& cell : cells) {
        const float c = std::cos(cell.angle);
        const float s = std::sin(cell.angle);
        const int reach = static_cast<int>(cell.radius_x * 2.6f);
        for (int y = std::max(0, static_cast<int>(cell.y) - reach);
             y < std::min(height, static_cast<int>(cell.y) + reach); ++y) {
            for (int x = std::max(0, static_cast<int>(cell.x) - reach);
                 x < std::min(width, static_cast<int>(cell.x) + reach); ++x) {
                const float dx = static_cast<float>(x) - cell.x;
                const float dy = static_cast<float>(y) - cell.y;
                const float u = (dx * c + dy * s) / cell.radius_x;
                const float v = (-dx * s + dy * c) / cell.radius_y;
                const float r = std::sqrt(u * u + v * v);
                // Nucleus: a soft-edged ellipse with chromatin: blotches of several sizes at
                // angles of the cell's own (never a regular grid that could pass for the
                // checkerboard behind transparent images), and a bright nucleolus off-centre.
                const float edge = std::clamp((1.0f - r) * 6.0f, 0.0f, 1.0f);
                const float phase = cell.angle * 3.0f;
                const float blotches =
                    0.45f * std::sin(4.3f * u + 2.9f * v + phase) *
                        std::sin(1.7f * u - 5.1f * v + 2.0f * phase) +
                    0.35f * std::sin(9.7f * u + 6.3f * v - phase) * std::cos(7.9f * v - 3.1f * u);
                const float nucleolus =
                    std::exp(-((u - 0.3f) * (u - 0.3f) + (v + 0.2f) * (v + 0.2f)) * 40.0f);
                const float texture = 0.78f + 0.18f * blotches + 0.35f * nucleolus;
                add_clamped(nuclei[index(x, y)], 42000.0f * cell.brightness * edge * texture);
                // Cell cortex: a bright ring at about twice the nucleus radius.
                const float ring = std::exp(-std::pow((r - 2.1f) * 5.0f, 2.0f));
                add_clamped(fibres[index(x, y)], 26000.0f * ring * cell.brightness);
            }
        }
        // Mitochondria: speckles scattered around the nucleus.
        for (int k = 0; k < 70; ++k) {
            const float angle = random.uniform(0, 2 * std::numbers::pi_v<float>);
            const float distance = random.uniform(1.1f, 2.0f) * cell.radius_x;
            const int px = static_cast<int>(cell.x + std::cos(angle) * distance);
            const int py = static_cast<int>(cell.y + std::sin(angle) * distance);
            const float peak = random.uniform(8000, 30000);
            for (int y = std::max(0, py - 2); y <= std::min(height - 1, py + 2); ++y) {
                for (int x = std::max(0, px - 2); x <= std::min(width - 1, px + 2); ++x) {
                    const float d2 = static_cast<float>((x - px) * (x - px) + (y - py) * (y - py));
                    add_clamped(speckles[index(x, y)], peak * std::exp(-d2 / 1.5f));
                }
            }
        }
    }
    // Stress fibres: long, slightly wavy lines across the field.
    for (int f = 0; f < width / 24; ++f) {
        const float x0 = random.uniform(0, static_cast<float>(width));
        const float y0 = random.uniform(0, static_cast<float>(height));
        const float angle = random.uniform(0, std::numbers::pi_v<float>);
        const float length = random.uniform(60, 220);
        const float strength = random.uniform(3000, 12000);
        for (float t = 0; t < length; t += 0.5f) {
            const float wobble = 3.0f * std::sin(t * 0.05f + static_cast<float>(f));
            const int x = static_cast<int>(x0 + std::cos(angle) * t - std::sin(angle) * wobble);
            const int y = static_cast<int>(y0 + std::sin(angle) * t + std::cos(angle) * wobble);
            if (x >= 0 && x < width && y >= 0 && y < height) {
                add_clamped(fibres[index(x, y)], strength * 0.5f);
            }
        }
    }
    return image;
}

}  // namespace tessera::assets
