// Scripted input for tests and demonstrations (`tessera --script FILE`). One command a line;
// '#' starts a comment. Coordinates are window pixels from the top-left corner.
//
//   wait N                  let N frames pass
//   idle                    wait until every file being opened or reloaded has loaded and
//                           the image on screen is drawn exactly (no tile still streaming)
//   key NAME [shift] [ctrl] press and release a key: a-z, 0-9, f1-f12, escape, tab, enter,
//                           left, right, up, down, pageup, pagedown, plus, minus, slash,
//                           leftbracket, rightbracket
//   move X Y                move the pointer
//   drag X0 Y0 X1 Y1 [N]    press the left button at X0,Y0, move to X1,Y1 over N frames, release
//   click X Y [shift] [ctrl] press and release the left button (holding the modifiers)
//   scroll X Y AMOUNT       turn the wheel at X,Y (positive: zoom in)
//   type TEXT               type characters into the focused text field
//   drop PATH               drop a file onto the window (as the window system would)
//   screenshot PATH         write the window to PATH after this frame
//   quit                    end the run (the end of the script does too)
//
// The player injects this input into ImGui between the platform backend and ImGui::NewFrame, so
// the application sees it exactly as real input.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <imgui.h>

#include "core/base/Result.h"

namespace tessera::app {

struct ScriptFrame {
    std::optional<ImVec2> mouse;
    std::optional<bool> left_button;
    float wheel = 0;
    std::vector<int> keys_down;  // pressed this frame, released the next
    bool shift = false;
    bool ctrl = false;
    std::string text;
    std::optional<std::string> screenshot;
    bool quit = false;
    bool wait_idle = false;
    std::optional<std::string> drop;
};

class Script {
  public:
    static core::Result<Script> parse(const std::string& text, const std::string& name);
    static core::Result<Script> load(const std::filesystem::path& path);

    // Applies the next frame's input to io; call after the backend's NewFrame. `busy`: files
    // are still loading (an `idle` step waits for that).
    void before_new_frame(ImGuiIO& io, bool busy = false);
    // The screenshot this frame asked for, if any.
    const std::optional<std::string>& screenshot() const { return m_screenshot; }
    bool finished() const { return m_next >= m_frames.size() && m_released; }
    bool quit_requested() const { return m_quit; }
    // A file this frame dropped onto the window, if any.
    const std::optional<std::string>& dropped() const { return m_dropped; }
    std::size_t frame_count() const { return m_frames.size(); }

  private:
    std::vector<ScriptFrame> m_frames;
    std::size_t m_next = 0;
    std::vector<int> m_held;
    bool m_released = true;
    ImVec2 m_mouse{0, 0};
    bool m_button = false;
    std::optional<std::string> m_screenshot;
    std::optional<std::string> m_dropped;
    bool m_quit = false;
};

}  // namespace tessera::app
