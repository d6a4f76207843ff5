// The window end to end under xvfb-run, driven by --script: what is on screen after real key
// presses, typing and dragging must be exactly what the CPU reference predicts for that view.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <stb_image_write.h>

#include "assets/DemoImage.h"
#include "core/compare/Difference.h"
#include "core/dataset/Dataset.h"
#include "core/display/CpuCompositor.h"
#include "core/display/DisplayActions.h"
#include "core/image/RgbaImage.h"
#include "core/io/ImageLoader.h"
#include "core/view/Grid.h"
#include "core/view/Layer.h"
#include "core/view/ViewController.h"
#include "tests/support/Fixtures.h"
#include "tests/support/Process.h"
#include "tests/support/TestEnvironment.h"

namespace tessera::app {
namespace {

using testing::run_command;
using testing::shell_quote;

constexpr int kWidth = 1200;
constexpr int kHeight = 700;
constexpr int kPanel = 340;  // app/Panels.h kPanelWidth
constexpr int kStatus = 26;  // app/Panels.h kStatusHeight

testing::ProcessResult run_script(const std::string& name, const std::string& script,
                                  const std::string& files = "") {
    const auto path = testing::temp_path(name + ".script");
    testing::write_text(path, script);
    return run_command("xvfb-run -a -s '-screen 0 1920x1200x24' " +
                       shell_quote(TESSERA_EXECUTABLE) + " --size " + std::to_string(kWidth) + "x" +
                       std::to_string(kHeight) + " --script " + shell_quote(path.string()) + " " +
                       files);
}

core::View fitted_view(std::int64_t width, std::int64_t height) {
    core::ViewController controller;
    controller.set_viewport(kWidth - kPanel, kHeight - kStatus);
    controller.set_image_size(width, height);
    return controller.view();
}

// The largest difference between the screenshot's viewport and the expected composite.
int viewport_difference(const std::string& screenshot, const core::RgbaImage& expected) {
    auto shot = core::read_rgba8(screenshot);
    EXPECT_TRUE(shot.ok());
    if (!shot.ok()) {
        return 255;
    }
    EXPECT_EQ(shot->width, kWidth);
    int worst = 0;
    for (int y = 0; y < expected.height; ++y) {
        for (int x = 0; x < expected.width; ++x) {
            for (int k = 0; k < 3; ++k) {
                worst =
                    std::max(worst, std::abs(shot->at(x + kPanel, y)[k] - expected.at(x, y)[k]));
            }
        }
    }
    return worst;
}

core::Image demo() {
    core::Image image;
    image.source = assets::make_fluorescence_demo();
    return image;
}

TEST(ScriptedWindow, TurningAChannelOffChangesTheCompositeAsTheCpuReferencePredicts) {
    TESSERA_REQUIRE_XVFB_RUN();
    const std::string before = testing::temp_path("before.png").string();
    const std::string after = testing::temp_path("after.png").string();
    const auto result = run_script("toggle", "idle\nwait 2\nscreenshot " + before +
                                                 "\nkey 1\nwait 2\nscreenshot " + after + "\n");
    ASSERT_EQ(result.exit_code, 0) << result.output;

    const core::Image image = demo();
    const auto statistics = core::compute_statistics(*image.source).value();
    core::DisplaySettings settings =
        core::default_display(image.source->channels(), statistics, core::Transfer::Linear);
    const core::View view = fitted_view(image.source->width(), image.source->height());
    const auto all = core::composite_cpu(*image.source, settings, view).value();
    settings.channels[0].visible = false;
    const auto without_first = core::composite_cpu(*image.source, settings, view).value();
    EXPECT_LE(viewport_difference(before, all), 1);
    EXPECT_LE(viewport_difference(after, without_first), 1);
    EXPECT_GT(viewport_difference(after, all), 16) << "key 1 changed nothing";
}

TEST(ScriptedWindow, StepKeysMoveThroughAStackAndShowExactlyThatSlice) {
    TESSERA_REQUIRE_XVFB_RUN();
    // (8, 90, 120) uint16: a Z-stack of 8 slices (one slider), each its own pattern.
    const auto npy = testing::temp_path("window-stack.npy");
    std::vector<std::byte> data(8 * 90 * 120 * 2);
    for (std::size_t z = 0; z < 8; ++z) {
        for (std::size_t y = 0; y < 90; ++y) {
            for (std::size_t x = 0; x < 120; ++x) {
                const auto v = static_cast<std::uint16_t>(((x / (4 + z) + y / 6) % 2) * 30000 +
                                                          z * 3000 + x * 20);
                std::memcpy(data.data() + ((z * 90 + y) * 120 + x) * 2, &v, 2);
            }
        }
    }
    testing::write_npy(npy, {"<u2", {8, 90, 120}}, data);
    const std::string first = testing::temp_path("slice0.png").string();
    const std::string third = testing::temp_path("slice3.png").string();
    const std::string back = testing::temp_path("slice2.png").string();
    const auto result =
        run_script("slices",
                   "idle\nwait 2\nscreenshot " + first +
                       "\nkey period\nkey period\nkey period\nwait 2\nidle\nwait 2\nscreenshot " +
                       third + "\nkey comma\nwait 2\nidle\nwait 2\nscreenshot " + back + "\n",
                   shell_quote(npy.string()));
    ASSERT_EQ(result.exit_code, 0) << result.output;

    auto datasets = core::open_datasets(npy.string());
    ASSERT_TRUE(datasets.ok()) << datasets.error().message;
    const core::Image& image = datasets->front().image;
    ASSERT_EQ(image.source->axes().size(), 1u);
    const core::DisplaySettings settings = core::default_display(
        image.source->channels(), datasets->front().statistics, image.metadata.transfer);
    // One slider row below the viewport (app/ui/Panels.h kDimsRowHeight).
    core::ViewController controller;
    controller.set_viewport(kWidth - kPanel, kHeight - kStatus - 28);
    controller.set_image_size(120, 90);
    const core::View view = controller.view();
    const auto slice = [&](std::int64_t z) {
        return core::composite_cpu(*image.source, settings, view, {z}).value();
    };
    EXPECT_LE(viewport_difference(first, slice(0)), 1);
    EXPECT_LE(viewport_difference(third, slice(3)), 1);
    EXPECT_LE(viewport_difference(back, slice(2)), 1);
    EXPECT_GT(viewport_difference(third, slice(2)), 16) << "slices 2 and 3 differ";
}

TEST(ScriptedWindow, CtrlOOpensTheTypedPathAndDigitsInItDoNotToggleChannels) {
    TESSERA_REQUIRE_XVFB_RUN();
    const auto png =
        testing::temp_path("c1 23.png");  // digits would toggle channels if typed as keys
    // Large enough that the fitted zoom stays below the pixel grid (app/Viewport.h kGridZoom).
    std::vector<std::uint8_t> pixels(256 * 192 * 3);
    for (std::size_t i = 0; i < pixels.size(); ++i) {
        pixels[i] = static_cast<std::uint8_t>((i * 7) % 256);
    }
    ASSERT_TRUE(stbi_write_png(png.c_str(), 256, 192, 3, pixels.data(), 256 * 3));
    const std::string shot = testing::temp_path("opened.png").string();
    const auto result =
        run_script("open", "idle\nkey o ctrl\nwait 3\ntype " + png.string() +
                               "\nkey enter\nwait 2\nidle\nwait 3\nscreenshot " + shot + "\n");
    ASSERT_EQ(result.exit_code, 0) << result.output;
    auto images = core::load_images(png);
    ASSERT_TRUE(images.ok());
    const core::Image& image = images->front();
    const auto statistics = core::compute_statistics(*image.source).value();
    const core::DisplaySettings settings =
        core::default_display(image.source->channels(), statistics, image.metadata.transfer);
    const auto expected =
        core::composite_cpu(*image.source, settings, fitted_view(256, 192)).value();
    EXPECT_LE(viewport_difference(shot, expected), 1);
}

TEST(ScriptedWindow, DraggingPansAndOneToOneShowsImagePixels) {
    TESSERA_REQUIRE_XVFB_RUN();
    const std::string shot = testing::temp_path("panned.png").string();
    const auto result = run_script(
        "drag", "idle\nkey 0\nwait 2\ndrag 700 300 650 260 8\nwait 2\nscreenshot " + shot + "\n");
    ASSERT_EQ(result.exit_code, 0) << result.output;
    const core::Image image = demo();
    const auto statistics = core::compute_statistics(*image.source).value();
    const core::DisplaySettings settings =
        core::default_display(image.source->channels(), statistics, core::Transfer::Linear);
    core::ViewController controller;
    controller.set_viewport(kWidth - kPanel, kHeight - kStatus);
    controller.set_image_size(768, 512);
    controller.one_to_one();
    controller.pan_by(-50, -40);
    const auto expected = core::composite_cpu(*image.source, settings, controller.view()).value();
    EXPECT_LE(viewport_difference(shot, expected), 1);
}

TEST(ScriptedWindow, ADroppedFileIsOpenedAndShownAndTheDemoStaysInTheList) {
    TESSERA_REQUIRE_XVFB_RUN();
    const auto npy = testing::temp_path("dropped.npy");
    std::vector<float> values(300 * 200);
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = static_cast<float>(i % 300) * 0.5f + static_cast<float>(i / 300);
    }
    testing::write_npy(npy, {"<f4", {200, 300}}, std::as_bytes(std::span(values)));
    const std::string shot = testing::temp_path("dropped.png").string();
    const std::string back = testing::temp_path("back.png").string();
    const auto result =
        run_script("drop", "idle\ndrop " + npy.string() + "\nwait 2\nidle\nwait 2\nscreenshot " +
                               shot + "\nkey pageup\nwait 2\nscreenshot " + back + "\n");
    ASSERT_EQ(result.exit_code, 0) << result.output;
    auto images = core::load_images(npy);
    ASSERT_TRUE(images.ok());
    const core::Image& image = images->front();
    const auto statistics = core::compute_statistics(*image.source).value();
    const auto expected =
        core::composite_cpu(
            *image.source,
            core::default_display(image.source->channels(), statistics, image.metadata.transfer),
            fitted_view(300, 200))
            .value();
    EXPECT_LE(viewport_difference(shot, expected), 1);
    EXPECT_GT(viewport_difference(back, expected), 16) << "PageUp did not go back to the demo";
}

TEST(ScriptedWindow, ShiftClickMakesAReferenceAndTheImageIsShownAsItsDifference) {
    TESSERA_REQUIRE_XVFB_RUN();
    // Two float32 160 x 120 images; B is A with a brighter square and a darker band.
    std::vector<float> a(160 * 120);
    for (std::size_t i = 0; i < a.size(); ++i) {
        a[i] = static_cast<float>((i % 160) * 3 + (i / 160) * 2 % 97);
    }
    std::vector<float> b = a;
    for (std::size_t y = 20; y < 60; ++y) {
        for (std::size_t x = 30; x < 90; ++x) {
            b[y * 160 + x] += 120;
        }
    }
    for (std::size_t y = 90; y < 100; ++y) {
        for (std::size_t x = 0; x < 160; ++x) {
            b[y * 160 + x] -= 40;
        }
    }
    const auto pa = testing::temp_path("compare-window-a.npy");
    const auto pb = testing::temp_path("compare-window-b.npy");
    testing::write_npy(pa, {"<f4", {120, 160}}, testing::bytes_of(a));
    testing::write_npy(pb, {"<f4", {120, 160}}, testing::bytes_of(b));
    const std::string absolute = testing::temp_path("compare-ae.png").string();
    const std::string error = testing::temp_path("compare-e.png").string();
    const std::string flipped = testing::temp_path("compare-b.png").string();
    // The list's second row (y 77, below the menu bar) is B: Shift+click makes it the reference; A
    // stays shown.
    const auto result =
        run_script("compare",
                   "idle\nwait 2\nclick 60 77 shift\nwait 3\nidle\nwait 3\nscreenshot " + absolute +
                       "\nkey e\nkey e\nkey e\nkey e\nwait 3\nidle\nwait 3\nscreenshot " + error +
                       "\nkey b\nwait 3\nidle\nwait 3\nscreenshot " + flipped + "\n",
                   shell_quote(pa.string()) + " " + shell_quote(pb.string()));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    auto opened_a = core::open_datasets(pa.string());
    auto opened_b = core::open_datasets(pb.string());
    ASSERT_TRUE(opened_a.ok() && opened_b.ok());
    const core::CompareInput ia{opened_a->front().image.source, {}};
    const core::CompareInput ib{opened_b->front().image.source, {}};
    const std::vector<core::ChannelPair> pairs{{0, 0, "c0"}};
    const core::View view = fitted_view(160, 120);
    const auto expected = [&](core::ErrorMetric metric) {
        auto difference = core::DifferenceImage::create(ia, ib, pairs, metric).value();
        const auto statistics = core::compute_statistics(*difference).value();
        const auto settings = core::difference_display(difference->channels(), statistics, metric);
        return core::composite_cpu(*difference, settings, view).value();
    };
    // Four presses of E from AE: SE, RAE, RSE, then E (signed, coolwarm around 0).
    EXPECT_LE(viewport_difference(absolute, expected(core::ErrorMetric::AbsoluteError)), 1);
    EXPECT_LE(viewport_difference(error, expected(core::ErrorMetric::Error)), 1);
    EXPECT_GT(viewport_difference(error, expected(core::ErrorMetric::AbsoluteError)), 16);
    // B shows the reference in A's place, with its own display settings.
    const core::DisplaySettings own = core::default_display(
        ib.source->channels(), opened_b->front().statistics, core::Transfer::Linear);
    EXPECT_LE(viewport_difference(flipped, core::composite_cpu(*ib.source, own, view).value()), 1);
}

TEST(ScriptedWindow, AWipeShowsTheImageLeftOfTheDividerAndTheReferenceRightOfIt) {
    TESSERA_REQUIRE_XVFB_RUN();
    std::vector<float> a(160 * 120);
    std::vector<float> b(160 * 120);
    for (std::size_t i = 0; i < a.size(); ++i) {
        a[i] = static_cast<float>((i % 160) * 2 + (i / 160) % 13);
        b[i] = static_cast<float>(320 - (i % 160) * 2 + (i / 160) % 7);
    }
    const auto pa = testing::temp_path("wipe-a.npy");
    const auto pb = testing::temp_path("wipe-b.npy");
    testing::write_npy(pa, {"<f4", {120, 160}}, testing::bytes_of(a));
    testing::write_npy(pb, {"<f4", {120, 160}}, testing::bytes_of(b));
    const std::string shot = testing::temp_path("wipe.png").string();
    // The divider starts in the middle of the viewport (x 340 + 860 / 2) and is dragged to 600.
    const auto result =
        run_script("wipe",
                   "idle\nwait 2\nclick 60 77 shift\nwait 3\nidle\nkey w\nwait 3\nidle\n"
                   "drag 770 400 600 380 6\nwait 3\nidle\nmove 100 600\nwait 3\nscreenshot " +
                       shot + "\n",
                   shell_quote(pa.string()) + " " + shell_quote(pb.string()));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    auto opened_a = core::open_datasets(pa.string());
    auto opened_b = core::open_datasets(pb.string());
    ASSERT_TRUE(opened_a.ok() && opened_b.ok());
    const core::View view = fitted_view(160, 120);
    const auto composite = [&](const core::Dataset& dataset) {
        const auto settings = core::default_display(dataset.image.source->channels(),
                                                    dataset.statistics, core::Transfer::Linear);
        return core::composite_cpu(*dataset.image.source, settings, view).value();
    };
    const core::RgbaImage left = composite(opened_a->front());
    const core::RgbaImage right = composite(opened_b->front());
    auto screen = core::read_rgba8(shot);
    ASSERT_TRUE(screen.ok());
    const int split = 600 - kPanel;
    int worst_left = 0;
    int worst_right = 0;
    for (int y = 30; y < left.height; ++y) {  // below the sides' names
        for (int x = 0; x < left.width; ++x) {
            if (std::abs(x - split) <= 6) {
                continue;  // the divider and its handle
            }
            const core::RgbaImage& expected = x < split ? left : right;
            int& worst = x < split ? worst_left : worst_right;
            for (int k = 0; k < 3; ++k) {
                worst =
                    std::max(worst, std::abs(screen->at(x + kPanel, y)[k] - expected.at(x, y)[k]));
            }
        }
    }
    EXPECT_LE(worst_left, 1) << "left of the divider: the image";
    EXPECT_LE(worst_right, 1) << "right of the divider: the reference";
}

TEST(ScriptedWindow, ACellZoomedFarInNeverDrawsOverItsNeighbours) {
    TESSERA_REQUIRE_XVFB_RUN();
    // Three different images in the grid (G), views unlinked (Shift+G); the first cell is
    // zoomed far in. Every pixel outside it stays as it was.
    std::vector<std::string> files;
    for (int k = 0; k < 3; ++k) {
        const auto path = testing::temp_path("grid-" + std::to_string(k) + ".png");
        std::vector<std::uint8_t> pixels(96 * 64 * 3);
        for (std::size_t i = 0; i < pixels.size(); ++i) {
            pixels[i] = static_cast<std::uint8_t>((i * (7 + 4 * k) + k * 50) % 256);
        }
        ASSERT_TRUE(stbi_write_png(path.c_str(), 96, 64, 3, pixels.data(), 96 * 3));
        files.push_back(shell_quote(path.string()));
    }
    const std::string before = testing::temp_path("grid-before.png").string();
    const std::string after = testing::temp_path("grid-after.png").string();
    // The first cell is the top-left quarter of the viewport (x 340.., y 0..); the pointer
    // leaves the cells (for the panel) before each screenshot, so no mirrored pointer is drawn.
    const auto result = run_script(
        "grid",
        "idle\nkey g\nkey g shift\nwait 3\nidle\nmove 100 600\nwait 3\nscreenshot " + before +
            "\nscroll 500 150 8\nwait 2\nscroll 500 150 8\nwait 3\nidle\nmove 100 600\n"
            "wait 3\nscreenshot " +
            after + "\n",
        files[0] + " " + files[1] + " " + files[2]);
    ASSERT_EQ(result.exit_code, 0) << result.output;
    auto a = core::read_rgba8(before);
    auto b = core::read_rgba8(after);
    ASSERT_TRUE(a.ok() && b.ok());
    const auto cells =
        core::grid_cells({kPanel, 0, kWidth - kPanel, kHeight - kStatus}, 3,
                         core::grid_shape(3, kWidth - kPanel, kHeight - kStatus, 1.5), 2);
    const core::WindowRect& zoomed = cells[0];
    int changed_inside = 0;
    int changed_outside = 0;
    for (int y = 0; y < kHeight - kStatus; ++y) {
        for (int x = kPanel; x < kWidth; ++x) {
            const bool differs = std::memcmp(a->at(x, y), b->at(x, y), 3) != 0;
            const bool in_first = x >= zoomed.x - 1 && x < zoomed.x + zoomed.width + 1 &&
                                  y >= zoomed.y - 1 && y < zoomed.y + zoomed.height + 1;
            (in_first ? changed_inside : changed_outside) += differs ? 1 : 0;
        }
    }
    EXPECT_GT(changed_inside, 1000) << "the first cell did not zoom";
    EXPECT_EQ(changed_outside, 0) << "the zoomed cell drew over its neighbours";
}

TEST(ScriptedWindow, AnExrIsPlacedByItsDisplayWindowAndItsFrameIsDrawn) {
    TESSERA_REQUIRE_XVFB_RUN();
    TESSERA_REQUIRE_TESTDATA(testdata);
    // t08.exr: data window (30,40)-(429,339) in display window (0,0)-(500,400). The view fits
    // the display window; the pixels lie 30, 40 pixels into it.
    const auto exr = testdata / "exr/openexr-images/DisplayWindow/t08.exr";
    const std::string shot = testing::temp_path("display-window.png").string();
    const auto result = run_script("display-window",
                                   "idle\nwait 2\nmove 100 600\nwait 2\nscreenshot " + shot + "\n",
                                   shell_quote(exr.string()));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    auto datasets = core::open_datasets(exr.string());
    ASSERT_TRUE(datasets.ok()) << datasets.error().message;
    const core::Dataset& dataset = datasets->front();
    ASSERT_EQ(dataset.image.metadata.data_window, (core::Box2i{30, 40, 429, 339}));
    const core::View view = fitted_view(501, 401);
    const core::Placement placement{30, 40, 1};
    const auto settings = core::default_display(
        dataset.image.source->channels(), dataset.statistics, dataset.image.metadata.transfer);
    const core::RgbaImage expected =
        core::composite_cpu(*dataset.image.source, settings, placement.layer_view(view)).value();
    auto screen = core::read_rgba8(shot);
    ASSERT_TRUE(screen.ok());
    // Inside the data window (away from its outline) the pixels are the image's, placed; between
    // it and the display window's frame, the background.
    const auto window_x = [&](double x) {
        return static_cast<int>(std::floor((x - view.x0) / view.x_scale));
    };
    const auto window_y = [&](double y) {
        return static_cast<int>(std::floor((y - view.y0) / view.y_scale));
    };
    int worst = 0;
    for (int y = window_y(42); y < window_y(338); ++y) {
        for (int x = window_x(32); x < window_x(428); ++x) {
            for (int k = 0; k < 3; ++k) {
                worst =
                    std::max(worst, std::abs(screen->at(x + kPanel, y)[k] - expected.at(x, y)[k]));
            }
        }
    }
    EXPECT_LE(worst, 1);
    const std::uint8_t* gap = screen->at(kPanel + window_x(15), window_y(20));
    EXPECT_EQ(gap[0] + gap[1] + gap[2], 0) << "inside the display window, outside the data";
    // The frame: a light line along the display window's left edge, none beyond it.
    int frame = 0;
    for (int dx = -1; dx <= 1; ++dx) {
        const std::uint8_t* p = screen->at(kPanel + window_x(0) + dx, window_y(200));
        frame = std::max(frame, static_cast<int>(p[0]));
    }
    EXPECT_GT(frame, 150) << "the display window's frame";
}

TEST(ScriptedWindow, CtrlSSavesTheViewAsShownWithoutTheInterface) {
    TESSERA_REQUIRE_XVFB_RUN();
    const auto dir = testing::temp_path("save-view");
    std::filesystem::create_directories(dir);
    std::filesystem::remove(dir / "tessera-view-1.png");
    const auto script = dir / "save.script";
    testing::write_text(script, "idle\nwait 2\nmove 700 300\nwait 2\nkey s ctrl\nwait 3\n");
    const auto result = run_command(
        "cd " + shell_quote(dir.string()) + " && xvfb-run -a -s '-screen 0 1920x1200x24' " +
        shell_quote(TESSERA_EXECUTABLE) + " --size " + std::to_string(kWidth) + "x" +
        std::to_string(kHeight) + " --script " + shell_quote(script.string()));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    auto saved = core::read_rgba8(dir / "tessera-view-1.png");
    ASSERT_TRUE(saved.ok()) << "Ctrl+S wrote no tessera-view-1.png";
    ASSERT_EQ(saved->width, kWidth - kPanel);
    ASSERT_EQ(saved->height, kHeight - kStatus);
    const core::Image image = demo();
    const auto statistics = core::compute_statistics(*image.source).value();
    const core::DisplaySettings settings =
        core::default_display(image.source->channels(), statistics, core::Transfer::Linear);
    const auto expected =
        core::composite_cpu(*image.source, settings,
                            fitted_view(image.source->width(), image.source->height()))
            .value();
    int worst = 0;
    for (std::size_t i = 0; i < expected.pixels.size(); ++i) {
        worst = std::max(worst, std::abs(saved->pixels[i] - expected.pixels[i]));
    }
    EXPECT_LE(worst, 1) << "the view, without the pointer's pixel grid or any panel";
}

TEST(ScriptedWindow, ABadScriptIsAUsageErrorNamingTheLine) {
    const auto path = testing::temp_path("bad.script");
    testing::write_text(path, "wait 2\nkey hyperspace\n");
    const auto result = run_command("env -u DISPLAY " + shell_quote(TESSERA_EXECUTABLE) +
                                    " --script " + shell_quote(path.string()));
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.output.find(path.string() + ":2: unknown key name"), std::string::npos)
        << result.output;
}

