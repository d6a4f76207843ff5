// MappedFile: the bytes of a whole file, either memory-mapped (read on demand by the OS, so a
// multi-gigabyte .npy costs nothing until its bytes are touched) or read into memory (decoders
// that read every byte anyway). Opening never blocks: anything but a regular file (a FIFO, a
// device, a directory) is refused before it is opened. Every failure names the path.
//
// A mapped file that shrinks afterwards (rewritten in place by a renderer) faults on reads past
// its new end: read mapped bytes through read_mapped() (FaultGuard.h), which turns the fault into
// an error. A file read into memory cannot fault; one that shrinks while it is read is an error.
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "core/base/Result.h"

namespace tessera::core {

class MappedFile {
  public:
    static Result<std::shared_ptr<const MappedFile>> open(const std::filesystem::path& path);
    static Result<std::shared_ptr<const MappedFile>> read(const std::filesystem::path& path);
    // Bytes already in memory (fuzzing, tests), named `path` in messages.
    static std::shared_ptr<const MappedFile> from_bytes(std::vector<std::byte> bytes,
                                                        std::filesystem::path path);
    // Up to `count` bytes from the start of the file, read without mapping (format sniffing).
    static Result<std::vector<std::byte>> read_head(const std::filesystem::path& path,
                                                    std::size_t count);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    std::span<const std::byte> bytes() const { return {m_data, m_size}; }
    std::size_t size() const { return m_size; }
    bool is_mapped() const { return m_mapped; }
    const std::filesystem::path& path() const { return m_path; }
    // Copies `dst.size()` bytes from `offset` into `dst`. A mapped file is read with pread()
    // rather than through its map: the kernel copies from its page cache without mapping a page
    // into this process (on this project's machines five times faster than faulting the pages
    // in, and nothing joins the resident set). An error names the file; a file that has shrunk
    // below the bytes asked for is one.
    Result<void> copy(std::size_t offset, std::span<std::byte> dst) const;
    // Bytes that will be read soon: the kernel starts reading them (MADV_WILLNEED).
    void prefetch(std::size_t offset, std::size_t length) const;
    // Bytes that have been copied: their pages leave this process's resident set (MADV_DONTNEED;
    // they stay in the kernel's page cache, and touching them again maps them back). Sources
    // that read a map call it as they copy, so that reading a multi-GB file keeps only the
    // pages of the read in progress resident, whoever reads and however they are scattered.
    void drop(std::size_t offset, std::size_t length) const;

  private:
    MappedFile() = default;
    const std::byte* m_data = nullptr;
    std::size_t m_size = 0;
    bool m_mapped = false;
    int m_fd = -1;  // a mapped file's descriptor, for copy(); -1 when not kept
    // The bytes of a file that was read, not mapped: not zero-filled first, since the read
    // overwrites them all (zeroing a large buffer costs as much as a third of the read).
    std::unique_ptr<std::byte[]> m_copy;
    std::filesystem::path m_path;
};

}  // namespace tessera::core
