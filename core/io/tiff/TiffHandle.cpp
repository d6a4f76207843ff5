#include "core/io/tiff/TiffHandle.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>
#include <tiffio.h>

#include "core/base/FaultGuard.h"

namespace tessera::core::tiff {

struct TiffHandle::Client {
    std::shared_ptr<const MappedFile> file;
    std::uint64_t position = 0;
    // The span of strip and tile bytes read since their pages were last handed back.
    std::uint64_t read_from = ~std::uint64_t{0};
    std::uint64_t read_to = 0;
    std::string error;
    std::vector<std::string> warnings;
};

namespace {

// libtiff may allocate at most this much for one strip, tile or tag array (its own default has
// no limit); larger claims in a header are refused by libtiff with a message.
constexpr tmsize_t kMaxSingleAllocation = tmsize_t{1} << 31;
constexpr std::size_t kMaxWarnings = 16;
// Reads at least this long (compressed strips and tiles, not directories) are handed back.
constexpr std::uint64_t kDropAbove = 16384;
// ... in spans of this much: one madvise per span, not per tile (per tile, the calls and the
// faults that map the pages back cost as much as decoding).
constexpr std::uint64_t kDropSpan = std::uint64_t{32} << 20;

TiffHandle::Client& client_of(thandle_t handle) {
    return *static_cast<TiffHandle::Client*>(handle);
}

tmsize_t read_proc(thandle_t handle, void* buffer, tmsize_t size) {
    auto& client = client_of(handle);
    const std::uint64_t length = client.file->size();
    if (size <= 0 || client.position >= length) {
        return 0;
    }
    const std::uint64_t count =
        std::min<std::uint64_t>(static_cast<std::uint64_t>(size), length - client.position);
    const std::byte* from = client.file->bytes().data() + client.position;
    const bool ok = read_mapped([&] { std::memcpy(buffer, from, count); });
    if (!ok) {
        return 0;  // the file shrank under its map: libtiff reports a short read
    }
    if (count >= kDropAbove && client.file->is_mapped()) {
        // Strips and tiles are read once per decode: their pages leave the resident set (the
        // page cache keeps them), so memory follows the decoded chunks, not the file.
        client.read_from = std::min(client.read_from, client.position);
        client.read_to = std::max(client.read_to, client.position + count);
        if (client.read_to - client.read_from >= kDropSpan) {
            client.file->drop(client.read_from, client.read_to - client.read_from);
            client.read_from = ~std::uint64_t{0};
            client.read_to = 0;
        }
    }
    client.position += count;
    return static_cast<tmsize_t>(count);
}

tmsize_t write_proc(thandle_t, void*, tmsize_t) {
    return 0;
}

toff_t seek_proc(thandle_t handle, toff_t offset, int whence) {
    auto& client = client_of(handle);
    std::uint64_t base = 0;
    if (whence == SEEK_CUR) {
        base = client.position;
    } else if (whence == SEEK_END) {
        base = client.file->size();
    }
    // toff_t is unsigned; libtiff passes negative SEEK_CUR offsets as their two's complement.
    client.position = base + offset;
    return client.position;
}

int close_proc(thandle_t) {
    return 0;
}

toff_t size_proc(thandle_t handle) {
    return client_of(handle).file->size();
}

int map_proc(thandle_t, void**, toff_t*) {
    return 0;  // never mapped by libtiff: every read goes through read_proc
}

void unmap_proc(thandle_t, void*, toff_t) {}

std::string format_message(const char* format, va_list args) {
    // libtiff's module names a function or the name we gave the handle: neither helps a user.
    char buffer[512];
    std::vsnprintf(buffer, sizeof buffer, format, args);
    return buffer;
}

int on_error(TIFF*, void* user, const char* /*module*/, const char* format, va_list args) {
    auto& client = *static_cast<TiffHandle::Client*>(user);
    if (client.error.empty()) {
        client.error = format_message(format, args);
    }
    return 1;  // handled: libtiff's process-wide handler is not called
}

int on_warning(TIFF*, void* user, const char* /*module*/, const char* format, va_list args) {
    auto& client = *static_cast<TiffHandle::Client*>(user);
    if (client.warnings.size() < kMaxWarnings) {
        client.warnings.push_back(format_message(format, args));
    }
    return 1;
}

}  // namespace

Result<std::unique_ptr<TiffHandle>> TiffHandle::open(std::shared_ptr<const MappedFile> file) {
    std::unique_ptr<TiffHandle> handle(new TiffHandle);
    handle->m_client = std::make_unique<Client>();
    handle->m_client->file = std::move(file);
    TIFFOpenOptions* options = TIFFOpenOptionsAlloc();
    if (options == nullptr) {
        return Error{"out of memory opening the TIFF file"};
    }
    TIFFOpenOptionsSetMaxSingleMemAlloc(options, kMaxSingleAllocation);
    TIFFOpenOptionsSetErrorHandlerExtR(options, on_error, handle->m_client.get());
    TIFFOpenOptionsSetWarningHandlerExtR(options, on_warning, handle->m_client.get());
    // "m": libtiff must not map the file itself (map_proc refuses anyway).
    handle->m_tiff =
        TIFFClientOpenExt("TIFF", "rm", handle->m_client.get(), read_proc, write_proc, seek_proc,
                          close_proc, size_proc, map_proc, unmap_proc, options);
    TIFFOpenOptionsFree(options);
    if (handle->m_tiff == nullptr) {
        return handle->error("not a readable TIFF file");
    }
    return handle;
}

TiffHandle::~TiffHandle() {
    if (m_tiff != nullptr) {
        TIFFClose(m_tiff);
    }
    if (m_client && m_client->read_to > m_client->read_from) {
        m_client->file->drop(m_client->read_from, m_client->read_to - m_client->read_from);
    }
}

Result<void> TiffHandle::set_directory(std::uint64_t offset) {
    if (directory() == offset) {
        return {};
    }
    clear_messages();
    if (TIFFSetSubDirectory(m_tiff, offset) == 0) {
        return error(fmt::format("cannot read the TIFF directory at byte {}", offset));
    }
    return {};
}

std::uint64_t TiffHandle::directory() const {
    return TIFFCurrentDirOffset(m_tiff);
}

const std::string& TiffHandle::error_message() const {
    return m_client->error;
}

const std::vector<std::string>& TiffHandle::warnings() const {
    return m_client->warnings;
}

void TiffHandle::clear_messages() {
    m_client->error.clear();
    m_client->warnings.clear();
}

Error TiffHandle::error(const std::string& what) const {
    if (m_client->error.empty()) {
        return Error{what};
    }
    return Error{what + ": " + m_client->error};
}

TiffHandlePool::TiffHandlePool(std::shared_ptr<const MappedFile> file,
                               std::unique_ptr<TiffHandle> first)
    : m_file(std::move(file)) {
    m_idle.push_back(std::move(first));
}

TiffHandlePool::Lease::~Lease() {
    if (m_handle) {
        m_pool->give_back(std::move(m_handle));
    }
}

Result<TiffHandlePool::Lease> TiffHandlePool::acquire(std::uint64_t offset) {
    std::unique_ptr<TiffHandle> handle;
    {
        std::lock_guard lock(m_mutex);
        for (auto it = m_idle.begin(); it != m_idle.end(); ++it) {
            if ((*it)->directory() == offset) {
                handle = std::move(*it);
                m_idle.erase(it);
                break;
            }
        }
        if (!handle && !m_idle.empty()) {
            handle = std::move(m_idle.back());
            m_idle.pop_back();
        }
    }
    if (!handle) {
        auto opened = TiffHandle::open(m_file);
        if (!opened) {
            return opened.error();
        }
        handle = std::move(opened.value());
    }
    Lease lease(this, std::move(handle));
    if (auto moved = lease->set_directory(offset); !moved) {
        return moved.error();
    }
    lease->clear_messages();
    return lease;
}

void TiffHandlePool::give_back(std::unique_ptr<TiffHandle> handle) {
    std::lock_guard lock(m_mutex);
    if (m_idle.size() < kIdleLimit) {
        m_idle.push_back(std::move(handle));
    }
}

}  // namespace tessera::core::tiff
