// JsonWriter: writes JSON text incrementally, with commas and string escaping handled, for
// machine-readable reports (`tessera info --json`, benchmark summaries). Misuse (a value where
// a key is needed) is a programmer error and asserts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::core {

class JsonWriter {
  public:
    explicit JsonWriter(bool pretty = true) : m_pretty(pretty) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view name);
    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(bool flag);
    JsonWriter& value(double number);  // non-finite numbers are written as null
    JsonWriter& value(std::int64_t number);
    JsonWriter& value(std::uint64_t number);
    JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
    JsonWriter& null();

    const std::string& text() const { return m_text; }

  private:
    void before_value();
    void newline();

    std::string m_text;
    std::vector<bool> m_has_items;  // per open container
    bool m_after_key = false;
    bool m_pretty;
};

// A JSON string body: valid UTF-8 (invalid bytes become U+FFFD), quotes, backslashes and
// control characters escaped.
std::string json_escape(std::string_view text);

}  // namespace tessera::core
