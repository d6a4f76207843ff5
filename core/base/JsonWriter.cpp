#include "core/base/JsonWriter.h"

#include <cassert>
#include <cmath>

#include <fmt/format.h>

#include "core/base/Text.h"

namespace tessera::core {

std::string json_escape(std::string_view raw) {
    // Valid UTF-8 first: JSON text must be, and names from damaged files are not always.
    const std::string text = valid_utf8(raw);
    std::string out;
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (ch) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    out += fmt::format("\\u{:04x}", c);
                } else {
                    out += ch;
                }
        }
    }
    return out;
}

void JsonWriter::newline() {
    if (m_pretty) {
        m_text += '\n';
        m_text.append(m_has_items.size() * 2, ' ');
    }
}

void JsonWriter::before_value() {
    if (m_after_key) {
        m_after_key = false;
        return;
    }
    if (!m_has_items.empty()) {
        if (m_has_items.back()) {
            m_text += ',';
        }
        m_has_items.back() = true;
        newline();
    }
}

JsonWriter& JsonWriter::begin_object() {
    before_value();
    m_text += '{';
    m_has_items.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    assert(!m_has_items.empty() && !m_after_key && "unbalanced JSON object");
    const bool had_items = m_has_items.back();
    m_has_items.pop_back();
    if (had_items) {
        newline();
    }
    m_text += '}';
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    before_value();
    m_text += '[';
    m_has_items.push_back(false);
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    assert(!m_has_items.empty() && !m_after_key && "unbalanced JSON array");
    const bool had_items = m_has_items.back();
    m_has_items.pop_back();
    if (had_items) {
        newline();
    }
    m_text += ']';
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
    assert(!m_has_items.empty() && !m_after_key && "JSON key outside an object");
    before_value();
    m_text += fmt::format("\"{}\":{}", json_escape(name), m_pretty ? " " : "");
    m_after_key = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
    before_value();
    m_text += fmt::format("\"{}\"", json_escape(text));
    return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
    before_value();
    m_text += flag ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::value(double number) {
    if (!std::isfinite(number)) {
        return null();
    }
    before_value();
    m_text += fmt::format("{}", number);
    return *this;
}

JsonWriter& JsonWriter::value(std::int64_t number) {
    before_value();
    m_text += fmt::format("{}", number);
    return *this;
}

JsonWriter& JsonWriter::value(std::uint64_t number) {
    before_value();
    m_text += fmt::format("{}", number);
    return *this;
}

JsonWriter& JsonWriter::null() {
    before_value();
    m_text += "null";
    return *this;
}

}  // namespace tessera::core
