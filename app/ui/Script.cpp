#include "app/ui/Script.h"

#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

// GLFW only for its key codes: ImGui 1.86's GLFW backend indexes io.KeysDown by them.
#include <GLFW/glfw3.h>

namespace tessera::app {
namespace {

std::optional<int> key_code(const std::string& name) {
    static const std::map<std::string, int> kNamed{{"escape", GLFW_KEY_ESCAPE},
                                                   {"tab", GLFW_KEY_TAB},
                                                   {"enter", GLFW_KEY_ENTER},
                                                   {"left", GLFW_KEY_LEFT},
                                                   {"right", GLFW_KEY_RIGHT},
                                                   {"up", GLFW_KEY_UP},
                                                   {"down", GLFW_KEY_DOWN},
                                                   {"pageup", GLFW_KEY_PAGE_UP},
                                                   {"pagedown", GLFW_KEY_PAGE_DOWN},
                                                   {"plus", GLFW_KEY_EQUAL},
                                                   {"minus", GLFW_KEY_MINUS},
                                                   {"slash", GLFW_KEY_SLASH},
                                                   {"leftbracket", GLFW_KEY_LEFT_BRACKET},
                                                   {"rightbracket", GLFW_KEY_RIGHT_BRACKET},
                                                   {"backspace", GLFW_KEY_BACKSPACE},
                                                   {"comma", GLFW_KEY_COMMA},
                                                   {"period", GLFW_KEY_PERIOD},
                                                   {"space", GLFW_KEY_SPACE},
                                                   {"f1", GLFW_KEY_F1}};
    if (const auto found = kNamed.find(name); found != kNamed.end()) {
        return found->second;
    }
    if (name.size() == 1 && name[0] >= 'a' && name[0] <= 'z') {
        return GLFW_KEY_A + (name[0] - 'a');
    }
    if (name.size() == 1 && name[0] >= '0' && name[0] <= '9') {
        return GLFW_KEY_0 + (name[0] - '0');
    }
    if (name.size() >= 2 && name[0] == 'f') {
        const int n = std::atoi(name.c_str() + 1);
        if (n >= 1 && n <= 12) {
            return GLFW_KEY_F1 + n - 1;
        }
    }
    return std::nullopt;
}

}  // namespace

core::Result<Script> Script::parse(const std::string& text, const std::string& name) {
    Script script;
    std::istringstream lines(text);
    std::string line;
    for (int number = 1; std::getline(lines, line); ++number) {
        if (const auto hash = line.find('#'); hash != std::string::npos) {
            line.erase(hash);
        }
        std::istringstream words(line);
        std::string command;
        if (!(words >> command)) {
            continue;
        }
        const auto bad = [&](const std::string& why) {
            return core::Error{fmt::format("{}:{}: {} ('{}')", name, number, why, line)};
        };
        auto& frames = script.m_frames;
        if (command == "wait") {
            int count = 0;
            if (!(words >> count) || count < 1 || count > 100000) {
                return bad("wait expects a number of frames");
            }
            frames.resize(frames.size() + static_cast<std::size_t>(count));
        } else if (command == "key") {
            std::string key_name;
            words >> key_name;
            const auto code = key_code(key_name);
            if (!code) {
                return bad("unknown key name");
            }
            ScriptFrame frame;
            frame.keys_down.push_back(*code);
            for (std::string modifier; words >> modifier;) {
                if (modifier == "shift") {
                    frame.shift = true;
                } else if (modifier == "ctrl") {
                    frame.ctrl = true;
                } else {
                    return bad("key modifiers are shift and ctrl");
                }
            }
            frames.push_back(frame);
            frames.emplace_back();  // the release
        } else if (command == "move" || command == "click") {
            float x = 0;
            float y = 0;
            if (!(words >> x >> y)) {
                return bad(command + " expects X Y");
            }
            ScriptFrame frame;
            frame.mouse = ImVec2(x, y);
            std::string modifier;
            while (command == "click" && words >> modifier) {
                if (modifier == "shift") {
                    frame.shift = true;
                } else if (modifier == "ctrl") {
                    frame.ctrl = true;
                } else {
                    return bad("click modifiers are shift and ctrl");
                }
            }
            frames.push_back(frame);
            if (command == "click") {
                ScriptFrame press = frame;
                press.left_button = true;
                ScriptFrame release = frame;
                release.left_button = false;
                frames.push_back(press);
                frames.push_back(release);
            }
        } else if (command == "drag") {
            float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
            int steps = 10;
            if (!(words >> x0 >> y0 >> x1 >> y1)) {
                return bad("drag expects X0 Y0 X1 Y1 [FRAMES]");
            }
            words >> steps;
            steps = std::max(1, steps);
            frames.push_back({ImVec2(x0, y0), false});
            frames.push_back({ImVec2(x0, y0), true});
            for (int k = 1; k <= steps; ++k) {
                const float t = static_cast<float>(k) / static_cast<float>(steps);
                frames.push_back({ImVec2(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t), true});
            }
            frames.push_back({ImVec2(x1, y1), false});
        } else if (command == "scroll") {
            float x = 0, y = 0, amount = 0;
            if (!(words >> x >> y >> amount)) {
                return bad("scroll expects X Y AMOUNT");
            }
            frames.push_back({ImVec2(x, y)});
            ScriptFrame frame;
            frame.mouse = ImVec2(x, y);
            frame.wheel = amount;
            frames.push_back(frame);
        } else if (command == "type") {
            std::string rest;
            std::getline(words >> std::ws, rest);
            ScriptFrame frame;
            frame.text = rest;
            frames.push_back(frame);
        } else if (command == "screenshot") {
            std::string path;
            if (!(words >> path)) {
                return bad("screenshot expects a PATH");
            }
            ScriptFrame frame;
            frame.screenshot = path;
            frames.push_back(frame);
        } else if (command == "drop") {
            std::string path;
            std::getline(words >> std::ws, path);
            if (path.empty()) {
                return bad("drop expects a PATH");
            }
            ScriptFrame frame;
            frame.drop = path;
            frames.push_back(frame);
        } else if (command == "idle") {
            ScriptFrame frame;
            frame.wait_idle = true;
            frames.push_back(frame);
        } else if (command == "quit") {
            ScriptFrame frame;
            frame.quit = true;
            frames.push_back(frame);
        } else {
            return bad("unknown command");
        }
    }
    return script;
}

core::Result<Script> Script::load(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) {
        return core::Error{fmt::format("{}: cannot read the script", path.string())};
    }
    std::stringstream text;
    text << in.rdbuf();
    return parse(text.str(), path.string());
}

