// The Open dialog's file browser, without ImGui: a directory's entries as the dialog lists them
// (directories first, then image files by name, case ignored; hidden entries left out; other
// files only when asked), and completion of a typed path (Tab), as a shell completes it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::app {

struct BrowserEntry {
    std::string name;
    bool directory = false;
    std::uintmax_t size = 0;  // bytes, for files
};

struct DirectoryListing {
    std::filesystem::path directory;
    std::vector<BrowserEntry> entries;
    std::string error;  // the directory cannot be read: why (entries empty)
};

// Whether a file name ends with an extension of a format Tessera opens (a hint for the listing:
// files are recognised by their content when opened, whatever their name).
bool has_image_extension(std::string_view name);

DirectoryListing list_directory(const std::filesystem::path& directory, bool all_files = false,
                                bool hidden = false);

// The typed path completed as far as the entries of its directory that start with its last part
// agree (a single directory gets a trailing '/'); unchanged when none or nothing more is common.
std::string complete_path(std::string_view typed, bool all_files = false);

}  // namespace tessera::app
