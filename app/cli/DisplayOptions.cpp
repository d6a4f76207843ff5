#include "app/cli/DisplayOptions.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "core/io/ArrayAxes.h"

namespace tessera::app {

core::Result<std::string_view> option_value(std::span<const std::string_view> arguments,
                                            std::size_t& i) {
    if (i + 1 >= arguments.size()) {
        return core::Error{fmt::format("{} needs a value", arguments[i])};
    }
    return arguments[++i];
}

core::Result<core::ChannelAxis> parse_channel_axis(std::string_view text) {
    if (text == "auto") {
        return core::ChannelAxis::Auto;
    }
    if (text == "first") {
        return core::ChannelAxis::First;
    }
    if (text == "last") {
        return core::ChannelAxis::Last;
    }
    return core::Error{fmt::format("--channel-axis expects auto, first or last, got '{}'", text)};
}

core::Result<void> text_option(std::span<const std::string_view> arguments, std::size_t& i,
                               std::string& target) {
    return with_option_value(arguments, i, [&](std::string_view v) -> core::Result<void> {
        target = std::string(v);
        return {};
    });
}

core::Result<void> text_option(std::span<const std::string_view> arguments, std::size_t& i,
                               std::optional<std::string>& target) {
    std::string text;
    auto ok = text_option(arguments, i, text);
    if (ok) {
        target = std::move(text);
    }
    return ok;
}

core::Result<void> pixel_size_option(std::span<const std::string_view> arguments, std::size_t& i,
                                     std::optional<core::PhysicalSize>& target) {
    return with_option_value(arguments, i, [&](std::string_view v) -> core::Result<void> {
        target = core::parse_physical_size(v);
        if (!target) {
            return core::Error{fmt::format(
                "--pixel-size expects a positive length and unit, e.g. 0.65um, got '{}'", v)};
        }
        return {};
    });
}

namespace {

// Parses the value after arguments[i] with `parse` and stores it in `target`.
template <typename T, typename Parse>
core::Result<void> parsed_option(std::span<const std::string_view> arguments, std::size_t& i,
                                 T& target, Parse parse) {
    return with_option_value(arguments, i, [&](std::string_view v) -> core::Result<void> {
        auto parsed = parse(v);
        if (!parsed) {
            return parsed.error();
        }
        target = *parsed;
        return {};
    });
}

}  // namespace

core::Result<PlaneRequest> parse_plane(std::string_view text) {
    PlaneRequest plane;
    for (std::string_view part : split(text, ',')) {
        const auto equals = part.find('=');
        const auto index =
            equals == std::string_view::npos ? std::nullopt : parse_int(part.substr(equals + 1));
        if (equals == 0 || !index || *index < 0) {
            return core::Error{
                fmt::format("--plane expects AXIS=INDEX pairs such as z=12,t=3, got '{}'", text)};
        }
        plane.emplace_back(std::string(part.substr(0, equals)), *index);
    }
    return plane;
}

core::Result<std::size_t> select_part(const std::vector<core::Image>& images,
                                      const std::optional<std::string>& part,
                                      const std::string& file) {
    if (!part) {
        return std::size_t{0};
    }
    const auto found = std::find_if(images.begin(), images.end(), [&](const core::Image& i) {
        return i.metadata.part_name == *part;
    });
    if (found != images.end()) {
        return static_cast<std::size_t>(found - images.begin());
    }
    if (const auto index = parse_int(*part);
        index && *index >= 0 && static_cast<std::size_t>(*index) < images.size()) {
        return static_cast<std::size_t>(*index);
    }
    std::string parts;
    for (const core::Image& i : images) {
        parts += fmt::format("{}{} \"{}\"", parts.empty() ? "" : ", ", i.metadata.part_index,
                             i.metadata.part_name);
    }
    return core::Error{fmt::format("{}: no part '{}'; the parts are: {}", file, *part, parts)};
}

core::Result<std::vector<std::int64_t>> resolve_plane(const core::ImageSource& source,
                                                      const PlaneRequest& plane) {
    const std::vector<core::Axis>& axes = source.axes();
    std::vector<std::int64_t> position(axes.size(), 0);
    std::string names;
    for (const core::Axis& axis : axes) {
        names += fmt::format("{}{} (0-{})", names.empty() ? "" : ", ", axis.name, axis.extent - 1);
    }
    const auto lower = [](std::string_view text) {
        std::string out;
        for (char c : text) {
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        return out;
    };
    for (const auto& [name, index] : plane) {
        const auto at = std::find_if(axes.begin(), axes.end(), [&](const core::Axis& axis) {
            return lower(axis.name) == lower(name);
        });
        if (at == axes.end()) {
            return core::Error{fmt::format("no axis '{}'; the image's axes: {}", name,
                                           names.empty() ? "none (a single plane)" : names)};
        }
        if (index >= at->extent) {
            return core::Error{
                fmt::format("{}={} is out of range; the image's axes: {}", name, index, names)};
        }
        position[static_cast<std::size_t>(at - axes.begin())] = index;
    }
    return position;
}

core::Result<std::string> parse_axes(std::string_view text) {
    std::string axes;
    for (char c : text) {
        axes += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    // Everything but the array's rank, which only the file knows.
    if (auto ok = core::check_axes(axes, axes.size()); !ok) {
        return core::Error{"--" + ok.error().message};
    }
    return axes;
}

core::Result<bool> load_option(std::span<const std::string_view> arguments, std::size_t& i,
                               core::LoadOptions& target) {
    if (arguments[i] == "--channel-axis") {
        auto ok = parsed_option(arguments, i, target.channel_axis, parse_channel_axis);
        return ok ? core::Result<bool>(true) : core::Result<bool>(ok.error());
    }
    if (arguments[i] == "--axes") {
        auto ok = parsed_option(arguments, i, target.axes, parse_axes);
        return ok ? core::Result<bool>(true) : core::Result<bool>(ok.error());
    }
    if (arguments[i] == "--labels") {
        target.labels = true;
        return true;
    }
    return false;
}

core::Result<void> size_option(std::span<const std::string_view> arguments, std::size_t& i,
                               std::pair<int, int>& target) {
    return parsed_option(arguments, i, target, parse_size);
}

core::Result<std::pair<int, int>> parse_size(std::string_view text) {
    const auto parts = split(text, 'x');
    const auto w = parts.size() == 2 ? parse_int(parts[0]) : std::nullopt;
    const auto h = parts.size() == 2 ? parse_int(parts[1]) : std::nullopt;
    if (!w || !h || *w < 1 || *h < 1 || *w > 16384 || *h > 16384) {
        return core::Error{fmt::format(
            "--size expects WIDTHxHEIGHT with sides from 1 to 16384 (e.g. 1280x800), got '{}'",
            text)};
    }
    return std::pair{*w, *h};
}

std::optional<double> parse_number(std::string_view text) {
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

std::optional<int> parse_int(std::string_view text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    while (true) {
        const auto at = text.find(separator);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos) {
            return parts;
        }
        text.remove_prefix(at + 1);
    }
}

namespace {

// "CH=VALUE" with the channel name before the last '=' (names may contain dots, not '=').
core::Result<std::pair<std::string, std::string_view>> channel_value(std::string_view option,
                                                                     std::string_view text) {
    const auto at = text.rfind('=');
    if (at == std::string_view::npos || at == 0 || at + 1 == text.size()) {
        return core::Error{fmt::format("{} expects CHANNEL=VALUE, got '{}'", option, text)};
    }
    return std::pair{std::string(text.substr(0, at)), text.substr(at + 1)};
}

std::string valid_names(const std::vector<core::ChannelInfo>& channels) {
    std::string names;
    for (const auto& channel : channels) {
        names += (names.empty() ? "" : ", ") + channel.name;
    }
    return names;
}

core::Result<std::size_t> find_channel(const std::vector<core::ChannelInfo>& channels,
                                       const std::string& name) {
    for (std::size_t c = 0; c < channels.size(); ++c) {
        if (channels[c].name == name) {
            return c;
        }
    }
    return core::Error{
        fmt::format("no channel named '{}'; the channels are: {}", name, valid_names(channels))};
}

}  // namespace

core::Result<bool> parse_display_option(std::span<const std::string_view> arguments, std::size_t& i,
                                        DisplayRequest& request) {
    const std::string_view argument = arguments[i];
    const auto needs = [&](auto&& use) {
        return with_option_value(arguments, i, use);
    };
    core::Result<void> ok;
    if (argument == "--channels") {
        ok = needs([&](std::string_view v) -> core::Result<void> {
            std::vector<std::string> names;
            for (std::string_view name : split(v, ',')) {
                if (!name.empty()) {
                    names.emplace_back(name);
                }
            }
            request.channels = std::move(names);
            return {};
        });
    } else if (argument == "--colormap") {
        ok = needs([&](std::string_view v) -> core::Result<void> {
            if (v.find('=') == std::string_view::npos) {
                request.colormap_all = std::string(v);
                return {};
            }
            auto pair = channel_value("--colormap", v);
            if (!pair) {
                return pair.error();
            }
            request.colormaps.emplace_back(pair->first, std::string(pair->second));
            return {};
        });
    } else if (argument == "--limits") {
        ok = needs([&](std::string_view v) -> core::Result<void> {
            auto pair = channel_value("--limits", v);
            if (!pair) {
                return pair.error();
            }
            const auto colon = pair->second.find(':');
            const auto lo = colon != std::string_view::npos
                                ? parse_number(pair->second.substr(0, colon))
                                : std::nullopt;
            const auto hi = colon != std::string_view::npos
                                ? parse_number(pair->second.substr(colon + 1))
                                : std::nullopt;
            if (!lo || !hi) {
                return core::Error{fmt::format("--limits expects CHANNEL=LO:HI, got '{}'", v)};
            }
            if (!(*lo < *hi)) {
                return core::Error{fmt::format("--limits {}: LO ({}) must be below HI ({})",
                                               pair->first, *lo, *hi)};
            }
            request.limits.emplace_back(pair->first, std::pair{*lo, *hi});
            return {};
        });
    } else if (argument == "--gamma" || argument == "--opacity") {
        const bool gamma = argument == "--gamma";
        ok = needs([&](std::string_view v) -> core::Result<void> {
            auto pair = channel_value(argument, v);
            if (!pair) {
                return pair.error();
            }
            const auto number = parse_number(pair->second);
            if (!number || (gamma && *number <= 0) || (!gamma && (*number < 0 || *number > 1))) {
                return core::Error{fmt::format(
                    "{} {}: expected {}, got '{}'", argument, pair->first,
                    gamma ? "a positive number" : "a number from 0 to 1", pair->second)};
            }
            (gamma ? request.gammas : request.opacities)
                .emplace_back(pair->first, static_cast<float>(*number));
            return {};
        });
    } else if (argument == "--blend") {
        ok = needs([&](std::string_view v) -> core::Result<void> {
            request.blend = core::parse_blend_mode(v);
            if (!request.blend) {
                return core::Error{
                    fmt::format("--blend expects additive, max, min or over, got '{}'", v)};
            }
            return {};
        });
    } else if (argument == "--exposure") {
        ok = needs([&](std::string_view v) -> core::Result<void> {
            const auto n = parse_number(v);
            if (!n) {
                return core::Error{
                    fmt::format("--exposure expects a number of stops, got '{}'", v)};
            }
            request.exposure = static_cast<float>(*n);
            return {};
        });
    } else if (argument == "--label-seed" || argument == "--contours") {
        const bool seed = argument == "--label-seed";
        ok = needs([&](std::string_view v) -> core::Result<void> {
            const auto n = parse_int(v);
            if (!n || *n < 0 || (!seed && *n > 16)) {
                return core::Error{fmt::format(
                    "{} expects {}, got '{}'", argument,
                    seed ? "a whole number of at least 0" : "a width of 0 (filled) to 16 pixels",
                    v)};
            }
            (seed ? request.label_seed : request.contours) = *n;
            return {};
        });
    } else {
        return false;
    }
    if (!ok) {
        return ok.error();
    }
    return true;
}

core::Result<core::DisplaySettings> apply_display_request(
    const DisplayRequest& request, const std::vector<core::ChannelInfo>& channels,
    core::DisplaySettings settings) {
    // Choosing colormaps shows the channels as data, not as a photograph.
    if (request.colormap_all || !request.colormaps.empty()) {
        settings.colour = false;
        settings.alpha_channel = -1;
    }
    if (request.channels) {
        std::vector<bool> shown(channels.size(), false);
        for (const std::string& name : *request.channels) {
            auto c = find_channel(channels, name);
            if (!c) {
                return core::Error{"--channels: " + c.error().message};
            }
            shown[*c] = true;
        }
        for (std::size_t c = 0; c < channels.size(); ++c) {
            settings.channels[c].visible = shown[c];
        }
    }
    const auto colormap = [](const std::string& name) -> core::Result<core::Colormap> {
        if (auto parsed = core::parse_colormap(name)) {
            return *parsed;
        }
        std::string names;
        for (std::string_view n : core::colormap_names()) {
            names += (names.empty() ? "" : ", ") + std::string(n);
        }
        return core::Error{
            fmt::format("--colormap: no colormap named '{}'; the colormaps are: {} "
                        "(each also reversed with _r)",
                        name, names)};
    };
    if (request.colormap_all) {
        auto map = colormap(*request.colormap_all);
        if (!map) {
            return map.error();
        }
        for (auto& channel : settings.channels) {
            channel.colormap = *map;
        }
    }
    for (const auto& [name, map_name] : request.colormaps) {
        auto c = find_channel(channels, name);
        auto map = colormap(map_name);
        if (!c || !map) {
            return c ? map.error() : core::Error{"--colormap: " + c.error().message};
        }
        settings.channels[*c].colormap = *map;
    }
    for (const auto& [name, range] : request.limits) {
        auto c = find_channel(channels, name);
        if (!c) {
            return core::Error{"--limits: " + c.error().message};
        }
        settings.channels[*c].lo = range.first;
        settings.channels[*c].hi = range.second;
    }
    for (const auto& [name, gamma] : request.gammas) {
        auto c = find_channel(channels, name);
        if (!c) {
            return core::Error{"--gamma: " + c.error().message};
        }
        settings.channels[*c].gamma = gamma;
    }
    for (const auto& [name, opacity] : request.opacities) {
        auto c = find_channel(channels, name);
        if (!c) {
            return core::Error{"--opacity: " + c.error().message};
        }
        settings.channels[*c].opacity = opacity;
    }
    if (request.blend) {
        settings.blend = *request.blend;
    }
    if (request.exposure) {
        settings.exposure = *request.exposure;
    }
    if (request.label_seed) {
        settings.labels.seed = static_cast<std::uint32_t>(*request.label_seed);
    }
    if (request.contours) {
        settings.labels.contour = *request.contours;
    }
    return settings;
}

}  // namespace tessera::app
