#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "app/cli/MemoryOptions.h"
#include "app/cli/Options.h"
#include "app/ui/Shortcuts.h"

namespace tessera::app {
namespace {

core::Result<Options> parse(std::vector<std::string_view> arguments) {
    return parse_options(arguments);
}

TEST(Options, NoArgumentsMeansTheDemoInADefaultWindow) {
    auto options = parse({});
    ASSERT_TRUE(options.ok());
    EXPECT_TRUE(options->files.empty());
    EXPECT_EQ(options->window_width, 1280);
    EXPECT_FALSE(options->frames.has_value());
}

TEST(Options, ScriptedCaptureOptionsAreParsed) {
    auto options =
        parse({"--size", "640x400", "--frames", "5", "--screenshot", "out.png", "a.exr"});
    ASSERT_TRUE(options.ok()) << options.error().message;
    EXPECT_EQ(options->window_width, 640);
    EXPECT_EQ(options->window_height, 400);
    EXPECT_EQ(options->frames, 5);
    EXPECT_EQ(options->screenshot, "out.png");
    EXPECT_EQ(options->files, std::vector<std::string>{"a.exr"});
}

TEST(Options, BadValuesAndUnknownOptionsAreUsageErrorsThatSayWhy) {
    EXPECT_NE(parse({"--bogus"}).error().message.find("unknown option '--bogus'"),
              std::string::npos);
    EXPECT_NE(parse({"--frames", "0"}).error().message.find("positive"), std::string::npos);
    EXPECT_NE(parse({"--frames"}).error().message.find("needs a value"), std::string::npos);
    EXPECT_NE(parse({"--size", "640"}).error().message.find("WIDTHxHEIGHT"), std::string::npos);
    EXPECT_FALSE(parse({"--size", "0x10"}).ok());
    EXPECT_FALSE(parse({"--size", "640x400x3"}).ok());
}

TEST(Options, IpcOptionsChooseWhereToListenAndWhetherToForward) {
    auto defaults = parse({"a.exr"});
    ASSERT_TRUE(defaults.ok());
    EXPECT_TRUE(defaults->ipc);
    EXPECT_FALSE(defaults->new_window);
    EXPECT_FALSE(defaults->hostname);
    auto chosen = parse({"--hostname", "0.0.0.0:9000", "--new", "a.exr"});
    ASSERT_TRUE(chosen.ok());
    EXPECT_EQ(chosen->hostname, "0.0.0.0:9000");
    EXPECT_TRUE(chosen->new_window);
    EXPECT_FALSE(parse({"--no-ipc"})->ipc);
    EXPECT_EQ(parse({"--host", "render"})->hostname, "render");
    EXPECT_NE(parse({"--hostname"}).error().message.find("needs a value"), std::string::npos);
    EXPECT_NE(help_text().find("--hostname HOST:PORT"), std::string::npos);
    EXPECT_NE(help_text().find("authentication"), std::string::npos);
}

TEST(Options, DisplayOptionsAndScriptAreAcceptedForTheWindow) {
    auto options =
        parse({"--script", "s.txt", "--colormap", "viridis", "--limits", "c0=1:5", "a.npy"});
    ASSERT_TRUE(options.ok()) << options.error().message;
    EXPECT_EQ(options->script, "s.txt");
    EXPECT_EQ(options->display.colormap_all, "viridis");
    EXPECT_EQ(options->display.limits.size(), 1u);
    EXPECT_FALSE(parse({"--limits", "c0=5:1"}).ok());
}

TEST(Options, BudgetsDefaultToLessOnASoftwareRendererUnlessAskedFor) {
    auto options = parse({});
    ASSERT_TRUE(options.ok());
    const gl::StreamingOptions gpu = streaming_options(options->memory, false);
    const gl::StreamingOptions software = streaming_options(options->memory, true);
    EXPECT_EQ(gpu.gpu_budget, std::size_t{1024} << 20);
    EXPECT_EQ(gpu.cpu_cache, std::size_t{256} << 20);
    EXPECT_EQ(software.gpu_budget, std::size_t{128} << 20);
    EXPECT_EQ(software.cpu_cache, std::size_t{48} << 20);

    auto asked = parse({"--gpu-memory", "600", "--cpu-cache", "300", "--upload-budget", "7"});
    ASSERT_TRUE(asked.ok()) << asked.error().message;
    for (bool is_software : {false, true}) {
        const gl::StreamingOptions streaming = streaming_options(asked->memory, is_software);
        EXPECT_EQ(streaming.gpu_budget, std::size_t{600} << 20);
        EXPECT_EQ(streaming.cpu_cache, std::size_t{300} << 20);
        EXPECT_EQ(streaming.upload_budget, std::size_t{7} << 20);
    }
    EXPECT_NE(parse({"--cpu-cache", "8"}).error().message.find("from 16"), std::string::npos);
}

TEST(Options, DoubleDashEndsOptionsSoFilesMayStartWithADash) {
    auto options = parse({"--", "-odd-name.png"});
    ASSERT_TRUE(options.ok());
    EXPECT_EQ(options->files, std::vector<std::string>{"-odd-name.png"});
}

TEST(Options, HelpListsEveryOptionAndEveryShortcut) {
    const std::string help = help_text();
    for (const char* option : {"--help", "--version", "--size", "--frames", "--screenshot",
                               "--script", "--channels", "--colormap", "--limits", "--blend"}) {
        EXPECT_NE(help.find(option), std::string::npos) << option;
    }
    for (const Shortcut& shortcut : shortcuts()) {
        EXPECT_NE(help.find(shortcut.keys), std::string::npos) << shortcut.keys;
        EXPECT_NE(help.find(shortcut.action), std::string::npos) << shortcut.action;
    }
    EXPECT_NE(help.find(usage_line()), std::string::npos);
}

}  // namespace
}  // namespace tessera::app
