#include "app/commands/CompareCommand.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "app/cli/Report.h"
#include "core/base/JsonWriter.h"
#include "core/base/Text.h"
#include "core/display/CpuCompositor.h"
#include "core/view/View.h"

namespace tessera::app {
namespace {

using core::DifferenceStatistics;

struct StatisticName {
    CompareStatistic statistic;
    std::string_view name;
};
constexpr std::array<StatisticName, 7> kStatistics = {{
    {CompareStatistic::MeanError, "mean"},
    {CompareStatistic::Mae, "mae"},
    {CompareStatistic::Mse, "mse"},
    {CompareStatistic::Rmse, "rmse"},
    {CompareStatistic::Max, "max"},
    {CompareStatistic::Rae, "rae"},
    {CompareStatistic::Rse, "rse"},
}};

// The statistic --fail-above compares; the mean error by its size (a bias either way).
double statistic_of(const DifferenceStatistics& s, CompareStatistic statistic) {
    switch (statistic) {
        case CompareStatistic::MeanError:
            return std::fabs(s.mean_error);
        case CompareStatistic::Mae:
            return s.mean_absolute_error;
        case CompareStatistic::Mse:
            return s.mean_squared_error;
        case CompareStatistic::Rmse:
            return s.rmse;
        case CompareStatistic::Max:
            return s.max_absolute_error;
        case CompareStatistic::Rae:
            return s.mean_relative_absolute_error;
        case CompareStatistic::Rse:
            return s.mean_relative_squared_error;
    }
    return 0;
}

core::Result<CompareThreshold> parse_threshold(std::string_view text) {
    const auto equals = text.find('=');
    const std::string_view name = text.substr(0, equals);
    const double limit = equals == std::string_view::npos
                             ? NAN
                             : parse_number(text.substr(equals + 1)).value_or(NAN);
    std::string names;
    for (const StatisticName& known : kStatistics) {
        names += (names.empty() ? "" : ", ") + std::string(known.name);
        if (known.name == name && std::isfinite(limit)) {
            return CompareThreshold{known.statistic, std::string(name), limit};
        }
    }
    return core::Error{fmt::format(
        "--fail-above expects METRIC=VALUE with METRIC one of {}, got '{}'", names, text)};
}

// Every channel pooled: what one number for the whole image says.
DifferenceStatistics pooled(const std::vector<DifferenceStatistics>& channels) {
    DifferenceStatistics all;
    all.channel = "all";
    double n = 0;
    for (const DifferenceStatistics& s : channels) {
        all.non_finite += s.non_finite;
        all.peak = std::max(all.peak, s.peak);
        if (s.pixels == 0) {
            continue;
        }
        const auto w = static_cast<double>(s.pixels);
        all.pixels += s.pixels;
        n += w;
        all.mean_error += s.mean_error * w;
        all.mean_absolute_error += s.mean_absolute_error * w;
        all.mean_squared_error += s.mean_squared_error * w;
        all.mean_relative_absolute_error += s.mean_relative_absolute_error * w;
        all.mean_relative_squared_error += s.mean_relative_squared_error * w;
        if (s.max_absolute_error > all.max_absolute_error || all.max_x < 0) {
            all.max_absolute_error = s.max_absolute_error;
            all.max_x = s.max_x;
            all.max_y = s.max_y;
        }
    }
    if (n == 0) {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        all.mean_error = all.mean_absolute_error = all.mean_squared_error = all.rmse = nan;
        all.mean_relative_absolute_error = all.mean_relative_squared_error = nan;
        all.max_absolute_error = all.psnr = nan;
        return all;
    }
    all.mean_error /= n;
    all.mean_absolute_error /= n;
    all.mean_squared_error /= n;
    all.mean_relative_absolute_error /= n;
    all.mean_relative_squared_error /= n;
    all.rmse = std::sqrt(all.mean_squared_error);
    all.psnr = all.mean_squared_error > 0
                   ? 10.0 * std::log10(all.peak * all.peak / all.mean_squared_error)
                   : std::numeric_limits<double>::infinity();
    return all;
}

void write_statistics(core::JsonWriter& json, const DifferenceStatistics& s) {
    json.begin_object();
    json.key("channel").value(core::valid_utf8(s.channel));
    json.key("pixels").value(s.pixels);
    json.key("non_finite").value(s.non_finite);
    json.key("mean_error").value(s.mean_error);
    json.key("mae").value(s.mean_absolute_error);
    json.key("mse").value(s.mean_squared_error);
    json.key("rmse").value(s.rmse);
    json.key("rae").value(s.mean_relative_absolute_error);
    json.key("rse").value(s.mean_relative_squared_error);
    json.key("psnr").value(s.psnr);
    json.key("peak").value(s.peak);
    json.key("max").value(s.max_absolute_error);
    json.key("max_at").begin_array().value(s.max_x).value(s.max_y).end_array();
    json.end_object();
}

std::string row(const DifferenceStatistics& s) {
    const std::string at = s.max_x >= 0 ? fmt::format("({}, {})", s.max_x, s.max_y) : "-";
    return fmt::format("{:<10} {:>12} {:>12.6g} {:>12.6g} {:>12.6g} {:>9.2f} {:>12.6g}  {}",
                       core::terminal_safe(s.channel), s.pixels, s.mean_error,
                       s.mean_absolute_error, s.rmse, s.psnr, s.max_absolute_error, at);
}

struct Opened {
    core::CompareInput input;
    std::string label;
};

core::Result<Opened> open_input(const CompareInputRequest& request, const core::LoadOptions& load) {
    auto images = core::load_images(request.file, load);
    if (!images) {
        return images.error();
    }
    auto part = select_part(*images, request.part, request.file);
    if (!part) {
        return part.error();
    }
    std::shared_ptr<const core::ImageSource> source = (*images)[*part].source;
    auto position = resolve_plane(*source, request.plane);
    if (!position) {
        return core::Error{fmt::format("{}: {}", request.file, position.error().message)};
    }
    return Opened{{std::move(source), std::move(position).value()}, request.file};
}

core::Result<void> write_difference(const core::CompareInput& a, const core::CompareInput& b,
                                    const std::vector<core::ChannelPair>& pairs,
                                    core::ErrorMetric metric, const std::string& path) {
    auto difference = core::DifferenceImage::create(a, b, pairs, metric);
    if (!difference) {
        return difference.error();
    }
    const core::ImageSource& image = **difference;
    auto statistics = core::compute_statistics(
        image, core::statistics_options_for(image.width(), image.height()));
    if (!statistics) {
        return statistics.error();
    }
    const core::DisplaySettings settings =
        core::difference_display(image.channels(), *statistics, metric);
    const auto width = static_cast<int>(image.width());
    const auto height = static_cast<int>(image.height());
    core::View view = core::View::fit(image.width(), image.height(), width, height);
    view.sampling = core::Sampling::Nearest;
    auto pixels = core::composite_cpu(image, settings, view, {});
    if (!pixels) {
        return pixels.error();
    }
    return core::write_png(*pixels, path);
}

}  // namespace

std::string compare_usage() {
    return "usage: tessera compare A B [--channels C,...] [--json] [--fail-above METRIC=VALUE]...\n"
           "                       [-o DIFF.png [--error E|AE|SE|RAE|RSE]]\n"
           "       A, B: FILE [--part NAME|INDEX] [--plane AXIS=I,...]";
}

std::string compare_help() {
    return "Compares image A with the reference B, channel by channel (channels paired by name,\n"
           "or by position when no name is shared), and prints per channel and for all pooled:\n"
           "the mean error (A - B), mean absolute error, RMSE, PSNR in dB (peak 1 for floating\n"
           "point, the type's largest value for integers) and the largest absolute error with\n"
           "the first pixel that has it. Pixels where either value is NaN or infinite are\n"
           "counted and left out.\n"
           "\n"
           "  --channels C,...         compare only these channels of A\n"
           "  --json                   print the statistics as JSON\n"
           "  --fail-above M=V         exit 1 when statistic M of any channel is above V;\n"
           "                           M: mean (|mean error|), mae, mse, rmse, max, rae, rse\n"
           "                           (mean relative absolute and squared errors). Repeatable\n"
           "  -o, --output DIFF.png    write the difference as an image (coolwarm around 0 for\n"
           "                           E, inferno from 0 otherwise; colour images in colour)\n"
           "  --error METRIC           what -o writes: E (A - B), AE |A - B| (default), SE\n"
           "                           (A - B)^2, RAE |A - B| / (|B| + 0.01), RSE\n"
           "                           (A - B)^2 / (B^2 + 0.01)\n"
           "  --part, --plane          after a file: its part, or the plane of a stack\n"
           "  --channel-axis AXIS, --axes AXES   how NumPy inputs are read (as for render)\n"
           "\n"
           "Exit status: 0 within every threshold, 1 a threshold exceeded, 2 a bad request,\n"
           "3 the images could not be compared (unreadable, different sizes, no common channel).\n";
}

core::Result<CompareRequest> parse_compare_arguments(std::span<const std::string_view> arguments) {
    CompareRequest request;
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string_view argument = arguments[i];
        const auto needs = [&](auto&& use) {
            return with_option_value(arguments, i, use);
        };
        core::Result<void> ok;
        auto load = load_option(arguments, i, request.load);
        if (!load) {
            return load.error();
        }
        if (*load) {
            continue;
        }
        if (argument == "-o" || argument == "--output") {
            ok = text_option(arguments, i, request.output);
        } else if (argument == "--json") {
            request.json = true;
        } else if (argument == "--channels") {
            ok = needs([&](std::string_view v) -> core::Result<void> {
                std::vector<std::string> names;
                for (const std::string_view name : split(v, ',')) {
                    if (!name.empty()) {
                        names.emplace_back(name);
                    }
                }
                if (names.empty()) {
                    return core::Error{"--channels needs at least one channel name"};
                }
                request.channels = std::move(names);
                return {};
            });
        } else if (argument == "--fail-above") {
            ok = needs([&](std::string_view v) -> core::Result<void> {
                auto threshold = parse_threshold(v);
                if (!threshold) {
                    return threshold.error();
                }
                request.thresholds.push_back(std::move(threshold).value());
                return {};
            });
        } else if (argument == "--error") {
            ok = needs([&](std::string_view v) -> core::Result<void> {
                const auto metric = core::parse_error_metric(v);
                if (!metric) {
                    return core::Error{fmt::format(
                        "--error expects E, AE, SE, RAE or RSE (or their long names), got '{}'",
                        v)};
                }
                request.metric = *metric;
                return {};
            });
        } else if (argument == "--part" || argument == "--plane") {
            if (request.inputs.empty()) {
                return core::Error{fmt::format("{} must follow the file it applies to", argument)};
            }
            CompareInputRequest& input = request.inputs.back();
            if (argument == "--part") {
                ok = text_option(arguments, i, input.part);
            } else {
                ok = needs([&](std::string_view v) -> core::Result<void> {
                    auto plane = parse_plane(v);
                    if (!plane) {
                        return plane.error();
                    }
                    input.plane = std::move(plane).value();
                    return {};
                });
            }
        } else if (argument.starts_with("-") && argument.size() > 1) {
            return core::Error{fmt::format("compare: unknown option '{}'", argument)};
        } else if (request.inputs.size() < 2) {
            request.inputs.push_back({std::string(argument), std::nullopt, {}});
        } else {
            return core::Error{
                fmt::format("compare takes two files, A and the reference B; "
                            "'{}' is a third",
                            argument)};
        }
        if (!ok) {
            return ok.error();
        }
    }
    if (request.inputs.size() != 2) {
        return core::Error{"compare needs two files: the image A and the reference B"};
    }
    return request;
}

