// Compositor: draws an image's tiles with DisplaySettings through a View into a rectangle of a
// framebuffer, on the GPU. Visible channels are composited in passes of up to 8 (any number of
// channels works) into a float accumulation buffer, then resolved into the target; a view that
// takes one pass (one layer, up to 8 channels) is resolved by that pass straight into the target.
// Display settings reach the GPU as uniforms and as the specialisation of the pass programs
// (CompositeShader.h); textures are uploaded by gl/image/StreamingImage the first time a tile's
// channel is needed. Sets the GL state it relies on and restores the caller's.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "core/compare/Difference.h"
#include "core/display/DisplaySettings.h"
#include "core/view/Layer.h"
#include "core/view/View.h"
#include "gl/composite/CompositeUniforms.h"
#include "gl/objects/Framebuffer.h"
#include "gl/objects/Program.h"
#include "gl/objects/Texture2D.h"
#include "gl/objects/VertexArray.h"

namespace tessera::gl {

// A rectangle of a framebuffer, in GL's window coordinates (origin at the lower left).
struct Target {
    GLuint framebuffer = 0;
    int x = 0;
    int y = 0;
    int width = 0;
    int height = 0;
};

// One tile to draw: its textures (indexed by channel; null where a channel has none), the level
// they belong to, the level rectangle their content covers (textures include a 1-pixel gutter
// around it), and the level-0 image rectangle this draw owns. A coarser tile standing in for a
// missing finer one owns the finer tile's rectangle.
struct TileDraw {
    std::vector<const Texture2D*> textures;
    int level = 0;
    core::Rect content;  // level pixels
    core::Rect clip;     // image pixels
};

// One layer of a view: an image's tiles, prepared for the layer's own pixels (the view through
// its placement: core::Placement::layer_view), its display settings and its placement.
struct LayerDraw {
    const core::ImageSource* source = nullptr;
    const std::vector<TileDraw>* tiles = nullptr;
    const core::DisplaySettings* settings = nullptr;
    core::Placement placement;
};

// A layer shown as its difference from a reference of the same size (tev's compare): each
// visible channel c becomes metric(A_c, B_channels[c]) in data units, which the settings' limits
// (of the metric, in float units) then map. reference_tiles[i] is the reference's tile of the
// same level and rectangle as tiles[i] (pair_tiles). Channels without a partner are not drawn.
struct ReferenceDraw {
    const core::ImageSource* source = nullptr;
    const std::vector<TileDraw>* tiles = nullptr;
    std::vector<std::optional<std::size_t>> channels;  // per channel of A
    core::ErrorMetric metric = core::ErrorMetric::AbsoluteError;
};

// The tiles two images both have (same level, content and clip), in the order of `a`: what a
// comparison can draw now. Tiles either lacks are left out (the frame is not final).
std::pair<std::vector<TileDraw>, std::vector<TileDraw>> pair_tiles(const std::vector<TileDraw>& a,
                                                                   const std::vector<TileDraw>& b);

struct CompositeStats {
    int passes = 0;
    int tiles_drawn = 0;    // tile draws over all passes
    int tiles_visible = 0;  // tiles the view touches
};

class Compositor {
  public:
    static core::Result<Compositor> create();

    // Draws layers, bottom first, into one target: each layer's visible channels are accumulated
    // as more channels (with the layer's own blend mode and settings), and the sum is resolved
    // once, with the first layer's colour, alpha and background settings. Tiles may be of any
    // level; every visible channel must have a texture in each of its layer's tiles.
    core::Result<CompositeStats> draw_layers(std::span<const LayerDraw> layers,
                                             const core::View& view, const Target& target);
    // One image as its difference from a reference (one layer).
    core::Result<CompositeStats> draw_difference(const LayerDraw& layer,
                                                 const ReferenceDraw& reference,
                                                 const core::View& view, const Target& target);
    // One image alone: a view with one layer.
    core::Result<CompositeStats> draw_tiles(const core::ImageSource& source,
                                            const std::vector<TileDraw>& tiles,
                                            const core::DisplaySettings& settings,
                                            const core::View& view, const Target& target);

  private:
    struct PassProgram {
        Program program;
        PassUniforms uniforms;
    };
    struct ResolveProgram {
        Program program;
        ResolveUniforms uniforms;
    };
    core::Result<void> resize_accumulation(int width, int height);
    core::Result<const PassProgram*> pass_program(const PassVariant& variant);
    core::Result<const ResolveProgram*> resolve_program(const ResolveVariant& variant);
    core::Result<CompositeStats> draw(std::span<const LayerDraw> layers,
                                      const ReferenceDraw* reference, const core::View& view,
                                      const Target& target);

    // Programs per variant, compiled on first use (a few tens of milliseconds on llvmpipe). The
    // variants a session meets are few; past kMaxPrograms the least recently used goes.
    static constexpr std::size_t kMaxPrograms = 64;
    std::map<PassVariant, std::pair<PassProgram, std::uint64_t>> m_passes;
    std::map<ResolveVariant, ResolveProgram> m_resolves;
    std::uint64_t m_program_clock = 0;
    int m_max_target = 0;  // pixels a side: the smaller of the viewport and texture limits
    VertexArray m_vertex_array;
    Texture2D m_luts;
    std::array<Texture2D, 2> m_accumulation;
    std::array<Framebuffer, 2> m_accumulation_framebuffers;
};

}  // namespace tessera::gl
