#include "core/ipc/VectorGraphics.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tessera::core::ipc {
namespace {

constexpr int kCurveSegments = 24;
constexpr float kArcStep = std::numbers::pi_v<float> / 36;  // 5 degrees

// A client's float as a small integer (a direction, alignment bits): whatever it sends, NaN and
// huge values included, never an out-of-range conversion.
int small_int(float value) {
    return std::isfinite(value) && std::fabs(value) < 1e6f ? static_cast<int>(value) : 0;
}

struct Style {
    VgColour fill{1, 1, 1, 1};
    VgColour stroke{1, 1, 1, 1};
    float stroke_width = 3;
    bool stroke_screen = true;
    float font_size = 20;
    bool font_screen = true;
    int align = kAlignLeft | kAlignBaseline;
};

class Tracer {
  public:
    std::vector<VgPath> paths;

    bool has_point() const { return !paths.empty() && !paths.back().points.empty(); }
    VgPoint last() const { return paths.back().points.back(); }
    void move_to(VgPoint p) { paths.push_back({{p}, false}); }
    void line_to(VgPoint p) {
        if (!has_point() || paths.back().closed) {
            move_to(p);
            return;
        }
        paths.back().points.push_back(p);
    }
    void bezier_to(VgPoint c1, VgPoint c2, VgPoint p) {
        const VgPoint p0 = has_point() ? last() : c1;
        for (int i = 1; i <= kCurveSegments; ++i) {
            const float t = static_cast<float>(i) / kCurveSegments;
            const float u = 1 - t;
            const float a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;
            line_to({a * p0[0] + b * c1[0] + c * c2[0] + d * p[0],
                     a * p0[1] + b * c1[1] + c * c2[1] + d * p[1]});
        }
    }
    void quad_to(VgPoint c, VgPoint p) {
        const VgPoint p0 = has_point() ? last() : c;
        // The cubic with the same curve.
        bezier_to({p0[0] + 2.0f / 3 * (c[0] - p0[0]), p0[1] + 2.0f / 3 * (c[1] - p0[1])},
                  {p[0] + 2.0f / 3 * (c[0] - p[0]), p[1] + 2.0f / 3 * (c[1] - p[1])}, p);
    }
    // nanovg's arc: from angle a0 to a1 (radians) around (cx, cy); direction 1 counter-clockwise,
    // 2 clockwise (in image coordinates, y down). Joins the current point with a line.
    void arc(float cx, float cy, float r, float a0, float a1, int direction) {
        const float two_pi = 2 * std::numbers::pi_v<float>;
        float sweep = a1 - a0;
        if (direction == 2) {  // clockwise: increasing angles
            if (std::fabs(sweep) >= two_pi) {
                sweep = two_pi;
            } else {
                while (sweep < 0) {
                    sweep += two_pi;
                }
            }
        } else {
            if (std::fabs(sweep) >= two_pi) {
                sweep = -two_pi;
            } else {
                while (sweep > 0) {
                    sweep -= two_pi;
                }
            }
        }
        const int steps =
            std::isfinite(sweep)
                ? std::clamp(static_cast<int>(std::ceil(std::fabs(sweep) / kArcStep)), 1, 720)
                : 1;
        for (int i = 0; i <= steps; ++i) {
            const float a = a0 + sweep * static_cast<float>(i) / static_cast<float>(steps);
            const VgPoint p{cx + r * std::cos(a), cy + r * std::sin(a)};
            if (i == 0 && !has_point()) {
                move_to(p);
            } else {
                line_to(p);
            }
        }
    }
    // The arc of radius r tangent to the lines from the current point to p1 and from p1 to p2.
    void arc_to(VgPoint p1, VgPoint p2, float r) {
        if (!has_point()) {
            return;
        }
        const VgPoint p0 = last();
        float dx0 = p0[0] - p1[0], dy0 = p0[1] - p1[1];
        float dx1 = p2[0] - p1[0], dy1 = p2[1] - p1[1];
        const float l0 = std::hypot(dx0, dy0), l1 = std::hypot(dx1, dy1);
        if (l0 < 1e-6f || l1 < 1e-6f || r < 1e-6f) {
            line_to(p1);
            return;
        }
        dx0 /= l0, dy0 /= l0, dx1 /= l1, dy1 /= l1;
        const float angle = std::acos(std::clamp(dx0 * dx1 + dy0 * dy1, -1.0f, 1.0f));
        const float distance = r / std::tan(angle / 2);
        if (angle < 1e-4f || distance > 1e4f) {
            line_to(p1);
            return;
        }
        const float cross = dx1 * dy0 - dx0 * dy1;
        float cx, cy, a0, a1;
        int direction;
        if (cross > 0) {
            cx = p1[0] + dx0 * distance + dy0 * r;
            cy = p1[1] + dy0 * distance - dx0 * r;
            a0 = std::atan2(dx0, -dy0);
            a1 = std::atan2(-dx1, dy1);
            direction = 2;
        } else {
            cx = p1[0] + dx0 * distance - dy0 * r;
            cy = p1[1] + dy0 * distance + dx0 * r;
            a0 = std::atan2(-dx0, dy0);
            a1 = std::atan2(dx1, -dy1);
            direction = 1;
        }
        arc(cx, cy, r, a0, a1, direction);
    }
    void close() {
        if (!paths.empty()) {
            paths.back().closed = true;
        }
    }
    void ellipse(float cx, float cy, float rx, float ry) {
        VgPath path;
        const int steps = 72;
        for (int i = 0; i < steps; ++i) {
            const float a = 2 * std::numbers::pi_v<float> * static_cast<float>(i) / steps;
            path.points.push_back({cx + rx * std::cos(a), cy + ry * std::sin(a)});
        }
        path.closed = true;
        paths.push_back(std::move(path));
    }
    // Corner radii: top left, top right, bottom right, bottom left.
    void rounded_rect(float x, float y, float w, float h, std::array<float, 4> radii) {
        const float limit = std::min(std::fabs(w), std::fabs(h)) / 2;
        for (float& r : radii) {
            r = std::clamp(r, 0.0f, limit);
        }
        paths.push_back({});
        const float half_pi = std::numbers::pi_v<float> / 2;
        const std::array<VgPoint, 4> centres{
            VgPoint{x + radii[0], y + radii[0]}, VgPoint{x + w - radii[1], y + radii[1]},
            VgPoint{x + w - radii[2], y + h - radii[2]}, VgPoint{x + radii[3], y + h - radii[3]}};
        for (int corner = 0; corner < 4; ++corner) {
            const float r = radii[static_cast<std::size_t>(corner)];
            const VgPoint c = centres[static_cast<std::size_t>(corner)];
            const float start = std::numbers::pi_v<float> + half_pi * static_cast<float>(corner);
            const int steps = r > 0 ? 9 : 0;
            for (int i = 0; i <= steps; ++i) {
                const float a = start + half_pi * static_cast<float>(i) / std::max(steps, 1);
                paths.back().points.push_back({c[0] + r * std::cos(a), c[1] + r * std::sin(a)});
            }
        }
        paths.back().closed = true;
    }
};

VgColour colour_of(const std::vector<float>& v) {
    return {v[0], v[1], v[2], v[3]};
}

}  // namespace

