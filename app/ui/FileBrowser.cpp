#include "app/ui/FileBrowser.h"

#include <algorithm>
#include <cctype>

#include "core/io/ImageLoader.h"

namespace tessera::app {
namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool ends_with(std::string_view text, std::string_view end) {
    return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}

}  // namespace

bool has_image_extension(std::string_view name) {
    const std::string file = lower(name);
    for (const core::Decoder& decoder : core::decoders()) {
        std::string_view extensions = decoder.extensions;
        while (!extensions.empty()) {
            const std::size_t space = extensions.find(' ');
            const std::string_view extension = extensions.substr(0, space);
            if (!extension.empty() && ends_with(file, extension)) {
                return true;
            }
            extensions = space == std::string_view::npos ? "" : extensions.substr(space + 1);
        }
    }
    return false;
}

DirectoryListing list_directory(const std::filesystem::path& directory, bool all_files,
                                bool hidden) {
    DirectoryListing listing;
    listing.directory = directory;
    std::error_code error;
    std::filesystem::directory_iterator it(directory, error);
    if (error) {
        listing.error = error.message();
        return listing;
    }
    for (; it != std::filesystem::directory_iterator(); it.increment(error)) {
        if (error) {
            listing.error = error.message();
            break;
        }
        const std::string name = it->path().filename().string();
        if (!hidden && !name.empty() && name[0] == '.') {
            continue;
        }
        std::error_code status;
        const bool is_directory = it->is_directory(status);
        if (!is_directory && !all_files && !has_image_extension(name)) {
            continue;
        }
        BrowserEntry entry{name, is_directory, 0};
        if (!is_directory) {
            entry.size = it->file_size(status);
            if (status) {
                entry.size = 0;
            }
        }
        listing.entries.push_back(std::move(entry));
    }
    std::sort(listing.entries.begin(), listing.entries.end(),
              [](const BrowserEntry& a, const BrowserEntry& b) {
                  if (a.directory != b.directory) {
                      return a.directory;
                  }
                  const std::string la = lower(a.name);
                  const std::string lb = lower(b.name);
                  return la != lb ? la < lb : a.name < b.name;
              });
    return listing;
}

std::string complete_path(std::string_view typed, bool all_files) {
    const std::size_t slash = typed.rfind('/');
    const std::string directory =
        slash == std::string_view::npos ? "." : std::string(typed.substr(0, slash + 1));
    const std::string_view stem = slash == std::string_view::npos ? typed : typed.substr(slash + 1);
    const DirectoryListing listing =
        list_directory(directory, all_files, !stem.empty() && stem[0] == '.');
    std::vector<const BrowserEntry*> matches;
    for (const BrowserEntry& entry : listing.entries) {
        if (std::string_view(entry.name).substr(0, stem.size()) == stem) {
            matches.push_back(&entry);
        }
    }
    if (matches.empty()) {
        return std::string(typed);
    }
    std::string common = matches.front()->name;
    for (const BrowserEntry* entry : matches) {
        std::size_t n = 0;
        while (n < common.size() && n < entry->name.size() && common[n] == entry->name[n]) {
            ++n;
        }
        common.resize(n);
    }
    std::string completed(typed.substr(0, typed.size() - stem.size()));
    completed += common;
    if (matches.size() == 1 && matches.front()->directory) {
        completed += '/';
    }
    return completed;
}

}  // namespace tessera::app
