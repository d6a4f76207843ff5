#include "app/commands/DeriveCommand.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "app/cli/Report.h"
#include "core/base/JsonWriter.h"

namespace tessera::app {
namespace {

using core::derive::BlockImage;
using core::derive::BlockOp;
using core::derive::BlockSpec;
using core::derive::DerivedImage;
using core::derive::Footprint;
using core::derive::ProjectionImage;

// Axis names in any case, as --plane takes them.
bool same_letters(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

core::Result<std::pair<std::int64_t, std::int64_t>> parse_block_size(std::string_view option,
                                                                     std::string_view text) {
    const auto parts = split(text, 'x');
    const auto w = parts.size() == 2 ? parse_int(parts[0]) : parse_int(text);
    const auto h = parts.size() == 2 ? parse_int(parts[1]) : parse_int(text);
    if (!w || !h || *w < 1 || *h < 1 || *w > 65536 || *h > 65536) {
        return core::Error{fmt::format(
            "{} expects WIDTHxHEIGHT or N in pixels (e.g. 10x10), got '{}'", option, text)};
    }
    return std::pair<std::int64_t, std::int64_t>{*w, *h};
}

std::string_view npy_descr(core::SampleType type) {
    switch (type) {
        case core::SampleType::U8:
            return "|u1";
        case core::SampleType::U16:
            return "<u2";
        case core::SampleType::U32:
            return "<u4";
        case core::SampleType::F16:
            return "<f2";
        case core::SampleType::F32:
            return "<f4";
    }
    return "?";
}

// Every plane of every channel, as one array: (axes..., C if more than one, H, W). Channels of
// different types cannot share an array; derived images never have them.
core::Result<void> write_npy(const core::ImageSource& image, const std::string& path) {
    std::string shape;
    for (const core::Axis& axis : image.axes()) {
        shape += fmt::format("{}, ", axis.extent);
    }
    if (image.channel_count() > 1) {
        shape += fmt::format("{}, ", image.channel_count());
    }
    shape += fmt::format("{}, {}", image.height(), image.width());
    const core::SampleType type = image.channels().front().type;
    std::string header = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}",
                                     npy_descr(type), shape);
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file) {
        return core::Error{fmt::format("{}: cannot write: {}", path, std::strerror(errno))};
    }
    const auto length = static_cast<std::uint16_t>(header.size());
    const char magic[] = {'\x93',
                          'N',
                          'U',
                          'M',
                          'P',
                          'Y',
                          1,
                          0,
                          static_cast<char>(length & 0xff),
                          static_cast<char>(length >> 8)};
    file.write(magic, sizeof magic);
    file.write(header.data(), static_cast<std::streamsize>(header.size()));
    // Written in bands of rows through one buffer of a few MB, not a copy of the whole output.
    const std::size_t row_bytes = image.region_bytes(0, {0, 0, image.width(), 1});
    const std::int64_t band_rows = std::clamp<std::int64_t>(
        static_cast<std::int64_t>((8u << 20) / row_bytes), 1, image.height());
    std::vector<std::byte> band(row_bytes * static_cast<std::size_t>(band_rows));
    for (std::int64_t p = 0; p < image.planes_per_channel(); ++p) {
        core::Plane at{0, core::position_of(image.axes(), p)};
        for (std::size_t c = 0; c < image.channel_count(); ++c) {
            at.channel = c;
            for (std::int64_t y = 0; y < image.height(); y += band_rows) {
                const core::Rect rows{0, y, image.width(), std::min(band_rows, image.height() - y)};
                const std::span<std::byte> bytes =
                    std::span(band).first(row_bytes * static_cast<std::size_t>(rows.height));
                if (auto read = image.read_region(at, rows, bytes); !read) {
                    return read;
                }
                file.write(reinterpret_cast<const char*>(bytes.data()),
                           static_cast<std::streamsize>(bytes.size()));
            }
        }
    }
    file.close();
    if (!file) {
        return core::Error{fmt::format("{}: cannot write: {}", path, std::strerror(errno))};
    }
    return {};
}

struct Summary {
    double mean = 0;
    double min = 0;
    double max = 0;
    std::uint64_t nan = 0;
    std::uint64_t values = 0;
};

