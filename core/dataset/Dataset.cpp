#include "core/dataset/Dataset.h"

#include <fmt/format.h>

namespace tessera::core {

StatisticsOptions dataset_statistics_options(const ImageSource& source, StatisticsDetail detail) {
    const bool stack = source.planes_per_channel() > 1;
    const auto positions = spread_positions(source, detail == StatisticsDetail::Exact ? 0 : 16);
    StatisticsOptions options;
    if (detail == StatisticsDetail::Sampled) {
        options = statistics_options_for(
            source.width(), source.height() * static_cast<std::int64_t>(positions.size()));
    }
    if (stack) {
        options.positions = positions;
    }
    return options;
}

Result<Dataset> make_dataset(Image image, StatisticsDetail detail) {
    const ImageSource& source = *image.source;
    auto statistics = compute_statistics(source, dataset_statistics_options(source, detail));
    if (!statistics) {
        const std::string& name =
            image.metadata.path.empty() ? image.display_name() : image.metadata.path;
        return Error{fmt::format("{}: {}", name, statistics.error().message)};
    }
    return Dataset{std::move(image), std::move(statistics).value()};
}

Result<std::vector<Dataset>> open_datasets(const std::string& path, const OpenOptions& options) {
    auto images = load_images(path, options.load);
    if (!images) {
        return images.error();
    }
    std::vector<Dataset> datasets;
    for (Image& image : *images) {
        auto dataset = make_dataset(std::move(image), options.statistics);
        if (!dataset) {
            return dataset.error();
        }
        datasets.push_back(std::move(dataset).value());
    }
    return datasets;
}

}  // namespace tessera::core
