#include "core/io/tiff/TiffPage.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include <fmt/format.h>
#include <tiffio.h>

#include "core/image/OrientedSource.h"

namespace tessera::core::tiff {
namespace {

constexpr std::uint16_t kMaxSamplesPerPixel = 1024;
// Wider than any slide scan or mosaic; a row of the widest float image is then 16 MB.
constexpr std::uint32_t kMaxSide = std::uint32_t{1} << 22;

std::string photometric_name(std::uint16_t photometric) {
    switch (photometric) {
        case PHOTOMETRIC_MINISWHITE:
            return "MinIsWhite";
        case PHOTOMETRIC_MINISBLACK:
            return "MinIsBlack";
        case PHOTOMETRIC_RGB:
            return "RGB";
        case PHOTOMETRIC_PALETTE:
            return "palette";
        case PHOTOMETRIC_MASK:
            return "transparency mask";
        case PHOTOMETRIC_SEPARATED:
            return "separated (CMYK)";
        case PHOTOMETRIC_YCBCR:
            return "YCbCr";
        case PHOTOMETRIC_CIELAB:
            return "CIELab";
        case PHOTOMETRIC_ICCLAB:
            return "ICCLab";
        case PHOTOMETRIC_ITULAB:
            return "ITULab";
        case PHOTOMETRIC_LOGL:
            return "LogL";
        case PHOTOMETRIC_LOGLUV:
            return "LogLuv";
        default:
            return fmt::format("photometric interpretation {}", photometric);
    }
}

Result<SampleType> delivered_type(std::uint16_t format, std::uint16_t bits) {
    switch (format) {
        case SAMPLEFORMAT_UINT:
        case SAMPLEFORMAT_VOID:
            if (bits >= 1 && bits <= 8) {
                return SampleType::U8;
            }
            if (bits <= 16) {
                return SampleType::U16;
            }
            if (bits <= 32) {
                return SampleType::U32;
            }
            if (bits == 64) {
                return SampleType::F32;
            }
            break;
        case SAMPLEFORMAT_INT:
            if (bits == 8) {
                return SampleType::F16;
            }
            if (bits == 16 || bits == 32 || bits == 64) {
                return SampleType::F32;
            }
            break;
        case SAMPLEFORMAT_IEEEFP:
            if (bits == 16) {
                return SampleType::F16;
            }
            if (bits == 32 || bits == 64) {
                return SampleType::F32;
            }
            break;
        case SAMPLEFORMAT_COMPLEXINT:
        case SAMPLEFORMAT_COMPLEXIEEEFP:
            return Error{"Tessera does not support complex samples"};
        default:
            return Error{fmt::format("Tessera does not support SampleFormat {}", format)};
    }
    const char* kind = format == SAMPLEFORMAT_INT      ? "signed integer"
                       : format == SAMPLEFORMAT_IEEEFP ? "floating-point"
                                                       : "unsigned integer";
    return Error{fmt::format("Tessera does not support {}-bit {} samples", bits, kind)};
}

bool needs_rgba_interface(const TiffPage& page) {
    switch (page.photometric) {
        case PHOTOMETRIC_CIELAB:
        case PHOTOMETRIC_ICCLAB:
        case PHOTOMETRIC_ITULAB:
        case PHOTOMETRIC_LOGL:
        case PHOTOMETRIC_LOGLUV:
            return true;
        case PHOTOMETRIC_YCBCR:
            return page.compression != COMPRESSION_JPEG;
        default:
            return page.compression == COMPRESSION_OJPEG;
    }
}

Result<void> read_colormap(::tiff* tif, TiffPage& page) {
    if (page.bits > 16) {
        return Error{
            fmt::format("Tessera does not support palettes with {}-bit indices", page.bits)};
    }
    std::uint16_t* red = nullptr;
    std::uint16_t* green = nullptr;
    std::uint16_t* blue = nullptr;
    if (TIFFGetField(tif, TIFFTAG_COLORMAP, &red, &green, &blue) == 0 || red == nullptr ||
        green == nullptr || blue == nullptr) {
        return Error{"palette image without a ColorMap"};
    }
    const std::size_t count = std::size_t{1} << page.bits;
    bool sixteen_bit = false;
    for (const std::uint16_t* table : {red, green, blue}) {
        sixteen_bit = sixteen_bit ||
                      std::any_of(table, table + count, [](std::uint16_t v) { return v >= 256; });
    }
    const std::uint16_t* tables[3] = {red, green, blue};
    for (int c = 0; c < 3; ++c) {
        auto& out = page.colormap[static_cast<std::size_t>(c)];
        out.resize(count);
        for (std::size_t i = 0; i < count; ++i) {
            out[i] = static_cast<std::uint8_t>(sixteen_bit ? tables[c][i] >> 8 : tables[c][i]);
        }
    }
    return {};
}

// How many leading samples are colour, and their names.
Result<std::vector<std::string>> colour_names(const TiffPage& page, std::uint16_t extra_count,
                                              std::uint16_t inkset) {
    const int plain = page.samples_per_pixel - extra_count;
    switch (page.photometric) {
        case PHOTOMETRIC_MINISBLACK:
        case PHOTOMETRIC_MINISWHITE:
            return std::vector<std::string>{"Y"};
        case PHOTOMETRIC_RGB:
        case PHOTOMETRIC_YCBCR:
            if (page.samples_per_pixel < 3) {
                return Error{fmt::format("{} image with {} samples per pixel",
                                         photometric_name(page.photometric),
                                         page.samples_per_pixel)};
            }
            return std::vector<std::string>{"R", "G", "B"};
        case PHOTOMETRIC_PALETTE:
            return std::vector<std::string>{"index"};
        case PHOTOMETRIC_SEPARATED:
            if (inkset == INKSET_CMYK && plain >= 4) {
                return std::vector<std::string>{"C", "M", "Y", "K"};
            }
            break;
        default:
            break;
    }
    std::vector<std::string> names;
    for (int i = 0; i < std::max(plain, 1); ++i) {
        names.push_back(fmt::format("S{}", i));
    }
    return names;
}

Result<void> describe_channels(::tiff* tif, TiffPage& page) {
    std::uint16_t extra_count = 0;
    std::uint16_t* extra_types = nullptr;
    if (TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &extra_count, &extra_types) == 0) {
        extra_count = 0;
    }
    extra_count = std::min(extra_count, page.samples_per_pixel);
    std::uint16_t inkset = INKSET_CMYK;
    TIFFGetFieldDefaulted(tif, TIFFTAG_INKSET, &inkset);
    auto colour = colour_names(page, extra_count, inkset);
    if (!colour) {
        return colour.error();
    }
    const auto colour_count = static_cast<std::uint16_t>(colour->size());
    if (colour_count > page.samples_per_pixel) {
        return Error{fmt::format("{} image with {} samples per pixel",
                                 photometric_name(page.photometric), page.samples_per_pixel)};
    }
    auto type = delivered_type(page.sample_format, page.bits);
    if (!type) {
        return type.error();
    }
    if (page.photometric == PHOTOMETRIC_PALETTE) {
        if (auto palette = read_colormap(tif, page); !palette) {
            return palette;
        }
        for (int c = 0; c < 3; ++c) {
            page.channels.push_back({std::string(1, "RGB"[c]), SampleType::U8, 0, c, false});
        }
    } else {
        for (std::uint16_t s = 0; s < colour_count; ++s) {
            const bool invert = page.photometric == PHOTOMETRIC_MINISWHITE &&
                                (page.sample_format == SAMPLEFORMAT_UINT ||
                                 page.sample_format == SAMPLEFORMAT_VOID);
            page.channels.push_back({(*colour)[s], *type, s, -1, invert});
        }
    }
    for (std::uint16_t s = colour_count; s < page.samples_per_pixel; ++s) {
        const int extra = s - (page.samples_per_pixel - extra_count);
        const bool alpha = extra >= 0 && extra_types != nullptr &&
                           (extra_types[extra] == EXTRASAMPLE_ASSOCALPHA ||
                            extra_types[extra] == EXTRASAMPLE_UNASSALPHA);
        std::string name = alpha && !page.has_alpha ? "A" : fmt::format("S{}", s);
        page.has_alpha = page.has_alpha || alpha;
        page.channels.push_back({std::move(name), *type, s, -1, false});
    }
    return {};
}

template <typename T>
T load(const std::byte* p, bool swap) {
    T value;
    std::memcpy(&value, p, sizeof(T));
    if (swap) {
        auto bytes = std::bit_cast<std::array<std::uint8_t, sizeof(T)>>(value);
        std::reverse(bytes.begin(), bytes.end());
        value = std::bit_cast<T>(bytes);
    }
    return value;
}

// Sample `index` of a row: bit-packed, most significant bit first (libtiff has already undone
// FillOrder), for depths that are not whole bytes.
std::uint64_t load_bits(const std::byte* row, std::uint64_t index, unsigned bits) {
    const std::uint64_t bit = index * bits;
    const std::byte* p = row + bit / 8;
    const unsigned shift = static_cast<unsigned>(bit % 8);
    const unsigned bytes = (shift + bits + 7) / 8;
    std::uint64_t word = 0;
    for (unsigned i = 0; i < bytes; ++i) {
        word = (word << 8) | std::to_integer<std::uint64_t>(p[i]);
    }
    word >>= bytes * 8 - shift - bits;
    return word & ((std::uint64_t{1} << bits) - 1);
}

template <typename T>
void copy_plain(const TiffPage& page, const ChannelSource& channel, const Chunk& chunk, Rect part,
                Rect dst_rect, std::byte* dst, bool swap) {
    const std::size_t row_bytes = page.chunk_row_bytes();
    const std::size_t step = page.chunk_samples();
    const std::size_t offset = page.planar == PLANARCONFIG_SEPARATE ? 0 : channel.sample;
    for (std::int64_t y = part.y; y < part.y + part.height; ++y) {
        const std::byte* row = chunk.data + static_cast<std::size_t>(y - chunk.y) * row_bytes;
        auto* out = dst + (static_cast<std::size_t>(y - dst_rect.y) *
                               static_cast<std::size_t>(dst_rect.width) +
                           static_cast<std::size_t>(part.x - dst_rect.x)) *
                              sizeof(T);
        for (std::int64_t x = part.x; x < part.x + part.width; ++x) {
            const std::size_t index = static_cast<std::size_t>(x - chunk.x) * step + offset;
            const T value = load<T>(row + index * sizeof(T), swap);
            std::memcpy(out, &value, sizeof(T));
            out += sizeof(T);
        }
    }
}

void store_float(std::byte* out, SampleType type, float value) {
    if (type == SampleType::F16) {
        const std::uint16_t half = float_to_half(value);
        std::memcpy(out, &half, 2);
    } else {
        std::memcpy(out, &value, 4);
    }
}

void copy_converted(const TiffPage& page, const ChannelSource& channel, const Chunk& chunk,
                    Rect part, Rect dst_rect, std::byte* dst, bool swap) {
    const std::size_t row_bytes = page.chunk_row_bytes();
    const std::size_t step = page.chunk_samples();
    const std::size_t offset = page.planar == PLANARCONFIG_SEPARATE ? 0 : channel.sample;
    const unsigned bits = page.bits;
    const std::size_t out_size = sample_size(channel.type);
    const std::uint64_t max_value = bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
    const std::vector<std::uint8_t>* lut =
        channel.palette >= 0 ? &page.colormap[static_cast<std::size_t>(channel.palette)] : nullptr;
    for (std::int64_t y = part.y; y < part.y + part.height; ++y) {
        const std::byte* row = chunk.data + static_cast<std::size_t>(y - chunk.y) * row_bytes;
        std::byte* out = dst + (static_cast<std::size_t>(y - dst_rect.y) *
                                    static_cast<std::size_t>(dst_rect.width) +
                                static_cast<std::size_t>(part.x - dst_rect.x)) *
                                   out_size;
        for (std::int64_t x = part.x; x < part.x + part.width; ++x, out += out_size) {
            const std::uint64_t index = static_cast<std::uint64_t>(x - chunk.x) * step + offset;
            std::uint64_t raw = 0;
            switch (bits) {
                case 8:
                    raw = std::to_integer<std::uint64_t>(row[index]);
                    break;
                case 16:
                    raw = load<std::uint16_t>(row + index * 2, swap);
                    break;
                case 24: {
                    // Whole bytes in the file's byte order (libtiff swaps decoded ones to ours).
                    const std::byte* p = row + index * 3;
                    const auto b0 = std::to_integer<std::uint64_t>(p[0]);
                    const auto b2 = std::to_integer<std::uint64_t>(p[2]);
                    raw = (swap ? b0 << 16 | b2 : b2 << 16 | b0) |
                          std::to_integer<std::uint64_t>(p[1]) << 8;
                    break;
                }
                case 32:
                    raw = load<std::uint32_t>(row + index * 4, swap);
                    break;
                case 64:
                    raw = load<std::uint64_t>(row + index * 8, swap);
                    break;
                default:
                    raw = load_bits(row, index, bits);
                    break;
            }
            if (page.sample_format == SAMPLEFORMAT_IEEEFP) {
                if (bits == 16) {
                    const auto half = static_cast<std::uint16_t>(raw);
                    if (channel.type == SampleType::F16) {
                        std::memcpy(out, &half, 2);
                    } else {
                        store_float(out, channel.type, half_to_float(half));
                    }
                } else if (bits == 32) {
                    store_float(out, channel.type,
                                std::bit_cast<float>(static_cast<std::uint32_t>(raw)));
                } else {
                    store_float(out, channel.type, static_cast<float>(std::bit_cast<double>(raw)));
                }
                continue;
            }
            if (page.sample_format == SAMPLEFORMAT_INT) {
                // Sign-extend from the stored width.
                const unsigned unused = 64 - bits;
                const auto value = static_cast<std::int64_t>(raw << unused) >> unused;
                store_float(out, channel.type, static_cast<float>(value));
                continue;
            }
            if (channel.invert) {
                raw = max_value - raw;
            }
            if (lut != nullptr) {
                const auto entry =
                    raw < lut->size() ? (*lut)[static_cast<std::size_t>(raw)] : std::uint8_t{0};
                *out = static_cast<std::byte>(entry);
                continue;
            }
            switch (channel.type) {
                case SampleType::U8:
                    *out = static_cast<std::byte>(raw);
                    break;
                case SampleType::U16: {
                    const auto value = static_cast<std::uint16_t>(raw);
                    std::memcpy(out, &value, 2);
                    break;
                }
                case SampleType::U32: {
                    const auto value = static_cast<std::uint32_t>(raw);
                    std::memcpy(out, &value, 4);
                    break;
                }
                default:
                    store_float(out, channel.type, static_cast<float>(raw));
                    break;
            }
        }
    }
}

}  // namespace

