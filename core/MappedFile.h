// MappedFile: a read-only memory map of a whole file. Pages are read on demand by the OS, so
// mapping a multi-gigabyte file costs nothing until its bytes are touched. Opening reports a
// missing file, a directory or an unreadable file as an error naming the path.
#pragma once

#include <atomic>
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
    // The caller has copied `length` bytes and will not need them soon. Once copied bytes add
    // up to kResidentWindow, the whole map leaves this process's resident set (MADV_DONTNEED:
    // the pages stay in the kernel's page cache, and touching them again maps them back). So
    // reading a multi-GB file keeps at most about a window of it resident, and pages shared by
    // neighbouring reads are mapped once per window rather than once per read.
    // Bytes that will be read soon: the kernel starts reading them (MADV_WILLNEED).
    void prefetch(std::size_t offset, std::size_t length) const;
    static constexpr std::size_t kResidentWindow = std::size_t{128} << 20;
    void release(std::size_t length) const;

  private:
    MappedFile() = default;
    const std::byte* m_data = nullptr;
    std::size_t m_size = 0;
    std::filesystem::path m_path;
    mutable std::atomic<std::size_t> m_copied{0};  // bytes released since the last drop
};

}  // namespace tessera::core