void Script::before_new_frame(ImGuiIO& io, bool busy) {
    for (int key : m_held) {
        io.KeysDown[key] = false;
    }
    m_held.clear();
    m_released = true;
    m_screenshot.reset();
    m_dropped.reset();
    io.KeyShift = false;
    io.KeyCtrl = false;
    if (m_next < m_frames.size() && m_frames[m_next].wait_idle && busy) {
        io.MousePos = m_mouse;
        io.MouseDown[0] = m_button;
        return;  // stay on this step until loading is done
    }
    if (m_next < m_frames.size()) {
        const ScriptFrame& frame = m_frames[m_next++];
        m_mouse = frame.mouse.value_or(m_mouse);
        m_button = frame.left_button.value_or(m_button);
        io.MouseWheel += frame.wheel;
        for (int key : frame.keys_down) {
            io.KeysDown[key] = true;
            m_held.push_back(key);
            m_released = false;
        }
        io.KeyShift = frame.shift;
        io.KeyCtrl = frame.ctrl;
        for (char ch : frame.text) {
            io.AddInputCharacter(static_cast<unsigned>(static_cast<unsigned char>(ch)));
        }
        m_screenshot = frame.screenshot;
        m_dropped = frame.drop;
        m_quit = m_quit || frame.quit;
    }
    io.MousePos = m_mouse;
    io.MouseDown[0] = m_button;
}

}  // namespace tessera::app
