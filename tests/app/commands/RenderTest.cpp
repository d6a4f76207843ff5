// `tessera render` end to end (no display needed), and its argument parsing.
#include <cmath>
#include <cstring>
#include <set>

#include <gtest/gtest.h>
#include <stb_image_write.h>
#include <tinyexr.h>

#include "app/commands/RenderCommand.h"
#include "core/display/Annotations.h"
#include "core/display/CompositeMath.h"
#include "core/image/RgbaImage.h"
#include "core/view/Grid.h"
#include "tests/support/Fixtures.h"
#include "tests/support/Process.h"

namespace tessera::app {
namespace {

using testing::run_command;
using testing::shell_quote;

const std::string kTessera = "env -u DISPLAY " + shell_quote(TESSERA_EXECUTABLE);

std::string make_png(int width, int height) {
    const auto path = testing::temp_path("render-" + std::to_string(width) + ".png");
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width * height * 3));
    for (std::size_t i = 0; i < pixels.size(); ++i) {
        pixels[i] = static_cast<std::uint8_t>((i * 37) % 251);
    }
    stbi_write_png(path.c_str(), width, height, 3, pixels.data(), width * 3);
    return path.string();
}

core::RgbaImage read(const std::string& path) {
    auto image = core::read_rgba8(path);
    EXPECT_TRUE(image.ok()) << (image.ok() ? "" : image.error().message);
    return image.ok() ? std::move(image).value() : core::RgbaImage();
}

TEST(TesseraRender, GpuOutputMatchesTheCpuReferenceWithoutADisplay) {
    const std::string png = make_png(64, 40);
    const std::string gpu = testing::temp_path("gpu.png").string();
    const std::string cpu = testing::temp_path("cpu.png").string();
    const std::string args =
        " --colormap G=magma --colormap R=cyan --limits R=20:200 --gamma G=0.6 "
        "--blend max --view 3.5,2.25,35.5,26.25 --size 128x96";
    auto a =
        run_command(kTessera + " render " + shell_quote(png) + " -o " + shell_quote(gpu) + args);
    auto b = run_command(kTessera + " render " + shell_quote(png) + " -o " + shell_quote(cpu) +
                         args + " --cpu");
    ASSERT_EQ(a.exit_code, 0) << a.output;
    ASSERT_EQ(b.exit_code, 0) << b.output;
    EXPECT_NE(a.output.find("128x96 written (GPU)"), std::string::npos) << a.output;
    const core::RgbaImage x = read(gpu);
    const core::RgbaImage y = read(cpu);
    ASSERT_EQ(x.width, 128);
    ASSERT_EQ(x.height, 96);
    int worst = 0;
    for (std::size_t i = 0; i < x.pixels.size(); ++i) {
        worst = std::max(worst, std::abs(x.pixels[i] - y.pixels[i]));
    }
    EXPECT_LE(worst, 1);
}

int worst_difference(const core::RgbaImage& x, const core::RgbaImage& y) {
    EXPECT_EQ(x.width, y.width);
    EXPECT_EQ(x.height, y.height);
    int worst = x.pixels.size() == y.pixels.size() ? 0 : 255;
    for (std::size_t i = 0; i < x.pixels.size() && i < y.pixels.size(); ++i) {
        worst = std::max(worst, std::abs(x.pixels[i] - y.pixels[i]));
    }
    return worst;
}

