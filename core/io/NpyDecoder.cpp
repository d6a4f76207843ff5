#include "core/io/NpyDecoder.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "core/base/Checked.h"
#include "core/base/FaultGuard.h"
#include "core/io/ArrayAxes.h"

namespace tessera::core {
namespace {

enum class Kind : std::uint8_t { U8, U16, U32, I8, I16, I32, F16, F32, F64, Bool };

struct Dtype {
    Kind kind;
    std::size_t item_size;
    SampleType sample_type;  // what read_region delivers
};

std::optional<Dtype> parse_dtype(std::string_view code) {
    struct Entry {
        std::string_view code;
        Dtype dtype;
    };
    static constexpr Entry kTable[] = {
        {"u1", {Kind::U8, 1, SampleType::U8}},   {"u2", {Kind::U16, 2, SampleType::U16}},
        {"u4", {Kind::U32, 4, SampleType::U32}}, {"i1", {Kind::I8, 1, SampleType::F16}},
        {"i2", {Kind::I16, 2, SampleType::F32}}, {"i4", {Kind::I32, 4, SampleType::F32}},
        {"f2", {Kind::F16, 2, SampleType::F16}}, {"f4", {Kind::F32, 4, SampleType::F32}},
        {"f8", {Kind::F64, 8, SampleType::F32}}, {"b1", {Kind::Bool, 1, SampleType::U8}},
    };
    for (const Entry& entry : kTable) {
        if (entry.code == code) {
            return entry.dtype;
        }
    }
    return std::nullopt;
}

// The header is a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False,
// 'shape': (512, 512, 3), }. Values are found by key; nothing is evaluated.
std::optional<std::string_view> value_after(std::string_view header, std::string_view key) {
    const auto at = header.find(key);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    const auto colon = header.find(':', at + key.size());
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view rest = header.substr(colon + 1);
    while (!rest.empty() && rest.front() == ' ') {
        rest.remove_prefix(1);
    }
    return rest;
}

// NumPy writes headers of a few hundred bytes; version 2 allows up to 4 GiB, which no image needs.
constexpr std::size_t kMaxHeaderBytes = std::size_t{1} << 20;

struct Header {
    std::string descr;
    bool fortran_order = false;
    std::vector<std::uint64_t> shape;
    std::size_t data_offset = 0;
    int version = 1;
    std::string text;  // the header's dictionary as the file writes it, padding trimmed
};

Result<Header> parse_header(std::span<const std::byte> bytes) {
    if (bytes.size() < 10) {
        return Error{"NumPy file is truncated inside its header"};
    }
    const int major = std::to_integer<int>(bytes[6]);
    std::size_t length = 0;
    std::size_t start = 0;
    if (major == 1) {
        length = std::to_integer<std::size_t>(bytes[8]) | std::to_integer<std::size_t>(bytes[9])
                                                              << 8;
        start = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12) {
            return Error{"NumPy file is truncated inside its header"};
        }
        for (int i = 3; i >= 0; --i) {
            length =
                length << 8 | std::to_integer<std::size_t>(bytes[8 + static_cast<std::size_t>(i)]);
        }
        start = 12;
    } else {
        return Error{fmt::format("NumPy format version {} is not supported (1 to 3 are)", major)};
    }
    if (length > bytes.size() - start) {
        return Error{length > kMaxHeaderBytes ? "NumPy header is absurdly long"
                                              : "NumPy header runs past the end of the file"};
    }
    const std::string_view text(reinterpret_cast<const char*>(bytes.data() + start), length);
    Header header;
    header.data_offset = start + length;
    header.version = major;
    header.text = std::string(text.substr(0, text.find_last_not_of(" \n\x00") + 1));

    const auto descr = value_after(text, "'descr'");
    if (!descr || descr->empty() || (descr->front() != '\'' && descr->front() != '"')) {
        return Error{"NumPy header has no simple 'descr' (structured dtypes are not supported)"};
    }
    const auto close = descr->find(descr->front(), 1);
    if (close == std::string_view::npos) {
        return Error{"NumPy header's 'descr' is malformed"};
    }
    header.descr = std::string(descr->substr(1, close - 1));

