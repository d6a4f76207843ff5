// TiledImage: an ImageSource on the GPU as tiles of at most min(tile size, GL_MAX_TEXTURE_SIZE)
// texels, each tile one single-channel texture per uploaded channel (R8, R16, R16F, R32F; u32 is
// uploaded as R32F, exact up to 2^24), with a 1-pixel gutter of neighbouring pixels so that
// bilinear sampling across tile edges equals an untiled image. A channel is uploaded to a tile
// the first time it is needed there and never again: display changes cost no uploads. Every
// upload is counted (uploads(), in count and bytes) so that tests and overlays can see it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "core/image/ImageSource.h"
#include "core/lod/TileGrid.h"
#include "gl/objects/Texture2D.h"

namespace tessera::gl {

struct UploadStats {
    std::uint64_t uploads = 0;   // texture uploads (one per tile and channel)
    std::uint64_t bytes = 0;     // bytes sent to the GPU
    std::uint64_t textures = 0;  // textures created
};

class TiledImage {
  public:
    // max_texture_size 0: the context's GL_MAX_TEXTURE_SIZE; smaller values force tiling.
    TiledImage(std::shared_ptr<const core::ImageSource> source, int tile_size = 2048,
               int max_texture_size = 0);

    const core::ImageSource& source() const { return *m_source; }
    const core::TileGrid& grid() const { return m_grid; }

    // Uploads whatever of these channels these tiles lack.
    core::Result<void> ensure(const std::vector<core::TileIndex>& tiles,
                              const std::vector<std::size_t>& channels);
    // The channel's texture of a tile, or nullptr if it was never uploaded.
    const Texture2D* texture(core::TileIndex tile, std::size_t channel) const;

    // Swaps in a source of the same size and channels (a reloaded file) and updates every
    // resident texture in place (glTexSubImage2D): nothing is deleted or created. A source of
    // another shape is refused, leaving everything as it was; the caller rebuilds.
    core::Result<void> replace_source(std::shared_ptr<const core::ImageSource> source);

    const UploadStats& uploads() const { return m_uploads; }
    std::uint64_t texture_bytes() const { return m_texture_bytes; }
    std::size_t resident_tiles() const;  // tiles with at least one texture

  private:
    // The tile's texels for a channel, gutter included, in the texture's client format.
    core::Result<std::vector<std::byte>> texels(core::TileIndex tile, std::size_t channel,
                                                int& width, int& height) const;
    core::Result<Texture2D> upload(core::TileIndex tile, std::size_t channel);

    std::shared_ptr<const core::ImageSource> m_source;
    core::TileGrid m_grid;
    std::map<std::pair<std::int64_t, std::int64_t>, std::vector<Texture2D>> m_tiles;
    UploadStats m_uploads;
    std::uint64_t m_texture_bytes = 0;
};

}  // namespace tessera::gl
