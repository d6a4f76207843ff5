#include "app/session/Settings.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace tessera::app {
namespace {

constexpr std::string_view kHeader = "tessera-settings 1";

std::string escape(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string unescape(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 == text.size()) {
            out += text[i];
            continue;
        }
        const char next = text[++i];
        out += next == 't' ? '\t' : next == 'n' ? '\n' : next == 'r' ? '\r' : next;
    }
    return out;
}

std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
        if (i == line.size() || line[i] == '\t') {
            out.push_back(line.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

template <typename T>
std::optional<T> number(std::string_view text) {
    T value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    if constexpr (std::is_floating_point_v<T>) {
        if (!std::isfinite(value)) {
            return std::nullopt;
        }
    }
    return value;
}

std::optional<bool> flag(std::string_view text) {
    if (text == "0" || text == "1") {
        return text == "1";
    }
    return std::nullopt;
}

// `channel NAME VISIBLE COLORMAP LO HI GAMMA OPACITY`, checked as the panel checks typed values.
std::optional<core::ChannelDisplay> channel_of(const std::vector<std::string_view>& f) {
    if (f.size() != 8) {
        return std::nullopt;
    }
    const auto visible = flag(f[2]);
    const auto colormap = core::parse_colormap(f[3]);
    const auto lo = number<double>(f[4]);
    const auto hi = number<double>(f[5]);
    const auto gamma = number<float>(f[6]);
    const auto opacity = number<float>(f[7]);
    if (!visible || !colormap || !lo || !hi || !gamma || !opacity || !(*lo < *hi) ||
        !(*gamma > 0) || !(*opacity >= 0 && *opacity <= 1)) {
        return std::nullopt;
    }
    return core::ChannelDisplay{*visible, *colormap, *lo, *hi, *gamma, *opacity};
}

void add_front(std::vector<std::string>& list, const std::string& item, std::size_t limit) {
    std::erase(list, item);
    list.insert(list.begin(), item);
    if (list.size() > limit) {
        list.resize(limit);
    }
}

}  // namespace

std::optional<std::filesystem::path> default_settings_path() {
    if (const char* config = std::getenv("XDG_CONFIG_HOME"); config != nullptr && *config == '/') {
        return std::filesystem::path(config) / "tessera" / "settings.txt";
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/') {
        return std::filesystem::path(home) / ".config" / "tessera" / "settings.txt";
    }
    return std::nullopt;
}

Settings parse_settings(std::string_view text) {
    Settings settings;
    RememberedDisplay* display = nullptr;  // the record channel lines belong to
    bool display_valid = false;
    const auto close_display = [&] {
        if (display != nullptr && (!display_valid || display->channel_names.empty())) {
            settings.displays.pop_back();
            ++settings.skipped_lines;
        }
        display = nullptr;
    };
    std::size_t start = 0;
    bool first = true;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        const std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (std::exchange(first, false)) {
            if (line != kHeader) {  // not a settings file we wrote: nothing of it is trusted
                settings.skipped_lines = 1;
                return settings;
            }
            continue;
        }
        const std::vector<std::string_view> f = fields(line);
        const std::string_view key = f[0];
        if (key == "channel") {
            const auto channel = channel_of(f);
            if (display == nullptr || !channel) {
                display_valid = false;
                ++settings.skipped_lines;
                continue;
            }
            display->channel_names.push_back(unescape(f[1]));
            display->display.channels.push_back(*channel);
            continue;
        }
        close_display();
        bool ok = true;
        if (key == "window" && f.size() == 3) {
            const auto w = number<int>(f[1]);
            const auto h = number<int>(f[2]);
            ok = w && h && *w >= 64 && *h >= 64 && *w <= 32768 && *h <= 32768;
            if (ok) {
                settings.window_width = *w;
                settings.window_height = *h;
            }
        } else if ((key == "panels" || key == "overlay" || key == "colorbar" || key == "scalebar" ||
                    key == "pending" || key == "grid_linked") &&
                   f.size() == 2) {
            const auto on = flag(f[1]);
            ok = on.has_value();
            if (ok) {
                bool& target = key == "panels"     ? settings.show_panels
                               : key == "overlay"  ? settings.show_overlay
                               : key == "colorbar" ? settings.show_colorbar
                               : key == "scalebar" ? settings.show_scalebar
                               : key == "pending"  ? settings.show_pending
                                                   : settings.grid_linked;
                target = *on;
            }
        } else if (key == "recent" && f.size() == 2 && !f[1].empty()) {
            if (settings.recent.size() < Settings::kRecentFiles) {
                settings.recent.push_back(unescape(f[1]));
            }
        } else if (key == "display" && f.size() == 8 && !f[1].empty()) {
            const auto blend = core::parse_blend_mode(f[2]);
            const auto colour = flag(f[3]);
            const auto alpha = number<int>(f[4]);
            const auto srgb = flag(f[5]);
            const auto exposure = number<float>(f[6]);
            const auto offset = number<float>(f[7]);
            ok = blend && colour && alpha && srgb && exposure && offset && *alpha >= -1;
            if (ok && settings.displays.size() < Settings::kRememberedFiles) {
                RememberedDisplay& added = settings.displays.emplace_back();
                added.path = unescape(f[1]);
                added.display.blend = *blend;
                added.display.colour = *colour;
                added.display.alpha_channel = *alpha;
                added.display.srgb_input = *srgb;
                added.display.exposure = *exposure;
                added.display.offset = *offset;
                display = &added;
                display_valid = true;
            }
        } else if (!line.empty() && line[0] != '#') {
            // An unknown record (a later version's) is ignored without complaint; what is not
            // a record at all counts as damage.
            ok = key.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string_view::npos;
        }
        if (!ok) {
            ++settings.skipped_lines;
        }
    }
    close_display();
    return settings;
}