    const auto fortran = value_after(text, "'fortran_order'");
    if (!fortran) {
        return Error{"NumPy header has no 'fortran_order'"};
    }
    header.fortran_order = fortran->starts_with("True");

    const auto shape = value_after(text, "'shape'");
    if (!shape || shape->empty() || shape->front() != '(') {
        return Error{"NumPy header has no 'shape' tuple"};
    }
    const auto end = shape->find(')');
    if (end == std::string_view::npos) {
        return Error{"NumPy header's 'shape' is malformed"};
    }
    std::string_view dims = shape->substr(1, end - 1);
    while (!dims.empty()) {
        while (!dims.empty() && (dims.front() == ' ' || dims.front() == ',')) {
            dims.remove_prefix(1);
        }
        if (dims.empty()) {
            break;
        }
        std::uint64_t value = 0;
        const auto [ptr, error] = std::from_chars(dims.data(), dims.data() + dims.size(), value);
        if (error != std::errc{}) {
            return Error{"NumPy header's 'shape' is malformed"};
        }
        header.shape.push_back(value);
        dims.remove_prefix(static_cast<std::size_t>(ptr - dims.data()));
        if (!dims.empty() && dims.front() == 'L') {
            dims.remove_prefix(1);  // Python 2 long suffix
        }
    }
    return header;
}

template <typename T>
T load(const std::byte* p, bool swap) {
    std::array<std::byte, sizeof(T)> raw;
    std::memcpy(raw.data(), p, sizeof(T));
    if (swap) {
        std::reverse(raw.begin(), raw.end());
    }
    return std::bit_cast<T>(raw);
}

class NpySource final : public ImageSource {
  public:
    NpySource(std::shared_ptr<const MappedFile> file, std::size_t offset, Dtype dtype, bool swap,
              std::int64_t width, std::int64_t height, std::vector<ChannelInfo> channels,
              std::int64_t stride_x, std::int64_t stride_y, std::int64_t stride_c,
              std::vector<Axis> axes, std::vector<std::int64_t> axis_strides)
        : m_file(std::move(file)),
          m_offset(offset),
          m_dtype(dtype),
          m_swap(swap),
          m_width(width),
          m_height(height),
          m_channels(std::move(channels)),
          m_stride_x(stride_x),
          m_stride_y(stride_y),
          m_stride_c(stride_c),
          m_axes(std::move(axes)),
          m_axis_strides(std::move(axis_strides)) {}

    std::int64_t width() const override { return m_width; }
    std::int64_t height() const override { return m_height; }
    const std::vector<ChannelInfo>& channels() const override { return m_channels; }
    const std::vector<Axis>& axes() const override { return m_axes; }

    Result<void> read_region(const Plane& plane, Rect rect,
                             std::span<std::byte> dst) const override {
        if (auto ok = check_read(plane, rect, dst.size()); !ok) {
            return Error{fmt::format("{}: {}", m_file->path().string(), ok.error().message)};
        }
        const std::int64_t start = plane_start(plane);
        if (stored_as_delivered() && m_stride_x == 1) {
            return copy_rows(start, rect, dst);
        }
        // The loops own nothing with a destructor: a fault (the file shrank) leaves them safely.
        const bool read = read_mapped([&] { copy_region(start, rect, dst); });
        if (!read) {
            return Error{fmt::format(
                "{}: the file shrank while it was read (it is being rewritten); reload it",
                m_file->path().string())};
        }
        return {};
    }

    void release_region(const Plane& plane, Rect rect) const override {
        if (const auto range = byte_range(plane, rect)) {
            m_file->drop(range->first, range->second);
        }
    }

    void prefetch_region(const Plane& plane, Rect rect) const override {
        if (const auto range = byte_range(plane, rect)) {
            m_file->prefetch(range->first, range->second);
        }
    }