TEST(TesseraRender, ADifferenceFromAReferenceIsComputedOnTheGpuAsTheCpuReferenceDoes) {
    // A: 8-bit RGB (textures normalised by the GPU); B: float32 (3, 40, 64) whose channels pair
    // by position, A's values plus a ramp, with a NaN and an infinity.
    const std::string png = make_png(64, 40);
    auto decoded = core::read_rgba8(png);
    ASSERT_TRUE(decoded.ok());
    std::vector<float> reference(3 * 40 * 64);
    for (std::size_t c = 0; c < 3; ++c) {
        for (std::size_t i = 0; i < 40 * 64; ++i) {
            reference[c * 40 * 64 + i] = static_cast<float>(decoded->pixels[i * 4 + c]) +
                                         static_cast<float>((i % 64) + c * 7) * 0.75f - 20.0f;
        }
    }
    reference[100] = NAN;
    reference[40 * 64 + 7] = INFINITY;
    const auto npy = testing::temp_path("render-reference.npy");
    testing::write_npy(npy, {"<f4", {3, 40, 64}}, testing::bytes_of(reference));
    // Magnified (level 0, where the GPU's metric of texels is the CPU's of pixels), tiled into
    // 22-pixel tiles so that the two images' tiles are paired across several.
    for (const std::string metric : {"E", "AE", "SE", "RAE", "RSE"}) {
        const std::string gpu = testing::temp_path("diff-gpu-" + metric + ".png").string();
        const std::string cpu = testing::temp_path("diff-cpu-" + metric + ".png").string();
        const std::string args = " --reference " + shell_quote(npy.string()) + " --error " +
                                 metric + " --view 3,2,59,38 --size 112x72 --max-texture-size 24";
        auto a = run_command(kTessera + " render " + shell_quote(png) + " -o " + shell_quote(gpu) +
                             args);
        auto b = run_command(kTessera + " render " + shell_quote(png) + " -o " + shell_quote(cpu) +
                             args + " --cpu");
        ASSERT_EQ(a.exit_code, 0) << a.output;
        ASSERT_EQ(b.exit_code, 0) << b.output;
        EXPECT_LE(worst_difference(read(gpu), read(cpu)), 1) << metric;
    }
    // --channels G: one difference, drawn with coolwarm around 0 (every pixel a coolwarm
    // colour, which always has red and blue), not as the green of a colour image.
    const std::string one = testing::temp_path("diff-one.png").string();
    auto single =
        run_command(kTessera + " render " + shell_quote(png) + " -o " + shell_quote(one) +
                    " --reference " + shell_quote(npy.string()) + " --error E --channels G");
    ASSERT_EQ(single.exit_code, 0) << single.output;
    const core::RgbaImage shown = read(one);
    int not_coolwarm = 0;
    for (int y = 0; y < shown.height; ++y) {
        for (int x = 0; x < shown.width; ++x) {
            const std::uint8_t* p = shown.at(x, y);
            not_coolwarm += (p[0] < 40 || p[2] < 30) ? 1 : 0;  // coolwarm: always red and blue
        }
    }
    EXPECT_LE(not_coolwarm, 1) << not_coolwarm << " pixels; the Inf one (NaN colour) at most";
    // The reference must have the image's size.
    const auto small = testing::temp_path("render-small.npy");
    testing::write_npy(small, {"<f4", {4, 4}}, testing::bytes_of(std::vector<float>(16, 0)));
    auto refused = run_command(kTessera + " render " + shell_quote(png) + " -o " +
                               shell_quote(testing::temp_path("never.png").string()) +
                               " --reference " + shell_quote(small.string()));
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.output.find("the images differ in size: 64x40 and 4x4"), std::string::npos)
        << refused.output;
}

