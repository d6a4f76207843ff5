// Keyboard and pointer logic in an ImGui context without any renderer or window: key presses
// change the display model exactly as the shortcut table says.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include <GLFW/glfw3.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <imgui.h>

#include "app/ui/Actions.h"
#include "app/ui/Panels.h"
#include "app/ui/Shortcuts.h"
#include "app/ui/Viewport.h"
#include "core/image/PlanarImage.h"
#include "core/io/ImageLoader.h"
#include "tests/support/Fixtures.h"

namespace tessera::app {
namespace {

class HeadlessImGui : public ::testing::Test {
  protected:
    void SetUp() override {
        m_context = ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(1280, 800);
        io.DeltaTime = 1.0f / 60.0f;
        unsigned char* pixels = nullptr;
        int width = 0;
        int height = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &width, &height);  // NewFrame needs a built atlas
        // As ImGui 1.86's GLFW backend maps them (the text field's keys).
        io.KeyMap[ImGuiKey_Enter] = GLFW_KEY_ENTER;
        io.KeyMap[ImGuiKey_Escape] = GLFW_KEY_ESCAPE;
        io.KeyMap[ImGuiKey_Backspace] = GLFW_KEY_BACKSPACE;
        io.KeyMap[ImGuiKey_UpArrow] = GLFW_KEY_UP;
        io.KeyMap[ImGuiKey_DownArrow] = GLFW_KEY_DOWN;
        io.KeyMap[ImGuiKey_Tab] = GLFW_KEY_TAB;
        m_ui.viewport = {340, 0, 940, 774};

        auto image = std::make_shared<core::PlanarImage>(100, 80);
        for (int c = 0; c < 4; ++c) {
            image->add_channel(fmt::format("c{}", c), core::SampleType::U8);
            auto samples = image->samples<std::uint8_t>(static_cast<std::size_t>(c));
            for (std::size_t i = 0; i < samples.size(); ++i) {
                samples[i] = static_cast<std::uint8_t>(i % 200 + static_cast<std::size_t>(c));
            }
        }
        auto document = std::make_unique<ImageDocument>();
        document->dataset = std::make_shared<const core::Dataset>(
            core::Dataset{{image, {}}, core::compute_statistics(*image).value()});
        document->layers = {{document->dataset,
                             core::default_display(image->channels(), document->statistics(),
                                                   core::Transfer::Linear),
                             {},
                             true}};
        document->view.set_viewport(940, 774);
        document->view.set_image_size(100, 80);
        document->state = DocumentState::Ready;
        m_session.documents().push_back(std::move(document));
    }
    void TearDown() override { ImGui::DestroyContext(m_context); }

    ImageDocument& document() { return *m_session.current(); }

    // One frame with the key down, then one with it up: a press and release.
    void press(int key, bool shift = false, bool ctrl = false) {
        ImGuiIO& io = ImGui::GetIO();
        io.KeysDown[key] = true;
        io.KeyShift = shift;
        io.KeyCtrl = ctrl;
        frame();
        io.KeysDown[key] = false;
        io.KeyShift = false;
        io.KeyCtrl = false;
        frame();
    }
    void frame(bool with_text_field = false) {
        ImGui::NewFrame();
        if (with_text_field) {
            ImGui::Begin("field");
            static char text[64] = "";
            if (m_focus_field) {
                ImGui::SetKeyboardFocusHere();
                m_focus_field = false;
            }
            ImGui::InputText("##t", text, sizeof text);
            ImGui::End();
        }
        apply_shortcuts(m_session, m_ui, ImGui::GetIO());
        draw_command_palette(m_session, m_ui);
        draw_open_dialog(m_session, m_ui);
        ImGui::Render();
    }
    void type(const char* text) {
        ImGui::GetIO().AddInputCharactersUTF8(text);
        frame();
    }

