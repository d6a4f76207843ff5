// The FPS overlay and its captures end to end under xvfb-run: overlay on vs off, the per-frame
// CSV, and `tessera bench` JSON.
#include <sstream>

#include <gtest/gtest.h>

#include "app/ui/Overlay.h"
#include "core/image/RgbaImage.h"
#include "tests/support/Fixtures.h"
#include "tests/support/Process.h"
#include "tests/support/TestEnvironment.h"

namespace tessera::app {
namespace {

using testing::run_command;
using testing::shell_quote;

const std::string kTessera = shell_quote(TESSERA_EXECUTABLE);

std::string xvfb() {
    return "xvfb-run -a -s '-screen 0 1920x1200x24' " + kTessera;
}

TEST(FpsOverlay, TurningItOnChangesTheOverlayRegionOnly) {
    TESSERA_REQUIRE_XVFB_RUN();
    const std::string off = testing::temp_path("overlay-off.png").string();
    const std::string on = testing::temp_path("overlay-on.png").string();
    const auto script = testing::temp_path("overlay.script");
    // Panels hidden: nothing else on screen changes from frame to frame.
    testing::write_text(script, "idle\nkey tab\nwait 3\nscreenshot " + off +
                                    "\nkey p\nwait 5\nscreenshot " + on + "\n");
    const auto result =
        run_command(xvfb() + " --size 1000x600 --script " + shell_quote(script.string()));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    auto a = core::read_rgba8(off);
    auto b = core::read_rgba8(on);
    ASSERT_TRUE(a.ok() && b.ok());
    const ViewportRect rect = overlay_rect({0, 0, 1000, 600});
    int inside = 0;
    int outside = 0;
    for (int y = 0; y < a->height; ++y) {
        for (int x = 0; x < a->width; ++x) {
            if (!std::equal(a->at(x, y), a->at(x, y) + 3, b->at(x, y))) {
                (rect.contains(static_cast<float>(x), static_cast<float>(y)) ? inside : outside)++;
            }
        }
    }
    EXPECT_GT(inside, 2000) << "the overlay did not appear";
    EXPECT_EQ(outside, 0) << "pixels outside the overlay changed";
}

TEST(FpsOverlay, RecordFramesWritesOneRowPerFrameWithMonotoneTimestamps) {
    TESSERA_REQUIRE_XVFB_RUN();
    const std::string csv = testing::temp_path("frames.csv").string();
    const auto result = run_command(xvfb() + " --size 640x400 --fps --frames 40 --record-frames " +
                                    shell_quote(csv));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    std::istringstream rows(
        std::string(reinterpret_cast<const char*>(testing::read_bytes(csv).data()),
                    testing::read_bytes(csv).size()));
    std::string line;
    std::getline(rows, line);
    EXPECT_EQ(line, "frame,timestamp_s,cpu_ms,gpu_ms,uploads,upload_bytes,tiles_resident");
    int count = 0;
    double previous = -1;
    int with_gpu = 0;
    while (std::getline(rows, line)) {
        std::vector<std::string> fields;
        std::stringstream stream(line);
        for (std::string field; std::getline(stream, field, ',');) {
            fields.push_back(field);
        }
        fields.resize(7);
        EXPECT_EQ(std::stoi(fields[0]), count);
        const double timestamp = std::stod(fields[1]);
        const double cpu = std::stod(fields[2]);
        EXPECT_GT(timestamp, previous);
        EXPECT_GT(cpu, 0.0);
        EXPECT_LT(cpu, 10000.0);
        with_gpu += fields[3].empty() ? 0 : 1;
        EXPECT_GE(std::stoi(fields[6]), 1);  // the demo's tile is resident
        previous = timestamp;
        ++count;
    }
    EXPECT_EQ(count, 40);
    EXPECT_GT(with_gpu, 20) << "GPU times were mostly missing";
}

TEST(Bench, HeadlessJsonHasEveryFieldAndDisplayChangesUploadNothing) {
    const auto npy = testing::temp_path("bench.npy");
    std::vector<float> values(3 * 120 * 200);
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = static_cast<float>((i * 37) % 1000);
    }
    testing::write_npy(npy, {"<f4", {3, 120, 200}}, std::as_bytes(std::span(values)));
    const std::string json = testing::temp_path("bench.json").string();
    const auto result =
        run_command("env -u DISPLAY " + kTessera + " bench " + shell_quote(npy.string()) +
                    " --headless --frames 80 --size 320x200 --json " + shell_quote(json));
    ASSERT_EQ(result.exit_code, 0) << result.output;
    const auto check = run_command(
        "python3 -c 'import json,sys; d=json.load(open(sys.argv[1]));\n"
        "for k in "
        "[\"tessera_version\",\"file\",\"image\",\"path\",\"mode\",\"renderer\",\"size\","
        "\"frames\",\"load_ms\",\n"
        "          "
        "\"time_to_first_frame_ms\",\"fps\",\"frame_ms\",\"uploads\",\"peak_texture_bytes\","
        "\"segments\",\"residency\",\"fit_final_ms\",\"one_to_one_final_ms\",\"peak_rss_bytes\","
        "\"path_frames_not_final\",\"gpu_budget_bytes\",\"dropped_requests\",\"prepare_ms\"]: "
        "assert k in d, k\n"
        "assert \"cpu_uploading\" in d[\"frame_ms\"] and \"cpu_not_uploading\" in d[\"frame_ms\"]\n"
        "software = any(n in d[\"renderer\"].lower() for n in [\"llvmpipe\",\"softpipe\"])\n"
        "assert d[\"residency\"] == \"stream\"\n"
        "assert d[\"gpu_budget_bytes\"] == (128 if software else 1024) << 20\n"
        "assert 0 < d[\"time_to_first_frame_ms\"] <= d[\"fit_final_ms\"]\n"
        "assert d[\"one_to_one_final_ms\"] > 0 and d[\"peak_rss_bytes\"] > 1e6\n"
        "assert 0 < d[\"peak_rss_anon_bytes\"] and 0 < d[\"peak_rss_file_bytes\"]\n"
        "assert d[\"frames\"] == 80 and d[\"mode\"] == \"headless\" and d[\"path\"] == \"full\"\n"
        "for k in [\"mean\",\"p50\",\"p95\",\"p99\",\"max\"]: assert d[\"frame_ms\"][\"cpu\"][k] > "
        "0, k\n"
        "assert d[\"uploads\"][\"total\"] == 3 and d[\"peak_texture_bytes\"] > 0\n"
        "s = {x[\"name\"]: x for x in d[\"segments\"]}\n"
        "assert list(s) == [\"fit\",\"zoom_in\",\"pan\",\"zoom_out\",\"toggle\",\"colormap\"], "
        "list(s)\n"
        "assert s[\"toggle\"][\"uploads\"] == 0 and s[\"colormap\"][\"uploads\"] == 0\n"
        "assert sum(x[\"frames\"] for x in d[\"segments\"]) == 80\n"
        "print(\"ok\")' " +
        shell_quote(json));
    EXPECT_EQ(check.output, "ok\n") << check.output;
}

// A 4096x4096 image (16.8 MB with gutters) under a 16 MB budget: streamed, texture memory stays
// within it over the whole path; uploaded whole (--upload-all), it does not.
TEST(Bench, StreamingStaysWithinTheGpuBudgetWhereUploadingEverythingDoesNot) {
    const auto npy = testing::temp_path("bench-budget.npy");
    std::vector<std::uint8_t> values(4096 * 4096);
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 24);
    }
    testing::write_npy(npy, {"|u1", {4096, 4096}}, std::as_bytes(std::span(values)));
    const auto peak = [&](const std::string& options) {
        const std::string json = testing::temp_path("bench-budget.json").string();
        const auto result =
            run_command("env -u DISPLAY " + kTessera + " bench " + shell_quote(npy.string()) +
                        " --headless --frames 60 " + "--size 320x200 " + options + " --json " +
                        shell_quote(json));
        EXPECT_EQ(result.exit_code, 0) << result.output;
        const auto check = run_command(
            "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
            "print(d[\"peak_texture_bytes\"], d[\"path_frames_not_final\"] >= 0)' " +
            shell_quote(json));
        return std::stoull(check.output);
    };
    const std::uint64_t budget = std::uint64_t{16} << 20;
    EXPECT_LE(peak("--gpu-memory 16"), budget);
    EXPECT_GT(peak("--upload-all"), budget);
}

