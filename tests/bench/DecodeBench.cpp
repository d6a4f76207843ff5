// Decode + statistics throughput, Tessera beside `oiiotool --stats` (OpenImageIO) on the same
// files in the same run. Files are generated once into a folder (default /tmp/tessera-bench):
// a large RGB PNG, an 8-channel half EXR with ZIP and with PIZ, a float32 .npy (oiiotool
// cannot read .npy, so it gets the same pixels as an uncompressed float TIFF), and a 16-bit
// tiled Deflate TIFF (also read by Debian's python3-tifffile, min/max/mean/std with NumPy).
//
//   tessera_decode_bench [--dir DIR] [--repeat N]
//
// Each case runs the tools N times, alternating, from a warm page cache; medians are printed,
// and the peak resident memory of each tool's process (GNU time's %M).
// "tessera info" is the whole CLI (process start, decode, statistics of every channel, output),
// the same work oiiotool --stats does. Tessera's in-process decode and statistics are shown too.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include <ImfChannelList.h>
#include <ImfFrameBuffer.h>
#include <ImfHeader.h>
#include <ImfOutputFile.h>
#include <fmt/format.h>
#include <stb_image_write.h>
#include <tiffio.h>
#include <tinyexr.h>

#include "core/io/ImageLoader.h"
#include "core/stats/ChannelStatistics.h"
#include "tests/support/Fixtures.h"
#include "tests/support/Process.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using tessera::testing::run_command;
using tessera::testing::shell_quote;

namespace {

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Smooth structure plus fine noise: compresses like a photograph, not like a flat test card.
float pattern(int x, int y, int c) {
    const float fx = static_cast<float>(x);
    const float fy = static_cast<float>(y);
    const std::uint32_t h = static_cast<std::uint32_t>(x) * 73856093u ^
                            static_cast<std::uint32_t>(y) * 19349663u ^
                            static_cast<std::uint32_t>(c) * 83492791u;
    const float noise = static_cast<float>(h % 1000) / 1000.0f;
    return 0.5f + 0.35f * std::sin(fx * 0.0031f * static_cast<float>(c + 1) + fy * 0.0017f) +
           0.1f * noise;
}

void make_png(const fs::path& path, int w, int h) {
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(w) * h * 3);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            for (int c = 0; c < 3; ++c)
                pixels[(static_cast<std::size_t>(y) * w + x) * 3 + c] =
                    static_cast<std::uint8_t>(std::clamp(pattern(x, y, c), 0.0f, 1.0f) * 255);
    stbi_write_png_compression_level = 6;
    stbi_write_png(path.c_str(), w, h, 3, pixels.data(), w * 3);
}

// The EXR benches' channels: names (with layers) and half samples of the pattern.
constexpr const char* kExrNames[] = {"A",        "B",        "G",        "R",
                                     "albedo.B", "albedo.G", "albedo.R", "depth.Z"};