bool TiffPage::stacks_with(const TiffPage& other) const {
    return width == other.width && height == other.height && orientation == other.orientation &&
           same_samples(other);
}

bool TiffPage::same_samples(const TiffPage& other) const {
    if (mode != other.mode || bits != other.bits || sample_format != other.sample_format ||
        photometric != other.photometric || channels.size() != other.channels.size()) {
        return false;
    }
    for (std::size_t c = 0; c < channels.size(); ++c) {
        if (channels[c].name != other.channels[c].name ||
            channels[c].type != other.channels[c].type) {
            return false;
        }
    }
    return true;
}

std::size_t TiffPage::chunk_row_bytes() const {
    const std::uint64_t bits_per_row =
        static_cast<std::uint64_t>(chunk_width) * chunk_samples() * this->bits;
    return static_cast<std::size_t>((bits_per_row + 7) / 8);
}

std::string TiffPage::compression_name() const {
    std::string name;
    switch (compression) {
        case COMPRESSION_NONE:
            name = "none";
            break;
        case COMPRESSION_CCITTRLE:
            name = "CCITT RLE";
            break;
        case COMPRESSION_CCITTFAX3:
            name = "CCITT G3";
            break;
        case COMPRESSION_CCITTFAX4:
            name = "CCITT G4";
            break;
        case COMPRESSION_LZW:
            name = "LZW";
            break;
        case COMPRESSION_OJPEG:
            name = "old-style JPEG";
            break;
        case COMPRESSION_JPEG:
            name = "JPEG";
            break;
        case COMPRESSION_ADOBE_DEFLATE:
        case COMPRESSION_DEFLATE:
            name = "Deflate";
            break;
        case COMPRESSION_PACKBITS:
            name = "PackBits";
            break;
        case COMPRESSION_LZMA:
            name = "LZMA";
            break;
        case COMPRESSION_ZSTD:
            name = "ZSTD";
            break;
        case COMPRESSION_WEBP:
            name = "WebP";
            break;
        case COMPRESSION_LERC:
            name = "LERC";
            break;
        case COMPRESSION_JBIG:
            name = "JBIG";
            break;
        default: {
            const TIFFCodec* codec = TIFFFindCODEC(compression);
            name = codec != nullptr && codec->name != nullptr
                       ? std::string(codec->name)
                       : fmt::format("compression {}", compression);
        }
    }
    if (predictor == PREDICTOR_HORIZONTAL) {
        name += " + horizontal predictor";
    } else if (predictor == PREDICTOR_FLOATINGPOINT) {
        name += " + floating-point predictor";
    }
    return name;
}