TEST(Bench, AGridOfFourStaysWithinTheOneTextureBudgetAndReportsBothLayouts) {
    std::vector<std::string> files;
    for (int k = 0; k < 4; ++k) {
        const auto npy = testing::temp_path("bench-grid-" + std::to_string(k) + ".npy");
        std::vector<std::uint8_t> values(2048 * 2048);
        for (std::size_t i = 0; i < values.size(); ++i) {
            values[i] = static_cast<std::uint8_t>(((i + k) * 2654435761u) >> 24);
        }
        testing::write_npy(npy, {"|u1", {2048, 2048}}, std::as_bytes(std::span(values)));
        files.push_back(shell_quote(npy.string()));
    }
    const auto result = run_command("env -u DISPLAY " + kTessera + " bench --grid " + files[0] +
                                    " " + files[1] + " " + files[2] + " " + files[3] +
                                    " --frames 12 --size 320x200 --gpu-memory 16 --json");
    ASSERT_EQ(result.exit_code, 0) << result.output;
    // The JSON as core/base/JsonWriter writes it: the two layouts, then the ratios.
    const std::string& json = result.output;
    const auto single = json.find("\"single\"");
    const auto grid = json.find("\"grid\"");
    ASSERT_NE(single, std::string::npos) << json;
    ASSERT_NE(grid, std::string::npos) << json;
    EXPECT_NE(json.find("\"cells\": 1", single), std::string::npos) << json;
    EXPECT_NE(json.find("\"cells\": 4", grid), std::string::npos) << json;
    EXPECT_NE(json.find("\"frames\": 12", grid), std::string::npos) << json;
    const auto number_after = [&](const std::string& key, std::size_t from) {
        const auto at = json.find("\"" + key + "\": ", from);
        return at == std::string::npos ? -1.0 : std::stod(json.substr(at + key.size() + 4));
    };
    const double peak = number_after("peak_texture_bytes", grid);
    EXPECT_GT(peak, 0);
    EXPECT_LE(peak, number_after("budget_bytes", grid));
    EXPECT_EQ(number_after("budget_bytes", grid), 16.0 * 1048576);
    EXPECT_GT(number_after("frame_ratio", grid), 0);
    const auto usage = run_command(kTessera + " bench --grid --frames 1");
    EXPECT_EQ(usage.exit_code, 2) << usage.output;
    EXPECT_NE(usage.output.find("usage: tessera bench --grid"), std::string::npos);
}

TEST(Bench, BadArgumentsAreUsageErrors) {
    for (const char* args : {"", "x.npy --path spiral", "x.npy --frames 3", "x.npy --size 12",
                             "x.npy --gpu-memory 2", "x.npy --cpu-cache lots"}) {
        const auto result = run_command(kTessera + " bench " + args);
        EXPECT_EQ(result.exit_code, 2) << args << ": " << result.output;
        EXPECT_NE(result.output.find("usage: tessera bench"), std::string::npos) << args;
    }
}

}  // namespace
}  // namespace tessera::app