std::vector<std::uint16_t> half_plane(int w, int h, int c) {
    std::vector<std::uint16_t> plane(static_cast<std::size_t>(w) * h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            plane[static_cast<std::size_t>(y) * w + x] =
                tessera::core::float_to_half(pattern(x, y, c) * 4.0f);
    return plane;
}

void make_exr(const fs::path& path, int w, int h, int channels, int compression) {
    std::vector<std::vector<std::uint16_t>> planes(static_cast<std::size_t>(channels));
    std::vector<unsigned char*> pointers;
    std::vector<EXRChannelInfo> infos(static_cast<std::size_t>(channels));
    std::vector<int> types(static_cast<std::size_t>(channels), TINYEXR_PIXELTYPE_HALF);
    const auto& kNames = kExrNames;
    for (int c = 0; c < channels; ++c) {
        auto& plane = planes[static_cast<std::size_t>(c)];
        plane = half_plane(w, h, c);
        pointers.push_back(reinterpret_cast<unsigned char*>(plane.data()));
        std::memset(&infos[static_cast<std::size_t>(c)], 0, sizeof(EXRChannelInfo));
        std::strcpy(infos[static_cast<std::size_t>(c)].name, kNames[c % 8]);
    }
    EXRHeader header;
    InitEXRHeader(&header);
    EXRImage image;
    InitEXRImage(&image);
    header.num_channels = channels;
    header.channels = infos.data();
    header.pixel_types = types.data();
    header.requested_pixel_types = types.data();
    header.compression_type = compression;
    image.num_channels = channels;
    image.images = pointers.data();
    image.width = w;
    image.height = h;
    const char* err = nullptr;
    if (SaveEXRImageToFile(&image, &header, path.c_str(), &err) != TINYEXR_SUCCESS) {
        std::fprintf(stderr, "cannot write %s: %s\n", path.c_str(), err ? err : "?");
        std::exit(1);
    }
}

void make_npy_and_tiff(const fs::path& npy, const fs::path& tiff, int w, int h) {
    std::vector<float> values(static_cast<std::size_t>(w) * h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            values[static_cast<std::size_t>(y) * w + x] = pattern(x, y, 0) * 1000.0f;
    tessera::testing::write_npy(
        npy, {"<f4", {static_cast<std::uint64_t>(h), static_cast<std::uint64_t>(w)}},
        std::as_bytes(std::span(values)));
    // The same pixels for oiiotool, which cannot read .npy: a minimal uncompressed float TIFF
    // (one strip, IEEE float samples), written by hand.
    std::vector<std::byte> out;
    auto put16 = [&](std::uint16_t v) {
        out.push_back(std::byte(v & 0xff));
        out.push_back(std::byte(v >> 8));
    };
    auto put32 = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i)
            out.push_back(std::byte((v >> (8 * i)) & 0xff));
    };
    const std::uint32_t data_offset = 8;
    const std::uint32_t data_bytes = static_cast<std::uint32_t>(values.size() * 4);
    out.insert(out.end(), {std::byte{'I'}, std::byte{'I'}});
    put16(42);
    put32(data_offset + data_bytes);  // IFD after the pixels
    const auto* raw = reinterpret_cast<const std::byte*>(values.data());
    out.insert(out.end(), raw, raw + data_bytes);
    struct Entry {
        std::uint16_t tag, type;
        std::uint32_t count, value;
    };
    const std::vector<Entry> entries{{256, 4, 1, static_cast<std::uint32_t>(w)},
                                     {257, 4, 1, static_cast<std::uint32_t>(h)},
                                     {258, 3, 1, 32},
                                     {259, 3, 1, 1},
                                     {262, 3, 1, 1},
                                     {273, 4, 1, data_offset},
                                     {277, 3, 1, 1},
                                     {278, 4, 1, static_cast<std::uint32_t>(h)},
                                     {279, 4, 1, data_bytes},
                                     {284, 3, 1, 1},
                                     {339, 3, 1, 3}};
    put16(static_cast<std::uint16_t>(entries.size()));
    for (const Entry& e : entries) {
        put16(e.tag);
        put16(e.type);
        put32(e.count);
        if (e.type == 3) {
            put16(static_cast<std::uint16_t>(e.value));
            put16(0);
        } else {
            put32(e.value);
        }
    }
    put32(0);
    tessera::testing::write_bytes(tiff, out);
}

// The same 8 half channels as make_exr, written by the OpenEXR library with a compression only
// it has (DWAA: lossy, the default of several renderers and compositors).
void make_exr_library(const fs::path& path, int w, int h, Imf::Compression compression) {
    Imf::Header header(w, h);
    header.compression() = compression;
    std::vector<std::vector<std::uint16_t>> planes(8);
    Imf::FrameBuffer frame;
    for (int c = 0; c < 8; ++c) {
        auto& plane = planes[static_cast<std::size_t>(c)];
        plane = half_plane(w, h, c);
        header.channels().insert(kExrNames[c], Imf::Channel(Imf::HALF));
        frame.insert(kExrNames[c], Imf::Slice(Imf::HALF, reinterpret_cast<char*>(plane.data()), 2,
                                              2 * static_cast<std::size_t>(w)));
    }
    Imf::OutputFile file(path.c_str(), header);
    file.setFrameBuffer(frame);
    file.writePixels(h);
}

// In-process decode of an EXR (the file read, the header checked, every pixel decoded) by one
// library, for the tinyexr-or-OpenEXR choice.
double exr_decode_seconds(const fs::path& path, tessera::core::LoadOptions::ExrLibrary library) {
    tessera::core::LoadOptions options;
    options.exr_library = library;
    options.decode_whole_below = std::uint64_t{1} << 40;  // decoded whole, never by region
    const auto start = Clock::now();
    auto images = tessera::core::load_images(path, options);
    return images ? seconds_since(start) : -1;
}

