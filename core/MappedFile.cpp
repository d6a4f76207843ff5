#include "core/MappedFile.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

namespace tessera::core {

Result<std::shared_ptr<const MappedFile>> MappedFile::open(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return Error{fmt::format("{}: cannot open: {}", path.string(), std::strerror(errno))};
    }
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        const int error = errno;
        ::close(fd);
        return Error{fmt::format("{}: cannot stat: {}", path.string(), std::strerror(error))};
    }
    if (S_ISDIR(info.st_mode)) {
        ::close(fd);
        return Error{fmt::format("{}: is a directory, not an image file", path.string())};
    }
    if (!S_ISREG(info.st_mode)) {
        ::close(fd);
        return Error{fmt::format("{}: is not a regular file", path.string())};
    }
    std::shared_ptr<MappedFile> file(new MappedFile());
    file->m_path = path;
    file->m_size = static_cast<std::size_t>(info.st_size);
    if (file->m_size > 0) {
        void* data = ::mmap(nullptr, file->m_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (data == MAP_FAILED) {
            const int error = errno;
            ::close(fd);
            return Error{fmt::format("{}: cannot map: {}", path.string(), std::strerror(error))};
        }
        file->m_data = static_cast<const std::byte*>(data);
    }
    ::close(fd);  // the mapping stays valid without the descriptor
    return std::shared_ptr<const MappedFile>(std::move(file));
}

MappedFile::~MappedFile() {
    if (m_data != nullptr) {
        ::munmap(const_cast<std::byte*>(m_data), m_size);
    }
}

void MappedFile::prefetch(std::size_t offset, std::size_t length) const {
    if (m_data == nullptr || length == 0 || offset >= m_size) {
        return;
    }
    static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t begin = offset / page * page;
    const std::size_t end = std::min(m_size, offset + length);
    ::madvise(const_cast<std::byte*>(m_data) + begin, end - begin, MADV_WILLNEED);  // a hint
}

void MappedFile::release(std::size_t length) const {
    if (m_data == nullptr || m_copied.fetch_add(length) + length < kResidentWindow) {
        return;
    }
    m_copied = 0;
    // A hint: a failure leaves the pages mapped, which is only memory, never wrong data.
    ::madvise(const_cast<std::byte*>(m_data), m_size, MADV_DONTNEED);
}

}  // namespace tessera::core
