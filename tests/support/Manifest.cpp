#include "tests/support/Manifest.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include <gtest/gtest.h>

namespace tessera::testing {

std::vector<std::string> split_list(const std::string& text, char separator) {
    std::vector<std::string> items;
    std::stringstream stream(text);
    std::string item;
    while (std::getline(stream, item, separator)) {
        items.push_back(item);
    }
    return items;
}

std::vector<ReferenceStats> parse_reference_stats(const std::string& text) {
    std::vector<ReferenceStats> result;
    for (const std::string& item : split_list(text, ';')) {
        const auto eq = item.find('=');
        ReferenceStats r;
        if (eq != std::string::npos &&
            std::sscanf(item.c_str() + eq + 1, "%lf/%lf/%lf", &r.min, &r.max, &r.mean) == 3) {
            r.name = item.substr(0, eq);
            result.push_back(r);
        }
    }
    return result;
}

void expect_reference(double actual, double expected, const std::string& what) {
    EXPECT_NEAR(actual, expected, 2e-5 + 2e-5 * std::abs(expected)) << what;
}

}  // namespace tessera::testing
