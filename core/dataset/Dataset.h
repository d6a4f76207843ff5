// Dataset: an opened image and what is known about its data, without any GL: its source and
// metadata (core/image/Image) and the statistics of each channel. open_datasets is the one way
// files are opened: the window, `info`, `render` and `bench` all go through it (the window on a
// worker thread), so each file is decoded, checked and summarised the same way everywhere.
#pragma once

#include <string>
#include <vector>

#include "core/image/Image.h"
#include "core/io/ImageLoader.h"
#include "core/stats/ChannelStatistics.h"

namespace tessera::core {

struct Dataset {
    Image image;
    // Per channel; for a stack, pooled over its planes (every plane when exact, 16 spread over
    // it when sampled), so that default limits hold for every slice.
    std::vector<ChannelStatistics> statistics;
};

// Exact statistics read every pixel; sampled ones read every n-th row of images over 64 Mpixel
// (statistics_options_for), which is what a viewer opening a huge file can afford.
enum class StatisticsDetail { Sampled, Exact };

struct OpenOptions {
    LoadOptions load;
    StatisticsDetail statistics = StatisticsDetail::Sampled;
};

// How make_dataset computes a source's statistics at this level of detail.
StatisticsOptions dataset_statistics_options(const ImageSource& source, StatisticsDetail detail);
// An image and its statistics; an error names the image.
Result<Dataset> make_dataset(Image image, StatisticsDetail detail);
// Every image of a file (the parts of a multi-part EXR), each with its statistics.
Result<std::vector<Dataset>> open_datasets(const std::string& path,
                                           const OpenOptions& options = {});

}  // namespace tessera::core
