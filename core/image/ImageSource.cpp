#include "core/image/ImageSource.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace tessera::core {

Rect intersection(const Rect& a, const Rect& b) {
    const std::int64_t x0 = std::max(a.x, b.x);
    const std::int64_t y0 = std::max(a.y, b.y);
    const std::int64_t x1 = std::min(a.x + a.width, b.x + b.width);
    const std::int64_t y1 = std::min(a.y + a.height, b.y + b.height);
    if (x1 <= x0 || y1 <= y0) {
        return {x0, y0, 0, 0};
    }
    return {x0, y0, x1 - x0, y1 - y0};
}

bool Damage::touches(const Plane& plane) const {
    if (planes.empty()) {
        return true;
    }
    return std::any_of(planes.begin(), planes.end(), [&](const Plane& damaged) {
        if (damaged.channel != plane.channel) {
            return false;
        }
        // Missing trailing indices are 0 on both sides.
        const std::size_t n = std::max(damaged.position.size(), plane.position.size());
        for (std::size_t i = 0; i < n; ++i) {
            const std::int64_t a = i < damaged.position.size() ? damaged.position[i] : 0;
            const std::int64_t b = i < plane.position.size() ? plane.position[i] : 0;
            if (a != b) {
                return false;
            }
        }
        return true;
    });
}

bool same_shape(const ImageSource& a, const ImageSource& b) {
    return a.width() == b.width() && a.height() == b.height() && same_planes(a, b);
}

bool same_planes(const ImageSource& a, const ImageSource& b) {
    if (a.channels().size() != b.channels().size() || a.axes().size() != b.axes().size()) {
        return false;
    }
    for (std::size_t c = 0; c < a.channels().size(); ++c) {
        if (a.channels()[c].name != b.channels()[c].name ||
            a.channels()[c].type != b.channels()[c].type) {
            return false;
        }
    }
    for (std::size_t i = 0; i < a.axes().size(); ++i) {
        if (a.axes()[i].name != b.axes()[i].name || a.axes()[i].extent != b.axes()[i].extent) {
            return false;
        }
    }
    return true;
}

const std::vector<Axis>& ImageSource::axes() const {
    static const std::vector<Axis> none;
    return none;
}

std::vector<std::int64_t> position_of(const std::vector<Axis>& axes, std::int64_t flat) {
    std::vector<std::int64_t> position(axes.size());
    for (std::size_t i = axes.size(); i-- > 0;) {
        const std::int64_t extent = std::max<std::int64_t>(1, axes[i].extent);
        position[i] = flat % extent;
        flat /= extent;
    }
    return position;
}

std::int64_t ImageSource::planes_per_channel() const {
    std::int64_t count = 1;
    for (const Axis& axis : axes()) {
        count *= std::max<std::int64_t>(1, axis.extent);
    }
    return count;
}

Result<Plane> ImageSource::complete(const Plane& plane) const {
    if (plane.channel >= channels().size()) {
        return Error{
            fmt::format("no channel {} (the image has {})", plane.channel, channels().size())};
    }
    const std::vector<Axis>& list = axes();
    if (plane.position.size() > list.size()) {
        return Error{fmt::format("a position on {} axes, but the image has {}",
                                 plane.position.size(), list.size())};
    }
    Plane full = plane;
    full.position.resize(list.size(), 0);
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (full.position[i] < 0 || full.position[i] >= list[i].extent) {
            return Error{fmt::format("index {} lies outside axis {} (extent {})", full.position[i],
                                     list[i].name, list[i].extent)};
        }
    }
    return full;
}

Result<void> ImageSource::check_strided(const Plane& plane, std::int64_t x0, std::int64_t y0,
                                        std::int64_t step, std::int64_t columns, std::int64_t rows,
                                        std::size_t dst_bytes) const {
    if (auto full = complete(plane); !full) {
        return full.error();
    }
    if (x0 < 0 || y0 < 0 || x0 >= width() || y0 >= height() || step < 1 || columns < 0 ||
        rows < 0) {
        return Error{
            fmt::format("{}x{} samples every {} from ({}, {}) do not start inside the "
                        "{}x{} image",
                        columns, rows, step, x0, y0, width(), height())};
    }
    if (dst_bytes < region_bytes(plane.channel, {0, 0, columns, rows})) {
        return Error{fmt::format("destination holds {} bytes, {}x{} samples need {}", dst_bytes,
                                 columns, rows,
                                 region_bytes(plane.channel, {0, 0, columns, rows}))};
    }
    return {};
}

Result<void> ImageSource::read_strided(const Plane& plane, std::int64_t x0, std::int64_t y0,
                                       std::int64_t step, std::int64_t columns, std::int64_t rows,
                                       std::span<std::byte> dst) const {
    if (auto ok = check_strided(plane, x0, y0, step, columns, rows, dst.size()); !ok) {
        return ok;
    }
    if (columns == 0 || rows == 0) {
        return {};
    }
    const std::size_t size = sample_size(channels()[plane.channel].type);
    const std::int64_t x_end = std::min(width(), x0 + (columns - 1) * step + 1);
    const auto source_row_of = [&](std::int64_t y) {
        return Rect{x0, std::min(y0 + y * step, height() - 1), x_end - x0, 1};
    };
    for (std::int64_t y = 0; y < rows; ++y) {
        prefetch_region(plane, source_row_of(y));  // scattered rows read together
    }
    // Rows far apart each map a page-cache folio around them (up to 2 MiB): they are handed
    // back in groups, one hint for a group and the rows between (never mapped), not per row.
    constexpr std::int64_t kRowsPerRelease = 32;
    std::vector<std::byte> line(static_cast<std::size_t>(x_end - x0) * size);
    for (std::int64_t y = 0; y < rows; ++y) {
        const Rect source_row = source_row_of(y);
        if (auto ok = read_region(plane, source_row, line); !ok) {
            return ok.error();
        }
        for (std::int64_t x = 0; x < columns; ++x) {
            const std::int64_t sx = std::min(x * step, source_row.width - 1);
            std::memcpy(dst.data() + static_cast<std::size_t>(y * columns + x) * size,
                        line.data() + static_cast<std::size_t>(sx) * size, size);
        }
        if ((y + 1) % kRowsPerRelease == 0 || y + 1 == rows) {
            const Rect first = source_row_of(y - y % kRowsPerRelease);
            release_region(plane, {first.x, first.y, first.width, source_row.y - first.y + 1});
        }
    }
    return {};
}

Result<void> ImageSource::check_read(const Plane& plane, Rect rect, std::size_t dst_bytes) const {
    if (auto full = complete(plane); !full) {
        return full.error();
    }
    if (rect.x < 0 || rect.y < 0 || rect.width < 0 || rect.height < 0 ||
        rect.x + rect.width > width() || rect.y + rect.height > height()) {
        return Error{fmt::format("region {}x{}+{}+{} lies outside the {}x{} image", rect.width,
                                 rect.height, rect.x, rect.y, width(), height())};
    }
    if (dst_bytes < region_bytes(plane.channel, rect)) {
        return Error{fmt::format("destination holds {} bytes, region needs {}", dst_bytes,
                                 region_bytes(plane.channel, rect))};
    }
    return {};
}

}  // namespace tessera::core
