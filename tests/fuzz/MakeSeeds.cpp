// Writes the fuzz targets' own seed inputs, one folder per family, generated in code: small valid
// files of every format and layout each decoder reads. The external corpus (../shared/testdata)
// and the regression inputs are added beside them when present.
//   tessera_fuzz_seeds DIR   writes DIR/stb, DIR/exr, DIR/pnm, DIR/npy, DIR/tiff, DIR/ipc
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <ImfRgbaFile.h>
#include <stb_image_write.h>
#include <tiffio.h>
#include <tinyexr.h>

#include "tests/support/Fixtures.h"
#include "tests/support/IpcReplay.h"
#include "tests/support/TiffWriter.h"

namespace {

namespace fs = std::filesystem;
using tessera::testing::bytes_of;
using tessera::testing::write_bytes;
using tessera::testing::write_text;

std::vector<std::uint8_t> ramp(int width, int height, int channels) {
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width * height * channels));
    for (std::size_t i = 0; i < pixels.size(); ++i) {
        pixels[i] = static_cast<std::uint8_t>(i * 37 + i / 5);
    }
    return pixels;
}

void put(std::vector<std::byte>& out, std::initializer_list<int> values) {
    for (int v : values) {
        out.push_back(static_cast<std::byte>(v));
    }
}

// A 4x4 GIF with a 4-colour palette; LZW with a clear code before every second pixel, so the
// code size stays 3 bits.
std::vector<std::byte> gif() {
    std::vector<std::byte> out;
    for (char ch : std::string("GIF89a")) {
        out.push_back(static_cast<std::byte>(ch));
    }
    put(out, {4, 0, 4, 0, 0xf1, 0, 0});                    // screen, 4-colour table
    put(out, {0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255});  // palette
    put(out, {0x2c, 0, 0, 0, 0, 4, 0, 4, 0, 0});           // image descriptor
    std::vector<int> codes{4};                             // clear
    for (int i = 0; i < 16; ++i) {
        codes.push_back(i % 4);
        if (i % 2 == 1) {
            codes.push_back(4);
        }
    }
    codes.push_back(5);  // end of information
    std::vector<std::byte> packed;
    unsigned bits = 0;
    int count = 0;
    for (int code : codes) {
        bits |= static_cast<unsigned>(code) << count;
        count += 3;
        while (count >= 8) {
            packed.push_back(static_cast<std::byte>(bits & 0xff));
            bits >>= 8;
            count -= 8;
        }
    }
    if (count > 0) {
        packed.push_back(static_cast<std::byte>(bits & 0xff));
    }
    put(out, {2, static_cast<int>(packed.size())});
    out.insert(out.end(), packed.begin(), packed.end());
    put(out, {0, 0x3b});
    return out;
}

// A 3x2 RGB PSD, raw, 8 bits.
std::vector<std::byte> psd() {
    std::vector<std::byte> out;
    put(out,
        {'8', 'B', 'P', 'S', 0, 1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 8, 0, 3});
    for (int section = 0; section < 3; ++section) {
        put(out, {0, 0, 0, 0});
    }
    put(out, {0, 0});
    for (int i = 0; i < 18; ++i) {
        out.push_back(static_cast<std::byte>(i * 14));
    }
    return out;
}

void write_stb(const fs::path& dir) {
    const auto pixels = ramp(13, 7, 4);
    stbi_write_png((dir / "rgba.png").c_str(), 13, 7, 4, pixels.data(), 13 * 4);
    stbi_write_png((dir / "grey.png").c_str(), 13, 7, 1, pixels.data(), 13);
    stbi_write_jpg((dir / "rgb.jpg").c_str(), 13, 7, 3, pixels.data(), 90);
    stbi_write_jpg((dir / "grey.jpg").c_str(), 17, 9, 1, pixels.data(), 50);
    stbi_write_bmp((dir / "rgb.bmp").c_str(), 13, 7, 3, pixels.data());
    stbi_write_tga_with_rle = 1;
    stbi_write_tga((dir / "rle.tga").c_str(), 13, 7, 4, pixels.data());
    stbi_write_tga_with_rle = 0;
    stbi_write_tga((dir / "raw.tga").c_str(), 13, 7, 3, pixels.data());
    std::vector<float> radiance(16 * 3 * 3);
    for (std::size_t i = 0; i < radiance.size(); ++i) {
        radiance[i] = static_cast<float>(i) * 0.25f;
    }
    stbi_write_hdr((dir / "rle.hdr").c_str(), 16, 3, 3, radiance.data());
    stbi_write_hdr((dir / "flat.hdr").c_str(), 4, 3, 3, radiance.data());
    write_bytes(dir / "palette.gif", gif());
    write_bytes(dir / "rgb.psd", psd());
    std::vector<std::uint16_t> deep(5 * 3 * 3, 40000);
    write_bytes(dir / "rgb16.png", tessera::testing::png16(5, 3, 3, deep));
}

