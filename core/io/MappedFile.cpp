#include "core/io/MappedFile.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/base/FaultGuard.h"

namespace tessera::core {
namespace {

// An open regular file. Closes itself.
struct OpenFile {
    int fd = -1;
    std::size_t size = 0;
    OpenFile() = default;
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
    ~OpenFile() {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

Error file_error(const std::filesystem::path& path, std::string_view what, int error) {
    return Error{fmt::format("{}: {}: {}", path.string(), what, std::strerror(error))};
}

Result<void> require_regular(const std::filesystem::path& path, const struct stat& info) {
    if (S_ISDIR(info.st_mode)) {
        return Error{fmt::format("{}: is a directory, not an image file", path.string())};
    }
    if (S_ISFIFO(info.st_mode)) {
        return Error{
            fmt::format("{}: is a named pipe (FIFO), not a regular file; Tessera reads image files",
                        path.string())};
    }
    if (!S_ISREG(info.st_mode)) {
        return Error{fmt::format("{}: is not a regular file (a device or socket)", path.string())};
    }
    return {};
}

// Checks the path before opening it (opening a FIFO blocks until a writer comes), then opens it
// non-blocking and checks the descriptor again (the path may have been replaced in between).
Result<void> open_regular(const std::filesystem::path& path, OpenFile& file) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        return file_error(path, "cannot open", errno);
    }
    if (auto regular = require_regular(path, info); !regular) {
        return regular.error();
    }
    file.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (file.fd < 0) {
        return file_error(path, "cannot open", errno);
    }
    if (::fstat(file.fd, &info) != 0) {
        return file_error(path, "cannot stat", errno);
    }
    if (auto regular = require_regular(path, info); !regular) {
        return regular.error();
    }
    file.size = static_cast<std::size_t>(info.st_size);
    return {};
}

// Reads up to `count` bytes from `offset`; fewer only at the end of the file.
Result<std::size_t> read_fully(const std::filesystem::path& path, int fd, std::byte* out,
                               std::size_t count, std::size_t offset) {
    std::size_t done = 0;
    while (done < count) {
        const ::ssize_t got =
            ::pread(fd, out + done, count - done, static_cast<::off_t>(offset + done));
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return file_error(path, "cannot read", errno);
        }
        if (got == 0) {
            break;
        }
        done += static_cast<std::size_t>(got);
    }
    return done;
}

}  // namespace

Result<std::shared_ptr<const MappedFile>> MappedFile::open(const std::filesystem::path& path) {
    OpenFile handle;
    if (auto opened = open_regular(path, handle); !opened) {
        return opened.error();
    }
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->m_path = path;
    file->m_size = handle.size;
    file->m_mapped = true;
    if (file->m_size > 0) {
        void* data = ::mmap(nullptr, file->m_size, PROT_READ, MAP_PRIVATE, handle.fd, 0);
        if (data == MAP_FAILED) {
            return file_error(path, "cannot map", errno);
        }
        file->m_data = static_cast<const std::byte*>(data);
    }
    // Kept for copy() while the process holds few descriptors (they are numbered lowest first):
    // a session of thousands of open files reads the later ones through their maps instead of
    // running out of descriptors.
    constexpr int kKeepBelow = 512;
    if (handle.fd < kKeepBelow) {
        file->m_fd = handle.fd;
        handle.fd = -1;
    }
    return std::shared_ptr<const MappedFile>(std::move(file));
}

Result<std::shared_ptr<const MappedFile>> MappedFile::read(const std::filesystem::path& path) {
    OpenFile handle;
    if (auto opened = open_regular(path, handle); !opened) {
        return opened.error();
    }
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->m_path = path;
    file->m_copy.reset(new std::byte[handle.size]);
    auto got = read_fully(path, handle.fd, file->m_copy.get(), handle.size, 0);
    if (!got) {
        return got.error();
    }
    if (*got != handle.size) {
        return Error{fmt::format(
            "{}: the file shrank while it was read ({} of {} bytes): it is being rewritten",
            path.string(), *got, handle.size)};
    }
    file->m_data = file->m_copy.get();
    file->m_size = handle.size;
    return std::shared_ptr<const MappedFile>(std::move(file));
}

std::shared_ptr<const MappedFile> MappedFile::from_bytes(std::vector<std::byte> bytes,
                                                         std::filesystem::path path) {
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->m_path = std::move(path);
    file->m_copy.reset(new std::byte[bytes.size()]);
    std::copy(bytes.begin(), bytes.end(), file->m_copy.get());
    file->m_data = file->m_copy.get();
    file->m_size = bytes.size();
    return file;
}

Result<std::vector<std::byte>> MappedFile::read_head(const std::filesystem::path& path,
                                                     std::size_t count) {
    OpenFile handle;
    if (auto opened = open_regular(path, handle); !opened) {
        return opened.error();
    }
    std::vector<std::byte> head(std::min(count, handle.size));
    auto got = read_fully(path, handle.fd, head.data(), head.size(), 0);
    if (!got) {
        return got.error();
    }
    head.resize(*got);
    return head;
}

MappedFile::~MappedFile() {
    if (m_mapped && m_data != nullptr) {
        ::munmap(const_cast<std::byte*>(m_data), m_size);
    }
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

Result<void> MappedFile::copy(std::size_t offset, std::span<std::byte> dst) const {
    if (offset > m_size || dst.size() > m_size - offset) {
        return Error{
            fmt::format("{}: {} bytes at offset {} lie past the end of the file ({} bytes)",
                        m_path.string(), dst.size(), offset, m_size)};
    }
    if (m_fd < 0) {
        // Read into memory (it cannot shrink), or a map without its descriptor (it may).
        const bool read =
            read_mapped([&] { std::memcpy(dst.data(), m_data + offset, dst.size()); });
        if (!read) {
            return Error{fmt::format(
                "{}: the file shrank while it was read (it is being rewritten); reload it",
                m_path.string())};
        }
        return {};
    }
    auto got = read_fully(m_path, m_fd, dst.data(), dst.size(), offset);
    if (!got) {
        return got.error();
    }
    if (*got != dst.size()) {
        return Error{
            fmt::format("{}: the file shrank while it was read (it is being rewritten); reload it",
                        m_path.string())};
    }
    return {};
}

void MappedFile::prefetch(std::size_t offset, std::size_t length) const {
    if (!m_mapped || m_data == nullptr || length == 0 || offset >= m_size) {
        return;
    }
    static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t begin = offset / page * page;
    const std::size_t end = std::min(m_size, offset + length);
    ::madvise(const_cast<std::byte*>(m_data) + begin, end - begin, MADV_WILLNEED);  // a hint
}

void MappedFile::drop(std::size_t offset, std::size_t length) const {
    if (!m_mapped || m_data == nullptr || length == 0 || offset >= m_size) {
        return;
    }
    // A page fault maps more than its page: the aligned 64 KiB around it (the kernel's
    // fault-around), and a whole folio of the page cache, up to 2 MiB for a file read
    // sequentially before. What the read touched is dropped with those surroundings.
    constexpr std::size_t kFaultAround = std::size_t{2} << 20;
    const std::size_t begin = offset / kFaultAround * kFaultAround;
    const std::size_t end =
        std::min(m_size, (offset + length + kFaultAround - 1) / kFaultAround * kFaultAround);
    // A hint: a failure leaves the pages mapped, which is only memory, never wrong data.
    ::madvise(const_cast<std::byte*>(m_data) + begin, end - begin, MADV_DONTNEED);
}

}  // namespace tessera::core
