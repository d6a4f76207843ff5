#include "core/io/HdrDecoder.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "core/base/Checked.h"
#include "core/image/PlanarImage.h"

namespace tessera::core {
namespace {

class Reader {
  public:
    explicit Reader(std::span<const std::byte> bytes) : m_bytes(bytes) {}

    // The next line without its '\n'; nullopt at the end of the file.
    std::optional<std::string_view> line() {
        if (m_pos >= m_bytes.size()) {
            return std::nullopt;
        }
        const auto* start = reinterpret_cast<const char*>(m_bytes.data() + m_pos);
        const std::size_t rest = m_bytes.size() - m_pos;
        const void* end = std::memchr(start, '\n', std::min<std::size_t>(rest, 4096));
        if (end == nullptr) {
            return std::nullopt;
        }
        const auto length = static_cast<std::size_t>(static_cast<const char*>(end) - start);
        m_pos += length + 1;
        return std::string_view(start, length);
    }
    bool read(std::span<std::uint8_t> out) {
        if (m_bytes.size() - m_pos < out.size()) {
            return false;
        }
        std::memcpy(out.data(), m_bytes.data() + m_pos, out.size());
        m_pos += out.size();
        return true;
    }
    std::optional<std::uint8_t> byte() {
        if (m_pos >= m_bytes.size()) {
            return std::nullopt;
        }
        return std::to_integer<std::uint8_t>(m_bytes[m_pos++]);
    }
    std::size_t remaining() const { return m_bytes.size() - m_pos; }

  private:
    std::span<const std::byte> m_bytes;
    std::size_t m_pos = 0;
};

std::optional<std::uint64_t> number(std::string_view& text) {
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
    }
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || value == 0 || value > (std::uint64_t{1} << 24)) {
        return std::nullopt;
    }
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    return value;
}

// One run-length scanline: four components, each as runs (count > 128: count - 128 copies of
// one byte) and dumps (count bytes), covering exactly `width` pixels.
Result<void> read_rle_scanline(Reader& reader, std::size_t width, std::size_t row,
                               std::vector<std::uint8_t>& rgbe) {
    for (std::size_t k = 0; k < 4; ++k) {
        std::size_t x = 0;
        while (x < width) {
            const auto count = reader.byte();
            if (!count) {
                return Error{fmt::format("Radiance HDR scanline {} is truncated", row)};
            }
            const bool run = *count > 128;
            const std::size_t length = run ? *count - 128u : *count;
            if (length == 0 || length > width - x) {
                return Error{
                    fmt::format("Radiance HDR scanline {} has a run of {} pixels where {} remain",
                                row, length, width - x)};
            }
            if (run) {
                const auto value = reader.byte();
                if (!value) {
                    return Error{fmt::format("Radiance HDR scanline {} is truncated", row)};
                }
                for (std::size_t i = 0; i < length; ++i) {
                    rgbe[(x + i) * 4 + k] = *value;
                }
            } else {
                for (std::size_t i = 0; i < length; ++i) {
                    const auto value = reader.byte();
                    if (!value) {
                        return Error{fmt::format("Radiance HDR scanline {} is truncated", row)};
                    }
                    rgbe[(x + i) * 4 + k] = *value;
                }
            }
            x += length;
        }
    }
    return {};
}

}  // namespace

