#include "core/io/JpegDecoder.h"

#include <csetjmp>
#include <cstdio>

#include <fmt/format.h>

// jpeglib.h needs FILE and size_t declared first.
#include <jerror.h>
#include <jpeglib.h>

#include "core/image/PlanarImage.h"
#include "core/io/HeaderChecks.h"

namespace tessera::core {
namespace {

// libjpeg reports errors through callbacks that must not return: they jump back to the call
// that failed (guarded() below). Only C structures live between the jump and its target.
struct ErrorManager {
    jpeg_error_mgr manager;
    std::jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void on_error(j_common_ptr info) {
    auto* errors = reinterpret_cast<ErrorManager*>(info->err);
    (*info->err->format_message)(info, errors->message);
    std::longjmp(errors->jump, 1);
}

// Warnings after which libjpeg goes on with grey or garbled pixels are errors here.
void on_message(j_common_ptr info, int level) {
    if (level >= 0) {
        return;  // trace messages
    }
    switch (info->err->msg_code) {
        case JWRN_JPEG_EOF:
        case JWRN_HIT_MARKER:
        case JWRN_HUFF_BAD_CODE:
        case JWRN_MUST_RESYNC:
        case JWRN_NOT_SEQUENTIAL:
        case JWRN_BOGUS_PROGRESSION:
            on_error(info);
        default:
            break;  // extraneous bytes, unknown JFIF versions and the like change no pixel
    }
}

class Decompressor {
  public:
    Decompressor() {
        m_info.err = jpeg_std_error(&m_errors.manager);
        m_errors.manager.error_exit = on_error;
        m_errors.manager.emit_message = on_message;
        m_errors.message[0] = '\0';
        jpeg_create_decompress(&m_info);
    }
    ~Decompressor() { jpeg_destroy_decompress(&m_info); }
    Decompressor(const Decompressor&) = delete;
    Decompressor& operator=(const Decompressor&) = delete;

    jpeg_decompress_struct& info() { return m_info; }

    // Runs `call` (libjpeg calls on plain buffers only); false if libjpeg reported an error.
    template <typename Call>
    bool guarded(Call&& call) {
        if (setjmp(m_errors.jump) != 0) {
            return false;
        }
        call();
        return true;
    }
    Error error() const { return Error{fmt::format("JPEG is corrupt: {}", m_errors.message)}; }

  private:
    jpeg_decompress_struct m_info{};
    ErrorManager m_errors{};
};

}  // namespace

Result<std::vector<Image>> decode_jpeg(const std::shared_ptr<const MappedFile>& file,
                                       const LoadOptions& options) {
    const auto bytes = file->bytes();
    Decompressor jpeg;
    jpeg_decompress_struct& info = jpeg.info();
    if (!jpeg.guarded([&] {
            jpeg_mem_src(&info, reinterpret_cast<const unsigned char*>(bytes.data()),
                         static_cast<unsigned long>(bytes.size()));
            jpeg_read_header(&info, TRUE);
        })) {
        return jpeg.error();
    }
    const std::uint64_t width = info.image_width;
    const std::uint64_t height = info.image_height;
    if (width * height > options.max_pixels) {
        return Error{fmt::format("header claims {}x{} pixels, more than the limit of {} pixels",
                                 width, height, options.max_pixels)};
    }
    if (auto checked = check_jpeg(bytes, {width, height}); !checked) {
        return checked.error();
    }
    const bool cmyk = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
    const bool grey = info.jpeg_color_space == JCS_GRAYSCALE;
    info.out_color_space = cmyk ? JCS_CMYK : grey ? JCS_GRAYSCALE : JCS_RGB;
    if (!jpeg.guarded([&] { jpeg_start_decompress(&info); })) {
        return jpeg.error();
    }
    const std::size_t w = info.output_width;
    const std::size_t h = info.output_height;
    const std::size_t components = static_cast<std::size_t>(info.output_components);
    const std::size_t channels = grey ? 1 : 3;
    auto image =
        std::make_shared<PlanarImage>(static_cast<std::int64_t>(w), static_cast<std::int64_t>(h));
    for (std::size_t c = 0; c < channels; ++c) {
        image->add_channel(grey ? "Y" : std::string(1, "RGB"[c]), SampleType::U8);
    }
    std::vector<std::uint8_t*> planes;
    for (std::size_t c = 0; c < channels; ++c) {
        planes.push_back(image->samples<std::uint8_t>(c).data());
    }
    std::vector<JSAMPLE> row(w * components);
    for (std::size_t y = 0; y < h; ++y) {
        if (!jpeg.guarded([&] {
                JSAMPROW rows[] = {row.data()};
                jpeg_read_scanlines(&info, rows, 1);
            })) {
            return jpeg.error();
        }
        const JSAMPLE* in = row.data();
        for (std::size_t x = 0; x < w; ++x, in += components) {
            if (cmyk) {
                // Adobe stores CMYK inverted: the product with K is the displayed colour.
                for (std::size_t c = 0; c < 3; ++c) {
                    planes[c][y * w + x] = static_cast<std::uint8_t>((in[c] * in[3] + 127) / 255);
                }
            } else {
                for (std::size_t c = 0; c < channels; ++c) {
                    planes[c][y * w + x] = in[c];
                }
            }
        }
    }
    if (!jpeg.guarded([&] { jpeg_finish_decompress(&info); })) {
        return jpeg.error();
    }
    return whole_image(std::move(image), Transfer::Srgb,
                       info.progressive_mode ? "progressive" : "sequential");
}

}  // namespace tessera::core