    ImGuiContext* m_context = nullptr;
    Session m_session;
    UiState m_ui;
    bool m_focus_field = true;
};

TEST_F(HeadlessImGui, NumberKeysToggleChannelsAndShiftSolos) {
    press(GLFW_KEY_2);
    EXPECT_FALSE(document().display().channels[1].visible);
    EXPECT_EQ(document().selected_channel, 0u) << "hiding a channel does not select it";
    press(GLFW_KEY_2);
    EXPECT_TRUE(document().display().channels[1].visible);
    press(GLFW_KEY_3, true);
    for (std::size_t c = 0; c < 4; ++c) {
        EXPECT_EQ(document().display().channels[c].visible, c == 2) << c;
    }
    press(GLFW_KEY_3, true);  // solo again: everything back
    for (std::size_t c = 0; c < 4; ++c) {
        EXPECT_TRUE(document().display().channels[c].visible) << c;
    }
    press(GLFW_KEY_9);  // no ninth channel: nothing happens
}

TEST_F(HeadlessImGui, CtrlCCopiesThePixelUnderThePointerAsTabSeparatedValues) {
    document().title = "cells.png";
    // Pixel (7, 3) of the 100-wide image: sample i = 307, so channel c holds 307 % 200 + c.
    m_ui.pointer_image = std::array<double, 2>{7.6, 3.2};
    ImGui::SetClipboardText("");
    const auto colormap = document().display().channels[0].colormap;
    press(GLFW_KEY_C, false, true);
    EXPECT_EQ(document().display().channels[0].colormap, colormap) << "Ctrl+C is not C";
    EXPECT_STREQ(ImGui::GetClipboardText(), "cells.png\tx=7\ty=3\tc0=107\tc1=108\tc2=109\tc3=110");
    EXPECT_EQ(m_ui.message, "pixel values copied");
    // Outside the image nothing is copied.
    m_ui.pointer_image = std::array<double, 2>{-3.0, 5.0};
    press(GLFW_KEY_C, false, true);
    EXPECT_STREQ(ImGui::GetClipboardText(), "cells.png\tx=7\ty=3\tc0=107\tc1=108\tc2=109\tc3=110");
}

TEST_F(HeadlessImGui, CCyclesTheSelectedChannelsColormapAndRResets) {
    document().selected_channel = 3;  // as a click on its row does
    press(GLFW_KEY_4);                // hides it; still the selected one
    const auto before = document().display().channels[3].colormap;
    const auto first = document().display().channels[0].colormap;
    press(GLFW_KEY_C);
    EXPECT_EQ(document().display().channels[3].colormap.index, (before.index + 1) % 18);
    EXPECT_EQ(document().display().channels[0].colormap, first);
    press(GLFW_KEY_R);
    EXPECT_EQ(document().display().channels[3].colormap, before);
    EXPECT_TRUE(document().display().channels[3].visible);
}

TEST_F(HeadlessImGui, AAutoContrastsEveryVisibleChannelFromTheStatistics) {
    for (auto& channel : document().display().channels) {
        channel.lo = 0;
        channel.hi = 1;
    }
    document().display().channels[0].visible = false;
    press(GLFW_KEY_A);
    EXPECT_EQ(document().display().channels[0].hi, 1);  // hidden: untouched
    EXPECT_EQ(document().display().channels[1].lo, document().statistics()[1].p0_1);
    EXPECT_EQ(document().display().channels[1].hi, document().statistics()[1].p99_9);
}

TEST_F(HeadlessImGui, ViewKeysZoomPanAndFit) {
    press(GLFW_KEY_0);
    EXPECT_DOUBLE_EQ(document().view.zoom(), 1.0);
    press(GLFW_KEY_EQUAL);
    EXPECT_NEAR(document().view.zoom(), std::sqrt(2.0), 1e-12);
    const auto centre = document().view.centre();
    press(GLFW_KEY_RIGHT);
    EXPECT_GT(document().view.centre()[0], centre[0]);
    press(GLFW_KEY_F);
    EXPECT_TRUE(document().view.fitted());
}

TEST_F(HeadlessImGui, ShortcutsDoNotFireWhileTypingInATextField) {
    // Focus is requested, the field becomes active, and the next frame reports text input.
    frame(true);
    frame(true);
    frame(true);
    ASSERT_TRUE(ImGui::GetIO().WantTextInput);
    ImGuiIO& io = ImGui::GetIO();
    io.KeysDown[GLFW_KEY_1] = true;
    frame(true);
    io.KeysDown[GLFW_KEY_1] = false;
    frame(true);
    EXPECT_TRUE(document().display().channels[0].visible);
    EXPECT_FALSE(m_ui.quit);
}

TEST_F(HeadlessImGui, EscapeOnlyClosesDialogsQOnlyQuitsWithCtrlAndTabHidesPanels) {
    m_ui.show_help = true;
    press(GLFW_KEY_ESCAPE);
    EXPECT_FALSE(m_ui.show_help);
    EXPECT_FALSE(m_ui.quit);
    press(GLFW_KEY_TAB);
    EXPECT_FALSE(m_ui.show_panels);
    press(GLFW_KEY_F1);
    EXPECT_TRUE(m_ui.show_help);
    press(GLFW_KEY_ESCAPE);
    press(GLFW_KEY_ESCAPE);
    EXPECT_FALSE(m_ui.quit) << "Esc never quits";
    press(GLFW_KEY_Q);
    EXPECT_FALSE(m_ui.quit) << "Q alone never quits";
    press(GLFW_KEY_Q, false, /*ctrl=*/true);
    EXPECT_TRUE(m_ui.quit);
}

TEST(Actions, ThePaletteFindsActionsByEveryWordOfTheirMenuAndName) {
    const auto names = [](std::string_view query) {
        std::vector<std::string> found;
        for (const Action* action : matching_actions(query)) {
            found.push_back(std::string(action->menu) + ": " + std::string(action->name));
        }
        return found;
    };
    EXPECT_EQ(names("zoom IN"), std::vector<std::string>{"View: Zoom in"});
    EXPECT_EQ(names("  view   grid "),
              (std::vector<std::string>{"View: Grid", "View: Link the grid's views"}));
    EXPECT_EQ(
        names("compare metric"),
        (std::vector<std::string>{"Compare: Next error metric", "Compare: Previous error metric"}));
    EXPECT_TRUE(names("no such thing").empty());
    EXPECT_EQ(matching_actions("").size(), actions().size());
    for (const Action& action : actions()) {
        EXPECT_NE(action.run, nullptr) << action.name;
    }
}

TEST_F(HeadlessImGui, CtrlShiftPOpensThePaletteWhoseChosenActionRunsAndEscClosesIt) {
    press(GLFW_KEY_0);
    ASSERT_FALSE(document().view.fitted());
    press(GLFW_KEY_P, /*shift=*/true, /*ctrl=*/true);
    EXPECT_FALSE(m_ui.show_overlay) << "Ctrl+Shift+P is not P";
    frame();
    frame();
    ASSERT_TRUE(m_ui.palette.shown);
    ASSERT_TRUE(ImGui::GetIO().WantTextInput) << "the search field has the keyboard";
    press(GLFW_KEY_F);  // the field has the keyboard: not the fit key
    EXPECT_FALSE(document().view.fitted());
    type("fit");
    press(GLFW_KEY_ENTER);
    EXPECT_TRUE(document().view.fitted()) << "Enter ran View: Fit to the window";
    EXPECT_FALSE(m_ui.palette.shown);

    press(GLFW_KEY_P, true, true);
    frame();
    ASSERT_TRUE(m_ui.palette.shown);
    press(GLFW_KEY_ESCAPE);
    EXPECT_FALSE(m_ui.palette.shown);
    EXPECT_FALSE(m_ui.quit);
    EXPECT_FALSE(m_ui.show_overlay);
}

TEST_F(HeadlessImGui, CtrlOListsTheFolderAndTabThenEnterOpensTheCompletedFile) {
    const auto folder = testing::temp_path("open-dialog");
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder / "sub");
    std::ofstream(folder / "picture.png") << "not really a png";
    std::ofstream(folder / "readme.txt") << "text";
    m_ui.browser = list_directory(folder);
    ASSERT_EQ(m_ui.browser.entries.size(), 2u) << "sub/ and picture.png, not readme.txt";
    press(GLFW_KEY_O, false, /*ctrl=*/true);
    ASSERT_TRUE(m_ui.show_open_dialog);
    frame();
    frame();
    ASSERT_TRUE(ImGui::GetIO().WantTextInput) << "the path field has the keyboard";
    type("pi");
    press(GLFW_KEY_TAB);
    EXPECT_STREQ(m_ui.open_path.data(), "picture.png");
    EXPECT_TRUE(m_ui.show_panels) << "Tab completed; it did not hide the panels";
    press(GLFW_KEY_ENTER);
    EXPECT_FALSE(m_ui.show_open_dialog);
    ASSERT_EQ(m_session.documents().size(), 2u);
    EXPECT_EQ(m_session.documents()[1]->path, (folder / "picture.png").string());
    m_session.close(1);  // still loading (it will fail): not waited for here
}

