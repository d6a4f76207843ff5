#include "core/image/Image.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

namespace tessera::core {
namespace {

std::string layer_of(const std::string& name) {
    const auto dot = name.rfind('.');
    return dot == std::string::npos ? std::string() : name.substr(0, dot);
}

}  // namespace

std::string Image::display_name() const {
    std::string name = std::filesystem::path(metadata.path).filename().string();
    if (name.empty()) {
        name = metadata.path;
    }
    if (metadata.part_count > 1) {
        name += metadata.part_name.empty() ? fmt::format(" [part {}]", metadata.part_index)
                                           : fmt::format(" [{}]", metadata.part_name);
    }
    return name;
}

std::vector<Layer> layers_of(const std::vector<ChannelInfo>& channels) {
    std::vector<Layer> layers;
    for (std::size_t c = 0; c < channels.size(); ++c) {
        const std::string layer = layer_of(channels[c].name);
        auto found = std::find_if(layers.begin(), layers.end(),
                                  [&](const Layer& l) { return l.name == layer; });
        if (found == layers.end()) {
            layers.push_back({layer, {c}});
        } else {
            found->channels.push_back(c);
        }
    }
    return layers;
}

std::string short_channel_name(const std::string& name) {
    const auto dot = name.rfind('.');
    return dot == std::string::npos ? name : name.substr(dot + 1);
}

Box2i full_window(std::int64_t width, std::int64_t height) {
    return {0, 0, width - 1, height - 1};
}

std::string_view to_string(Transfer transfer) {
    return transfer == Transfer::Srgb ? "sRGB" : "linear";
}

}  // namespace tessera::core