Summary summarise(const core::ImageSource& image) {
    Summary s;
    double sum = 0;
    std::uint64_t finite = 0;
    s.min = INFINITY;
    s.max = -INFINITY;
    std::vector<std::byte> bytes;
    std::vector<float> values;
    for (std::size_t c = 0; c < image.channel_count(); ++c) {
        for (std::int64_t p = 0; p < image.planes_per_channel(); ++p) {
            const core::Plane at{c, core::position_of(image.axes(), p)};
            bytes.resize(image.region_bytes(c, image.bounds()));
            if (!image.read_region(at, image.bounds(), bytes)) {
                continue;
            }
            values.resize(static_cast<std::size_t>(image.bounds().area()));
            core::samples_as_floats(bytes.data(), image.channels()[c].type, values.size(),
                                    values.data());
            for (const float v : values) {
                ++s.values;
                if (std::isnan(v)) {
                    ++s.nan;
                } else if (std::isfinite(v)) {
                    sum += v;
                    ++finite;
                    s.min = std::min<double>(s.min, v);
                    s.max = std::max<double>(s.max, v);
                }
            }
        }
    }
    s.mean = finite > 0 ? sum / static_cast<double>(finite) : NAN;
    if (finite == 0) {
        s.min = s.max = NAN;
    }
    return s;
}

// The channel an input names (by name or index), or the first.
core::Result<std::size_t> select_channel(const core::ImageSource& source,
                                         const DeriveInputRequest& input) {
    if (!input.channel) {
        return std::size_t{0};
    }
    for (std::size_t c = 0; c < source.channel_count(); ++c) {
        if (source.channels()[c].name == *input.channel) {
            return c;
        }
    }
    if (const auto index = parse_int(*input.channel);
        index && *index >= 0 && static_cast<std::size_t>(*index) < source.channel_count()) {
        return static_cast<std::size_t>(*index);
    }
    std::string names;
    for (const core::ChannelInfo& channel : source.channels()) {
        names += (names.empty() ? "" : ", ") + channel.name;
    }
    return core::Error{fmt::format("{}: no channel '{}'; the channels are: {}", input.file,
                                   *input.channel, names)};
}

}  // namespace

std::string derive_usage() {
    return "usage: tessera derive OP INPUT [INPUT] (--block WxH | --window WxH | --along AXIS)\n"
           "                      -o OUT.npy [--threshold A,B] [--json]\n"
           "       INPUT: FILE [--channel NAME|INDEX] [--plane AXIS=I,...] [--part NAME|INDEX]";
}

std::string derive_help() {
    return "Computes a derived image on every core and writes it as a .npy file (float32 for\n"
           "statistics; projections keep the type for max and min).\n"
           "\n"
           "Per block (--block: non-overlapping, partial blocks at the right and bottom edges\n"
           "use the pixels they have) or sliding window centred on each pixel (--window: the\n"
           "input's size, windows clipped at the edges):\n"
           "  mean, std, min, max      of one input (std: population, divided by n)\n"
           "  pearson                  Pearson's r of two inputs (NaN where either is constant)\n"
           "  m1, m2                   Manders' coefficients of two inputs above --threshold A,B\n"
           "Along an axis of a stack (--along Z): max, min, mean, sum, std of every channel.\n"
           "NaN samples are left out. Options after an input apply to that input:\n"
           "  --channel NAME|INDEX     the channel (default: the first)\n"
           "  --plane AXIS=I,...       the plane of a stack, e.g. z=12,t=3\n"
           "  --part NAME|INDEX        the part of a multi-part file\n"
           "Other options:\n"
           "  -o, --output OUT.npy     where to write the result\n"
           "  --threshold A,B          Manders' thresholds of the inputs (default 0,0)\n"
           "  --json                   print a summary as JSON (mean, NaN count, timings)\n"
           "  --channel-axis AXIS, --axes AXES   how NumPy inputs are read (as for render)\n";
}

