#include "tests/support/Fixtures.h"

#include <cstring>
#include <fstream>

#include <unistd.h>
#include <zlib.h>

#include <tinyexr.h>

namespace tessera::testing {
namespace {

void append(std::vector<std::byte>& out, std::string_view text) {
    for (char ch : text) {
        out.push_back(static_cast<std::byte>(ch));
    }
}

void append_be32(std::vector<std::byte>& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) {
        out.push_back(static_cast<std::byte>((v >> shift) & 0xff));
    }
}

void append_chunk(std::vector<std::byte>& out, std::string_view type,
                  const std::vector<std::byte>& data) {
    append_be32(out, static_cast<std::uint32_t>(data.size()));
    const std::size_t start = out.size();
    append(out, type);
    out.insert(out.end(), data.begin(), data.end());
    const auto crc = crc32(crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(&out[start]),
                           static_cast<uInt>(out.size() - start));
    append_be32(out, static_cast<std::uint32_t>(crc));
}

}  // namespace

std::filesystem::path temp_path(const std::string& name) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("tessera-tests-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir / name;
}

void write_bytes(const std::filesystem::path& path, std::span<const std::byte> bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

void write_text(const std::filesystem::path& path, const std::string& text) {
    write_bytes(path, std::as_bytes(std::span(text.data(), text.size())));
}

std::vector<std::byte> read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(chars.size());
    std::memcpy(bytes.data(), chars.data(), chars.size());
    return bytes;
}

std::vector<std::byte> npy_header(const NpyHeader& header) {
    std::string shape = "(";
    for (std::size_t i = 0; i < header.shape.size(); ++i) {
        shape += std::to_string(header.shape[i]) +
                 (header.shape.size() == 1 || i + 1 < header.shape.size() ? ", " : "");
    }
    shape += ")";
    std::string dict = "{'descr': '" + header.descr +
                       "', 'fortran_order': " + (header.fortran_order ? "True" : "False") +
                       ", 'shape': " + shape + ", }";
    const std::size_t prefix = header.version == 1 ? 10 : 12;
    while ((prefix + dict.size() + 1) % 64 != 0) {
        dict += ' ';
    }
    dict += '\n';
    std::vector<std::byte> out;
    append(out, "\x93NUMPY");
    out.push_back(static_cast<std::byte>(header.version));
    out.push_back(std::byte{0});
    const std::size_t length = dict.size();
    const int length_bytes = header.version == 1 ? 2 : 4;
    for (int i = 0; i < length_bytes; ++i) {
        out.push_back(static_cast<std::byte>((length >> (8 * i)) & 0xff));
    }
    append(out, dict);
    return out;
}

void write_npy(const std::filesystem::path& path, const NpyHeader& header,
               std::span<const std::byte> data) {
    auto bytes = npy_header(header);
    bytes.insert(bytes.end(), data.begin(), data.end());
    write_bytes(path, bytes);
}

std::vector<std::byte> png16(std::uint32_t width, std::uint32_t height, int channels,
                             std::span<const std::uint16_t> samples) {
    std::vector<std::byte> out;
    append(out, "\x89PNG\r\n\x1a\n");
    std::vector<std::byte> ihdr;
    append_be32(ihdr, width);
    append_be32(ihdr, height);
    ihdr.push_back(std::byte{16});
    ihdr.push_back(static_cast<std::byte>(channels == 1 ? 0 : 2));
    ihdr.push_back(std::byte{0});
    ihdr.push_back(std::byte{0});
    ihdr.push_back(std::byte{0});
    append_chunk(out, "IHDR", ihdr);
    // Raw scanlines: filter byte 0, then big-endian samples. Only what `samples` holds is
    // written, so an absurd header can come with a tiny image.
    std::vector<unsigned char> raw;
    const std::size_t row = static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
    for (std::size_t i = 0; i < samples.size(); ++i) {
        if (row != 0 && i % row == 0) {
            raw.push_back(0);
        }
        raw.push_back(static_cast<unsigned char>(samples[i] >> 8));
        raw.push_back(static_cast<unsigned char>(samples[i] & 0xff));
    }
    uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
    std::vector<std::byte> idat(compressed_size);
    compress(reinterpret_cast<Bytef*>(idat.data()), &compressed_size, raw.data(),
             static_cast<uLong>(raw.size()));
    idat.resize(compressed_size);
    append_chunk(out, "IDAT", idat);
    append_chunk(out, "IEND", {});
    return out;
}

std::vector<std::byte> png_from_rows(std::uint32_t width, std::uint32_t height, int depth,
                                     int colour, std::span<const std::uint8_t> raw,
                                     std::size_t idat_size) {
    std::vector<std::byte> out;
    append(out, "\x89PNG\r\n\x1a\n");
    std::vector<std::byte> ihdr;
    append_be32(ihdr, width);
    append_be32(ihdr, height);
    ihdr.push_back(static_cast<std::byte>(depth));
    ihdr.push_back(static_cast<std::byte>(colour));
    ihdr.push_back(std::byte{0});
    ihdr.push_back(std::byte{0});
    ihdr.push_back(std::byte{0});
    append_chunk(out, "IHDR", ihdr);
    uLongf compressed_size = compressBound(static_cast<uLong>(raw.size()));
    std::vector<std::byte> stream(compressed_size);
    compress(reinterpret_cast<Bytef*>(stream.data()), &compressed_size, raw.data(),
             static_cast<uLong>(raw.size()));
    stream.resize(compressed_size);
    for (std::size_t at = 0; at < stream.size(); at += idat_size) {
        const std::size_t end = std::min(stream.size(), at + idat_size);
        append_chunk(out, "IDAT",
                     {stream.begin() + static_cast<std::ptrdiff_t>(at),
                      stream.begin() + static_cast<std::ptrdiff_t>(end)});
    }
    append_chunk(out, "IEND", {});
    return out;
}

std::string write_exr(const std::filesystem::path& path, const std::vector<ExrPart>& parts) {
    std::vector<EXRHeader> headers(parts.size());
    std::vector<EXRImage> images(parts.size());
    std::vector<EXRChannelInfo> channels(parts.size());
    std::vector<int> types(parts.size());
    std::vector<unsigned char*> planes(parts.size());
    std::vector<const EXRHeader*> pointers;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        InitEXRHeader(&headers[i]);
        InitEXRImage(&images[i]);
        std::memset(&channels[i], 0, sizeof(EXRChannelInfo));
        std::strcpy(channels[i].name, "Y");
        types[i] = parts[i].pixel_type;
        planes[i] =
            reinterpret_cast<unsigned char*>(const_cast<std::byte*>(parts[i].samples.data()));
        headers[i].num_channels = 1;
        headers[i].channels = &channels[i];
        headers[i].pixel_types = &types[i];
        headers[i].requested_pixel_types = &types[i];
        headers[i].compression_type = parts[i].compression;
        std::strncpy(headers[i].name, parts[i].name.c_str(), 255);
        images[i].num_channels = 1;
        images[i].images = &planes[i];
        images[i].width = parts[i].width;
        images[i].height = parts[i].height;
        pointers.push_back(&headers[i]);
    }
    const char* err = nullptr;
    const int result =
        parts.size() == 1
            ? SaveEXRImageToFile(&images[0], &headers[0], path.c_str(), &err)
            : SaveEXRMultipartImageToFile(images.data(), pointers.data(),
                                          static_cast<unsigned>(parts.size()), path.c_str(), &err);
    std::string message = result == TINYEXR_SUCCESS ? "" : (err ? err : "tinyexr failed");
    FreeEXRErrorMessage(err);
    return message;
}

}  // namespace tessera::testing