    // The bytes a region of a plane lies in: offset and length in the file. Every stride is
    // positive, so its first and last samples bound it.
    std::optional<std::pair<std::size_t, std::size_t>> byte_range(const Plane& plane,
                                                                  Rect rect) const {
        if (!complete(plane) || rect.width <= 0 || rect.height <= 0) {
            return std::nullopt;
        }
        const std::int64_t c = plane_start(plane);
        const std::int64_t lo = rect.y * m_stride_y + rect.x * m_stride_x + c;
        const std::int64_t hi =
            (rect.y + rect.height - 1) * m_stride_y + (rect.x + rect.width - 1) * m_stride_x + c;
        return std::pair{m_offset + static_cast<std::size_t>(lo) * m_dtype.item_size,
                         static_cast<std::size_t>(hi - lo + 1) * m_dtype.item_size};
    }

  private:
    // The element where a (valid) plane's pixel (0, 0) lies; missing indices count as 0.
    std::int64_t plane_start(const Plane& plane) const {
        std::int64_t start = static_cast<std::int64_t>(plane.channel) * m_stride_c;
        for (std::size_t i = 0; i < plane.position.size() && i < m_axis_strides.size(); ++i) {
            start += plane.position[i] * m_axis_strides[i];
        }
        return start;
    }

    // Samples stored in the type and byte order read_region delivers.
    bool stored_as_delivered() const {
        return !m_swap && (m_dtype.kind == Kind::U8 || m_dtype.kind == Kind::U16 ||
                           m_dtype.kind == Kind::U32 || m_dtype.kind == Kind::F16 ||
                           m_dtype.kind == Kind::F32);
    }

    // Rows whose samples lie side by side as delivered: copied from the file (MappedFile::copy,
    // not through the map), in one piece where the rows follow each other.
    Result<void> copy_rows(std::int64_t start, Rect rect, std::span<std::byte> dst) const {
        const std::size_t item = m_dtype.item_size;
        const auto row_bytes = static_cast<std::size_t>(rect.width) * item;
        const auto at = [&](std::int64_t row) {
            return m_offset +
                   static_cast<std::size_t>((rect.y + row) * m_stride_y + rect.x + start) * item;
        };
        if (m_stride_y == rect.width) {
            return m_file->copy(at(0),
                                dst.first(row_bytes * static_cast<std::size_t>(rect.height)));
        }
        for (std::int64_t row = 0; row < rect.height; ++row) {
            if (auto ok = m_file->copy(
                    at(row), dst.subspan(static_cast<std::size_t>(row) * row_bytes, row_bytes));
                !ok) {
                return ok;
            }
        }
        return {};
    }

    void copy_region(std::int64_t start, Rect rect, std::span<std::byte> dst) const {
        const std::byte* base = m_file->bytes().data() + m_offset;
        const auto out_size = sample_size(m_dtype.sample_type);
        // Samples stored as delivered: copied (contiguous rows) or gathered (interleaved channels).
        const bool same = stored_as_delivered();
        const bool direct = same && m_stride_x == 1;
        for (std::int64_t row = 0; row < rect.height; ++row) {
            const std::int64_t first = (rect.y + row) * m_stride_y + rect.x * m_stride_x + start;
            std::byte* out = dst.data() + static_cast<std::size_t>(row * rect.width) * out_size;
            if (direct) {
                std::memcpy(out, base + static_cast<std::size_t>(first) * m_dtype.item_size,
                            static_cast<std::size_t>(rect.width) * out_size);
                continue;
            }
            const std::byte* in = base + static_cast<std::size_t>(first) * m_dtype.item_size;
            if (same && out_size == 1) {
                gather<std::uint8_t>(in, m_stride_x, rect.width, out);
                continue;
            }
            if (same && out_size == 2) {
                gather<std::uint16_t>(in, m_stride_x, rect.width, out);
                continue;
            }
            if (same && out_size == 4) {
                gather<std::uint32_t>(in, m_stride_x, rect.width, out);
                continue;
            }
            for (std::int64_t col = 0; col < rect.width; ++col) {
                convert(in + static_cast<std::size_t>(col * m_stride_x) * m_dtype.item_size,
                        out + static_cast<std::size_t>(col) * out_size);
            }
        }
    }