TEST(TesseraRender, AGridDrawsEachImageInsideItsCellWhateverTheZoomAndTiling) {
    // Three images in a 2 x 2 grid, zoomed far into one region (linked) with 22-pixel tiles:
    // each cell must be exactly that image's own render at the cell's size, and the gaps and
    // the empty fourth cell must stay black.
    const std::string a = make_png(64, 40);
    const auto npy = testing::temp_path("grid-b.npy");
    std::vector<float> b(64 * 40);
    for (std::size_t i = 0; i < b.size(); ++i) {
        b[i] = static_cast<float>((i * 13) % 97);
    }
    testing::write_npy(npy, {"<f4", {40, 64}}, testing::bytes_of(b));
    const std::string c = make_png(30, 20);
    const std::string files =
        shell_quote(a) + " " + shell_quote(npy.string()) + " " + shell_quote(c);
    const std::string grid = testing::temp_path("grid.png").string();
    auto result = run_command(kTessera + " render " + files + " --grid -o " + shell_quote(grid) +
                              " --size 301x203 --view 10,8,18,14 --max-texture-size 24");
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("3 images in 2 x 2 cells (GPU)"), std::string::npos)
        << result.output;
    const core::RgbaImage shot = read(grid);
    ASSERT_EQ(shot.width, 301);
    const auto cells = core::grid_cells({0, 0, 301, 203}, 3, {2, 2}, 2);
    std::vector<bool> inside(301 * 203, false);
    const std::vector<std::string> each{a, npy.string(), c};
    for (std::size_t k = 0; k < 3; ++k) {
        const core::WindowRect& cell = cells[k];
        const std::string alone = testing::temp_path("cell" + std::to_string(k) + ".png").string();
        auto single = run_command(kTessera + " render " + shell_quote(each[k]) + " -o " +
                                  shell_quote(alone) + " --cpu --view 10,8,18,14 --size " +
                                  std::to_string(static_cast<int>(cell.width)) + "x" +
                                  std::to_string(static_cast<int>(cell.height)));
        ASSERT_EQ(single.exit_code, 0) << single.output;
        const core::RgbaImage expected = read(alone);
        int worst = 0;
        for (int y = 0; y < expected.height; ++y) {
            for (int x = 0; x < expected.width; ++x) {
                const int sx = static_cast<int>(cell.x) + x;
                const int sy = static_cast<int>(cell.y) + y;
                inside[static_cast<std::size_t>(sy * 301 + sx)] = true;
                for (int ch = 0; ch < 3; ++ch) {
                    worst = std::max(worst, std::abs(shot.at(sx, sy)[ch] - expected.at(x, y)[ch]));
                }
            }
        }
        EXPECT_LE(worst, 1) << "cell " << k;
    }
    int outside = 0;
    for (int y = 0; y < 203; ++y) {
        for (int x = 0; x < 301; ++x) {
            const std::uint8_t* p = shot.at(x, y);
            if (!inside[static_cast<std::size_t>(y * 301 + x)] && (p[0] | p[1] | p[2]) != 0) {
                ++outside;
            }
        }
    }
    EXPECT_EQ(outside, 0) << "pixels drawn outside every cell";
    auto one = run_command(kTessera + " render " + files + " -o " + shell_quote(grid));
    EXPECT_EQ(one.exit_code, 2);
    EXPECT_NE(one.output.find("--grid renders several"), std::string::npos) << one.output;
}

