#include "app/commands/InfoCommand.h"

#include <fmt/format.h>

#include "app/cli/Report.h"

#include "core/base/JsonWriter.h"
#include "core/base/Text.h"
#include "core/base/Version.h"
#include "core/dataset/Dataset.h"

namespace tessera::app {
namespace {

using Opened = core::Dataset;

struct FileReport {
    std::string path;
    std::vector<Opened> images;
    std::string error;  // empty on success
};

FileReport open_file(const std::string& path, const core::LoadOptions& options) {
    FileReport report{path, {}, {}};
    auto datasets = core::open_datasets(path, {options, core::StatisticsDetail::Exact});
    if (!datasets) {
        report.error = datasets.error().message;
    } else {
        report.images = std::move(datasets).value();
    }
    return report;
}

void write_window(core::JsonWriter& json, const core::Box2i& box) {
    json.begin_array()
        .value(box.min_x)
        .value(box.min_y)
        .value(box.max_x)
        .value(box.max_y)
        .end_array();
}

void write_json_image(core::JsonWriter& json, const Opened& opened) {
    const core::Image& image = opened.image;
    const core::ImageMetadata& meta = image.metadata;
    const auto& channels = image.source->channels();
    json.begin_object();
    json.key("name").value(image.display_name());
    json.key("format").value(meta.format);
    json.key("part_index").value(meta.part_index);
    json.key("part_count").value(meta.part_count);
    json.key("part_name").value(meta.part_name);
    json.key("width").value(image.source->width());
    json.key("height").value(image.source->height());
    json.key("transfer").value(core::to_string(meta.transfer));
    json.key("compression").value(meta.compression);
    json.key("storage").value(meta.storage);
    json.key("array_axes").value(meta.axes);
    json.key("axes").begin_array();
    for (const core::Axis& axis : image.source->axes()) {
        json.begin_object().key("name").value(axis.name).key("extent").value(axis.extent);
        json.end_object();
    }
    json.end_array();
    json.key("pixel_size").begin_object();
    json.key("x").value(meta.pixel_size.x).key("y").value(meta.pixel_size.y);
    json.key("z").value(meta.pixel_size.z).key("unit").value(meta.pixel_size.unit);
    json.end_object();
    json.key("properties").begin_object();
    for (const auto& [key, value] : meta.properties) {
        json.key(key).value(value);
    }
    json.end_object();
    json.key("data_window");
    write_window(json, meta.data_window);
    json.key("display_window");
    write_window(json, meta.display_window);
    json.key("layers").begin_array();
    for (const core::Layer& layer : core::layers_of(channels)) {
        json.begin_object().key("name").value(layer.name).key("channels").begin_array();
        for (std::size_t c : layer.channels) {
            json.value(channels[c].name);
        }
        json.end_array().end_object();
    }
    json.end_array();
    json.key("channels").begin_array();
    for (std::size_t c = 0; c < channels.size(); ++c) {
        const core::ChannelStatistics& s = opened.statistics[c];
        json.begin_object();
        json.key("name").value(channels[c].name);
        json.key("type").value(core::to_string(channels[c].type));
        if (const auto& colour = channels[c].colour) {
            json.key("colour").value(
                fmt::format("#{:02x}{:02x}{:02x}", (*colour)[0], (*colour)[1], (*colour)[2]));
        }
        json.key("statistics").begin_object();
        json.key("exact").value(s.exact);
        json.key("samples").value(s.samples);
        json.key("finite").value(s.finite);
        json.key("nan").value(s.nan);
        json.key("pos_inf").value(s.pos_inf);
        json.key("neg_inf").value(s.neg_inf);
        json.key("min").value(s.min);
        json.key("max").value(s.max);
        json.key("mean").value(s.mean);
        json.key("stddev").value(s.stddev);
        json.key("p0_1").value(s.p0_1);
        json.key("p1").value(s.p1);
        json.key("p50").value(s.p50);
        json.key("p99").value(s.p99);
        json.key("p99_9").value(s.p99_9);
        json.end_object();
        json.end_object();
    }
    json.end_array();
    json.end_object();
}

std::string text_window(const core::Box2i& box) {
    return fmt::format("({},{})-({},{})", box.min_x, box.min_y, box.max_x, box.max_y);
}

void print_text_image(std::FILE* out, const Opened& opened) {
    const core::Image& image = opened.image;
    const core::ImageMetadata& meta = image.metadata;
    const auto& channels = image.source->channels();
    std::string details = fmt::format("{}", core::to_string(meta.transfer));
    for (const std::string& extra : {meta.compression, meta.storage}) {
        if (!extra.empty()) {
            details += ", " + extra;
        }
    }
    using core::terminal_safe;  // names and descriptions come from the file
    fmt::print(out, "{}: {}, {} x {}, {} channel{} ({})\n", terminal_safe(image.display_name()),
               meta.format, image.source->width(), image.source->height(), channels.size(),
               channels.size() == 1 ? "" : "s", terminal_safe(details));
    if (meta.part_count > 1) {
        fmt::print(out, "  part {} of {}: \"{}\"\n", meta.part_index + 1, meta.part_count,
                   terminal_safe(meta.part_name));
    }
    fmt::print(out, "  data window {}, display window {}\n", text_window(meta.data_window),
               text_window(meta.display_window));
    for (const auto& [key, value] : meta.properties) {
        fmt::print(out, "  {}: {}\n", terminal_safe(key), terminal_safe(value));
    }
    if (!image.source->axes().empty()) {
        std::string axes;
        for (const core::Axis& axis : image.source->axes()) {
            axes += fmt::format("{}{} {}", axes.empty() ? "" : ", ", axis.name, axis.extent);
        }
        fmt::print(out, "  stack: {} ({} planes per channel; statistics of {})\n", axes,
                   image.source->planes_per_channel(),
                   opened.statistics.empty() || opened.statistics.front().planes == 1
                       ? "the first plane"
                       : fmt::format("{} planes", opened.statistics.front().planes));
    }
    const auto layers = core::layers_of(channels);
    if (layers.size() > 1 || !layers.front().name.empty()) {
        std::string names;
        for (const core::Layer& layer : layers) {
            names += fmt::format("{}{} ({})", names.empty() ? "" : ", ",
                                 layer.name.empty() ? "(root)" : terminal_safe(layer.name),
                                 layer.channels.size());
        }
        fmt::print(out, "  layers: {}\n", names);
    }
    std::size_t width = 7;
    std::vector<std::string> names;
    for (const auto& channel : channels) {
        names.push_back(terminal_safe(channel.name));
        width = std::max(width, names.back().size());
    }
    fmt::print(out, "  {:<{}} {:>4} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12} {:>6} {:>5} {:>5}\n",
               "channel", width, "type", "min", "max", "mean", "stddev", "p0.1", "p99.9", "NaN",
               "+Inf", "-Inf");
    for (std::size_t c = 0; c < channels.size(); ++c) {
        const core::ChannelStatistics& s = opened.statistics[c];
        fmt::print(out,
                   "  {:<{}} {:>4} {:>12.6g} {:>12.6g} {:>12.6g} {:>12.6g} {:>12.6g} {:>12.6g} "
                   "{:>6} {:>5} {:>5}\n",
                   names[c], width, core::to_string(channels[c].type), s.min, s.max, s.mean,
                   s.stddev, s.p0_1, s.p99_9, s.nan, s.pos_inf, s.neg_inf);
    }
}

}  // namespace

int run_info(const Options& options, std::FILE* out, std::FILE* err) {
    const core::LoadOptions load = options.load;
    std::vector<FileReport> reports;
    bool all_ok = true;
    for (const std::string& path : options.files) {
        reports.push_back(open_file(path, load));
        all_ok = all_ok && reports.back().error.empty();
    }
    if (options.json) {
        core::JsonWriter json;
        json.begin_object();
        json.key("tessera_version").value(core::kVersion);
        json.key("files").begin_array();
        for (const FileReport& report : reports) {
            json.begin_object();
            json.key("path").value(report.path);
            json.key("ok").value(report.error.empty());
            if (report.error.empty()) {
                json.key("images").begin_array();
                for (const Opened& opened : report.images) {
                    write_json_image(json, opened);
                }
                json.end_array();
            } else {
                json.key("error").value(report.error);
            }
            json.end_object();
        }
        json.end_array();
        json.end_object();
        fmt::print(out, "{}\n", json.text());
    } else {
        for (const FileReport& report : reports) {
            if (!report.error.empty()) {
                report_error(err, report.error);
                continue;
            }
            for (const Opened& opened : report.images) {
                print_text_image(out, opened);
            }
        }
    }
    return all_ok ? 0 : 1;
}

}  // namespace tessera::app
