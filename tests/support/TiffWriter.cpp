#include "tests/support/TiffWriter.h"

#include <cstring>

#include "core/image/SampleType.h"

namespace tessera::testing {
namespace {

using core::float_to_half;

void put_sample(std::vector<std::uint8_t>& row, std::size_t index, const TiffSpec& spec,
                double value) {
    const unsigned bits = spec.bits;
    if (bits % 8 != 0) {
        // Packed most significant bit first.
        const auto v = static_cast<std::uint64_t>(value);
        for (unsigned b = 0; b < bits; ++b) {
            const std::size_t bit = index * bits + b;
            if ((v >> (bits - 1 - b)) & 1) {
                row[bit / 8] |= static_cast<std::uint8_t>(0x80 >> (bit % 8));
            }
        }
        return;
    }
    if (bits == 24) {
        return;  // only written to be refused: zeros will do
    }
    std::uint8_t* p = row.data() + index * (bits / 8);
    auto store = [&](auto v) {
        std::memcpy(p, &v, sizeof v);
    };
    if (spec.format == SAMPLEFORMAT_IEEEFP) {
        if (bits == 16) {
            store(float_to_half(static_cast<float>(value)));
        } else if (bits == 32) {
            store(static_cast<float>(value));
        } else {
            store(value);
        }
    } else if (spec.format == SAMPLEFORMAT_INT) {
        if (bits == 8) {
            store(static_cast<std::int8_t>(value));
        } else if (bits == 16) {
            store(static_cast<std::int16_t>(value));
        } else if (bits == 32) {
            store(static_cast<std::int32_t>(value));
        } else {
            store(static_cast<std::int64_t>(value));
        }
    } else if (bits == 8) {
        store(static_cast<std::uint8_t>(value));
    } else if (bits == 16) {
        store(static_cast<std::uint16_t>(value));
    } else if (bits == 32) {
        store(static_cast<std::uint32_t>(value));
    } else {
        store(static_cast<std::uint64_t>(value));
    }
}

}  // namespace

void set_tiff_fields(TIFF* tif, const TiffSpec& spec, bool first_page) {
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, spec.width);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, spec.height);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, spec.spp);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, spec.bits);
    TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, spec.format);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, spec.photometric);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, spec.planar);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, spec.compression);
    if (spec.predictor != PREDICTOR_NONE) {
        TIFFSetField(tif, TIFFTAG_PREDICTOR, spec.predictor);
    }
    if (spec.orientation != 0) {
        TIFFSetField(tif, TIFFTAG_ORIENTATION, spec.orientation);
    }
    if (!spec.extra.empty()) {
        TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, static_cast<std::uint16_t>(spec.extra.size()),
                     spec.extra.data());
    }
    if (!spec.colormap[0].empty()) {
        TIFFSetField(tif, TIFFTAG_COLORMAP, spec.colormap[0].data(), spec.colormap[1].data(),
                     spec.colormap[2].data());
    }
    if (spec.photometric == PHOTOMETRIC_YCBCR && spec.compression == COMPRESSION_JPEG) {
        TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
    }
    if (first_page && !spec.description.empty()) {
        TIFFSetField(tif, TIFFTAG_IMAGEDESCRIPTION, spec.description.c_str());
    }
    if (spec.tiled) {
        TIFFSetField(tif, TIFFTAG_TILEWIDTH, spec.tile);
        TIFFSetField(tif, TIFFTAG_TILELENGTH, spec.tile);
    } else {
        TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, spec.rows_per_strip);
    }
}

bool write_tiff(const std::filesystem::path& path, const TiffSpec& spec, const TiffValue& value) {
    TIFF* tif = TIFFOpen(path.c_str(), spec.mode.c_str());
    if (tif == nullptr) {
        return false;
    }
    bool ok = true;
    for (int page = 0; page < spec.pages; ++page) {
        set_tiff_fields(tif, spec, page == 0);
        const bool separate = spec.planar == PLANARCONFIG_SEPARATE;
        const int chunk_samples = separate ? 1 : spec.spp;
        if (spec.tiled) {
            const std::size_t row_bytes = (spec.tile * chunk_samples * spec.bits + 7) / 8;
            for (int plane = 0; plane < (separate ? spec.spp : 1); ++plane) {
                for (std::uint32_t ty = 0; ty < spec.height; ty += spec.tile) {
                    for (std::uint32_t tx = 0; tx < spec.width; tx += spec.tile) {
                        std::vector<std::uint8_t> tile(row_bytes * spec.tile);
                        for (std::uint32_t y = 0; y < spec.tile; ++y) {
                            std::vector<std::uint8_t> row(row_bytes);
                            for (std::uint32_t x = 0; x < spec.tile; ++x) {
                                for (int s = 0; s < chunk_samples; ++s) {
                                    const int sample = separate ? plane : s;
                                    const bool inside = tx + x < spec.width && ty + y < spec.height;
                                    put_sample(row, x * chunk_samples + s, spec,
                                               inside ? value(page, sample, tx + x, ty + y) : 0);
                                }
                            }
                            std::memcpy(tile.data() + y * row_bytes, row.data(), row_bytes);
                        }
                        ok = ok && TIFFWriteTile(tif, tile.data(), tx, ty, 0,
                                                 static_cast<std::uint16_t>(plane)) >= 0;
                    }
                }
            }
        } else {
            const std::size_t row_bytes = (spec.width * chunk_samples * spec.bits + 7) / 8;
            for (int plane = 0; plane < (separate ? spec.spp : 1); ++plane) {
                for (std::uint32_t y = 0; y < spec.height; ++y) {
                    std::vector<std::uint8_t> row(row_bytes);
                    for (std::uint32_t x = 0; x < spec.width; ++x) {
                        for (int s = 0; s < chunk_samples; ++s) {
                            const int sample = separate ? plane : s;
                            put_sample(row, x * chunk_samples + s, spec, value(page, sample, x, y));
                        }
                    }
                    ok = ok && TIFFWriteScanline(tif, row.data(), y,
                                                 static_cast<std::uint16_t>(plane)) == 1;
                }
            }
        }
        ok = ok && TIFFWriteDirectory(tif) == 1;
    }
    TIFFClose(tif);
    return ok;
}

}  // namespace tessera::testing