// 16-bit grey, tiles of 256 with Deflate and the horizontal predictor (what tifffile, bfconvert
// and most microscopy pipelines write for large images).
void make_tiff16(const fs::path& path, int w, int h) {
    TIFF* tif = TIFFOpen(path.c_str(), "w8");
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, w);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, 16);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(tif, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
    TIFFSetField(tif, TIFFTAG_PREDICTOR, PREDICTOR_HORIZONTAL);
    TIFFSetField(tif, TIFFTAG_TILEWIDTH, 256);
    TIFFSetField(tif, TIFFTAG_TILELENGTH, 256);
    std::vector<std::uint16_t> tile(256 * 256);
    for (int ty = 0; ty < h; ty += 256) {
        for (int tx = 0; tx < w; tx += 256) {
            for (int y = 0; y < 256; ++y)
                for (int x = 0; x < 256; ++x)
                    tile[static_cast<std::size_t>(y * 256 + x)] =
                        static_cast<std::uint16_t>(pattern(tx + x, ty + y, 0) * 40000.0f);
            TIFFWriteTile(tif, tile.data(), static_cast<std::uint32_t>(tx),
                          static_cast<std::uint32_t>(ty), 0, 0);
        }
    }
    TIFFClose(tif);
}

struct Case {
    std::string label;
    fs::path tessera_file;
    fs::path oiio_file;
    bool tifffile = false;  // also timed with python3-tifffile
};

struct Timed {
    double seconds = 0;
    double peak_mb = 0;
    bool ok = false;
    std::string output;
};

// Runs a command under GNU time for its peak resident memory.
Timed timed(const std::string& command) {
    const auto start = Clock::now();
    const auto result =
        run_command("{ /usr/bin/time -f 'peak-kib %M' " + command + " > /dev/null; }");
    Timed t;
    t.seconds = seconds_since(start);
    t.ok = result.exit_code == 0;
    t.output = result.output;
    const auto at = result.output.rfind("peak-kib ");
    if (at != std::string::npos) {
        t.peak_mb = std::atof(result.output.c_str() + at + 9) / 1024.0;
    }
    return t;
}

constexpr const char* kTifffileStats =
    "/usr/bin/python3 -c 'import sys, tifffile; a = tifffile.imread(sys.argv[1]); "
    "print(a.min(), a.max(), a.mean(), a.std())' ";

}  // namespace