    template <typename T>
    static void gather(const std::byte* in, std::int64_t stride, std::int64_t count,
                       std::byte* out) {
        for (std::int64_t i = 0; i < count; ++i) {
            T value;
            std::memcpy(&value, in + static_cast<std::size_t>(i * stride) * sizeof(T), sizeof(T));
            std::memcpy(out + static_cast<std::size_t>(i) * sizeof(T), &value, sizeof(T));
        }
    }

    void convert(const std::byte* in, std::byte* out) const {
        switch (m_dtype.kind) {
            case Kind::U8:
                *out = *in;
                break;
            case Kind::Bool:
                *out = std::byte{*in != std::byte{0}};
                break;
            case Kind::U16:
                store(out, load<std::uint16_t>(in, m_swap));
                break;
            case Kind::U32:
                store(out, load<std::uint32_t>(in, m_swap));
                break;
            case Kind::F16:
                store(out, load<std::uint16_t>(in, m_swap));
                break;
            case Kind::F32:
                store(out, load<float>(in, m_swap));
                break;
            case Kind::I8:
                store(out, float_to_half(static_cast<float>(load<std::int8_t>(in, false))));
                break;
            case Kind::I16:
                store(out, static_cast<float>(load<std::int16_t>(in, m_swap)));
                break;
            case Kind::I32:
                store(out, static_cast<float>(load<std::int32_t>(in, m_swap)));
                break;
            case Kind::F64:
                store(out, static_cast<float>(load<double>(in, m_swap)));
                break;
        }
    }
    template <typename T>
    static void store(std::byte* out, T value) {
        std::memcpy(out, &value, sizeof value);
    }

    std::shared_ptr<const MappedFile> m_file;
    std::size_t m_offset;
    Dtype m_dtype;
    bool m_swap;
    std::int64_t m_width;
    std::int64_t m_height;
    std::vector<ChannelInfo> m_channels;
    std::int64_t m_stride_x;  // in elements
    std::int64_t m_stride_y;
    std::int64_t m_stride_c;
    std::vector<Axis> m_axes;                  // T, Z: outermost first
    std::vector<std::int64_t> m_axis_strides;  // in elements, one per axis
};

std::string shape_text(const std::vector<std::uint64_t>& shape) {
    return fmt::format("({}{})", fmt::join(shape, ", "), shape.size() == 1 ? "," : "");
}

// Where each axis of an array lies: Y, X, the channel axis (if any) and the stack axes.
struct Layout {
    std::int64_t height = 0;
    std::int64_t width = 0;
    std::int64_t stride_y = 0;
    std::int64_t stride_x = 0;
    std::int64_t stride_c = 0;
    std::size_t channel_count = 1;
    std::vector<Axis> stack_axes;
    std::vector<std::int64_t> axis_strides;
};

// `strides` in elements, one per dimension of `shape`; `axes` one letter per dimension.
Layout layout_of(const std::vector<std::uint64_t>& shape, const std::vector<std::int64_t>& strides,
                 std::string_view axes) {
    Layout layout;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        const auto extent = static_cast<std::int64_t>(shape[i]);
        switch (axes[i]) {
            case 'Y':
                layout.height = extent;
                layout.stride_y = strides[i];
                break;
            case 'X':
                layout.width = extent;
                layout.stride_x = strides[i];
                break;
            case 'C':
                layout.channel_count = shape[i];
                layout.stride_c = strides[i];
                break;
            default:
                layout.stack_axes.push_back({std::string(1, axes[i]), extent});
                layout.axis_strides.push_back(strides[i]);
                break;
        }
    }
    return layout;
}

