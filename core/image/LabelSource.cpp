#include "core/image/LabelSource.h"

namespace tessera::core {
namespace {

bool integer(SampleType type) {
    return !is_float(type);
}

class LabelSource final : public ImageSource {
  public:
    explicit LabelSource(std::shared_ptr<const ImageSource> source)
        : m_source(std::move(source)), m_channels(m_source->channels()) {
        for (ChannelInfo& channel : m_channels) {
            channel.labels = integer(channel.type);
        }
    }

    std::int64_t width() const override { return m_source->width(); }
    std::int64_t height() const override { return m_source->height(); }
    const std::vector<ChannelInfo>& channels() const override { return m_channels; }
    const std::vector<Axis>& axes() const override { return m_source->axes(); }
    Result<void> read_region(const Plane& plane, Rect rect,
                             std::span<std::byte> dst) const override {
        return m_source->read_region(plane, rect, dst);
    }
    void release_region(const Plane& plane, Rect rect) const override {
        m_source->release_region(plane, rect);
    }
    void prefetch_region(const Plane& plane, Rect rect) const override {
        m_source->prefetch_region(plane, rect);
    }
    Rect read_unit() const override { return m_source->read_unit(); }
    std::uint64_t revision() const override { return m_source->revision(); }
    std::vector<Damage> damage_since(std::uint64_t since) const override {
        return m_source->damage_since(since);
    }

    const std::shared_ptr<const ImageSource>& wrapped() const { return m_source; }

  private:
    std::shared_ptr<const ImageSource> m_source;
    std::vector<ChannelInfo> m_channels;
};

}  // namespace

bool can_show_labels(const ImageSource& source) {
    for (const ChannelInfo& channel : source.channels()) {
        if (integer(channel.type)) {
            return true;
        }
    }
    return false;
}

std::shared_ptr<const ImageSource> as_labels(std::shared_ptr<const ImageSource> source) {
    if (!source || !can_show_labels(*source) ||
        dynamic_cast<const LabelSource*>(source.get()) != nullptr) {
        return source;
    }
    return std::make_shared<LabelSource>(std::move(source));
}

std::shared_ptr<const ImageSource> without_labels(std::shared_ptr<const ImageSource> source) {
    if (const auto* labels = dynamic_cast<const LabelSource*>(source.get())) {
        return labels->wrapped();
    }
    return source;
}

}  // namespace tessera::core
