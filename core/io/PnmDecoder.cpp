#include "core/io/PnmDecoder.h"

#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "core/base/Checked.h"
#include "core/image/PlanarImage.h"

namespace tessera::core {
namespace {

class Reader {
  public:
    explicit Reader(std::span<const std::byte> bytes) : m_bytes(bytes) {}

    // Next whitespace-separated decimal number, skipping '#' comments.
    std::optional<std::uint64_t> number() {
        skip_space_and_comments();
        std::uint64_t value = 0;
        std::size_t digits = 0;
        while (m_pos < m_bytes.size() && std::isdigit(peek())) {
            value = value * 10 + static_cast<std::uint64_t>(peek() - '0');
            ++m_pos;
            if (++digits > 12) {
                return std::nullopt;
            }
        }
        return digits ? std::optional(value) : std::nullopt;
    }
    // P1 packs bits as single characters, possibly without separators.
    std::optional<int> bit() {
        skip_space_and_comments();
        if (m_pos < m_bytes.size() && (peek() == '0' || peek() == '1')) {
            const int value = peek() - '0';
            ++m_pos;
            return value;
        }
        return std::nullopt;
    }
    bool single_whitespace() {
        if (m_pos < m_bytes.size() && std::isspace(peek())) {
            ++m_pos;
            return true;
        }
        return false;
    }
    std::span<const std::byte> rest() const { return m_bytes.subspan(m_pos); }

  private:
    int peek() const { return std::to_integer<int>(m_bytes[m_pos]); }
    void skip_space_and_comments() {
        while (m_pos < m_bytes.size()) {
            if (std::isspace(peek())) {
                ++m_pos;
            } else if (peek() == '#') {
                while (m_pos < m_bytes.size() && peek() != '\n') {
                    ++m_pos;
                }
            } else {
                break;
            }
        }
    }
    std::span<const std::byte> m_bytes;
    std::size_t m_pos = 0;
};

}  // namespace

Result<std::vector<Image>> decode_pnm(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options) {
    const auto bytes = file->bytes();
    const int kind = std::to_integer<int>(bytes[1]) - '0';  // 1..6, checked by the sniffer
    const bool bitmap = kind == 1 || kind == 4;
    const bool ascii = kind <= 3;
    const int channels = (kind == 3 || kind == 6) ? 3 : 1;
    Reader reader(bytes.subspan(2));
    const auto width = reader.number();
    const auto height = reader.number();
    const auto maxval = bitmap ? std::optional<std::uint64_t>(1) : reader.number();
    if (!width || !height || !maxval || *width == 0 || *height == 0) {
        return Error{fmt::format("PNM P{} header is malformed (expected width, height{})", kind,
                                 bitmap ? "" : " and maxval")};
    }
    if (*maxval == 0 || *maxval > 65535) {
        return Error{fmt::format("PNM maxval {} is outside 1..65535", *maxval)};
    }
    const auto pixels = checked_mul(*width, *height);
    if (!pixels || *pixels > options.max_pixels) {
        return Error{fmt::format("header claims {}x{} pixels, more than the limit of {} pixels",
                                 *width, *height, options.max_pixels)};
    }
    if (!ascii && !reader.single_whitespace()) {
        return Error{"PNM header does not end with a whitespace byte before the pixels"};
    }
    // The data must be in the file before anything is allocated for it: binary rasters exactly;
    // text samples take at least one character each (and a separator, except P1's bits).
    const std::uint64_t sample_bytes = *maxval > 255 ? 2 : 1;
    const std::uint64_t available = reader.rest().size();
    std::uint64_t needed = 0;
    if (kind == 4) {
        needed = (*width + 7) / 8 * *height;
    } else if (kind == 1) {
        needed = *pixels;
    } else if (ascii) {
        needed = *pixels * static_cast<std::uint64_t>(channels) * 2 - 1;
    } else {
        needed = *pixels * static_cast<std::uint64_t>(channels) * sample_bytes;
    }
    if (needed > available) {
        return Error{fmt::format(
            "PNM P{} header claims {}x{} pixels, which need {}{} bytes; the file has {} after "
            "its header (truncated)",
            kind, *width, *height, ascii ? "at least " : "", needed, available)};
    }
    const SampleType type = *maxval > 255 ? SampleType::U16 : SampleType::U8;
    auto image = std::make_shared<PlanarImage>(static_cast<std::int64_t>(*width),
                                               static_cast<std::int64_t>(*height));
    for (int c = 0; c < channels; ++c) {
        image->add_channel(channels == 1 ? "Y" : std::string(1, "RGB"[c]), type);
    }
    const std::size_t pixel_count = static_cast<std::size_t>(*pixels);
    const auto store = [&](std::size_t index, int channel, std::uint64_t value) {
        if (type == SampleType::U16) {
            image->samples<std::uint16_t>(static_cast<std::size_t>(channel))[index] =
                static_cast<std::uint16_t>(value);
        } else {
            image->samples<std::uint8_t>(static_cast<std::size_t>(channel))[index] =
                static_cast<std::uint8_t>(value);
        }
    };
    const auto truncated = [&] {
        return Error{fmt::format("PNM pixel data is truncated or malformed ({}x{} P{} expected)",
                                 *width, *height, kind)};
    };
    if (kind == 1) {
        for (std::size_t i = 0; i < pixel_count; ++i) {
            const auto b = reader.bit();
            if (!b) {
                return truncated();
            }
            store(i, 0, *b ? 0 : 255);
        }
    } else if (kind == 4) {
        const std::size_t row_bytes = (*width + 7) / 8;
        const auto raster = reader.rest();
        if (raster.size() < row_bytes * *height) {
            return truncated();
        }
        for (std::size_t y = 0; y < *height; ++y) {
            for (std::size_t x = 0; x < *width; ++x) {
                const int byte = std::to_integer<int>(raster[y * row_bytes + x / 8]);
                store(y * *width + x, 0, (byte >> (7 - x % 8)) & 1 ? 0 : 255);
            }
        }
    } else if (ascii) {
        for (std::size_t i = 0; i < pixel_count; ++i) {
            for (int c = 0; c < channels; ++c) {
                const auto v = reader.number();
                if (!v) {
                    return truncated();
                }
                if (*v > *maxval) {
                    return Error{fmt::format("PNM sample {} exceeds maxval {}", *v, *maxval)};
                }
                store(i, c, *v);
            }
        }
    } else {
        const auto raster = reader.rest();
        if (raster.size() < pixel_count * static_cast<std::size_t>(channels) * sample_bytes) {
            return truncated();
        }
        for (std::size_t i = 0; i < pixel_count; ++i) {
            for (int c = 0; c < channels; ++c) {
                const std::size_t at =
                    (i * static_cast<std::size_t>(channels) + static_cast<std::size_t>(c)) *
                    sample_bytes;
                std::uint64_t v = std::to_integer<std::uint64_t>(raster[at]);
                if (sample_bytes == 2) {
                    v = v << 8 | std::to_integer<std::uint64_t>(raster[at + 1]);  // big endian
                }
                store(i, c, v);
            }
        }
    }
    return whole_image(std::move(image), Transfer::Srgb,
                       fmt::format("P{}, maxval {}", kind, *maxval));
}

}  // namespace tessera::core
