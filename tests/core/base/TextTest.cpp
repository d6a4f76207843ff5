// Text from files made safe for JSON and terminals.
#include <gtest/gtest.h>

#include "core/base/JsonWriter.h"
#include "core/base/Text.h"

namespace tessera::core {
namespace {

TEST(Text, ValidUtf8PassesThroughAndEveryBadByteBecomesOneReplacement) {
    EXPECT_EQ(valid_utf8("plain ascii"), "plain ascii");
    EXPECT_EQ(valid_utf8("\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\xAC"),
              "\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\xAC");  // é, €, a 4-byte emoji
    const std::string bad = "\xEF\xBF\xBD";
    EXPECT_EQ(valid_utf8("a\xFF"
                         "b"),
              "a" + bad + "b");
    EXPECT_EQ(valid_utf8("\xC0\xAF"), bad + bad);                      // overlong '/'
    EXPECT_EQ(valid_utf8("\xED\xA0\x80"), bad + bad + bad);            // a surrogate
    EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80"), bad + bad + bad + bad);  // beyond U+10FFFF
    EXPECT_EQ(valid_utf8("\xE2\x82"), bad + bad);                      // cut short at the end
    EXPECT_EQ(valid_utf8(std::string_view("a\0b", 3)), std::string("a\0b", 3));
}

TEST(Text, TerminalSafeTextHasNoControlCharacters) {
    EXPECT_EQ(terminal_safe("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
    EXPECT_EQ(terminal_safe("a\nb\tc\rd\x7f"), "a\\nb\\tc\\rd\\x7f");
    EXPECT_EQ(terminal_safe("\xC2\x9B"
                            "2J"),
              "\\u009b2J");  // the one-byte CSI of C1
    EXPECT_EQ(terminal_safe("caf\xC3\xA9 \xFF"), "caf\xC3\xA9 \xEF\xBF\xBD");
}

TEST(Text, JsonStringsAreValidUtf8WithControlsEscaped) {
    JsonWriter json(false);
    json.begin_object().key("na\xFFme").value("\x1b[2J\"q\"\\").end_object();
    EXPECT_EQ(json.text(), "{\"na\xEF\xBF\xBDme\":\"\\u001b[2J\\\"q\\\"\\\\\"}");
}

}  // namespace
}  // namespace tessera::core