int main(int argc, char** argv) {
    fs::path dir = "/tmp/tessera-bench";
    int repeat = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::string(argv[i]) == "--dir")
            dir = argv[i + 1];
        if (std::string(argv[i]) == "--repeat")
            repeat = std::max(1, std::atoi(argv[i + 1]));
    }
    if (run_command("command -v oiiotool").exit_code != 0) {
        std::fprintf(stderr, "oiiotool not found: install it with `.ci/setup bench`\n");
        return 1;
    }
    fs::create_directories(dir);
    const std::vector<Case> cases{
        {"PNG 6000x4000 RGB u8", dir / "photo.png", dir / "photo.png"},
        {"EXR 4096x4096 8ch half ZIP", dir / "aovs_zip.exr", dir / "aovs_zip.exr"},
        {"EXR 4096x4096 8ch half PIZ", dir / "aovs_piz.exr", dir / "aovs_piz.exr"},
        {"EXR 4096x4096 8ch half NONE", dir / "aovs_none.exr", dir / "aovs_none.exr"},
        {"NPY 8192x8192 f32 (oiiotool: same pixels as TIFF)", dir / "field.npy", dir / "field.tif"},
        {"TIFF 8192x8192 u16 tiled Deflate", dir / "tiled16.tif", dir / "tiled16.tif", true},
        {"EXR 4096x4096 8ch half DWAA", dir / "aovs_dwaa.exr", dir / "aovs_dwaa.exr"},
    };
    const auto generate = [&](const fs::path& path, auto make) {
        if (!fs::exists(path)) {
            std::printf("generating %s ...\n", path.c_str());
            std::fflush(stdout);
            make();
        }
    };
    generate(cases[0].tessera_file, [&] { make_png(cases[0].tessera_file, 6000, 4000); });
    generate(cases[1].tessera_file,
             [&] { make_exr(cases[1].tessera_file, 4096, 4096, 8, TINYEXR_COMPRESSIONTYPE_ZIP); });
    generate(cases[2].tessera_file,
             [&] { make_exr(cases[2].tessera_file, 4096, 4096, 8, TINYEXR_COMPRESSIONTYPE_PIZ); });
    generate(cases[3].tessera_file,
             [&] { make_exr(cases[3].tessera_file, 4096, 4096, 8, TINYEXR_COMPRESSIONTYPE_NONE); });
    generate(cases[4].oiio_file,
             [&] { make_npy_and_tiff(cases[4].tessera_file, cases[4].oiio_file, 8192, 8192); });
    generate(cases[5].tessera_file, [&] { make_tiff16(cases[5].tessera_file, 8192, 8192); });
    generate(cases[6].tessera_file,
             [&] { make_exr_library(cases[6].tessera_file, 4096, 4096, Imf::DWAA_COMPRESSION); });
    const bool have_tifffile = run_command("/usr/bin/python3 -c 'import tifffile'").exit_code == 0;
    if (!have_tifffile) {
        std::printf("python3-tifffile not found (`.ci/setup bench`): its column stays empty\n");
    }

    std::printf("\n%-42s %7s %6s | %9s %8s %8s %7s | %8s %7s | %8s %7s | %6s %6s\n", "case",
                "file MB", "Mpix", "decode ms", "stats ms", "info ms", "peak MB", "oiio ms",
                "peak MB", "tifffile", "peak MB", "oiio/t", "tf/t");
    for (const Case& c : cases) {
        const double file_mb = static_cast<double>(fs::file_size(c.tessera_file)) / 1e6;
        std::vector<double> decode, stats, info, oiio, tf;
        double info_peak = 0, oiio_peak = 0, tf_peak = 0;
        double mpixel = 0;
        for (int r = 0; r < repeat; ++r) {
            auto start = Clock::now();
            auto images = tessera::core::load_images(c.tessera_file);
            decode.push_back(seconds_since(start));
            if (!images) {
                std::fprintf(stderr, "%s\n", images.error().message.c_str());
                return 1;
            }
            const auto& source = *images->front().source;
            mpixel = static_cast<double>(source.width() * source.height()) / 1e6;
            start = Clock::now();
            auto s = tessera::core::compute_statistics(source);
            stats.push_back(seconds_since(start));
            images = tessera::core::Error{"released"};

            const Timed t = timed(shell_quote(TESSERA_EXECUTABLE) + " info " +
                                  shell_quote(c.tessera_file.string()));
            const Timed o = timed("oiiotool --stats " + shell_quote(c.oiio_file.string()));
            if (!t.ok || !o.ok) {
                std::fprintf(stderr, "a tool failed on %s:\n%s%s", c.label.c_str(),
                             t.output.c_str(), o.output.c_str());
                return 1;
            }
            info.push_back(t.seconds);
            oiio.push_back(o.seconds);
            info_peak = std::max(info_peak, t.peak_mb);
            oiio_peak = std::max(oiio_peak, o.peak_mb);
            if (c.tifffile && have_tifffile) {
                const Timed p = timed(kTifffileStats + shell_quote(c.tessera_file.string()));
                if (p.ok) {
                    tf.push_back(p.seconds);
                    tf_peak = std::max(tf_peak, p.peak_mb);
                }
            }
        }
        const std::string tf_ms = tf.empty() ? "-" : fmt::format("{:.0f}", median(tf) * 1e3);
        const std::string tf_mb = tf.empty() ? "-" : fmt::format("{:.0f}", tf_peak);
        const std::string tf_ratio =
            tf.empty() ? "-" : fmt::format("{:.2f}x", median(tf) / median(info));
        std::printf(
            "%-42s %7.1f %6.1f | %9.0f %8.0f %8.0f %7.0f | %8.0f %7.0f | %8s %7s | %5.2fx "
            "%6s\n",
            c.label.c_str(), file_mb, mpixel, median(decode) * 1e3, median(stats) * 1e3,
            median(info) * 1e3, info_peak, median(oiio) * 1e3, oiio_peak, tf_ms.c_str(),
            tf_mb.c_str(), median(oiio) / median(info), tf_ratio.c_str());
    }
    // Which library decodes faster where both can: in process, decode only, medians.
    using Library = tessera::core::LoadOptions::ExrLibrary;
    std::printf("\n%-42s %12s %12s\n", "EXR decode in process", "tinyexr ms", "OpenEXR ms");
    for (const Case& c : cases) {
        if (c.tessera_file.extension() != ".exr") {
            continue;
        }
        std::vector<double> tiny, library;
        for (int r = 0; r < repeat; ++r) {
            tiny.push_back(exr_decode_seconds(c.tessera_file, Library::TinyExr));
            library.push_back(exr_decode_seconds(c.tessera_file, Library::OpenExr));
        }
        const double t = median(tiny);
        std::printf("%-42s %12s %12.0f\n", c.label.c_str(),
                    t < 0 ? "-" : fmt::format("{:.0f}", t * 1e3).c_str(), median(library) * 1e3);
    }
    std::printf(
        "\n(medians of %d alternating runs; peaks are the largest of the runs; a ratio > 1 means "
        "Tessera's info is faster)\n",
        repeat);
    return 0;
}
