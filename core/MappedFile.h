// MappedFile: a read-only memory map of a whole file. Pages are read on demand by the OS, so
// mapping a multi-gigabyte file costs nothing until its bytes are touched. Opening reports a
// missing file, a directory or an unreadable file as an error naming the path.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>

#include "core/Result.h"

namespace tessera::core {

class MappedFile {
  public:
    static Result<std::shared_ptr<const MappedFile>> open(const std::filesystem::path& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::span<const std::byte> bytes() const { return {m_data, m_size}; }
    std::size_t size() const { return m_size; }
    const std::filesystem::path& path() const { return m_path; }

  private:
    MappedFile() = default;
    const std::byte* m_data = nullptr;
    std::size_t m_size = 0;
    std::filesystem::path m_path;
};

}  // namespace tessera::core