std::string file_text(const std::filesystem::path& path) {
    std::ifstream file(path);
    return std::string(std::istreambuf_iterator<char>(file), {});
}

TEST(ScriptedWindow, SettingsWrittenInOneRunAreRestoredInTheNextAndScriptedRunsLeaveTheUsersAlone) {
    TESSERA_REQUIRE_XVFB_RUN();
    const auto npy = testing::temp_path("remembered.npy");
    std::vector<std::byte> data(2 * 300 * 400 * 2);  // zoomed less than 8x: no pixel grid
    for (std::size_t i = 0; i < data.size() / 2; ++i) {
        const auto v = static_cast<std::uint16_t>((i * 97) % 50000);
        std::memcpy(data.data() + i * 2, &v, 2);
    }
    testing::write_npy(npy, {"<u2", {2, 300, 400}}, data);
    const auto directory = testing::temp_path("settings-dir");
    std::filesystem::remove_all(directory);
    const auto settings = directory / "tessera" / "settings.txt";
    const std::string files =
        "--settings " + shell_quote(settings.string()) + " " + shell_quote(npy.string());

    // First run: colour bars on (K), the next colormap for channel c0 (C), then Ctrl+Q.
    const auto first =
        run_script("settings-1", "idle\nwait 2\nkey k\nkey c\nwait 2\nkey q ctrl\n", files);
    ASSERT_EQ(first.exit_code, 0) << first.output;
    auto datasets = core::open_datasets(npy.string());
    ASSERT_TRUE(datasets.ok()) << datasets.error().message;
    const core::Image& image = datasets->front().image;
    core::DisplaySettings expected = core::default_display(
        image.source->channels(), datasets->front().statistics, image.metadata.transfer);
    core::cycle_colormap(expected, 0);
    const std::string written = file_text(settings);
    EXPECT_NE(written.find("colorbar\t1\n"), std::string::npos) << written;
    EXPECT_NE(written.find("recent\t" + std::filesystem::canonical(npy).string() + "\n"),
              std::string::npos)
        << written;
    EXPECT_NE(written.find("channel\tc0\t1\t" + core::colormap_name(expected.channels[0].colormap) +
                           "\t"),
              std::string::npos)
        << written;

    // Second run: the file shows with that colormap, and the bars are back (K hides them again,
    // so the view is the bare composite).
    const std::string shot = testing::temp_path("settings-2.png").string();
    const auto second =
        run_script("settings-2", "idle\nwait 2\nkey k\nwait 3\nscreenshot " + shot + "\n", files);
    ASSERT_EQ(second.exit_code, 0) << second.output;
    const core::View view = fitted_view(400, 300);
    EXPECT_LE(viewport_difference(shot, core::composite_cpu(*image.source, expected, view).value()),
              1);
    EXPECT_NE(file_text(settings).find("colorbar\t0\n"), std::string::npos)
        << "restored on, then turned off";

    // A scripted run without --settings neither reads nor writes the user's settings.
    const auto home = testing::temp_path("settings-home");
    std::filesystem::remove_all(home);
    std::filesystem::create_directories(home);
    const auto script = testing::temp_path("settings-3.script");
    testing::write_text(script, "idle\nwait 2\nkey k\nquit\n");
    const auto third =
        run_command("XDG_CONFIG_HOME=" + shell_quote(home.string()) + " xvfb-run -a " +
                    shell_quote(TESSERA_EXECUTABLE) + " --no-ipc --script " +
                    shell_quote(script.string()) + " " + shell_quote(npy.string()));
    ASSERT_EQ(third.exit_code, 0) << third.output;
    EXPECT_TRUE(std::filesystem::is_empty(home));
}