void write_exr(const fs::path& dir) {
    using tessera::testing::ExrPart;
    std::vector<float> values(6 * 5);
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = static_cast<float>(i) - 3.5f;
    }
    const int compressions[] = {TINYEXR_COMPRESSIONTYPE_NONE, TINYEXR_COMPRESSIONTYPE_RLE,
                                TINYEXR_COMPRESSIONTYPE_ZIPS, TINYEXR_COMPRESSIONTYPE_ZIP,
                                TINYEXR_COMPRESSIONTYPE_PIZ};
    for (int compression : compressions) {
        tessera::testing::write_exr(
            dir / ("float-" + std::to_string(compression) + ".exr"),
            {ExrPart{"", 6, 5, TINYEXR_PIXELTYPE_FLOAT, compression, bytes_of(values)}});
    }
    std::vector<std::uint16_t> halves(6 * 5, 0x3c00);
    tessera::testing::write_exr(
        dir / "multipart.exr",
        {ExrPart{"a", 6, 5, TINYEXR_PIXELTYPE_HALF, TINYEXR_COMPRESSIONTYPE_ZIP, bytes_of(halves)},
         ExrPart{"b", 6, 5, TINYEXR_PIXELTYPE_FLOAT, TINYEXR_COMPRESSIONTYPE_NONE,
                 bytes_of(values)}});
    // The compressions only the OpenEXR library decodes, and a luminance/chroma file.
    const std::pair<Imf::Compression, const char*> library[] = {{Imf::PXR24_COMPRESSION, "pxr24"},
                                                                {Imf::B44_COMPRESSION, "b44"},
                                                                {Imf::B44A_COMPRESSION, "b44a"},
                                                                {Imf::DWAA_COMPRESSION, "dwaa"},
                                                                {Imf::DWAB_COMPRESSION, "dwab"}};
    std::vector<Imf::Rgba> pixels(16 * 8);
    for (std::size_t i = 0; i < pixels.size(); ++i) {
        const float v = static_cast<float>(i % 16) / 8.0f;
        pixels[i] = Imf::Rgba(v, 1.0f - v, 0.25f * v, 1.0f);
    }
    for (const auto& [compression, name] : library) {
        Imf::RgbaOutputFile file(
            (dir / (std::string(name) + ".exr")).c_str(),
            Imf::Header(16, 8, 1.0f, Imath::V2f(0, 0), 1.0f, Imf::INCREASING_Y, compression),
            Imf::WRITE_RGBA);
        file.setFrameBuffer(pixels.data(), 1, 16);
        file.writePixels(8);
    }
    Imf::RgbaOutputFile yc((dir / "luminance-chroma.exr").c_str(), 16, 8, Imf::WRITE_YCA);
    yc.setFrameBuffer(pixels.data(), 1, 16);
    yc.writePixels(8);
}

void write_pnm(const fs::path& dir) {
    write_text(dir / "p1.pbm", "P1\n# bits\n5 2\n10101\n01010\n");
    write_text(dir / "p2.pgm", "P2\n3 2\n65535\n0 1 2\n3 65535 5\n");
    write_text(dir / "p3.ppm", "P3\n2 1\n255\n255 0 0  0 255 0\n");
    std::vector<std::byte> p4;
    for (char ch : std::string("P4\n9 2\n")) {
        p4.push_back(static_cast<std::byte>(ch));
    }
    put(p4, {0xaa, 0x80, 0x55, 0x00});
    write_bytes(dir / "p4.pbm", p4);
    std::vector<std::byte> p5;
    for (char ch : std::string("P5\n3 2\n255\n")) {
        p5.push_back(static_cast<std::byte>(ch));
    }
    put(p5, {1, 2, 3, 4, 5, 6});
    write_bytes(dir / "p5.pgm", p5);
    std::vector<std::byte> p6;
    for (char ch : std::string("P6 2 2 65535 ")) {
        p6.push_back(static_cast<std::byte>(ch));
    }
    for (int i = 0; i < 24; ++i) {
        p6.push_back(static_cast<std::byte>(i * 9));
    }
    write_bytes(dir / "p6-16bit.ppm", p6);
}