Result<std::vector<Image>> decode_hdr(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options) {
    Reader reader(file->bytes());
    const auto magic = reader.line();
    if (!magic || (*magic != "#?RADIANCE" && *magic != "#?RGBE")) {
        return Error{"Radiance HDR does not start with #?RADIANCE or #?RGBE"};
    }
    bool rgbe_format = false;
    for (int lines = 0;; ++lines) {
        const auto text = reader.line();
        if (!text || lines > 1000) {
            return Error{"Radiance HDR header does not end (no empty line before the size)"};
        }
        if (text->empty()) {
            break;
        }
        if (*text == "FORMAT=32-bit_rle_rgbe") {
            rgbe_format = true;
        } else if (text->starts_with("FORMAT=")) {
            return Error{
                fmt::format("Radiance HDR format '{}' is not supported (32-bit_rle_rgbe is)",
                            text->substr(7, 40))};
        }
    }
    if (!rgbe_format) {
        return Error{"Radiance HDR header has no FORMAT=32-bit_rle_rgbe line"};
    }
    auto size = reader.line();
    if (!size || !size->starts_with("-Y ")) {
        return Error{
            "Radiance HDR size line is not of the form '-Y height +X width' (other "
            "orientations are not supported)"};
    }
    std::string_view text = size->substr(3);
    const auto height = number(text);
    while (!text.empty() && text.front() == ' ') {
        text.remove_prefix(1);
    }
    const bool plus_x = text.starts_with("+X ");
    text.remove_prefix(plus_x ? 3 : 0);
    const auto width = plus_x ? number(text) : std::nullopt;
    if (!height || !width) {
        return Error{
            "Radiance HDR size line is not of the form '-Y height +X width' (other "
            "orientations are not supported)"};
    }
    if (!product_at_most({*width, *height}, options.max_pixels)) {
        return Error{fmt::format("header claims {}x{} pixels, more than the limit of {} pixels",
                                 *width, *height, options.max_pixels)};
    }
    // The smallest scanline: 4 bytes of header and 2 bytes per 127 pixels of each component
    // (run-length), or 4 bytes a pixel (flat, for widths outside 8..32767).
    const bool rle_possible = *width >= 8 && *width < 32768;
    const std::uint64_t least_row = rle_possible ? 4 + 4 * 2 * ((*width + 126) / 127) : *width * 4;
    if (least_row * *height > reader.remaining()) {
        return Error{fmt::format(
            "Radiance HDR header claims {}x{} pixels, which need at least {} bytes; the file has "
            "{} (truncated)",
            *width, *height, least_row * *height, reader.remaining())};
    }
    const auto w = static_cast<std::size_t>(*width);
    const auto h = static_cast<std::size_t>(*height);
    auto image =
        std::make_shared<PlanarImage>(static_cast<std::int64_t>(w), static_cast<std::int64_t>(h));
    for (const char* name : {"R", "G", "B"}) {
        image->add_channel(name, SampleType::F32);
    }
    std::vector<std::uint8_t> rgbe(w * 4);
    bool flat = !rle_possible;
    for (std::size_t y = 0; y < h; ++y) {
        if (!flat) {
            std::uint8_t start[4];
            if (!reader.read(start)) {
                return Error{fmt::format("Radiance HDR scanline {} is truncated", y)};
            }
            if (start[0] == 2 && start[1] == 2 && (start[2] & 0x80) == 0) {
                const std::size_t length = std::size_t{start[2]} << 8 | start[3];
                if (length != w) {
                    return Error{fmt::format("Radiance HDR scanline {} is {} pixels wide, not {}",
                                             y, length, w)};
                }
                if (auto ok = read_rle_scanline(reader, w, y, rgbe); !ok) {
                    return ok.error();
                }
            } else {
                // Not run-length encoded: these 4 bytes are the first pixel, and the rest of
                // the image is flat (as stb_image and Radiance read it).
                flat = true;
                std::memcpy(rgbe.data(), start, 4);
                if (!reader.read(std::span(rgbe).subspan(4))) {
                    return Error{fmt::format("Radiance HDR scanline {} is truncated", y)};
                }
            }
        } else if (!reader.read(rgbe)) {
            return Error{fmt::format("Radiance HDR scanline {} is truncated", y)};
        }
        for (std::size_t c = 0; c < 3; ++c) {
            float* out = image->samples<float>(c).data() + y * w;
            for (std::size_t x = 0; x < w; ++x) {
                const std::uint8_t e = rgbe[x * 4 + 3];
                out[x] = e == 0 ? 0.0f
                                : static_cast<float>(rgbe[x * 4 + c]) *
                                      std::ldexp(1.0f, static_cast<int>(e) - (128 + 8));
            }
        }
    }
    return whole_image(std::move(image), Transfer::Linear, "32-bit RGBE");
}

}  // namespace tessera::core