int run_compare(const CompareRequest& request, std::FILE* out, std::FILE* err) {
    const auto fail = [&](const std::string& message) {
        report_error(err, message);
        return kCompareFailed;
    };
    auto a = open_input(request.inputs[0], request.load);
    if (!a) {
        return fail(a.error().message);
    }
    auto b = open_input(request.inputs[1], request.load);
    if (!b) {
        return fail(b.error().message);
    }
    const core::ImageSource& sa = *a->input.source;
    const core::ImageSource& sb = *b->input.source;
    const std::string files = fmt::format("{} and {}", a->label, b->label);
    if (sa.width() != sb.width() || sa.height() != sb.height()) {
        return fail(fmt::format("{}: the images differ in size: {}x{} and {}x{}", files, sa.width(),
                                sa.height(), sb.width(), sb.height()));
    }
    core::ChannelMatch match = core::match_channels(sa.channels(), sb.channels());
    if (request.channels) {
        std::vector<core::ChannelPair> chosen;
        for (const std::string& name : *request.channels) {
            const auto pair =
                std::find_if(match.pairs.begin(), match.pairs.end(),
                             [&](const core::ChannelPair& p) { return p.name == name; });
            if (pair == match.pairs.end()) {
                std::string names;
                for (const core::ChannelPair& p : match.pairs) {
                    names += (names.empty() ? "" : ", ") + p.name;
                }
                return fail(
                    fmt::format("{}: no channel '{}' in both; the channels compared are: "
                                "{}",
                                files, name, names.empty() ? "none" : names));
            }
            chosen.push_back(*pair);
        }
        match.pairs = std::move(chosen);
    }
    if (match.pairs.empty()) {
        return fail(fmt::format("{}: no channel in common to compare", files));
    }
    auto statistics = core::difference_statistics(a->input, b->input, match.pairs);
    if (!statistics) {
        return fail(fmt::format("{}: {}", files, statistics.error().message));
    }
    const DifferenceStatistics all = pooled(*statistics);

    std::vector<std::string> exceeded;
    for (const CompareThreshold& threshold : request.thresholds) {
        for (const DifferenceStatistics& s : *statistics) {
            const double value = statistic_of(s, threshold.statistic);
            if (value > threshold.limit) {
                exceeded.push_back(fmt::format("{} {} {:.6g} > {:.6g}",
                                               core::terminal_safe(s.channel), threshold.name,
                                               value, threshold.limit));
            }
        }
    }
    if (request.output) {
        if (auto written =
                write_difference(a->input, b->input, match.pairs, request.metric, *request.output);
            !written) {
            return fail(fmt::format("{}: {}", files, written.error().message));
        }
    }
    if (request.json) {
        core::JsonWriter json;
        json.begin_object();
        json.key("a").value(core::valid_utf8(a->label));
        json.key("reference").value(core::valid_utf8(b->label));
        json.key("width").value(sa.width());
        json.key("height").value(sa.height());
        json.key("channels").begin_array();
        for (const DifferenceStatistics& s : *statistics) {
            write_statistics(json, s);
        }
        json.end_array();
        json.key("all");
        write_statistics(json, all);
        json.key("only_in_a").begin_array();
        for (const std::string& name : match.only_a) {
            json.value(core::valid_utf8(name));
        }
        json.end_array();
        json.key("only_in_reference").begin_array();
        for (const std::string& name : match.only_b) {
            json.value(core::valid_utf8(name));
        }
        json.end_array();
        json.key("exceeded").begin_array();
        for (const std::string& text : exceeded) {
            json.value(core::valid_utf8(text));
        }
        json.end_array();
        if (request.output) {
            json.key("difference").value(core::valid_utf8(*request.output));
            json.key("difference_metric").value(core::short_name(request.metric));
        }
        json.end_object();
        std::fprintf(out, "%s\n", json.text().c_str());
    } else {
        fmt::print(out, "{} against the reference {}: {}x{}\n", core::terminal_safe(a->label),
                   core::terminal_safe(b->label), sa.width(), sa.height());
        fmt::print(out, "{:<10} {:>12} {:>12} {:>12} {:>12} {:>9} {:>12}  {}\n", "channel",
                   "pixels", "mean error", "MAE", "RMSE", "PSNR dB", "max |error|", "at (x, y)");
        for (const DifferenceStatistics& s : *statistics) {
            fmt::print(out, "{}\n", row(s));
        }
        if (statistics->size() > 1) {
            fmt::print(out, "{}\n", row(all));
        }
        if (all.non_finite > 0) {
            fmt::print(out, "{} samples left out: NaN or infinite in either image\n",
                       all.non_finite);
        }
        for (const auto& [names, which] :
             {std::pair{&match.only_a, "A"}, std::pair{&match.only_b, "the reference"}}) {
            if (!names->empty()) {
                std::string list;
                for (const std::string& name : *names) {
                    list += (list.empty() ? "" : ", ") + core::terminal_safe(name);
                }
                fmt::print(out, "not compared (only in {}): {}\n", which, list);
            }
        }
        if (request.output) {
            fmt::print(out, "{} written ({})\n", core::terminal_safe(*request.output),
                       core::long_name(request.metric));
        }
    }
    if (!exceeded.empty()) {
        for (const std::string& text : exceeded) {
            report_error(err, fmt::format("{}: above the threshold: {}", files, text));
        }
        return kCompareExceeded;
    }
    return 0;
}

}  // namespace tessera::app
