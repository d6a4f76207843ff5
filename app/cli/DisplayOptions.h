// Display options shared by `tessera FILE...` (initial settings) and `tessera render`:
// --channels, --colormap NAME | CH=NAME, --limits CH=LO:HI, --gamma CH=G, --opacity CH=O,
// --blend MODE, --exposure EV, --label-seed N, --contours W. Parsing checks values; applying checks
// channel and colormap names against an image and says what is valid.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/display/Annotations.h"
#include "core/display/DisplaySettings.h"
#include "core/io/ImageLoader.h"

namespace tessera::app {

struct DisplayRequest {
    std::optional<std::vector<std::string>> channels;
    std::optional<std::string> colormap_all;
    std::vector<std::pair<std::string, std::string>> colormaps;  // channel, name
    std::vector<std::pair<std::string, std::pair<double, double>>> limits;
    std::vector<std::pair<std::string, float>> gammas;
    std::vector<std::pair<std::string, float>> opacities;
    std::optional<core::BlendMode> blend;
    std::optional<float> exposure;
    std::optional<int> label_seed;  // --label-seed N: another colour for every label
    std::optional<int> contours;    // --contours W: label boundaries only, W pixels wide

    bool empty() const {
        return !channels && !colormap_all && colormaps.empty() && limits.empty() &&
               gammas.empty() && opacities.empty() && !blend && !exposure && !label_seed &&
               !contours;
    }
};

// If arguments[i] is a display option, parses it (and its value, advancing i) and returns true.
core::Result<bool> parse_display_option(std::span<const std::string_view> arguments, std::size_t& i,
                                        DisplayRequest& request);

// The settings a request asks for, starting from `settings` (the image's defaults). Choosing
// colormaps shows a colour image as channels.
core::Result<core::DisplaySettings> apply_display_request(
    const DisplayRequest& request, const std::vector<core::ChannelInfo>& channels,
    core::DisplaySettings settings);

// The value after option arguments[i] (advancing i), or "OPTION needs a value".
core::Result<std::string_view> option_value(std::span<const std::string_view> arguments,
                                            std::size_t& i);
// Runs `use` on the value after option arguments[i] (advancing i); a missing value is an error.
template <typename Use>
core::Result<void> with_option_value(std::span<const std::string_view> arguments, std::size_t& i,
                                     Use&& use) {
    auto text = option_value(arguments, i);
    if (!text) {
        return text.error();
    }
    return use(text.value());
}
// auto, first or last, for --channel-axis.
core::Result<core::ChannelAxis> parse_channel_axis(std::string_view text);

// Option values stored straight into their target (advancing i past the value).
core::Result<void> text_option(std::span<const std::string_view> arguments, std::size_t& i,
                               std::string& target);
core::Result<void> text_option(std::span<const std::string_view> arguments, std::size_t& i,
                               std::optional<std::string>& target);
// --pixel-size 0.65um (the window and render).
core::Result<void> pixel_size_option(std::span<const std::string_view> arguments, std::size_t& i,
                                     std::optional<core::PhysicalSize>& target);
// A plane of a stack by axis names, "z=12,t=3" (names as `info` prints them, any case).
using PlaneRequest = std::vector<std::pair<std::string, std::int64_t>>;
core::Result<PlaneRequest> parse_plane(std::string_view text);
// The position of such a plane in a source: unnamed axes are 0; an unknown name or an index out
// of range is an error that lists the axes.
core::Result<std::vector<std::int64_t>> resolve_plane(const core::ImageSource& source,
                                                      const PlaneRequest& plane);

// The part a --part NAME|INDEX names among a file's images (the first without one); an error
// lists the parts.
core::Result<std::size_t> select_part(const std::vector<core::Image>& images,
                                      const std::optional<std::string>& part,
                                      const std::string& file);

// T, Z, C, Y, X letters for --axes (any case), checked as far as they can be without the file.
core::Result<std::string> parse_axes(std::string_view text);
// If arguments[i] is --channel-axis, --axes or --labels, stores it in `target` and returns true.
core::Result<bool> load_option(std::span<const std::string_view> arguments, std::size_t& i,
                               core::LoadOptions& target);
core::Result<void> size_option(std::span<const std::string_view> arguments, std::size_t& i,
                               std::pair<int, int>& target);
// WIDTHxHEIGHT with sides from 1 to 16384, for --size.
core::Result<std::pair<int, int>> parse_size(std::string_view text);

std::optional<double> parse_number(std::string_view text);
std::optional<int> parse_int(std::string_view text);
std::vector<std::string_view> split(std::string_view text, char separator);

}  // namespace tessera::app
