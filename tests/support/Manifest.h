// Reading the corpus manifests (../shared/testdata/MANIFEST.tsv, tiff/MANIFEST.tsv): their lists
// and reference statistics, and the tolerance the references are printed to.
#pragma once

#include <string>
#include <vector>

namespace tessera::testing {

// Fields of `text` between separators (an empty text gives none).
std::vector<std::string> split_list(const std::string& text, char separator);

struct ReferenceStats {
    std::string name;
    double min = 0, max = 0, mean = 0;
};

// "name=min/max/mean;..." in the manifest's order; malformed items are skipped.
std::vector<ReferenceStats> parse_reference_stats(const std::string& text);

// References are printed with 6 to 9 significant digits: a value matches within 2e-5, relative
// and absolute (a gtest expectation naming `what`).
void expect_reference(double actual, double expected, const std::string& what);

}  // namespace tessera::testing
