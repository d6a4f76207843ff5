// `tessera derive OP INPUT... (--block WxH | --window WxH | --along AXIS) -o OUT.npy`: a derived
// image (core/derive) computed on every core and written as a .npy file, with a one-line summary
// (or --json: mean, NaN count, extremes, timings). Each input is a file, optionally followed by
// --channel NAME|INDEX, --plane z=3,t=0 and --part NAME|INDEX for that file.
#pragma once

#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli/DisplayOptions.h"
#include "core/derive/BlockStatistics.h"
#include "core/derive/DerivedImage.h"
#include "core/io/ImageLoader.h"

namespace tessera::app {

struct DeriveInputRequest {
    std::string file;
    std::optional<std::string> channel;
    std::optional<std::string> part;
    PlaneRequest plane;
};

struct DeriveRequest {
    std::string op;
    std::vector<DeriveInputRequest> inputs;
    std::optional<core::derive::BlockSpec> block;  // --block or --window
    std::optional<std::string> along;              // --along AXIS: a projection
    std::optional<core::derive::ProjectionOp> projection;
    std::string output;
    bool json = false;
    core::LoadOptions load;
};

std::string derive_usage();
std::string derive_help();

// arguments: everything after "derive".
core::Result<DeriveRequest> parse_derive_arguments(std::span<const std::string_view> arguments);

int run_derive(const DeriveRequest& request, std::FILE* out, std::FILE* err);

}  // namespace tessera::app