core::Result<DeriveRequest> parse_derive_arguments(std::span<const std::string_view> arguments) {
    DeriveRequest request;
    std::optional<Footprint> footprint;
    std::pair<std::int64_t, std::int64_t> size{0, 0};
    double thresholds[2] = {0, 0};
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        const std::string_view argument = arguments[i];
        const auto needs = [&](auto&& use) {
            return with_option_value(arguments, i, use);
        };
        const auto for_input = [&](std::string_view option) -> core::Result<void> {
            if (request.inputs.empty()) {
                return core::Error{fmt::format("{} must follow the input it applies to", option)};
            }
            return {};
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
        } else if (argument == "--block" || argument == "--window") {
            footprint = argument == "--block" ? Footprint::Blocks : Footprint::Window;
            ok = needs([&](std::string_view v) -> core::Result<void> {
                auto parsed = parse_block_size(argument, v);
                if (!parsed) {
                    return parsed.error();
                }
                size = *parsed;
                return {};
            });
        } else if (argument == "--along") {
            ok = text_option(arguments, i, request.along);
        } else if (argument == "--threshold") {
            ok = needs([&](std::string_view v) -> core::Result<void> {
                const auto parts = split(v, ',');
                const auto a = parts.size() == 2 ? parse_number(parts[0]) : std::nullopt;
                const auto b = parts.size() == 2 ? parse_number(parts[1]) : std::nullopt;
                if (!a || !b) {
                    return core::Error{fmt::format("--threshold expects A,B, got '{}'", v)};
                }
                thresholds[0] = *a;
                thresholds[1] = *b;
                return {};
            });
        } else if (argument == "--channel") {
            ok = for_input(argument);
            if (ok) {
                ok = text_option(arguments, i, request.inputs.back().channel);
            }
        } else if (argument == "--part") {
            ok = for_input(argument);
            if (ok) {
                ok = text_option(arguments, i, request.inputs.back().part);
            }
        } else if (argument == "--plane") {
            ok = for_input(argument);
            if (ok) {
                ok = needs([&](std::string_view v) -> core::Result<void> {
                    auto plane = parse_plane(v);
                    if (!plane) {
                        return plane.error();
                    }
                    request.inputs.back().plane = std::move(plane).value();
                    return {};
                });
            }
        } else if (argument.starts_with("-") && argument.size() > 1) {
            return core::Error{fmt::format("unknown option '{}'", argument)};
        } else if (request.op.empty()) {
            request.op = std::string(argument);
        } else {
            request.inputs.push_back({std::string(argument)});
        }
        if (!ok) {
            return ok.error();
        }
    }
    if (request.op.empty()) {
        return core::Error{"derive needs an operation and its inputs"};
    }
    if (request.output.empty()) {
        return core::Error{"derive needs -o OUT.npy"};
    }
    if (request.along && footprint) {
        return core::Error{"--along is a projection; it takes no --block or --window"};
    }
    if (request.along) {
        request.projection = core::derive::parse_projection_op(request.op);
        if (!request.projection) {
            return core::Error{fmt::format(
                "'{}' is not a projection; projections are max, min, mean, sum, std", request.op)};
        }
        if (request.inputs.size() != 1) {
            return core::Error{"a projection takes one input"};
        }
        const DeriveInputRequest& input = request.inputs.front();
        if (input.channel || !input.plane.empty()) {
            return core::Error{"a projection takes every channel and plane of its input"};
        }
        return request;
    }
    const auto op = core::derive::parse_block_op(request.op);
    if (!op) {
        return core::Error{
            fmt::format("unknown operation '{}'; per block or window: mean, std, "
                        "min, max, pearson, m1, m2",
                        request.op)};
    }
    if (!footprint) {
        return core::Error{fmt::format("{} needs --block WxH or --window WxH", request.op)};
    }
    const auto needed = static_cast<std::size_t>(core::derive::input_count(*op));
    if (request.inputs.size() != needed) {
        return core::Error{fmt::format("{} takes {} input{}, got {}", request.op, needed,
                                       needed == 1 ? "" : "s", request.inputs.size())};
    }
    request.block =
        BlockSpec{*op, *footprint, size.first, size.second, thresholds[0], thresholds[1]};
    return request;
}