std::string TiffPage::layout_text() const {
    if (tiled) {
        return fmt::format("tiles {}x{}", chunk_width, chunk_rows);
    }
    return fmt::format("strips of {} rows", chunk_rows);
}

namespace {

// The tags a user reads about a page, as text: the structure ones, then those of its origin
// (software, dates, camera, resolution). Text is cut at 200 characters and made printable.
std::vector<std::pair<std::string, std::string>> descriptive_tags(::tiff* tif,
                                                                  const TiffPage& page) {
    std::vector<std::pair<std::string, std::string>> tags;
    const auto printable = [](const char* text) {
        std::string out;
        for (const char* p = text; *p != '\0' && out.size() < 200; ++p) {
            const auto c = static_cast<unsigned char>(*p);
            out += c >= 0x20 && c != 0x7f ? static_cast<char>(c) : ' ';
        }
        return out;
    };
    tags.emplace_back("tag ImageWidth x ImageLength",
                      fmt::format("{} x {}", page.width, page.height));
    tags.emplace_back("tag BitsPerSample", fmt::format("{}", page.bits));
    tags.emplace_back("tag SamplesPerPixel", fmt::format("{}", page.samples_per_pixel));
    tags.emplace_back("tag SampleFormat", fmt::format("{}", page.sample_format));
    tags.emplace_back("tag Compression",
                      fmt::format("{} ({})", page.compression, page.compression_name()));
    tags.emplace_back("tag Photometric", fmt::format("{}", page.photometric));
    tags.emplace_back("tag PlanarConfiguration", fmt::format("{}", page.planar));
    tags.emplace_back("tag Predictor", fmt::format("{}", page.predictor));
    std::uint16_t value16 = 0;
    if (TIFFGetField(tif, TIFFTAG_ORIENTATION, &value16) != 0) {
        tags.emplace_back("tag Orientation", fmt::format("{}", value16));
    }
    float x = 0;
    float y = 0;
    if (TIFFGetField(tif, TIFFTAG_XRESOLUTION, &x) != 0 &&
        TIFFGetField(tif, TIFFTAG_YRESOLUTION, &y) != 0) {
        std::uint16_t unit = RESUNIT_INCH;
        TIFFGetFieldDefaulted(tif, TIFFTAG_RESOLUTIONUNIT, &unit);
        tags.emplace_back("tag XResolution x YResolution",
                          fmt::format("{:g} x {:g} per {}", x, y,
                                      unit == RESUNIT_CENTIMETER ? "centimetre"
                                      : unit == RESUNIT_INCH     ? "inch"
                                                                 : "unit"));
    }
    const std::pair<unsigned, const char*> kText[] = {
        {TIFFTAG_DOCUMENTNAME, "DocumentName"},
        {TIFFTAG_PAGENAME, "PageName"},
        {TIFFTAG_SOFTWARE, "Software"},
        {TIFFTAG_DATETIME, "DateTime"},
        {TIFFTAG_ARTIST, "Artist"},
        {TIFFTAG_HOSTCOMPUTER, "HostComputer"},
        {TIFFTAG_MAKE, "Make"},
        {TIFFTAG_MODEL, "Model"},
        {TIFFTAG_COPYRIGHT, "Copyright"},
        {TIFFTAG_IMAGEDESCRIPTION, "ImageDescription"}};
    for (const auto& [tag, name] : kText) {
        const char* text = nullptr;
        if (TIFFGetField(tif, tag, &text) != 0 && text != nullptr) {
            tags.emplace_back(fmt::format("tag {}", name), printable(text));
        }
    }
    return tags;
}

}  // namespace

