#include "core/base/Text.h"

#include <cstdint>

#include <fmt/format.h>

namespace tessera::core {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The code point of the well-formed sequence at text[i], and its length; length 0 if none.
std::pair<std::uint32_t, std::size_t> decode(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) {
        return static_cast<unsigned char>(text[k]);
    };
    const unsigned char lead = byte(i);
    if (lead < 0x80) {
        return {lead, 1};
    }
    std::size_t length = 0;
    std::uint32_t code = 0;
    std::uint32_t minimum = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 2, code = lead & 0x1F, minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, code = lead & 0x0F, minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, code = lead & 0x07, minimum = 0x10000;
    } else {
        return {0, 0};
    }
    if (i + length > text.size()) {
        return {0, 0};
    }
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            return {0, 0};
        }
        code = (code << 6) | (byte(i + k) & 0x3F);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
        return {0, 0};
    }
    return {code, length};
}

// Copies well-formed sequences through `keep` (code point and its bytes) and writes U+FFFD for
// every byte that begins none.
template <typename Keep>
std::string rewrite(std::string_view text, Keep keep) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto [code, length] = decode(text, i);
        if (length == 0) {
            out += kReplacement;
            ++i;
            continue;
        }
        keep(out, code, text.substr(i, length));
        i += length;
    }
    return out;
}

}  // namespace

std::string valid_utf8(std::string_view text) {
    return rewrite(
        text, [](std::string& out, std::uint32_t, std::string_view bytes) { out.append(bytes); });
}

std::string terminal_safe(std::string_view text) {
    return rewrite(text, [](std::string& out, std::uint32_t code, std::string_view bytes) {
        if (code == '\n') {
            out += "\\n";
        } else if (code == '\t') {
            out += "\\t";
        } else if (code == '\r') {
            out += "\\r";
        } else if (code < 0x20 || code == 0x7F) {
            out += fmt::format("\\x{:02x}", code);
        } else if (code >= 0x80 && code < 0xA0) {
            out += fmt::format("\\u{:04x}", code);
        } else {
            out.append(bytes);
        }
    });
}

}  // namespace tessera::core
