// The Open dialog's browser: which entries it lists, in which order, and how Tab completes a
// typed path.
#include <fstream>

#include <gtest/gtest.h>

#include "app/ui/FileBrowser.h"
#include "tests/support/Fixtures.h"

namespace tessera::app {
namespace {

std::filesystem::path make_tree() {
    const auto root = testing::temp_path("browser-tree");
    std::filesystem::remove_all(root);
    for (const char* directory : {"b-dir", "A-dir", ".hidden-dir"}) {
        std::filesystem::create_directories(root / directory);
    }
    for (const char* file : {"cells.npy", "Cells-2.TIF", "notes.txt", "stack.ome.tif",
                             ".hidden.png", "render.exr", "cellsX.png"}) {
        std::ofstream(root / file) << "12345";
    }
    return root;
}

std::vector<std::string> names(const DirectoryListing& listing) {
    std::vector<std::string> out;
    for (const BrowserEntry& entry : listing.entries) {
        out.push_back(entry.directory ? entry.name + "/" : entry.name);
    }
    return out;
}

TEST(FileBrowser, DirectoriesFirstThenImagesByNameWithoutHiddenEntries) {
    const auto root = make_tree();
    const DirectoryListing listing = list_directory(root);
    EXPECT_TRUE(listing.error.empty());
    EXPECT_EQ(names(listing),
              (std::vector<std::string>{"A-dir/", "b-dir/", "Cells-2.TIF", "cells.npy",
                                        "cellsX.png", "render.exr", "stack.ome.tif"}));
    EXPECT_EQ(listing.entries[3].size, 5u);
    const auto every = names(list_directory(root, /*all_files=*/true));
    EXPECT_NE(std::find(every.begin(), every.end(), "notes.txt"), every.end());
    const auto hidden = names(list_directory(root, false, /*hidden=*/true));
    EXPECT_EQ(hidden.front(), ".hidden-dir/");
    const DirectoryListing missing = list_directory(root / "no-such-dir");
    EXPECT_TRUE(missing.entries.empty());
    EXPECT_FALSE(missing.error.empty());
    EXPECT_TRUE(has_image_extension("A.JPEG"));
    EXPECT_FALSE(has_image_extension("tif"));
}

TEST(FileBrowser, TabCompletesAsFarAsTheMatchingEntriesAgree) {
    const auto root = make_tree();
    const std::string base = root.string() + "/";
    EXPECT_EQ(complete_path(base + "ren"), base + "render.exr");
    EXPECT_EQ(complete_path(base + "ce"), base + "cells") << "cells.npy and cellsX.png";
    EXPECT_EQ(complete_path(base + "A"), base + "A-dir/") << "one directory: a slash";
    EXPECT_EQ(complete_path(base + "no"), base + "no") << "notes.txt is not an image";
    EXPECT_EQ(complete_path(base + "no", /*all_files=*/true), base + "notes.txt");
    EXPECT_EQ(complete_path(base + ".hid"), base + ".hidden") << "a dot asks for hidden ones";
    EXPECT_EQ(complete_path(base + "zzz"), base + "zzz");
    EXPECT_EQ(complete_path(base + "no-such-dir/x"), base + "no-such-dir/x");
}

}  // namespace
}  // namespace tessera::app