TEST(ScriptedWindow, CtrlShiftSSavesTheWholeImageAtFullResolutionAsTheCpuReferenceShowsIt) {
    TESSERA_REQUIRE_XVFB_RUN();
    // Wider than a strip (2048), so that strips are stitched.
    const auto npy = testing::temp_path("whole.npy");
    std::vector<std::byte> data(2 * 300 * 2600 * 2);
    for (std::size_t i = 0; i < data.size() / 2; ++i) {
        const auto v = static_cast<std::uint16_t>((i * 131 + i / 2600 * 7) % 60000);
        std::memcpy(data.data() + i * 2, &v, 2);
    }
    testing::write_npy(npy, {"<u2", {2, 300, 2600}}, data);
    const auto folder = testing::temp_path("whole-saved");
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    const auto script = testing::temp_path("whole.script");
    testing::write_text(script, "idle\nwait 2\nkey 2\nkey s ctrl shift\nwait 2\nquit\n");
    const auto result =
        run_command("cd " + shell_quote(folder.string()) + " && xvfb-run -a " +
                    shell_quote(TESSERA_EXECUTABLE) + " --no-ipc --size 900x600 --script " +
                    shell_quote(script.string()) + " " + shell_quote(npy.string()));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    auto saved = core::read_rgba8((folder / "tessera-image-1.png").string());
    ASSERT_TRUE(saved.ok()) << result.output;
    ASSERT_EQ(saved->width, 2600);
    ASSERT_EQ(saved->height, 300);
    auto datasets = core::open_datasets(npy.string());
    ASSERT_TRUE(datasets.ok());
    const core::Image& image = datasets->front().image;
    core::DisplaySettings settings = core::default_display(
        image.source->channels(), datasets->front().statistics, image.metadata.transfer);
    settings.channels[1].visible = false;  // key 2
    core::View view = core::View::fit_rect(0, 0, 2600, 300, 2600, 300);
    view.sampling = core::Sampling::Nearest;
    const auto expected = core::composite_cpu(*image.source, settings, view).value();
    int worst = 0;
    for (std::size_t i = 0; i < expected.pixels.size(); ++i) {
        worst = std::max(worst, std::abs(saved->pixels[i] - expected.pixels[i]));
    }
    EXPECT_LE(worst, 1);
}

}  // namespace
}  // namespace tessera::app
