#include "core/io/tiff/TiffMetadata.h"

#include <charconv>
#include <cstdlib>
#include <map>

#include <fmt/format.h>

namespace tessera::core::tiff {
namespace {

// Far more planes than any real file holds, few enough that tables of them stay small.
constexpr std::int64_t kMaxAxisExtent = std::int64_t{1} << 24;
constexpr std::int64_t kMaxPlanes = std::int64_t{1} << 24;

std::optional<std::int64_t> to_int(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\r' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end) {
        return std::nullopt;
    }
    return value;
}

std::optional<double> to_double(const std::string& text) {
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size()) {
        return std::nullopt;
    }
    return value;
}

std::string unescape(std::string_view text) {
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        bool replaced = false;
        if (text[i] == '&') {
            for (const auto& [entity, ch] : kEntities) {
                if (text.substr(i, entity.size()) == entity) {
                    out += ch;
                    i += entity.size();
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) {
            out += text[i++];
        }
    }
    return out;
}

// One XML tag: its local name (without a namespace prefix), attributes, and whether it opens,
// closes or is complete in itself. Comments, processing instructions and DOCTYPEs are skipped.
struct Tag {
    std::string name;
    std::map<std::string, std::string> attributes;
    bool closing = false;
    bool self_closing = false;

    std::optional<std::string> get(const std::string& key) const {
        const auto found = attributes.find(key);
        return found == attributes.end() ? std::nullopt : std::optional(found->second);
    }
};

std::string local_name(std::string_view name) {
    const auto colon = name.rfind(':');
    return std::string(colon == std::string_view::npos ? name : name.substr(colon + 1));
}

bool is_space(char ch) {
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

// Reads the tag starting at xml[pos] == '<'; pos moves past it. nullopt at malformed markup.
std::optional<Tag> read_tag(std::string_view xml, std::size_t& pos) {
    if (xml.substr(pos, 4) == "<!--") {
        const auto end = xml.find("-->", pos + 4);
        pos = end == std::string_view::npos ? xml.size() : end + 3;
        return Tag{};
    }
    if (xml.substr(pos, 2) == "<?" || xml.substr(pos, 2) == "<!") {
        const auto end = xml.find('>', pos);
        pos = end == std::string_view::npos ? xml.size() : end + 1;
        return Tag{};
    }
    Tag tag;
    std::size_t i = pos + 1;
    if (i < xml.size() && xml[i] == '/') {
        tag.closing = true;
        ++i;
    }
    const std::size_t name_start = i;
    while (i < xml.size() && !is_space(xml[i]) && xml[i] != '>' && xml[i] != '/') {
        ++i;
    }
    tag.name = local_name(xml.substr(name_start, i - name_start));
    while (true) {
        while (i < xml.size() && is_space(xml[i])) {
            ++i;
        }
        if (i >= xml.size()) {
            return std::nullopt;
        }
        if (xml[i] == '>') {
            pos = i + 1;
            return tag;
        }
        if (xml[i] == '/') {
            tag.self_closing = true;
            ++i;
            continue;
        }
        const std::size_t key_start = i;
        while (i < xml.size() && xml[i] != '=' && !is_space(xml[i]) && xml[i] != '>') {
            ++i;
        }
        const std::string key = local_name(xml.substr(key_start, i - key_start));
        while (i < xml.size() && is_space(xml[i])) {
            ++i;
        }
        if (i >= xml.size() || xml[i] != '=') {
            return std::nullopt;
        }
        ++i;
        while (i < xml.size() && is_space(xml[i])) {
            ++i;
        }
        if (i >= xml.size() || (xml[i] != '"' && xml[i] != '\'')) {
            return std::nullopt;
        }
        const char quote = xml[i++];
        const auto end = xml.find(quote, i);
        if (end == std::string_view::npos) {
            return std::nullopt;
        }
        tag.attributes[key] = unescape(xml.substr(i, end - i));
        i = end + 1;
    }
}

Result<std::int64_t> size_attribute(const Tag& tag, const std::string& key, bool required) {
    const auto text = tag.get(key);
    if (!text) {
        if (required) {
            return Error{fmt::format("OME-XML Pixels has no {}", key)};
        }
        return std::int64_t{1};
    }
    const auto value = to_int(*text);
    if (!value || *value < 1 || *value > kMaxAxisExtent) {
        return Error{fmt::format("OME-XML Pixels {}=\"{}\" is not a size", key, *text)};
    }
    return *value;
}

std::optional<std::int64_t> index_attribute(const Tag& tag, const std::string& key) {
    const auto text = tag.get(key);
    if (!text) {
        return std::nullopt;
    }
    const auto value = to_int(*text);
    if (!value || *value < 0 || *value > kMaxPlanes) {
        return std::int64_t{-1};  // present but invalid: checked by the caller
    }
    return value;
}

}  // namespace

std::optional<ImageJInfo> parse_imagej(std::string_view description) {
    if (description.substr(0, 7) != "ImageJ=") {
        return std::nullopt;
    }
    ImageJInfo info;
    bool images_given = false;
    std::size_t pos = 0;
    while (pos < description.size()) {
        auto end = description.find('\n', pos);
        if (end == std::string_view::npos) {
            end = description.size();
        }
        const std::string_view line = description.substr(pos, end - pos);
        pos = end + 1;
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        const std::string_view key = line.substr(0, eq);
        const auto value = to_int(line.substr(eq + 1));
        if (!value || *value < 1 || *value > kMaxAxisExtent) {
            continue;
        }
        if (key == "images") {
            info.images = *value;
            images_given = true;
        } else if (key == "channels") {
            info.channels = *value;
        } else if (key == "slices") {
            info.slices = *value;
        } else if (key == "frames") {
            info.frames = *value;
        }
    }
    if (!images_given) {
        info.images = info.channels * info.slices * info.frames;
    }
    return info;
}

Result<OmePixels> parse_ome(std::string_view xml) {
    OmePixels pixels;
    bool in_image = false;
    bool in_pixels = false;
    bool in_tiff_data = false;
    bool found_pixels = false;
    std::int64_t images = 0;
    std::size_t pos = 0;
    while ((pos = xml.find('<', pos)) != std::string_view::npos) {
        const auto tag = read_tag(xml, pos);
        if (!tag) {
            return Error{"OME-XML is malformed (an unterminated tag)"};
        }
        if (tag->name == "Image" && !tag->closing) {
            ++images;
            in_image = images == 1 && !tag->self_closing;
            continue;
        }
        if (tag->name == "Image" && tag->closing) {
            in_image = false;
            continue;
        }
        if (!in_image) {
            continue;
        }
        if (tag->name == "Pixels") {
            if (tag->closing) {
                in_pixels = false;
                continue;
            }
            in_pixels = !tag->self_closing;
            found_pixels = true;
            for (auto [key, field] :
                 {std::pair{"SizeX", &pixels.size_x}, {"SizeY", &pixels.size_y}}) {
                auto value = size_attribute(*tag, key, true);
                if (!value) {
                    return value.error();
                }
                *field = *value;
            }
            for (auto [key, field] : {std::pair{"SizeZ", &pixels.size_z},
                                      {"SizeC", &pixels.size_c},
                                      {"SizeT", &pixels.size_t}}) {
                auto value = size_attribute(*tag, key, false);
                if (!value) {
                    return value.error();
                }
                *field = *value;
            }
            if (auto order = tag->get("DimensionOrder")) {
                pixels.dimension_order = *order;
            }
            pixels.type = tag->get("Type").value_or("");
            for (auto [key, field, unit] :
                 {std::tuple{"PhysicalSizeX", &pixels.physical_x, &pixels.unit_x},
                  {"PhysicalSizeY", &pixels.physical_y, &pixels.unit_y},
                  {"PhysicalSizeZ", &pixels.physical_z, &pixels.unit_z}}) {
                if (auto text = tag->get(key)) {
                    auto value = to_double(*text);
                    if (value && *value > 0) {
                        *field = value;
                    }
                }
                if (auto text = tag->get(std::string(key) + "Unit")) {
                    *unit = *text;
                }
            }
            continue;
        }
        if (!in_pixels || tag->closing) {
            if (tag->name == "TiffData" && tag->closing) {
                in_tiff_data = false;
            }
            continue;
        }
        if (tag->name == "Channel") {
            OmeChannel channel;
            channel.name = tag->get("Name").value_or("");
            if (auto text = tag->get("Color")) {
                if (auto value = to_int(*text)) {
                    const auto rgba = static_cast<std::uint32_t>(*value);
                    channel.colour =
                        std::array<std::uint8_t, 3>{static_cast<std::uint8_t>(rgba >> 24),
                                                    static_cast<std::uint8_t>(rgba >> 16),
                                                    static_cast<std::uint8_t>(rgba >> 8)};
                }
            }
            if (auto text = tag->get("SamplesPerPixel")) {
                auto value = to_int(*text);
                if (value && *value >= 1 && *value <= kMaxAxisExtent) {
                    channel.samples_per_pixel = *value;
                }
            }
            pixels.channels.push_back(std::move(channel));
        } else if (tag->name == "TiffData") {
            OmeTiffData data;
            data.ifd = index_attribute(*tag, "IFD");
            data.first_z = index_attribute(*tag, "FirstZ").value_or(0);
            data.first_c = index_attribute(*tag, "FirstC").value_or(0);
            data.first_t = index_attribute(*tag, "FirstT").value_or(0);
            data.plane_count = index_attribute(*tag, "PlaneCount");
            if ((data.ifd && *data.ifd < 0) || data.first_z < 0 || data.first_c < 0 ||
                data.first_t < 0 || (data.plane_count && *data.plane_count < 0)) {
                return Error{"OME-XML TiffData has an index that is not a count"};
            }
            pixels.tiff_data.push_back(data);
            in_tiff_data = !tag->self_closing;
        } else if (tag->name == "UUID" && in_tiff_data && !pixels.tiff_data.empty()) {
            pixels.tiff_data.back().file_name = tag->get("FileName").value_or("");
        }
    }
    if (!found_pixels) {
        return Error{"OME-XML has no Image with Pixels"};
    }
    const std::string& order = pixels.dimension_order;
    if (order.size() != 5 || order.substr(0, 2) != "XY" || order.find('Z') == std::string::npos ||
        order.find('C') == std::string::npos || order.find('T') == std::string::npos) {
        return Error{
            fmt::format("OME-XML DimensionOrder \"{}\" is not one of XY followed by "
                        "Z, C and T",
                        order)};
    }
    if (pixels.size_z * pixels.size_c > kMaxPlanes ||
        pixels.size_z * pixels.size_c * pixels.size_t > kMaxPlanes) {
        return Error{"OME-XML Pixels holds more planes than Tessera reads (2^24)"};
    }
    pixels.image_count = images;
    return pixels;
}

std::int64_t ome_pages_per_c(const OmePixels& pixels, std::int64_t samples_per_pixel) {
    if (samples_per_pixel > 1 && pixels.size_c % samples_per_pixel == 0) {
        return pixels.size_c / samples_per_pixel;
    }
    return pixels.size_c;
}

Result<std::vector<std::int64_t>> ome_plane_ifds(const OmePixels& pixels,
                                                 std::int64_t samples_per_pixel,
                                                 std::int64_t ifd_count,
                                                 std::string_view own_name) {
    const std::int64_t size_c = ome_pages_per_c(pixels, samples_per_pixel);
    const std::int64_t sizes[3] = {pixels.size_z, size_c, pixels.size_t};
    // Dimension letters after "XY", fastest first; extent and our index stride of each.
    std::int64_t extent[3];
    std::int64_t stride[3];
    for (int i = 0; i < 3; ++i) {
        const char axis = pixels.dimension_order[static_cast<std::size_t>(2 + i)];
        const int which = axis == 'Z' ? 0 : axis == 'C' ? 1 : 2;
        extent[i] = sizes[which];
        stride[i] = which == 1 ? 1 : which == 0 ? size_c : size_c * pixels.size_z;
    }
    const std::int64_t total = pixels.size_z * size_c * pixels.size_t;
    // Our index of the k-th plane in the file's dimension order.
    auto our_index = [&](std::int64_t k) {
        std::int64_t index = 0;
        for (int i = 0; i < 3; ++i) {
            index += (k % extent[i]) * stride[i];
            k /= extent[i];
        }
        return index;
    };
    auto order_index = [&](std::int64_t z, std::int64_t c, std::int64_t t) {
        const std::int64_t value[3] = {z, c, t};
        std::int64_t index = 0;
        std::int64_t scale = 1;
        for (int i = 0; i < 3; ++i) {
            const char axis = pixels.dimension_order[static_cast<std::size_t>(2 + i)];
            const int which = axis == 'Z' ? 0 : axis == 'C' ? 1 : 2;
            index += value[which] * scale;
            scale *= extent[i];
        }
        return index;
    };
    std::vector<std::int64_t> ifds(static_cast<std::size_t>(total), -1);
    if (pixels.tiff_data.empty()) {
        for (std::int64_t k = 0; k < total; ++k) {
            ifds[static_cast<std::size_t>(our_index(k))] = k;
        }
    }
    for (const OmeTiffData& data : pixels.tiff_data) {
        const bool elsewhere = !data.file_name.empty() && data.file_name != own_name;
        if (elsewhere) {
            continue;
        }
        const bool placed = data.ifd || data.first_z || data.first_c || data.first_t;
        const std::int64_t count = data.plane_count.value_or(placed ? 1 : total);
        if (data.first_z >= pixels.size_z || data.first_c >= size_c ||
            data.first_t >= pixels.size_t) {
            return Error{"OME-XML TiffData places a plane outside the Pixels sizes"};
        }
        const std::int64_t start = order_index(data.first_z, data.first_c, data.first_t);
        const std::int64_t first_ifd = data.ifd.value_or(0);
        for (std::int64_t k = 0; k < count && start + k < total; ++k) {
            ifds[static_cast<std::size_t>(our_index(start + k))] = first_ifd + k;
        }
    }
    for (std::int64_t i = 0; i < total; ++i) {
        const std::int64_t ifd = ifds[static_cast<std::size_t>(i)];
        const std::int64_t c = i % size_c;
        const std::int64_t z = i / size_c % pixels.size_z;
        const std::int64_t t = i / size_c / pixels.size_z;
        if (ifd < 0) {
            return Error{fmt::format(
                "OME-TIFF plane z={} c={} t={} is in another file (Tessera does not support "
                "multi-file OME-TIFF datasets yet)",
                z, c, t)};
        }
        if (ifd >= ifd_count) {
            return Error{
                fmt::format("OME-XML puts plane z={} c={} t={} in IFD {}, but the file has {} IFDs",
                            z, c, t, ifd, ifd_count)};
        }
    }
    return ifds;
}

}  // namespace tessera::core::tiff
