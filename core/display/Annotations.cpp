#include "core/display/Annotations.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "core/display/CompositeMath.h"

// stb_easy_font: a tiny bitmap font as quads, for text drawn without a GPU or ImGui.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wconversion"
#endif
#include <stb_easy_font.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace tessera::core {
namespace {

constexpr int kMargin = 10;
constexpr int kPadding = 6;
constexpr int kMaxWidth = 260;
constexpr int kRow = 34;       // a bar's gradient, then its text line
constexpr int kGradient = 12;  // the gradient's height
constexpr int kText = 12;      // a line of text

// Blends `rgb` at `alpha` over the pixel, clipped to the image.
void put(RgbaImage& image, int x, int y, const std::array<float, 3>& rgb, float alpha) {
    if (x < 0 || y < 0 || x >= image.width || y >= image.height) {
        return;
    }
    std::uint8_t* p = image.at(x, y);
    for (int k = 0; k < 3; ++k) {
        const float v = rgb[static_cast<std::size_t>(k)] * 255.0f * alpha + p[k] * (1.0f - alpha);
        p[k] = static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
    }
    p[3] = 255;
}

void fill(RgbaImage& image, int x0, int y0, int x1, int y1, const std::array<float, 3>& rgb,
          float alpha) {
    for (int y = std::max(0, y0); y < std::min(image.height, y1); ++y) {
        for (int x = std::max(0, x0); x < std::min(image.width, x1); ++x) {
            put(image, x, y, rgb, alpha);
        }
    }
}

std::string ascii(std::string_view text);

int text_width(const std::string& utf8, float scale) {
    std::string text = ascii(utf8);
    return static_cast<int>(
        std::lround(stb_easy_font_width(const_cast<char*>(text.c_str())) * scale));
}

// The bitmap font is ASCII: "µm" is written "um".
std::string ascii(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text.substr(i, 2) == "\u00b5") {
            out += 'u';
            ++i;
        } else {
            out += static_cast<unsigned char>(text[i]) < 128 ? text[i] : '?';
        }
    }
    return out;
}

// White text whose top-left is (x, y): stb_easy_font's quads, scaled.
void text(RgbaImage& image, int x, int y, const std::string& utf8, float scale) {
    const std::string line = ascii(utf8);
    std::vector<char> buffer(line.size() * 1024 + 64);  // 64 bytes a quad, at most 16 a glyph
    const int quads = stb_easy_font_print(0, 0, const_cast<char*>(line.c_str()), nullptr,
                                          buffer.data(), static_cast<int>(buffer.size()));
    struct Vertex {
        float x, y, z;
        unsigned char colour[4];
    };
    const auto* vertices = reinterpret_cast<const Vertex*>(buffer.data());
    for (int q = 0; q < quads; ++q) {
        const Vertex* v = vertices + q * 4;
        const int x0 = x + static_cast<int>(std::lround(v[0].x * scale));
        const int y0 = y + static_cast<int>(std::lround(v[0].y * scale));
        const int x1 = x + static_cast<int>(std::lround(v[2].x * scale));
        const int y1 = y + static_cast<int>(std::lround(v[2].y * scale));
        fill(image, x0, y0, x1, y1, {1, 1, 1}, 1);
    }
}

}  // namespace

std::vector<ColourBar> colour_bars(const DisplaySettings& display,
                                   const std::vector<ChannelInfo>& channels) {
    std::vector<ColourBar> bars;
    if (display.colour) {
        return bars;
    }
    for (std::size_t c = 0; c < display.channels.size() && c < channels.size(); ++c) {
        const ChannelDisplay& channel = display.channels[c];
        if (!channel.visible || channels[c].labels) {
            continue;
        }
        bars.push_back({channels[c].name, channel.colormap, channel.gamma, channel.lo, channel.hi,
                        !is_float(channels[c].type)});
    }
    return bars;
}

std::array<float, 3> colour_bar_colour(const ColourBar& bar, float t) {
    t = std::clamp(t, 0.0f, 1.0f);
    if (bar.gamma != 1.0f) {
        t = std::pow(t, bar.gamma);
    }
    return sample_colormap(bar.colormap, t);
}

std::string colour_bar_label(double value, bool integer) {
    if (integer) {
        return fmt::format("{}", static_cast<long long>(std::llround(value)));
    }
    return fmt::format("{:.4g}", value);
}

ColourBarLayout colour_bar_layout(ColourBarRect area, std::size_t bars, float scale) {
    ColourBarLayout layout;
    if (bars == 0) {
        return layout;
    }
    const auto px = [scale](int v) {
        return static_cast<int>(std::lround(v * scale));
    };
    const int count = static_cast<int>(bars);
    layout.box.width = std::min(px(kMaxWidth), area.width - 2 * px(kMargin));
    layout.box.height = count * px(kRow) + px(kPadding);
    layout.box.x = area.x + px(kMargin);
    layout.box.y = area.y + area.height - px(kMargin) - layout.box.height;
    layout.text_height = px(kText);
    for (int i = 0; i < count; ++i) {
        const int top = layout.box.y + px(kPadding) + i * px(kRow);
        layout.gradients.push_back(
            {layout.box.x + px(kPadding), top, layout.box.width - 2 * px(kPadding), px(kGradient)});
        layout.names.push_back({layout.box.x + px(kPadding), top + px(kGradient) + px(3)});
    }
    return layout;
}

