// Image: one openable image (a file, or one part of a multi-part EXR): its pixel source and what
// the display needs to know about it. Layers are derived from dotted channel names
// ("diffuse.R" is channel "R" of layer "diffuse"; "Z" belongs to the unnamed root layer).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/image/ImageSource.h"

namespace tessera::core {

// How stored values relate to light: sRGB-encoded (8/16-bit files) or linear (float data).
enum class Transfer : std::uint8_t { Linear, Srgb };

// Inclusive pixel bounds, as OpenEXR defines its data and display windows.
struct Box2i {
    std::int64_t min_x = 0;
    std::int64_t min_y = 0;
    std::int64_t max_x = -1;
    std::int64_t max_y = -1;

    std::int64_t width() const { return max_x - min_x + 1; }
    std::int64_t height() const { return max_y - min_y + 1; }
    bool operator==(const Box2i&) const = default;
};

struct ImageMetadata {
    std::string path;
    std::string format;     // "PNG", "OpenEXR", "NumPy", ...
    std::string part_name;  // EXR part name; empty for single-part files without one
    int part_index = 0;
    int part_count = 1;
    Transfer transfer = Transfer::Srgb;
    Box2i data_window;        // where the pixels lie; (0,0)-(w-1,h-1) for formats without one
    Box2i display_window;     // the frame the author meant to show
    std::string compression;  // as the file names it, e.g. "ZIP", "PIZ", "deflate"; may be empty
    std::string storage;      // e.g. "scanline", "tiled 64x64 mip-map", "memory-mapped, C order"
    std::string axes;         // arrays (NumPy): a letter of T, Z, C, Y, X per axis, e.g. "TZYX"
    // Size of a pixel in physical units (OME-TIFF's PhysicalSizeX/Y/Z), 0 where unknown.
    struct PixelSize {
        double x = 0, y = 0, z = 0;
        std::string unit;  // of x and y, e.g. "µm"
    } pixel_size;
    // Further facts a format knows, in order, for `tessera info` ("pages", "OME channels", ...).
    std::vector<std::pair<std::string, std::string>> properties;
};

struct Layer {
    std::string name;                   // "" for the root layer
    std::vector<std::size_t> channels;  // indices into the image's channel list
};

struct Image {
    std::shared_ptr<const ImageSource> source;
    ImageMetadata metadata;

    // A short name for lists and messages: the file name, plus the part if there are several.
    std::string display_name() const;
};

// Groups channels by the text before their last '.', in order of first appearance.
std::vector<Layer> layers_of(const std::vector<ChannelInfo>& channels);
// The part of a channel name after its layer: "diffuse.R" -> "R".
std::string short_channel_name(const std::string& name);

Box2i full_window(std::int64_t width, std::int64_t height);
std::string_view to_string(Transfer transfer);

}  // namespace tessera::core
