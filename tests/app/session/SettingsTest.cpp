// Remembered settings: what is written is read back the same; damaged files cost only the damaged
// lines; a file's display is restored only onto the same channels; and no input crashes the
// parser (mutations of a valid file from a fixed seed).
#include <random>

#include <gtest/gtest.h>

#include "app/session/Settings.h"
#include "tests/support/Fixtures.h"

namespace tessera::app {
namespace {

Settings sample() {
    Settings settings;
    settings.window_width = 1500;
    settings.window_height = 900;
    settings.show_panels = false;
    settings.show_colorbar = true;
    settings.grid_linked = false;
    remember_recent(settings, "/data/b.tif");
    remember_recent(settings, "/data/with\ttab and\\ back\nslash.npy");
    core::DisplaySettings display;
    display.blend = core::BlendMode::Max;
    display.channels = {{true, core::named_colormap("magma_r"), 600, 37254.5, 0.7f, 1},
                        {false, core::named_colormap("cyan"), -0.125, 1e-3, 1, 0.25f}};
    remember_display(settings, {"/data/b.tif", {"DAPI", "Actin GFP"}, display});
    return settings;
}

TEST(Settings, WhatIsWrittenIsReadBackTheSame) {
    const Settings settings = sample();
    const Settings read = parse_settings(format_settings(settings));
    EXPECT_EQ(read.skipped_lines, 0u);
    EXPECT_EQ(read.window_width, 1500);
    EXPECT_EQ(read.window_height, 900);
    EXPECT_FALSE(read.show_panels);
    EXPECT_TRUE(read.show_colorbar);
    EXPECT_FALSE(read.grid_linked);
    EXPECT_EQ(read.recent, settings.recent);
    ASSERT_EQ(read.displays.size(), 1u);
    EXPECT_EQ(read.displays[0].path, "/data/b.tif");
    EXPECT_EQ(read.displays[0].channel_names, settings.displays[0].channel_names);
    EXPECT_EQ(read.displays[0].display, settings.displays[0].display);

    const auto path = testing::temp_path("settings-roundtrip") / "tessera" / "settings.txt";
    ASSERT_TRUE(save_settings(settings, path).ok());
    auto loaded = load_settings(path);
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(format_settings(*loaded), format_settings(settings));
    auto missing = load_settings(testing::temp_path("no-such-settings.txt"));
    ASSERT_TRUE(missing.ok()) << "no file yet: the defaults";
    EXPECT_TRUE(missing->recent.empty());
}

TEST(Settings, RecentFilesAndDisplaysAreMostRecentFirstOnceEachAndBounded) {
    Settings settings;
    for (int i = 0; i < 30; ++i) {
        remember_recent(settings, "/f" + std::to_string(i % 12));
    }
    ASSERT_EQ(settings.recent.size(), Settings::kRecentFiles);
    EXPECT_EQ(settings.recent.front(), "/f5");
    remember_recent(settings, "/f0");
    EXPECT_EQ(settings.recent.front(), "/f0");
    EXPECT_EQ(std::count(settings.recent.begin(), settings.recent.end(), "/f0"), 1);
    for (int i = 0; i < 150; ++i) {
        remember_display(settings, {"/d" + std::to_string(i), {"c"}, {}});
    }
    EXPECT_EQ(settings.displays.size(), Settings::kRememberedFiles);
    EXPECT_EQ(settings.displays.front().path, "/d149");
}

TEST(Settings, ADisplayIsRestoredOnlyOntoChannelsOfTheSameNames) {
    const Settings settings = sample();
    const std::vector<core::ChannelInfo> same{{"DAPI", core::SampleType::U16},
                                              {"Actin GFP", core::SampleType::F32}};
    const core::DisplaySettings* found = remembered_display(settings, "/data/b.tif", same);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->channels[0].colormap, core::named_colormap("magma_r"));
    EXPECT_EQ(remembered_display(settings, "/data/other.tif", same), nullptr);
    EXPECT_EQ(remembered_display(settings, "/data/b.tif", {same[0]}), nullptr) << "fewer";
    auto renamed = same;
    renamed[1].name = "Tubulin";
    EXPECT_EQ(remembered_display(settings, "/data/b.tif", renamed), nullptr);
}

TEST(Settings, DamagedLinesAreLeftOutAndTheRestIsKept) {
    const std::string text =
        "tessera-settings 1\n"
        "window\t10\t800\n"  // too small
        "panels\t2\n"        // not a flag
        "overlay\t1\n"
        "recent\t/a.png\n"
        "display\t/a.png\tscreen\t0\t-1\t0\t0\t0\n"  // no such blend mode: its channels go too
        "channel\tR\t1\tgray\t0\t255\t1\t1\n"
        "display\t/b.png\tmax\t0\t-1\t0\t0\t0\n"
        "channel\tR\t1\tgray\t255\t0\t1\t1\n"  // lo above hi: the whole display is dropped
        "display\t/c.png\tmax\t0\t-1\t0\t0.5\t0\n"
        "channel\tR\t1\tnotacolormap\t0\t1\t1\t1\n"
        "display\t/d.png\tover\t1\t3\t1\t-1.5\t0.25\n"
        "channel\tR\t0\tviridis\t-1\t1e9\t2.5\t0.5\n"
        "future_record\twhatever\n"
        "\x01garbage\n";
    const Settings settings = parse_settings(text);
    EXPECT_EQ(settings.window_width, 0);
    EXPECT_TRUE(settings.show_panels) << "the default";
    EXPECT_TRUE(settings.show_overlay);
    EXPECT_EQ(settings.recent, std::vector<std::string>{"/a.png"});
    ASSERT_EQ(settings.displays.size(), 1u);
    EXPECT_EQ(settings.displays[0].path, "/d.png");
    EXPECT_EQ(settings.displays[0].display.blend, core::BlendMode::Over);
    EXPECT_EQ(settings.displays[0].display.exposure, -1.5f);
    EXPECT_EQ(settings.displays[0].display.channels[0].hi, 1e9);
    EXPECT_EQ(settings.skipped_lines, 9u);
    EXPECT_EQ(parse_settings("not a settings file\npanels\t0\n").skipped_lines, 1u);
    EXPECT_TRUE(parse_settings("not a settings file\npanels\t0\n").show_panels);
}

TEST(Settings, NoMutationOfAValidFileCrashesTheParserOrReadsBackDifferently) {
    const std::string valid = format_settings(sample());
    std::mt19937 random(7);
    for (int run = 0; run < 20000; ++run) {
        std::string text = valid;
        const int edits = 1 + static_cast<int>(random() % 4);
        for (int e = 0; e < edits && !text.empty(); ++e) {
            const std::size_t at = random() % text.size();
            switch (random() % 4) {
                case 0:
                    text[at] = static_cast<char>(random() % 256);
                    break;
                case 1:
                    text.erase(at, 1 + random() % 8);
                    break;
                case 2:
                    text.insert(at, text.substr(random() % text.size(), random() % 16));
                    break;
                default:
                    text.insert(at, 1, "\t\n\\-0e"[random() % 6]);
            }
        }
        const Settings parsed = parse_settings(text);
        // Whatever was accepted is written and read back the same.
        const std::string again = format_settings(parsed);
        ASSERT_EQ(format_settings(parse_settings(again)), again) << "run " << run;
        for (const RememberedDisplay& display : parsed.displays) {
            ASSERT_EQ(display.channel_names.size(), display.display.channels.size());
            for (const core::ChannelDisplay& channel : display.display.channels) {
                ASSERT_LT(channel.lo, channel.hi);
                ASSERT_GT(channel.gamma, 0.0f);
            }
        }
    }
}

}  // namespace
}  // namespace tessera::app