std::string format_settings(const Settings& settings) {
    std::string text = std::string(kHeader) + "\n";
    if (settings.window_width > 0 && settings.window_height > 0) {
        text += fmt::format("window\t{}\t{}\n", settings.window_width, settings.window_height);
    }
    text += fmt::format(
        "panels\t{:d}\noverlay\t{:d}\ncolorbar\t{:d}\nscalebar\t{:d}\npending\t{:d}\n"
        "grid_linked\t{:d}\n",
        settings.show_panels, settings.show_overlay, settings.show_colorbar, settings.show_scalebar,
        settings.show_pending, settings.grid_linked);
    for (const std::string& path : settings.recent) {
        text += "recent\t" + escape(path) + "\n";
    }
    for (const RememberedDisplay& remembered : settings.displays) {
        const core::DisplaySettings& d = remembered.display;
        text += fmt::format("display\t{}\t{}\t{:d}\t{}\t{:d}\t{}\t{}\n", escape(remembered.path),
                            core::to_string(d.blend), d.colour, d.alpha_channel, d.srgb_input,
                            d.exposure, d.offset);
        for (std::size_t c = 0; c < d.channels.size() && c < remembered.channel_names.size(); ++c) {
            const core::ChannelDisplay& channel = d.channels[c];
            text += fmt::format("channel\t{}\t{:d}\t{}\t{}\t{}\t{}\t{}\n",
                                escape(remembered.channel_names[c]), channel.visible,
                                core::colormap_name(channel.colormap), channel.lo, channel.hi,
                                channel.gamma, channel.opacity);
        }
    }
    return text;
}

core::Result<Settings> load_settings(const std::filesystem::path& path) {
    std::error_code error;
    if (!std::filesystem::exists(path, error)) {
        return Settings{};
    }
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    if (!file || !(text << file.rdbuf())) {
        return core::Error{fmt::format("{}: cannot read the settings", path.string())};
    }
    constexpr std::size_t kLargest = std::size_t{4} << 20;  // far above what we write
    const std::string all = text.str();
    return parse_settings(std::string_view(all).substr(0, kLargest));
}

core::Result<void> save_settings(const Settings& settings, const std::filesystem::path& path) {
    std::error_code error;
    std::filesystem::create_directories(path.parent_path(), error);
    const std::filesystem::path temporary = path.string() + ".tmp";
    {
        std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
        file << format_settings(settings);
        if (!file.flush()) {
            return core::Error{fmt::format("{}: cannot write the settings", path.string())};
        }
    }
    std::filesystem::rename(temporary, path, error);
    if (error) {
        return core::Error{
            fmt::format("{}: cannot write the settings: {}", path.string(), error.message())};
    }
    return {};
}

void remember_recent(Settings& settings, const std::string& path) {
    add_front(settings.recent, path, Settings::kRecentFiles);
}

void remember_display(Settings& settings, RememberedDisplay display) {
    std::erase_if(settings.displays,
                  [&](const RememberedDisplay& d) { return d.path == display.path; });
    settings.displays.insert(settings.displays.begin(), std::move(display));
    if (settings.displays.size() > Settings::kRememberedFiles) {
        settings.displays.resize(Settings::kRememberedFiles);
    }
}

const core::DisplaySettings* remembered_display(const Settings& settings, const std::string& path,
                                                const std::vector<core::ChannelInfo>& channels) {
    for (const RememberedDisplay& remembered : settings.displays) {
        if (remembered.path != path) {
            continue;
        }
        if (remembered.channel_names.size() != channels.size() ||
            remembered.display.channels.size() != channels.size()) {
            return nullptr;
        }
        for (std::size_t c = 0; c < channels.size(); ++c) {
            if (remembered.channel_names[c] != channels[c].name) {
                return nullptr;
            }
        }
        if (remembered.display.alpha_channel >= static_cast<int>(channels.size())) {
            return nullptr;
        }
        return &remembered.display;
    }
    return nullptr;
}

}  // namespace tessera::app