void write_npy(const fs::path& dir) {
    using tessera::testing::NpyHeader;
    std::vector<float> f32(4 * 3 * 2, 1.5f);
    tessera::testing::write_npy(dir / "hwc-f4.npy", NpyHeader{"<f4", {4, 3, 2}}, bytes_of(f32));
    std::vector<std::uint16_t> u16(2 * 4 * 3, 300);
    tessera::testing::write_npy(dir / "chw-u2-be.npy", NpyHeader{">u2", {2, 4, 3}}, bytes_of(u16));
    std::vector<std::uint8_t> u8(5 * 4 * 3, 7);
    tessera::testing::write_npy(dir / "rgb-u1-fortran.npy", NpyHeader{"|u1", {5, 4, 3}, true},
                                bytes_of(u8));
    std::vector<double> f64(3 * 3, -2.0);
    tessera::testing::write_npy(dir / "hw-f8-v2.npy", NpyHeader{"<f8", {3, 3}, false, 2},
                                bytes_of(f64));
    std::vector<std::int8_t> i8(2 * 2, -3);
    tessera::testing::write_npy(dir / "hw-i1.npy", NpyHeader{"|i1", {1, 2, 2}}, bytes_of(i8));
}

// Small TIFFs of every layout the decoder reads, written by libtiff: strips and tiles,
// compressions, planar layouts, packed bits, palette, YCbCr JPEG, pages, ImageJ and OME.
struct TiffSeed {
    const char* name;
    const char* mode;
    std::uint16_t spp, bits, format, photometric, planar, compression, predictor;
    bool tiled;
    int pages;
    const char* description;
};

void write_tiff_seed(const fs::path& path, const TiffSeed& seed) {
    tessera::testing::TiffSpec spec;
    spec.width = 20;
    spec.height = 12;
    spec.mode = seed.mode;
    spec.spp = seed.spp;
    spec.bits = seed.bits;
    spec.format = seed.format;
    spec.photometric = seed.photometric;
    spec.planar = seed.planar;
    spec.compression = seed.compression;
    spec.predictor = seed.predictor;
    spec.tiled = seed.tiled;
    spec.rows_per_strip = seed.compression == COMPRESSION_JPEG ? 16 : 5;
    spec.pages = seed.pages;
    spec.description = seed.description != nullptr ? seed.description : "";
    if (seed.photometric == PHOTOMETRIC_PALETTE) {
        for (auto& table : spec.colormap) {
            for (std::size_t i = 0; i < (std::size_t{1} << seed.bits); ++i) {
                table.push_back(static_cast<std::uint16_t>(i * 4099));
            }
        }
    }
    // Values spread over each type's range (a 1-bit sample keeps its lowest bit).
    const double top = seed.format == SAMPLEFORMAT_IEEEFP
                           ? 100.0
                           : std::ldexp(1.0, std::min<int>(seed.bits, 16)) - 1;
    tessera::testing::write_tiff(
        path, spec, [&](int page, int sample, std::uint32_t x, std::uint32_t y) {
            return std::fmod(
                static_cast<double>(x * 13 + y * 5 + static_cast<std::uint32_t>(page + sample)),
                top + 1);
        });
}