void draw_colour_bars(RgbaImage& image, const std::vector<ColourBar>& bars, float scale,
                      std::optional<ColourBarRect> area) {
    const ColourBarRect within = area.value_or(ColourBarRect{0, 0, image.width, image.height});
    const ColourBarLayout layout = colour_bar_layout(within, bars.size(), scale);
    if (bars.empty() || layout.box.width <= 0 || layout.box.y < within.y) {
        return;  // no room
    }
    const ColourBarRect& box = layout.box;
    fill(image, box.x, box.y, box.x + box.width, box.y + box.height, {0, 0, 0}, 0.6f);
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const ColourBar& bar = bars[i];
        const ColourBarRect& g = layout.gradients[i];
        for (int x = 0; x < g.width; ++x) {
            const float t = (static_cast<float>(x) + 0.5f) / static_cast<float>(g.width);
            fill(image, g.x + x, g.y, g.x + x + 1, g.y + g.height, colour_bar_colour(bar, t), 1);
        }
        const int y = layout.names[i][1];
        const std::string lo = colour_bar_label(bar.lo, bar.integer);
        const std::string hi = colour_bar_label(bar.hi, bar.integer);
        text(image, g.x, y, lo, scale);
        text(image, g.x + g.width - text_width(hi, scale), y, hi, scale);
        text(image, g.x + (g.width - text_width(bar.name, scale)) / 2, y, bar.name, scale);
    }
}

std::optional<PhysicalSize> parse_physical_size(std::string_view text) {
    while (!text.empty() && text.back() == ' ') {
        text.remove_suffix(1);
    }
    std::size_t split = 0;
    while (split < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[split])) || text[split] == '.' ||
            text[split] == 'e' || text[split] == 'E' || text[split] == '-' || text[split] == '+')) {
        ++split;
    }
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + split, value);
    if (error != std::errc() || end != text.data() + split || !std::isfinite(value) || value <= 0) {
        return std::nullopt;
    }
    std::string_view unit = text.substr(split);
    while (!unit.empty() && unit.front() == ' ') {
        unit.remove_prefix(1);
    }
    if (unit.empty() || unit == "um" || unit == "µm" || unit == "micron" || unit == "microns") {
        return PhysicalSize{value, "µm"};
    }
    if (unit == "nm" || unit == "mm" || unit == "m") {
        return PhysicalSize{value, std::string(unit)};
    }
    return std::nullopt;
}

std::string ScaleBar::label() const {
    return fmt::format("{:g} {}", length, unit);
}

std::optional<ScaleBar> scale_bar(const PhysicalSize& size, double zoom, double longest) {
    if (!(size.per_pixel > 0) || !(zoom > 0) || !std::isfinite(size.per_pixel * zoom)) {
        return std::nullopt;
    }
    // Everything in metres, then the unit that keeps the length at least 1.
    constexpr std::array<std::pair<std::string_view, double>, 4> kUnits{
        {{"nm", 1e-9}, {"µm", 1e-6}, {"mm", 1e-3}, {"m", 1.0}}};
    double metre = 0;
    for (const auto& [name, factor] : kUnits) {
        if (size.unit == name) {
            metre = factor;
        }
    }
    if (metre == 0) {
        metre = 1e-6;  // OME's default unit
    }
    const double metres_per_screen_pixel = size.per_pixel * metre / zoom;
    const double most = longest * metres_per_screen_pixel;
    double step = std::pow(10.0, std::floor(std::log10(most)));
    double length = step;
    for (const double m : {5.0, 2.0, 1.0}) {
        if (m * step <= most * (1 + 1e-9)) {
            length = m * step;
            break;
        }
    }
    ScaleBar bar;
    bar.pixels = length / metres_per_screen_pixel;
    for (const auto& [name, factor] : kUnits) {
        if (length / factor >= 1 - 1e-9 || name == "nm") {
            bar.unit = std::string(name);
            bar.length = length / factor;
        }
    }
    bar.length = std::round(bar.length * 1e6) / 1e6;  // 0.1 + 0.2: no float dust in the label
    return bar;
}

ScaleBarLayout scale_bar_layout(ColourBarRect area, const ScaleBar& bar, int label_width,
                                float scale) {
    const auto px = [scale](double v) {
        return static_cast<int>(std::lround(v * scale));
    };
    ScaleBarLayout layout;
    const int length = px(bar.pixels);
    layout.box.width = std::max(length, label_width) + 2 * px(kPadding);
    layout.box.height = px(kText) + px(4) + px(kPadding) * 2 + px(2);
    layout.box.x = area.x + area.width - px(kMargin) - layout.box.width;
    layout.box.y = area.y + area.height - px(kMargin) - layout.box.height;
    layout.bar = {layout.box.x + layout.box.width - px(kPadding) - length,
                  layout.box.y + layout.box.height - px(kPadding) - px(4), length, px(4)};
    layout.label = {layout.box.x + layout.box.width - px(kPadding) - label_width,
                    layout.box.y + px(kPadding)};
    return layout;
}

void draw_scale_bar(RgbaImage& image, const ScaleBar& bar, float scale,
                    std::optional<ColourBarRect> area) {
    const ColourBarRect within = area.value_or(ColourBarRect{0, 0, image.width, image.height});
    const std::string label = bar.label();
    const ScaleBarLayout layout = scale_bar_layout(within, bar, text_width(label, scale), scale);
    if (layout.box.x < within.x || layout.box.y < within.y) {
        return;  // no room
    }
    const ColourBarRect& box = layout.box;
    fill(image, box.x, box.y, box.x + box.width, box.y + box.height, {0, 0, 0}, 0.6f);
    fill(image, layout.bar.x, layout.bar.y, layout.bar.x + layout.bar.width,
         layout.bar.y + layout.bar.height, {1, 1, 1}, 1);
    text(image, layout.label[0], layout.label[1], label, scale);
}

}  // namespace tessera::core
