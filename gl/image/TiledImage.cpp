#include "gl/image/TiledImage.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "gl/image/TileTexels.h"
#include "gl/objects/Error.h"

namespace tessera::gl {
namespace {

int max_texture_size(int requested) {
    GLint limit = 0;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &limit);
    return requested > 0 ? std::min(requested, static_cast<int>(limit)) : static_cast<int>(limit);
}

}  // namespace

TiledImage::TiledImage(std::shared_ptr<const core::ImageSource> source, int tile_size,
                       int max_texture)
    : m_source(std::move(source)),
      m_grid(m_source->width(), m_source->height(), tile_size, max_texture_size(max_texture)) {}

core::Result<void> TiledImage::ensure(const std::vector<core::TileIndex>& tiles,
                                      const std::vector<std::size_t>& channels) {
    for (const core::TileIndex& tile : tiles) {
        auto& textures = m_tiles[{tile.column, tile.row}];
        textures.resize(m_source->channel_count());
        for (std::size_t channel : channels) {
            if (textures[channel]) {
                continue;
            }
            auto texture = upload(tile, channel);
            if (!texture) {
                return texture.error();
            }
            textures[channel] = std::move(texture).value();
        }
    }
    return {};
}

std::size_t TiledImage::resident_tiles() const {
    std::size_t count = 0;
    for (const auto& [key, textures] : m_tiles) {
        count += std::any_of(textures.begin(), textures.end(),
                             [](const Texture2D& t) { return static_cast<bool>(t); })
                     ? 1
                     : 0;
    }
    return count;
}

const Texture2D* TiledImage::texture(core::TileIndex tile, std::size_t channel) const {
    const auto found = m_tiles.find({tile.column, tile.row});
    if (found == m_tiles.end() || channel >= found->second.size() || !found->second[channel]) {
        return nullptr;
    }
    return &found->second[channel];
}

core::Result<std::vector<std::byte>> TiledImage::texels(core::TileIndex tile, std::size_t channel,
                                                        int& width, int& height) const {
    const core::SampleType type = m_source->channels()[channel].type;
    const core::Rect content = m_grid.content(tile);
    const core::Rect source = m_grid.texture_source(tile);
    std::vector<std::byte> read(m_source->region_bytes(channel, source));
    if (auto ok = m_source->read_region(channel, 0, source, read); !ok) {
        return core::Error{fmt::format("cannot read tile ({}, {}) of channel {}: {}", tile.column,
                                       tile.row, m_source->channels()[channel].name,
                                       ok.error().message)};
    }
    TileTexels padded = gutter_texels(read, source, content, type);
    width = padded.width;
    height = padded.height;
    return std::move(padded.data);
}

core::Result<Texture2D> TiledImage::upload(core::TileIndex tile, std::size_t channel) {
    int width = 0;
    int height = 0;
    auto data = texels(tile, channel, width, height);
    if (!data) {
        return data.error();
    }
    Texture2D texture = Texture2D::create(
        width, height, channel_texture_format(m_source->channels()[channel].type), data->data());
    ++m_uploads.uploads;
    ++m_uploads.textures;
    m_uploads.bytes += data->size();
    m_texture_bytes += data->size();
    TESSERA_GL_CHECK();
    return texture;
}

core::Result<void> TiledImage::replace_source(std::shared_ptr<const core::ImageSource> source) {
    const auto& old_channels = m_source->channels();
    const auto& new_channels = source->channels();
    bool same = source->width() == m_source->width() && source->height() == m_source->height() &&
                old_channels.size() == new_channels.size();
    for (std::size_t c = 0; same && c < old_channels.size(); ++c) {
        same = old_channels[c].name == new_channels[c].name &&
               old_channels[c].type == new_channels[c].type;
    }
    if (!same) {
        return core::Error{"the new image differs in size or channels"};
    }
    const auto previous = std::exchange(m_source, std::move(source));
    for (auto& [key, textures] : m_tiles) {
        const core::TileIndex tile{key.first, key.second};
        for (std::size_t channel = 0; channel < textures.size(); ++channel) {
            if (!textures[channel]) {
                continue;
            }
            int width = 0;
            int height = 0;
            auto data = texels(tile, channel, width, height);
            if (!data) {
                m_source = previous;  // keep showing what we had
                return data.error();
            }
            textures[channel].upload(0, 0, width, height, data->data());
            ++m_uploads.uploads;
            m_uploads.bytes += data->size();
        }
    }
    return {};
}

}  // namespace tessera::gl