Result<TiffPage> read_page(::tiff* tif, bool read_description) {
    TiffPage page;
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    if (TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width) == 0 ||
        TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height) == 0 || width == 0 || height == 0) {
        return Error{"the page has no image size"};
    }
    if (width > kMaxSide || height > kMaxSide) {
        return Error{fmt::format("the page claims {}x{} pixels (at most {} a side are read)", width,
                                 height, kMaxSide)};
    }
    page.width = width;
    page.height = height;
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &page.samples_per_pixel);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &page.bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &page.sample_format);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &page.planar);
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &page.compression);
    TIFFGetFieldDefaulted(tif, TIFFTAG_FILLORDER, &page.fill_order);
    if (TIFFGetField(tif, TIFFTAG_ORIENTATION, &page.orientation) == 0 ||
        !valid_orientation(page.orientation)) {
        page.orientation = ORIENTATION_TOPLEFT;  // what readers assume of a value out of range
    }
    TIFFGetFieldDefaulted(tif, TIFFTAG_SUBFILETYPE, &page.subfile_type);
    if (TIFFGetField(tif, TIFFTAG_PREDICTOR, &page.predictor) == 0) {
        page.predictor = PREDICTOR_NONE;
    }
    if (TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &page.photometric) == 0) {
        page.photometric = page.samples_per_pixel >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
    }
    if (page.samples_per_pixel == 0 || page.samples_per_pixel > kMaxSamplesPerPixel) {
        return Error{fmt::format("the page claims {} samples per pixel (at most {} are read)",
                                 page.samples_per_pixel, kMaxSamplesPerPixel)};
    }
    if (page.bits == 0 || page.bits > 64) {
        return Error{fmt::format("the page claims {} bits per sample", page.bits)};
    }
    if (page.planar != PLANARCONFIG_CONTIG && page.planar != PLANARCONFIG_SEPARATE) {
        return Error{fmt::format("the page has PlanarConfiguration {}", page.planar)};
    }
    if (TIFFIsCODECConfigured(page.compression) == 0) {
        return Error{
            fmt::format("Tessera does not support {} compression (not in this libtiff "
                        "build)",
                        page.compression_name())};
    }
    page.tiled = TIFFIsTiled(tif) != 0;
    page.byte_swapped = TIFFIsByteSwapped(tif) != 0;
    if (page.tiled) {
        std::uint32_t tile_width = 0;
        std::uint32_t tile_height = 0;
        TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tile_width);
        TIFFGetField(tif, TIFFTAG_TILELENGTH, &tile_height);
        if (tile_width == 0 || tile_height == 0) {
            return Error{"the page is tiled but has no tile size"};
        }
        page.chunk_width = tile_width;
        page.chunk_rows = tile_height;
    } else {
        std::uint32_t rows = 0;
        TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rows);
        page.chunk_width = page.width;
        page.chunk_rows = rows == 0 ? page.height : std::min<std::int64_t>(rows, page.height);
    }
    std::uint16_t sub_ifd_count = 0;
    std::uint64_t* sub_ifd_offsets = nullptr;
    if (TIFFGetField(tif, TIFFTAG_SUBIFD, &sub_ifd_count, &sub_ifd_offsets) != 0 &&
        sub_ifd_offsets != nullptr) {
        page.sub_ifd_offsets.assign(sub_ifd_offsets, sub_ifd_offsets + sub_ifd_count);
    }
    if (read_description) {
        const char* text = nullptr;
        if (TIFFGetField(tif, TIFFTAG_IMAGEDESCRIPTION, &text) != 0 && text != nullptr) {
            page.description = text;
        }
        page.tags = descriptive_tags(tif, page);
    }
    if (needs_rgba_interface(page)) {
        char message[1024] = {};
        if (TIFFRGBAImageOK(tif, message) == 0) {
            return Error{fmt::format("Tessera does not support this {} {} page: {}",
                                     photometric_name(page.photometric), page.compression_name(),
                                     message)};
        }
        page.mode = PageMode::Rgba;
        std::uint16_t extra_count = 0;
        std::uint16_t* extra_types = nullptr;
        TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &extra_count, &extra_types);
        page.has_alpha =
            extra_count > 0 && extra_types != nullptr &&
            (extra_types[0] == EXTRASAMPLE_ASSOCALPHA || extra_types[0] == EXTRASAMPLE_UNASSALPHA);
        for (int c = 0; c < (page.has_alpha ? 4 : 3); ++c) {
            page.channels.push_back({std::string(1, "RGBA"[c]), SampleType::U8,
                                     static_cast<std::uint16_t>(c), -1, false});
        }
        return page;
    }
    if (page.photometric == PHOTOMETRIC_YCBCR) {
        if (page.bits != 8) {
            return Error{fmt::format("Tessera does not support {}-bit YCbCr JPEG", page.bits)};
        }
        page.jpeg_rgb = true;
        prepare_handle(tif, page);
    }
    if (auto described = describe_channels(tif, page); !described) {
        return described.error();
    }
    return page;
}