std::shared_ptr<NpySource> make_source(std::shared_ptr<const MappedFile> file, std::size_t offset,
                                       Dtype dtype, bool swap, Layout layout,
                                       std::vector<ChannelInfo> channels) {
    return std::make_shared<NpySource>(
        std::move(file), offset, dtype, swap, layout.width, layout.height, std::move(channels),
        layout.stride_x, layout.stride_y, layout.stride_c, std::move(layout.stack_axes),
        std::move(layout.axis_strides));
}

}  // namespace

Result<std::vector<Image>> decode_npy(const std::shared_ptr<const MappedFile>& file,
                                      const LoadOptions& options) {
    // The header is copied out of the map first: the file may shrink under it.
    const auto bytes = file->bytes();
    std::vector<std::byte> head(std::min<std::size_t>(bytes.size(), kMaxHeaderBytes));
    if (!read_mapped([&] { std::memcpy(head.data(), bytes.data(), head.size()); })) {
        return Error{"the file shrank while its header was read: it is being rewritten"};
    }
    auto header = parse_header(head);
    if (!header) {
        return header.error();
    }
    const std::string& descr = header->descr;
    if (descr.size() < 3 || std::string_view("<>|=").find(descr[0]) == std::string_view::npos) {
        return Error{fmt::format("NumPy dtype '{}' is not supported", descr)};
    }
    const auto dtype = parse_dtype(std::string_view(descr).substr(1));
    if (!dtype) {
        return Error{fmt::format(
            "NumPy dtype '{}' is not supported (Tessera reads u1, u2, u4, i1, i2, i4, f2, f4, f8 "
            "and b1)",
            descr)};
    }
    const bool big_endian =
        descr[0] == '>' || (descr[0] == '=' && std::endian::native == std::endian::big);
    const bool swap =
        dtype->item_size > 1 && big_endian != (std::endian::native == std::endian::big);

    // Leading axes of extent 1 are dropped unless the axes given name them.
    std::vector<std::uint64_t> shape = header->shape;
    while (shape.size() > 2 && shape.front() == 1 && options.axes.size() != shape.size()) {
        shape.erase(shape.begin());
    }
    const std::vector<std::uint64_t>::difference_type dropped =
        static_cast<std::ptrdiff_t>(header->shape.size() - shape.size());
    if (shape.size() < 2 || (options.axes.empty() && shape.size() > 5)) {
        return Error{
            fmt::format("NumPy array of shape {} is not an image: Tessera opens arrays of 2 to 5 "
                        "dimensions (T, Z, C, Y, X)",
                        shape_text(header->shape))};
    }
    const auto axes = choose_axes(shape, options.axes, options.channel_axis);
    if (!axes) {
        return Error{fmt::format("NumPy array of shape {}: {}", shape_text(header->shape),
                                 axes.error().message)};
    }
    std::uint64_t count = 1;
    for (std::uint64_t dim : shape) {
        const auto next = checked_mul(count, dim);
        if (dim == 0 || !next || *next > (std::uint64_t{1} << 56)) {
            return Error{fmt::format("NumPy array of shape {} is empty or absurdly large",
                                     shape_text(header->shape))};
        }
        count = *next;
    }
    // count <= 2^56 and item_size <= 8: the product cannot wrap.
    const std::uint64_t data_bytes = count * dtype->item_size;
    if (file->size() < header->data_offset || file->size() - header->data_offset < data_bytes) {
        return Error{fmt::format(
            "NumPy file is truncated: shape {} of '{}' needs {} bytes of data, the file has {}",
            shape_text(header->shape), descr, data_bytes,
            file->size() - std::min(file->size(), header->data_offset))};
    }

    // Element strides of each axis, for C (row-major) or Fortran (column-major) order.
    std::vector<std::int64_t> strides(header->shape.size());
    std::int64_t step = 1;
    for (std::size_t k = 0; k < header->shape.size(); ++k) {
        const std::size_t axis = header->fortran_order ? k : header->shape.size() - 1 - k;
        strides[axis] = step;
        step *= static_cast<std::int64_t>(header->shape[axis]);
    }
    strides.erase(strides.begin(), strides.begin() + dropped);

    Layout layout = layout_of(shape, strides, *axes);
    const std::size_t channel_count = layout.channel_count;
    const std::int64_t width = layout.width;
    const std::int64_t height = layout.height;
    if (channel_count > 4096) {
        return Error{
            fmt::format("NumPy array of shape {} would have {} channels; name its axes explicitly "
                        "(--axes, e.g. ZYX)",
                        shape_text(header->shape), channel_count)};
    }
    const bool photo = axes->back() == 'C' && (channel_count == 3 || channel_count == 4) &&
                       (dtype->kind == Kind::U8 || dtype->kind == Kind::U16);
    std::vector<ChannelInfo> channels;
    for (std::size_t c = 0; c < channel_count; ++c) {
        channels.push_back(
            {photo ? std::string(1, "RGBA"[c]) : fmt::format("c{}", c), dtype->sample_type});
    }
    Image image;
    image.source = make_source(file, header->data_offset, *dtype, swap, std::move(layout),
                               std::move(channels));
    image.metadata.transfer = photo ? Transfer::Srgb : Transfer::Linear;
    image.metadata.data_window = full_window(width, height);
    image.metadata.display_window = image.metadata.data_window;
    image.metadata.axes = *axes;
    image.metadata.storage =
        fmt::format("memory-mapped, shape {} '{}', {} order, axes {}", shape_text(header->shape),
                    descr, header->fortran_order ? "Fortran" : "C", *axes);
    image.metadata.properties.emplace_back("NumPy format", fmt::format("{}.0", header->version));
    image.metadata.properties.emplace_back("NumPy header", header->text);
    std::vector<Image> images;
    images.push_back(std::move(image));
    return images;
}

