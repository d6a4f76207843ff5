// `tessera compare A B`: how far image A is from reference B, per channel (mean error, MAE,
// RMSE, PSNR, largest absolute error and where), as text or --json, for renderer CI:
// --fail-above METRIC=VALUE sets the exit code, -o diff.png writes the difference as an image.
// Each input is a file optionally followed by --part NAME|INDEX and --plane AXIS=I,...
//
// Exit codes: 0 compared and within every threshold; 1 a threshold exceeded; 2 a bad request;
// 3 the images could not be compared (unreadable, different sizes, no channel in common).
#pragma once

#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli/DisplayOptions.h"
#include "core/compare/Difference.h"
#include "core/io/ImageLoader.h"

namespace tessera::app {

inline constexpr int kCompareExceeded = 1;
inline constexpr int kCompareBadRequest = 2;
inline constexpr int kCompareFailed = 3;

// What --fail-above can test: a statistic of DifferenceStatistics, by name.
enum class CompareStatistic { MeanError, Mae, Mse, Rmse, Max, Rae, Rse };

struct CompareThreshold {
    CompareStatistic statistic = CompareStatistic::Rmse;
    std::string name;
    double limit = 0;
};

struct CompareInputRequest {
    std::string file;
    std::optional<std::string> part;
    PlaneRequest plane;
};

struct CompareRequest {
    std::vector<CompareInputRequest> inputs;           // A, then the reference B
    std::optional<std::vector<std::string>> channels;  // --channels: compare only these
    std::vector<CompareThreshold> thresholds;
    std::optional<std::string> output;                            // -o diff.png
    core::ErrorMetric metric = core::ErrorMetric::AbsoluteError;  // of -o
    bool json = false;
    core::LoadOptions load;
};

std::string compare_usage();
std::string compare_help();

// arguments: everything after "compare".
core::Result<CompareRequest> parse_compare_arguments(std::span<const std::string_view> arguments);

int run_compare(const CompareRequest& request, std::FILE* out, std::FILE* err);

}  // namespace tessera::app