int run_derive(const DeriveRequest& request, std::FILE* out, std::FILE* err) {
    const auto fail = [&](const std::string& message) {
        report_error(err, message);
        return 1;
    };
    const auto start = std::chrono::steady_clock::now();
    std::vector<core::derive::DeriveInput> inputs;
    std::vector<std::string> labels;
    for (const DeriveInputRequest& input : request.inputs) {
        auto images = core::load_images(input.file, request.load);
        if (!images) {
            return fail(images.error().message);
        }
        auto part = select_part(*images, input.part, input.file);
        if (!part) {
            return fail(part.error().message);
        }
        std::shared_ptr<const core::ImageSource> source = (*images)[*part].source;
        auto channel = select_channel(*source, input);
        if (!channel) {
            return fail(channel.error().message);
        }
        auto position = resolve_plane(*source, input.plane);
        if (!position) {
            return fail(fmt::format("{}: {}", input.file, position.error().message));
        }
        labels.push_back(fmt::format("{} ({})", input.file, source->channels()[*channel].name));
        inputs.push_back({std::move(source), {*channel, std::move(position).value()}});
    }
    // Errors of the computation name the files it reads.
    std::string files;
    for (const DeriveInputRequest& input : request.inputs) {
        files += (files.empty() ? "" : " and ") + input.file;
    }
    std::shared_ptr<DerivedImage> derived;
    if (request.projection) {
        const core::ImageSource& source = *inputs.front().source;
        std::optional<std::size_t> axis;
        std::string names;
        for (std::size_t i = 0; i < source.axes().size(); ++i) {
            if (!axis && same_letters(source.axes()[i].name, *request.along)) {
                axis = i;
            }
            names += (names.empty() ? "" : ", ") + source.axes()[i].name;
        }
        if (!axis) {
            return fail(fmt::format("{}: no axis '{}' to project along; its axes: {}",
                                    request.inputs.front().file, *request.along,
                                    names.empty() ? "none (a 2-D image)" : names));
        }
        auto projection =
            ProjectionImage::create(inputs.front().source, *axis, *request.projection);
        if (!projection) {
            return fail(fmt::format("{}: {}", files, projection.error().message));
        }
        derived = std::move(projection).value();
    } else {
        auto block = BlockImage::create(*request.block, std::move(inputs));
        if (!block) {
            return fail(fmt::format("{}: {}", files, block.error().message));
        }
        derived = std::move(block).value();
    }
    const double opened = seconds_since(start);
    const auto compute_start = std::chrono::steady_clock::now();
    if (auto updated = derived->update(); !updated) {
        return fail(fmt::format("{}: {}", files, updated.error().message));
    }
    const double computed = seconds_since(compute_start);
    const double in_process = seconds_since(start);
    if (auto written = write_npy(*derived, request.output); !written) {
        return fail(written.error().message);
    }
    const double total = seconds_since(start);
    const Summary summary = summarise(*derived);
    std::string what =
        request.projection
            ? fmt::format("{} along {}", request.op, *request.along)
            : fmt::format("{} of {}x{} {}", request.op, request.block->width, request.block->height,
                          request.block->footprint == Footprint::Blocks ? "blocks" : "windows");
    if (request.json) {
        core::JsonWriter json;
        json.begin_object();
        json.key("output").value(request.output);
        json.key("operation").value(what);
        json.key("inputs").begin_array();
        for (const std::string& label : labels) {
            json.value(label);
        }
        json.end_array();
        json.key("width").value(derived->width());
        json.key("height").value(derived->height());
        json.key("planes").value(derived->planes_per_channel() *
                                 static_cast<std::int64_t>(derived->channel_count()));
        json.key("mean").value(summary.mean);
        json.key("min").value(summary.min);
        json.key("max").value(summary.max);
        json.key("nan_count").value(summary.nan);
        json.key("seconds_open").value(opened);
        json.key("seconds_compute").value(computed);
        json.key("seconds_in_process").value(in_process);
        json.key("seconds_total").value(total);
        json.end_object();
        std::fprintf(out, "%s\n", json.text().c_str());
    } else {
        std::fprintf(out,
                     "%s: %s, %lldx%lld, mean %.6g, %llu NaN of %llu; computed in %.3f s "
                     "(%.3f s with opening the inputs)\n",
                     request.output.c_str(), what.c_str(), static_cast<long long>(derived->width()),
                     static_cast<long long>(derived->height()), summary.mean,
                     static_cast<unsigned long long>(summary.nan),
                     static_cast<unsigned long long>(summary.values), computed, in_process);
    }
    return 0;
}

}  // namespace tessera::app