Result<std::shared_ptr<const ImageSource>> map_array(std::shared_ptr<const MappedFile> file,
                                                     std::size_t offset, std::string_view dtype,
                                                     bool big_endian,
                                                     const std::vector<std::uint64_t>& shape,
                                                     std::string_view axes,
                                                     std::vector<std::string> channel_names) {
    const auto type = parse_dtype(dtype);
    if (!type || axes.size() != shape.size() || shape.size() < 2) {
        return Error{fmt::format("cannot map an array of '{}' with axes '{}'", dtype, axes)};
    }
    std::uint64_t count = 1;
    for (std::uint64_t dim : shape) {
        const auto next = checked_mul(count, dim);
        if (dim == 0 || !next || *next > (std::uint64_t{1} << 56)) {
            return Error{
                fmt::format("an array of shape {} is empty or absurdly large", shape_text(shape))};
        }
        count = *next;
    }
    const std::uint64_t bytes = count * type->item_size;
    if (offset > file->size() || file->size() - offset < bytes) {
        return Error{
            fmt::format("{} bytes of data from offset {} lie past the end of the file ({} "
                        "bytes)",
                        bytes, offset, file->size())};
    }
    std::vector<std::int64_t> strides(shape.size());
    std::int64_t step = 1;
    for (std::size_t k = shape.size(); k-- > 0;) {
        strides[k] = step;
        step *= static_cast<std::int64_t>(shape[k]);
    }
    Layout layout = layout_of(shape, strides, axes);
    std::vector<ChannelInfo> channels;
    for (std::size_t c = 0; c < layout.channel_count; ++c) {
        channels.push_back({c < channel_names.size() ? channel_names[c] : fmt::format("c{}", c),
                            type->sample_type});
    }
    const bool swap =
        type->item_size > 1 && big_endian != (std::endian::native == std::endian::big);
    return std::shared_ptr<const ImageSource>(
        make_source(std::move(file), offset, *type, swap, std::move(layout), std::move(channels)));
}

}  // namespace tessera::core