void prepare_handle(::tiff* tif, const TiffPage& page) {
    if (page.jpeg_rgb) {
        TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
    }
}

void extract(const TiffPage& page, const ChannelSource& channel, const Chunk& chunk, Rect part,
             Rect dst_rect, std::byte* dst, bool swap) {
    const bool plain =
        !channel.invert && channel.palette < 0 &&
        ((page.sample_format == SAMPLEFORMAT_UINT || page.sample_format == SAMPLEFORMAT_VOID)
             ? sample_size(channel.type) * 8 == page.bits
             : (page.sample_format == SAMPLEFORMAT_IEEEFP &&
                ((page.bits == 16 && channel.type == SampleType::F16) ||
                 (page.bits == 32 && channel.type == SampleType::F32))));
    if (plain && page.bits == 8) {
        copy_plain<std::uint8_t>(page, channel, chunk, part, dst_rect, dst, false);
    } else if (plain && page.bits == 16) {
        copy_plain<std::uint16_t>(page, channel, chunk, part, dst_rect, dst, swap);
    } else if (plain && page.bits == 32) {
        copy_plain<std::uint32_t>(page, channel, chunk, part, dst_rect, dst, swap);
    } else {
        copy_converted(page, channel, chunk, part, dst_rect, dst, swap);
    }
}

}  // namespace tessera::core::tiff
