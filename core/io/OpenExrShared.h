// What the two readers on the OpenEXR library share (core/io/OpenExrDecoder decodes parts whole,
// core/io/OpenExrRegion reads them by region): the file's bytes as OpenEXR's input stream, and
// the sample type each pixel type is kept in.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>

#include <ImfIO.h>
#include <ImfPixelType.h>

#include "core/image/SampleType.h"

namespace tessera::core {

// The bytes of a file read into memory. Reads past the end throw (OpenEXR turns them into its
// own errors), so a file that lies about its chunks cannot read outside them.
class OpenExrMemoryStream final : public Imf::IStream {
  public:
    explicit OpenExrMemoryStream(std::span<const std::byte> bytes)
        : Imf::IStream("memory"), m_bytes(bytes) {}

    bool isMemoryMapped() const override { return true; }

    char* readMemoryMapped(int n) override {
        check(n);
        char* data = const_cast<char*>(reinterpret_cast<const char*>(m_bytes.data() + m_position));
        m_position += static_cast<std::uint64_t>(n);
        return data;
    }

    bool read(char c[], int n) override {
        check(n);
        std::memcpy(c, m_bytes.data() + m_position, static_cast<std::size_t>(n));
        m_position += static_cast<std::uint64_t>(n);
        return m_position < m_bytes.size();
    }

    std::uint64_t tellg() override { return m_position; }
    void seekg(std::uint64_t position) override { m_position = position; }

  private:
    void check(int n) const {
        if (n < 0 || m_position > m_bytes.size() ||
            static_cast<std::uint64_t>(n) > m_bytes.size() - m_position) {
            throw std::runtime_error("unexpected end of file");
        }
    }

    std::span<const std::byte> m_bytes;
    std::uint64_t m_position = 0;
};

// UINT stays u32, HALF f16, FLOAT f32: every channel in its stored type.
inline SampleType openexr_sample_type(Imf::PixelType type) {
    switch (type) {
        case Imf::UINT:
            return SampleType::U32;
        case Imf::HALF:
            return SampleType::F16;
        default:
            return SampleType::F32;
    }
}

}  // namespace tessera::core
