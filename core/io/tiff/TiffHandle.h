// TiffHandle: one libtiff handle reading a MappedFile. libtiff reads through our callbacks, which
// copy from the file's bytes under read_mapped (a file that shrinks gives libtiff a short read,
// never a SIGBUS inside it). Its errors and warnings go to handlers of this handle alone
// (libtiff 4.5's per-handle open options; the process-wide handler is never touched), so every
// message names the right file. A handle is not thread-safe: TiffHandlePool lends one to each
// reading thread, positioned on the directory it asked for.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/base/Result.h"
#include "core/io/MappedFile.h"

struct tiff;  // libtiff's TIFF

namespace tessera::core::tiff {

class TiffHandle {
  public:
    static Result<std::unique_ptr<TiffHandle>> open(std::shared_ptr<const MappedFile> file);
    ~TiffHandle();
    TiffHandle(const TiffHandle&) = delete;
    TiffHandle& operator=(const TiffHandle&) = delete;

    ::tiff* get() const { return m_tiff; }
    // Moves to the directory at file offset `offset` (a page of the main chain or a SubIFD)
    // unless already there.
    Result<void> set_directory(std::uint64_t offset);
    std::uint64_t directory() const;

    // libtiff's first error since clear_messages() ("" when none), and its warnings.
    const std::string& error_message() const;
    const std::vector<std::string>& warnings() const;
    void clear_messages();
    // "what: libtiff's message", or "what" when libtiff said nothing.
    Error error(const std::string& what) const;

    struct Client;

  private:
    TiffHandle() = default;
    std::unique_ptr<Client> m_client;
    ::tiff* m_tiff = nullptr;
};

// Handles lent to reading threads; at most `idle_limit` are kept between reads.
class TiffHandlePool : public std::enable_shared_from_this<TiffHandlePool> {
  public:
    TiffHandlePool(std::shared_ptr<const MappedFile> file, std::unique_ptr<TiffHandle> first);

    class Lease {
      public:
        Lease(TiffHandlePool* pool, std::unique_ptr<TiffHandle> handle)
            : m_pool(pool), m_handle(std::move(handle)) {}
        Lease(Lease&&) = default;
        Lease& operator=(Lease&&) = default;
        ~Lease();
        TiffHandle& operator*() const { return *m_handle; }
        TiffHandle* operator->() const { return m_handle.get(); }

      private:
        TiffHandlePool* m_pool;
        std::unique_ptr<TiffHandle> m_handle;
    };

    // A handle on the directory at `offset`: an idle one already there, another idle one moved
    // there, or a new one.
    Result<Lease> acquire(std::uint64_t offset);
    const std::shared_ptr<const MappedFile>& file() const { return m_file; }

  private:
    void give_back(std::unique_ptr<TiffHandle> handle);

    std::shared_ptr<const MappedFile> m_file;
    std::mutex m_mutex;
    std::vector<std::unique_ptr<TiffHandle>> m_idle;
    static constexpr std::size_t kIdleLimit = 8;
};

}  // namespace tessera::core::tiff
