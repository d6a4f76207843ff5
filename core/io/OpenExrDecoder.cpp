#include "core/io/OpenExrDecoder.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include <ImfChannelList.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfInputPart.h>
#include <ImfMultiPartInputFile.h>
#include <ImfRgbaFile.h>
#include <ImfThreading.h>

#include "core/image/PlanarImage.h"
#include "core/io/OpenExrShared.h"

namespace tessera::core {
namespace {

using MemoryStream = OpenExrMemoryStream;

void use_every_core() {
    static std::once_flag once;
    std::call_once(once, [] {
        Imf::setGlobalThreadCount(
            static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    });
}

bool subsampled(const ExrPart& part) {
    return std::any_of(part.channels.begin(), part.channels.end(),
                       [](const ExrChannel& c) { return c.x_sampling != 1 || c.y_sampling != 1; });
}

// Luminance/chroma as OpenEXR's RGBA interface reads it: Y with RY and BY (subsampled or not),
// optionally A, and nothing else it would silently drop.
bool luminance_chroma(const ExrPart& part) {
    bool y = false;
    for (const ExrChannel& channel : part.channels) {
        const bool chroma = channel.name == "RY" || channel.name == "BY";
        y = y || channel.name == "Y";
        if (!chroma && (channel.x_sampling != 1 || channel.y_sampling != 1)) {
            return false;
        }
        if (!chroma && channel.name != "Y" && channel.name != "A") {
            return false;
        }
    }
    return y;
}

// Every channel of a full-resolution part, in its stored type.
std::shared_ptr<PlanarImage> read_part(Imf::MultiPartInputFile& file, int index,
                                       const ExrPart& part) {
    Imf::InputPart input(file, index);
    const Imath::Box2i window = input.header().dataWindow();
    const std::int64_t width = std::int64_t{window.max.x} - window.min.x + 1;
    const std::int64_t height = std::int64_t{window.max.y} - window.min.y + 1;
    if (width != part.data_window.width() || height != part.data_window.height()) {
        throw std::runtime_error("the data window differs from the one the header declared");
    }
    auto image = std::make_shared<PlanarImage>(width, height);
    Imf::FrameBuffer frame;
    const Imf::ChannelList& channels = input.header().channels();
    for (auto it = channels.begin(); it != channels.end(); ++it) {
        const SampleType type = openexr_sample_type(it.channel().type);
        const std::size_t c = image->add_channel(it.name(), type);
        const std::size_t size = sample_size(type);
        // OpenEXR addresses a slice by absolute pixel coordinates: offset the base so that the
        // data window's corner lands on the first sample.
        char* base = reinterpret_cast<char*>(image->plane(c).data()) -
                     (static_cast<std::ptrdiff_t>(window.min.x) +
                      static_cast<std::ptrdiff_t>(window.min.y) * width) *
                         static_cast<std::ptrdiff_t>(size);
        frame.insert(it.name(), Imf::Slice(it.channel().type, base, size,
                                           size * static_cast<std::size_t>(width)));
    }
    input.setFrameBuffer(frame);
    input.readPixels(window.min.y, window.max.y);
    return image;
}

// A luminance/chroma part, converted to RGB(A) by OpenEXR's RGBA interface (single-part files).
std::shared_ptr<PlanarImage> read_rgba(MemoryStream& stream, const ExrPart& part) {
    Imf::RgbaInputFile input(stream, Imf::globalThreadCount());
    const Imath::Box2i window = input.dataWindow();
    const std::int64_t width = std::int64_t{window.max.x} - window.min.x + 1;
    const std::int64_t height = std::int64_t{window.max.y} - window.min.y + 1;
    if (width != part.data_window.width() || height != part.data_window.height()) {
        throw std::runtime_error("the data window differs from the one the header declared");
    }
    std::vector<Imf::Rgba> pixels(static_cast<std::size_t>(width * height));
    input.setFrameBuffer(pixels.data() - window.min.x - window.min.y * width, 1,
                         static_cast<std::size_t>(width));
    input.readPixels(window.min.y, window.max.y);
    const bool alpha = (input.channels() & Imf::WRITE_A) != 0;
    auto image = std::make_shared<PlanarImage>(width, height);
    const char* names[] = {"R", "G", "B", "A"};
    for (int c = 0; c < (alpha ? 4 : 3); ++c) {
        const std::size_t index = image->add_channel(names[c], SampleType::F16);
        auto out = image->samples<std::uint16_t>(index);
        for (std::size_t i = 0; i < pixels.size(); ++i) {
            const Imf::Rgba& p = pixels[i];
            const half value = c == 0 ? p.r : c == 1 ? p.g : c == 2 ? p.b : p.a;
            out[i] = value.bits();
        }
    }
    return image;
}

std::string storage_of(const ExrPart& part) {
    return part.tiles ? fmt::format("tiled {}x{}", part.tiles->width, part.tiles->height)
                      : "scanline";
}

}  // namespace

Result<std::vector<Image>> decode_exr_openexr(std::span<const std::byte> bytes,
                                              const std::vector<ExrPart>& parts) {
    use_every_core();
    std::vector<Image> images;
    try {
        MemoryStream stream(bytes);
        if (parts.size() == 1 && subsampled(parts.front())) {
            if (!luminance_chroma(parts.front())) {
                return Error{
                    "OpenEXR file has subsampled channels other than the chroma (RY, "
                    "BY) of a luminance/chroma image, which Tessera does not support"};
            }
            auto image = read_rgba(stream, parts.front());
            images.push_back(exr_image(
                std::move(image), parts.front(), 0, 1,
                storage_of(parts.front()) + ", luminance/chroma converted to RGB by OpenEXR"));
            return images;
        }
        Imf::MultiPartInputFile file(stream, Imf::globalThreadCount(), false);
        if (file.parts() != static_cast<int>(parts.size())) {
            return Error{fmt::format("OpenEXR library sees {} parts, the header lists {}",
                                     file.parts(), parts.size())};
        }
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (subsampled(parts[i])) {
                return Error{fmt::format(
                    "OpenEXR part {} has subsampled channels in a multi-part file, which Tessera "
                    "does not support (only single-part luminance/chroma files)",
                    i)};
            }
            auto image = read_part(file, static_cast<int>(i), parts[i]);
            images.push_back(exr_image(std::move(image), parts[i], i, parts.size(),
                                       storage_of(parts[i]) + ", decoded by OpenEXR"));
        }
    } catch (const std::bad_alloc&) {
        throw;  // the loader reports it as out of memory
    } catch (const std::exception& error) {
        return Error{fmt::format("cannot decode OpenEXR pixels: {}", error.what())};
    }
    return images;
}

}  // namespace tessera::core
