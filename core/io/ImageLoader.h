// ImageLoader: opens image files. The format is chosen by magic bytes, never by extension, from
// one ordered table of decoders. Every failure comes back as an error naming the file and the
// reason; nothing is allocated for a header that claims more than LoadOptions::max_pixels, or
// more pixels than the file's bytes can hold (see README, "Resource limits"). An exception from a
// decoder (an allocation that fails) is caught here and reported like any other failure.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/image/Image.h"
#include "core/io/MappedFile.h"

namespace tessera::core {

// Which axis of a NumPy array holds channels: Auto follows the rule of core/io/ArrayAxes; First
// and Last put them on the first or last axis (the older --channel-axis; --axes says more).
enum class ChannelAxis : std::uint8_t { Auto, First, Last };

struct LoadOptions {
    // Decoded (not memory-mapped) images larger than this are refused before any allocation:
    // 2^30 pixels (e.g. 32768 x 32768), several GB once decoded.
    std::uint64_t max_pixels = std::uint64_t{1} << 30;
    ChannelAxis channel_axis = ChannelAxis::Auto;
    // NumPy: one letter of T, Z, C, Y, X per array axis ("ZYX"); empty: core/io/ArrayAxes's rule.
    std::string axes;
    // Files read by region (TIFF, OpenEXR): images whose decoded pixels take at most this many
    // bytes are decoded whole at open instead (every core at once; damaged data is an error at
    // open). An OpenEXR file is read by region when any part is larger (core/io/OpenExrRegion),
    // and max_pixels does not apply to it; subsampled (luminance/chroma) ones are decoded whole.
    std::uint64_t decode_whole_below = std::uint64_t{64} << 20;
    // Files read by region (TIFF, OpenEXR): one strip, tile or chunk decodes to at most this
    // many bytes; a file with larger ones is refused when they are read (a single-strip
    // 16k x 16k RGB float image would be 3 GB).
    std::size_t max_chunk_bytes = std::size_t{1} << 30;
    // OpenEXR: which library decodes what both can. Fastest: the OpenEXR library for ZIP and
    // PIZ (measured faster: tests/bench/DecodeBench.cpp), tinyexr for NONE, RLE and ZIPS; the
    // others force one library (benchmarks, tests). PXR24, B44, B44A, DWAA, DWAB and
    // subsampled channels need OpenEXR (forced to tinyexr, they are refused).
    enum class ExrLibrary : std::uint8_t { Fastest, TinyExr, OpenExr };
    ExrLibrary exr_library = ExrLibrary::Fastest;
    // Integer channels are label ids (a segmentation): core/image/LabelSource.
    bool labels = false;
};

struct Decoder {
    std::string_view format;      // shown to users: "PNG", "OpenEXR", ...
    std::string_view extensions;  // for documentation only; never used to choose
    // Sees at most kSniffBytes from the start of the file.
    bool (*sniff)(std::span<const std::byte> bytes);
    // True: the decoder keeps a memory map and reads regions on demand (reads go through
    // read_mapped). False: it is given the file's bytes read into memory.
    bool mapped;
    // Returns one Image per part; errors carry the reason without the path (the loader adds it).
    Result<std::vector<Image>> (*decode)(const std::shared_ptr<const MappedFile>& file,
                                         const LoadOptions& options);
};

inline constexpr std::size_t kSniffBytes = 64;

// What most decoders return: one image whose data and display windows are the whole source.
std::vector<Image> whole_image(std::shared_ptr<const ImageSource> source, Transfer transfer,
                               std::string storage = {}, std::string compression = {});

std::span<const Decoder> decoders();
// The decoder whose signature the bytes carry, or nullptr.
const Decoder* find_decoder(std::span<const std::byte> head);

Result<std::vector<Image>> load_images(const std::filesystem::path& path,
                                       const LoadOptions& options = {});
// The same for bytes already in memory (fuzzing, tests): messages name file->path().
Result<std::vector<Image>> load_images(const std::shared_ptr<const MappedFile>& file,
                                       const LoadOptions& options = {});

}  // namespace tessera::core