TEST(Metadata, RowsListEverythingTheFileSaysIncludingEveryExrAttributeAndTheNumpyHeader) {
    const auto exr = testing::temp_path("metadata.exr");
    ASSERT_EQ(testing::write_exr(exr, {{"", 6, 4, 2, 3, std::vector<std::byte>(6 * 4 * 4)}}), "");
    const auto npy = testing::temp_path("metadata.npy");
    testing::write_npy(npy, {"<f4", {3, 5}}, std::vector<std::byte>(3 * 5 * 4));
    const auto rows_of = [](const std::filesystem::path& path) {
        auto datasets = core::open_datasets(path.string());
        EXPECT_TRUE(datasets.ok());
        ImageDocument document;
        document.path = path.string();
        document.dataset = std::make_shared<const core::Dataset>(std::move(datasets->front()));
        document.state = DocumentState::Ready;
        std::map<std::string, std::string> rows;
        for (const auto& [key, value] : metadata_rows(document)) {
            rows[key] = value;
        }
        return rows;
    };
    auto rows = rows_of(exr);
    EXPECT_EQ(rows["format"], "OpenEXR");
    EXPECT_EQ(rows["size"], "6 x 4");
    EXPECT_EQ(rows["channel Y"], "f32");
    EXPECT_EQ(rows["compression"], "ZIP");
    EXPECT_EQ(rows["attribute compression"], "ZIP");
    EXPECT_EQ(rows["attribute lineOrder"], "increasing Y");
    EXPECT_EQ(rows["attribute dataWindow"], "(0, 0) - (5, 3)");
    EXPECT_EQ(rows["attribute pixelAspectRatio"], "1");
    EXPECT_EQ(rows["attribute screenWindowCenter"], "(0, 0)");
    EXPECT_EQ(rows.count("attribute channels"), 0u) << "the channels are listed as channels";
    rows = rows_of(npy);
    EXPECT_EQ(rows["NumPy header"], "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }");
    EXPECT_EQ(rows["NumPy format"], "1.0");
    EXPECT_EQ(rows["channel c0"], "f32");
}

TEST_F(HeadlessImGui, TheWheelZoomsAboutThePointer) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(700, 300);
    frame();
    const auto before = document().view.image_from_output(700 - 340, 300);
    for (float wheel : {2.0f, 1.0f, -3.0f}) {
        io.MouseWheel = wheel;
        ImGui::NewFrame();
        handle_viewport_input(m_session, m_ui, io);
        ImGui::Render();
        const auto after = document().view.image_from_output(700 - 340, 300);
        EXPECT_NEAR(after[0], before[0], 1e-9);
        EXPECT_NEAR(after[1], before[1], 1e-9);
        ASSERT_TRUE(m_ui.pointer_image.has_value());
    }
}

}  // namespace
}  // namespace tessera::app