void write_tiff(const fs::path& dir) {
    constexpr auto U = SAMPLEFORMAT_UINT;
    constexpr auto I = SAMPLEFORMAT_INT;
    constexpr auto F = SAMPLEFORMAT_IEEEFP;
    constexpr auto C = PLANARCONFIG_CONTIG;
    constexpr auto S = PLANARCONFIG_SEPARATE;
    constexpr auto P1 = PREDICTOR_NONE;
    const char* ome =
        "<?xml version=\"1.0\"?><OME><Image ID=\"Image:0\"><Pixels DimensionOrder=\"XYCZT\" "
        "SizeX=\"20\" SizeY=\"12\" SizeZ=\"2\" SizeC=\"2\" SizeT=\"1\" Type=\"uint16\" "
        "PhysicalSizeX=\"0.5\"><Channel Name=\"a\" Color=\"-16776961\"/><Channel Name=\"b\"/>"
        "<TiffData IFD=\"0\" PlaneCount=\"4\"/></Pixels></Image></OME>";
    const TiffSeed seeds[] = {
        {"grey8-strips.tif", "w", 1, 8, U, PHOTOMETRIC_MINISBLACK, C, COMPRESSION_NONE, P1, false,
         1, nullptr},
        {"grey16-lzw-be.tif", "wb", 1, 16, U, PHOTOMETRIC_MINISBLACK, C, COMPRESSION_LZW,
         PREDICTOR_HORIZONTAL, false, 1, nullptr},
        {"float-deflate-tiles.tif", "w", 1, 32, F, PHOTOMETRIC_MINISBLACK, C,
         COMPRESSION_ADOBE_DEFLATE, PREDICTOR_FLOATINGPOINT, true, 1, nullptr},
        {"int16-zstd.tif", "w", 1, 16, I, PHOTOMETRIC_MINISBLACK, C, COMPRESSION_ZSTD, P1, false, 1,
         nullptr},
        {"rgb-separate-packbits.tif", "w", 3, 8, U, PHOTOMETRIC_RGB, S, COMPRESSION_PACKBITS, P1,
         false, 1, nullptr},
        {"rgba16-tiles-big.tif", "w8", 4, 16, U, PHOTOMETRIC_RGB, C, COMPRESSION_NONE, P1, true, 1,
         nullptr},
        {"bits1-g4.tif", "w", 1, 1, U, PHOTOMETRIC_MINISWHITE, C, COMPRESSION_CCITTFAX4, P1, false,
         1, nullptr},
        {"bits12.tif", "w", 1, 12, U, PHOTOMETRIC_MINISBLACK, C, COMPRESSION_NONE, P1, false, 1,
         nullptr},
        {"palette4.tif", "w", 1, 4, U, PHOTOMETRIC_PALETTE, C, COMPRESSION_LZW, P1, false, 1,
         nullptr},
        {"ycbcr-jpeg.tif", "w", 3, 8, U, PHOTOMETRIC_YCBCR, C, COMPRESSION_JPEG, P1, false, 1,
         nullptr},
        {"cmyk.tif", "w", 4, 8, U, PHOTOMETRIC_SEPARATED, C, COMPRESSION_NONE, P1, false, 1,
         nullptr},
        {"lab.tif", "w", 3, 8, U, PHOTOMETRIC_CIELAB, C, COMPRESSION_NONE, P1, false, 1, nullptr},
        {"pages.tif", "w", 1, 16, U, PHOTOMETRIC_MINISBLACK, C, COMPRESSION_NONE, P1, false, 3,
         nullptr},
        {"imagej.tif", "w", 1, 32, F, PHOTOMETRIC_MINISBLACK, C, COMPRESSION_NONE, P1, false, 4,
         "ImageJ=1.53t\nimages=4\nchannels=2\nslices=2\nhyperstack=true\n"},
        {"ome.tif", "w", 1, 16, U, PHOTOMETRIC_MINISBLACK, C, COMPRESSION_ADOBE_DEFLATE, P1, true,
         4, ome},
    };
    for (const TiffSeed& seed : seeds) {
        write_tiff_seed(dir / seed.name, seed);
    }
}

// A client's session touching every packet type, whole and one packet per file.
void write_ipc(const fs::path& dir) {
    std::vector<std::byte> stream;
    int index = 0;
    for (const auto& packet : tessera::testing::valid_ipc_packets()) {
        stream.insert(stream.end(), packet.begin(), packet.end());
        write_bytes(dir / ("packet-" + std::to_string(index++) + ".bin"), packet);
    }
    write_bytes(dir / "session.bin", stream);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: tessera_fuzz_seeds DIR\n");
        return 2;
    }
    const fs::path root = argv[1];
    for (const char* family : {"stb", "exr", "pnm", "npy", "tiff", "ipc"}) {
        fs::create_directories(root / family);
    }
    write_stb(root / "stb");
    write_exr(root / "exr");
    write_pnm(root / "pnm");
    write_npy(root / "npy");
    write_tiff(root / "tiff");
    write_ipc(root / "ipc");
    return 0;
}
