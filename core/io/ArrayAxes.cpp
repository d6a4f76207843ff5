#include "core/io/ArrayAxes.h"

#include <fmt/format.h>

namespace tessera::core {
namespace {

bool small(std::uint64_t extent) {
    return extent <= kSmallExtent;
}

std::string default_axes(std::span<const std::uint64_t> shape) {
    switch (shape.size()) {
        case 2:
            return "YX";
        case 3:
            if (small(shape[2]) && shape[2] < shape[0]) {
                return "YXC";
            }
            return small(shape[0]) ? "CYX" : "ZYX";
        case 4:
            if (shape[3] <= 4 && shape[3] < shape[1]) {
                return "ZYXC";
            }
            if (small(shape[1])) {
                return "ZCYX";
            }
            return small(shape[0]) ? "CZYX" : "TZYX";
        default:
            return shape[4] <= 4 && shape[4] < shape[2] ? "TZYXC" : "TZCYX";
    }
}

}  // namespace

Result<void> check_axes(std::string_view axes, std::size_t rank) {
    for (std::size_t i = 0; i < axes.size(); ++i) {
        const char letter = axes[i];
        if (std::string_view("TZCYX").find(letter) == std::string_view::npos) {
            return Error{fmt::format("axes '{}': '{}' is not one of T, Z, C, Y, X", axes, letter)};
        }
        if (axes.find(letter, i + 1) != std::string_view::npos) {
            return Error{fmt::format("axes '{}': {} appears twice", axes, letter)};
        }
    }
    if (axes.size() != rank) {
        return Error{
            fmt::format("axes '{}' name {} axes, the array has {}", axes, axes.size(), rank)};
    }
    const auto y = axes.find('Y');
    const auto x = axes.find('X');
    if (y == std::string_view::npos || x == std::string_view::npos) {
        return Error{fmt::format("axes '{}' need both Y and X", axes)};
    }
    if (y > x) {
        return Error{fmt::format("axes '{}': Y must come before X (rows before columns)", axes)};
    }
    if (axes.size() != rank) {
        return Error{
            fmt::format("axes '{}' name {} axes, the array has {}", axes, axes.size(), rank)};
    }
    return {};
}

Result<std::string> choose_axes(std::span<const std::uint64_t> shape, std::string_view requested,
                                ChannelAxis channel_axis) {
    if (!requested.empty()) {
        if (auto ok = check_axes(requested, shape.size()); !ok) {
            return ok.error();
        }
        return std::string(requested);
    }
    if (shape.size() < 2 || shape.size() > 5) {
        return Error{fmt::format("{} dimensions: Tessera opens arrays of 2 to 5 (T, Z, C, Y, X)",
                                 shape.size())};
    }
    std::string axes = default_axes(shape);
    if (shape.size() == 2 || channel_axis == ChannelAxis::Auto) {
        return axes;
    }
    // C first or last; the others keep the rule's names for their positions.
    std::string others;
    for (char letter : std::string_view("TZ").substr(5 - shape.size())) {
        others += letter;
    }
    return channel_axis == ChannelAxis::First ? "C" + others + "YX" : others + "YXC";
}

}  // namespace tessera::core