TEST(TesseraRender, LabelsAreDrawnByIdOnTheGpuAsOnTheCpuAndNeverInterpolatedAtAnyLevel) {
    // 200 x 150 u16 ids: overlapping discs on background 0, ids 11 + 37 k^2 (k = 1..40), far
    // apart so that a mean of two is no id.
    std::vector<std::uint16_t> ids(200 * 150, 0);
    for (int k = 1; k <= 40; ++k) {
        const int cx = (k * 37) % 200;
        const int cy = (k * 53) % 150;
        const int r = 6 + (k * 7) % 20;
        for (int y = std::max(0, cy - r); y < std::min(150, cy + r); ++y) {
            for (int x = std::max(0, cx - r); x < std::min(200, cx + r); ++x) {
                if ((x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r) {
                    ids[static_cast<std::size_t>(y * 200 + x)] =
                        static_cast<std::uint16_t>(11 + 37 * k * k);
                }
            }
        }
    }
    const auto npy = testing::temp_path("labels.npy");
    testing::write_npy(npy, {"<u2", {150, 200}}, testing::bytes_of(ids));
    const std::string base = kTessera + " render " + shell_quote(npy.string()) + " --labels";
    // Magnified, filled and as contours, tiled: the GPU as the CPU reference.
    for (const std::string style : {"", " --contours 1", " --contours 3 --label-seed 5"}) {
        const std::string gpu = testing::temp_path("labels-gpu.png").string();
        const std::string cpu = testing::temp_path("labels-cpu.png").string();
        const std::string args = style + " --view 30,20,90,65 --size 240x180 --max-texture-size 40";
        auto a = run_command(base + " -o " + shell_quote(gpu) + args);
        auto b = run_command(base + " -o " + shell_quote(cpu) + args + " --cpu");
        ASSERT_EQ(a.exit_code, 0) << a.output;
        ASSERT_EQ(b.exit_code, 0) << b.output;
        EXPECT_LE(worst_difference(read(gpu), read(cpu)), 1) << style;
    }
    // Reduced (levels 1 and 2 of 32-pixel tiles, linear sampling asked for): only the colours
    // of ids, no blends.
    std::set<std::array<int, 3>> palette{{0, 0, 0}};
    for (std::uint32_t k = 1; k <= 40; ++k) {
        const auto c = core::label_colour(11 + 37 * k * k, 0);
        palette.insert({static_cast<int>(std::lround(c[0] * 255)),
                        static_cast<int>(std::lround(c[1] * 255)),
                        static_cast<int>(std::lround(c[2] * 255))});
    }
    for (const std::string size : {"100x75", "50x37", "73x55"}) {
        const std::string small = testing::temp_path("labels-small.png").string();
        auto a = run_command(base + " -o " + shell_quote(small) +
                             " --linear --tile-size 34 --size " + size);
        ASSERT_EQ(a.exit_code, 0) << a.output;
        const core::RgbaImage shot = read(small);
        int foreign = 0;
        for (int y = 0; y < shot.height; ++y) {
            for (int x = 0; x < shot.width; ++x) {
                const std::uint8_t* p = shot.at(x, y);
                foreign += palette.count({p[0], p[1], p[2]}) == 0 ? 1 : 0;
            }
        }
        EXPECT_EQ(foreign, 0) << size << ": pixels in no label's colour";
    }
}

TEST(TesseraRender, PlaneRendersOneSliceOfAStackAsTheCpuReferenceDoes) {
    // (8, 40, 64) uint16: a Z-stack, each slice brighter than the last.
    const auto npy = testing::temp_path("zstack.npy");
    std::vector<std::byte> data(8 * 40 * 64 * 2);
    for (std::size_t z = 0; z < 8; ++z) {
        for (std::size_t i = 0; i < 40 * 64; ++i) {
            const auto v = static_cast<std::uint16_t>(z * 4000 + (i * 37) % 3000);
            std::memcpy(data.data() + (z * 40 * 64 + i) * 2, &v, 2);
        }
    }
    testing::write_npy(npy, {"<u2", {8, 40, 64}}, data);
    const std::string base = kTessera + " render " + shell_quote(npy.string()) + " --size 64x40 ";
    std::vector<core::RgbaImage> gpu;
    for (const std::string plane : {"z=5", "Z=0"}) {
        const std::string out = testing::temp_path("plane-" + plane + ".png").string();
        const std::string cpu = testing::temp_path("plane-cpu-" + plane + ".png").string();
        ASSERT_EQ(run_command(base + "--plane " + plane + " -o " + shell_quote(out)).exit_code, 0);
        ASSERT_EQ(
            run_command(base + "--plane " + plane + " --cpu -o " + shell_quote(cpu)).exit_code, 0);
        gpu.push_back(read(out));
        const core::RgbaImage reference = read(cpu);
        int worst = 0;
        for (std::size_t i = 0; i < reference.pixels.size(); ++i) {
            worst = std::max(worst, std::abs(gpu.back().pixels[i] - reference.pixels[i]));
        }
        EXPECT_LE(worst, 1) << plane;
    }
    // The limits come from the whole stack, so slice 5 is visibly brighter than slice 0.
    long sum5 = 0;
    long sum0 = 0;
    for (std::size_t i = 0; i < gpu[0].pixels.size(); ++i) {
        sum5 += gpu[0].pixels[i];
        sum0 += gpu[1].pixels[i];
    }
    EXPECT_GT(sum5, sum0 + static_cast<long>(gpu[0].pixels.size()) * 40);
    const std::string out = testing::temp_path("plane-bad.png").string();
    const auto unknown = run_command(base + "--plane q=1 -o " + shell_quote(out));
    EXPECT_EQ(unknown.exit_code, 1);
    EXPECT_NE(unknown.output.find("no axis 'q'; the image's axes: Z (0-7)"), std::string::npos)
        << unknown.output;
    const auto range = run_command(base + "--plane z=8 -o " + shell_quote(out));
    EXPECT_NE(range.output.find("z=8 is out of range"), std::string::npos) << range.output;
    const auto syntax = run_command(base + "--plane z -o " + shell_quote(out));
    EXPECT_EQ(syntax.exit_code, 2);
    EXPECT_NE(syntax.output.find("AXIS=INDEX"), std::string::npos) << syntax.output;
}

TEST(TesseraRender, DefaultSizeIsTheImagesCappedAt4096WithAspectKept) {
    const auto npy = testing::temp_path("wide.npy");
    testing::write_npy(npy, {"<f4", {100, 5000}}, std::vector<std::byte>(5000 * 100 * 4));
    const std::string out = testing::temp_path("wide.png").string();
    auto result =
        run_command(kTessera + " render " + shell_quote(npy.string()) + " -o " + shell_quote(out));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    const core::RgbaImage image = read(out);
    EXPECT_EQ(image.width, 4096);
    EXPECT_EQ(image.height, 82);
    const std::string small = make_png(30, 20);
    result = run_command(kTessera + " render " + shell_quote(small) + " -o " + shell_quote(out));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    EXPECT_EQ(read(out).width, 30);
}

TEST(TesseraRender, ForcedTilingGivesTheSameImage) {
    const std::string png = make_png(150, 90);
    const std::string whole = testing::temp_path("whole.png").string();
    const std::string tiles = testing::temp_path("tiles.png").string();
    ASSERT_EQ(run_command(kTessera + " render " + shell_quote(png) + " -o " + shell_quote(whole) +
                          " --size 300x180 --linear")
                  .exit_code,
              0);
    ASSERT_EQ(run_command(kTessera + " render " + shell_quote(png) + " -o " + shell_quote(tiles) +
                          " --size 300x180 --linear --tile-size 32 --max-texture-size 32")
                  .exit_code,
              0);
    EXPECT_EQ(read(whole).pixels, read(tiles).pixels);
}

TEST(TesseraRender, MultiPartFilesRenderTheChosenPart) {
    const auto exr = testing::temp_path("parts.exr");
    ASSERT_EQ(testing::write_exr(exr, {{"dark", 4, 4, TINYEXR_PIXELTYPE_FLOAT, 0,
                                        testing::bytes_of(std::vector<float>(16, 0.0f))},
                                       {"bright", 4, 4, TINYEXR_PIXELTYPE_FLOAT, 0,
                                        testing::bytes_of(std::vector<float>(16, 1.0f))}}),
              "");
    const std::string out = testing::temp_path("part.png").string();
    const std::string base = kTessera + " render " + shell_quote(exr.string()) + " -o " +
                             shell_quote(out) + " --limits Y=0:1 ";
    ASSERT_EQ(run_command(base + "--part bright").exit_code, 0);
    EXPECT_EQ(read(out).at(1, 1)[0], 255);
    ASSERT_EQ(run_command(base + "--part 0").exit_code, 0);
    EXPECT_EQ(read(out).at(1, 1)[0], 0);
    const auto bad = run_command(base + "--part nope");
    EXPECT_EQ(bad.exit_code, 1);
    EXPECT_NE(bad.output.find("no part 'nope'; the parts are: 0 \"dark\", 1 \"bright\""),
              std::string::npos)
        << bad.output;
}

TEST(TesseraRender, UnknownNamesListWhatIsValid) {
    const std::string png = make_png(8, 8);
    const std::string out = testing::temp_path("never.png").string();
    const std::string base =
        kTessera + " render " + shell_quote(png) + " -o " + shell_quote(out) + " ";
    auto channel = run_command(base + "--channels R,Q");
    EXPECT_EQ(channel.exit_code, 1);
    EXPECT_NE(channel.output.find("no channel named 'Q'; the channels are: R, G, B"),
              std::string::npos)
        << channel.output;
    auto colormap = run_command(base + "--colormap jet");
    EXPECT_EQ(colormap.exit_code, 1);
    EXPECT_NE(colormap.output.find("no colormap named 'jet'; the colormaps are: gray, red"),
              std::string::npos)
        << colormap.output;
    EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(TesseraRender, BadValuesAreUsageErrors) {
    for (const char* args :
         {"--limits R=5:1", "--gamma R=-1", "--opacity G=2", "--size 10", "--size 0x5",
          "--view 1,2,3", "--view 5,0,1,1", "--blend screen", "--tile-size 0", "--error MAPE",
          "--grid-columns 0", "--grid-columns x", "--contours 99", "--contours -1",
          "--label-seed -3", "--reference", "--grid --colorbar", "--pixel-size 0um",
          "--pixel-size 3parsecs"}) {
        auto result = run_command(kTessera + " render in.png -o out.png " + args);
        EXPECT_EQ(result.exit_code, 2) << args << ": " << result.output;
        EXPECT_NE(result.output.find("usage: tessera render"), std::string::npos) << args;
    }
    auto missing_output = run_command(kTessera + " render in.png");
    EXPECT_EQ(missing_output.exit_code, 2);
    EXPECT_NE(missing_output.output.find("needs a FILE and -o OUT.png"), std::string::npos);
}

TEST(TesseraRender, ColourBarsLieInTheBottomLeftCornerInEachChannelsColours) {
    const std::string png = make_png(400, 300);
    const std::string out = testing::temp_path("colorbar.png").string();
    const std::string plain = testing::temp_path("colorbar-without.png").string();
    const std::string args =
        " --colormap R=gray --colormap G=magma --channels R,G --limits "
        "R=0:250 --gamma G=0.5";
    auto drawn = run_command(kTessera + " render " + shell_quote(png) + " -o " + shell_quote(out) +
                             args + " --colorbar");
    auto bare =
        run_command(kTessera + " render " + shell_quote(png) + " -o " + shell_quote(plain) + args);
    ASSERT_EQ(drawn.exit_code, 0) << drawn.output;
    ASSERT_EQ(bare.exit_code, 0) << bare.output;
    const core::RgbaImage with = read(out);
    const core::RgbaImage without = read(plain);
    ASSERT_EQ(with.width, 400);
    const core::ColourBarLayout layout = core::colour_bar_layout({0, 0, 400, 300}, 2);
    ASSERT_EQ(layout.gradients.size(), 2u);
    const std::array<core::ColourBar, 2> bars{
        core::ColourBar{"R", core::named_colormap("gray"), 1, 0, 250, true},
        core::ColourBar{"G", core::named_colormap("magma"), 0.5f, 0, 1, true}};
    for (std::size_t b = 0; b < 2; ++b) {
        const core::ColourBarRect& g = layout.gradients[b];
        for (const int x : {0, g.width / 2, g.width - 1}) {
            const auto rgb = core::colour_bar_colour(
                bars[b], (static_cast<float>(x) + 0.5f) / static_cast<float>(g.width));
            const std::uint8_t* p = with.at(g.x + x, g.y + g.height / 2);
            for (int k = 0; k < 3; ++k) {
                EXPECT_NEAR(p[k], rgb[static_cast<std::size_t>(k)] * 255.0f, 1.0f) << b << " " << x;
            }
        }
    }
    // Above the box the image is untouched.
    for (int y = 0; y < layout.box.y; ++y) {
        ASSERT_EQ(std::memcmp(with.at(0, y), without.at(0, y), 400 * 4), 0) << "row " << y;
    }
}

TEST(TesseraRender, AScaleBarNeedsAPixelSizeAndShowsARoundLengthInTheBottomRightCorner) {
    const std::string png = make_png(200, 150);
    const std::string out = testing::temp_path("scalebar.png").string();
    auto without = run_command(kTessera + " render " + shell_quote(png) + " -o " +
                               shell_quote(out) + " --scalebar");
    EXPECT_EQ(without.exit_code, 1);
    EXPECT_NE(without.output.find("does not say how large its pixels are; give --pixel-size"),
              std::string::npos)
        << without.output;
    auto drawn = run_command(kTessera + " render " + shell_quote(png) + " -o " + shell_quote(out) +
                             " --size 400x300 --scalebar --pixel-size 120nm");
    ASSERT_EQ(drawn.exit_code, 0) << drawn.output;
    const core::RgbaImage image = read(out);
    // 120 nm per pixel at 2x: 60 nm per screen pixel, at most 9 µm in 150 pixels: 5 µm.
    const auto bar = core::scale_bar({120, "nm"}, 2.0);
    ASSERT_TRUE(bar);
    EXPECT_EQ(bar->label(), "5 µm");
    const core::ScaleBarLayout layout = core::scale_bar_layout({0, 0, 400, 300}, *bar, 0);
    for (int x = layout.bar.x; x < layout.bar.x + layout.bar.width; x += 7) {
        const std::uint8_t* p = image.at(x, layout.bar.y + 2);
        ASSERT_EQ(p[0] + p[1] + p[2], 3 * 255) << "white at x " << x;
    }
}

TEST(RenderArguments, RepeatableOptionsAccumulate) {
    std::vector<std::string_view> args{
        "a.exr",       "-o",        "b.png",      "--colormap", "diffuse.R=viridis_r",
        "--colormap",  "Z=gray",    "--limits",   "Z=-1.5:2e3", "--channels",
        "Z,diffuse.R", "--nearest", "--exposure", "-2"};
    auto request = parse_render_arguments(args);
    ASSERT_TRUE(request.ok()) << request.error().message;
    EXPECT_EQ(request->file, "a.exr");
    const DisplayRequest& display = request->display;
    ASSERT_EQ(display.colormaps.size(), 2u);
    EXPECT_EQ(display.colormaps[0].first, "diffuse.R");
    EXPECT_EQ(display.colormaps[0].second, "viridis_r");
    EXPECT_EQ(display.limits[0].second.first, -1.5);
    EXPECT_EQ(display.limits[0].second.second, 2000.0);
    EXPECT_EQ(display.channels->size(), 2u);
    EXPECT_EQ(request->sampling, core::Sampling::Nearest);
    EXPECT_EQ(display.exposure, -2.0f);
}

TEST(RenderArguments, ChoosingColormapsLeavesColourMode) {
    const std::vector<core::ChannelInfo> rgb{{"R"}, {"G"}, {"B"}};
    core::DisplaySettings colour;
    colour.colour = true;
    colour.channels.resize(3);
    DisplayRequest request;
    request.colormap_all = "magma";
    auto settings = apply_display_request(request, rgb, colour);
    ASSERT_TRUE(settings.ok());
    EXPECT_FALSE(settings->colour);
    EXPECT_EQ(core::colormap_name(settings->channels[1].colormap), "magma");
}

}  // namespace
}  // namespace tessera::app