std::vector<VgShape> interpret(std::span<const VgCommand> commands) {
    std::vector<VgShape> shapes;
    std::vector<Style> stack{Style{}};
    Tracer path;
    for (const VgCommand& command : commands) {
        if (static_cast<int>(command.values.size()) != vg_float_count(command.type)) {
            continue;  // not from parse_packet: ignore what cannot be a command
        }
        const std::vector<float>& v = command.values;
        Style& style = stack.back();
        switch (command.type) {
            case VgCommandType::Save:
                stack.push_back(style);
                break;
            case VgCommandType::Restore:
                if (stack.size() > 1) {
                    stack.pop_back();
                }
                break;
            case VgCommandType::FillColor:
                style.fill = colour_of(v);
                break;
            case VgCommandType::StrokeColor:
                style.stroke = colour_of(v);
                break;
            case VgCommandType::Fill:
                shapes.push_back({VgShape::Kind::Fill, path.paths, style.fill, 0, true, {}, {}, 0});
                break;
            case VgCommandType::Stroke:
                shapes.push_back({VgShape::Kind::Stroke,
                                  path.paths,
                                  style.stroke,
                                  style.stroke_width,
                                  style.stroke_screen,
                                  {},
                                  {},
                                  0});
                break;
            case VgCommandType::BeginPath:
                path.paths.clear();
                break;
            case VgCommandType::ClosePath:
                path.close();
                break;
            case VgCommandType::PathWinding:
            case VgCommandType::DebugDumpPathCache:
            case VgCommandType::FontFace:
                break;  // one font; holes are not cut
            case VgCommandType::MoveTo:
                path.move_to({v[0], v[1]});
                break;
            case VgCommandType::LineTo:
                path.line_to({v[0], v[1]});
                break;
            case VgCommandType::ArcTo:
                path.arc_to({v[0], v[1]}, {v[2], v[3]}, v[4]);
                break;
            case VgCommandType::Arc:
                path.arc(v[0], v[1], v[2], v[3], v[4], small_int(v[5]));
                break;
            case VgCommandType::BezierTo:
                path.bezier_to({v[0], v[1]}, {v[2], v[3]}, {v[4], v[5]});
                break;
            case VgCommandType::QuadTo:
                path.quad_to({v[0], v[1]}, {v[2], v[3]});
                break;
            case VgCommandType::Circle:
                path.ellipse(v[0], v[1], v[2], v[2]);
                break;
            case VgCommandType::Ellipse:
                path.ellipse(v[0], v[1], v[2], v[3]);
                break;
            case VgCommandType::Rect:
                path.rounded_rect(v[0], v[1], v[2], v[3], {0, 0, 0, 0});
                break;
            case VgCommandType::RoundedRect:
                path.rounded_rect(v[0], v[1], v[2], v[3], {v[4], v[4], v[4], v[4]});
                break;
            case VgCommandType::RoundedRectVarying:
                path.rounded_rect(v[0], v[1], v[2], v[3], {v[4], v[5], v[6], v[7]});
                break;
            case VgCommandType::Text:
                shapes.push_back({VgShape::Kind::Text,
                                  {},
                                  style.fill,
                                  style.font_size,
                                  style.font_screen,
                                  command.text,
                                  {v[0], v[1]},
                                  style.align});
                break;
            case VgCommandType::TextAlign:
                style.align = small_int(v[0]);
                break;
            case VgCommandType::FontSize:
                style.font_size = v[0];
                style.font_screen = v[1] != 0;
                break;
            case VgCommandType::StrokeWidth:
                style.stroke_width = v[0];
                style.stroke_screen = v[1] != 0;
                break;
        }
    }
    return shapes;
}

}  // namespace tessera::core::ipc
