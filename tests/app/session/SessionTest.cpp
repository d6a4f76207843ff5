// The session's loading, reloading and file watching, in a headless GL context.
#include <chrono>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>
#include <stb_image_write.h>
#include <tinyexr.h>

#include "app/session/Session.h"
#include "core/display/Colormap.h"
#include "core/image/PlanarImage.h"
#include "tests/gl/GlTest.h"
#include "tests/support/Fixtures.h"
#include "tests/support/TestEnvironment.h"

namespace tessera::app {
namespace {

using SessionTest = gl::GlTest;

void write_png(const std::filesystem::path& path, int width, int height, int seed) {
    std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width * height * 3));
    for (std::size_t i = 0; i < pixels.size(); ++i) {
        pixels[i] = static_cast<std::uint8_t>((i * 13 + static_cast<std::size_t>(seed) * 7) % 256);
    }
    ASSERT_TRUE(stbi_write_png(path.c_str(), width, height, 3, pixels.data(), width * 3));
}

// Until every load has finished, however busy the machine; five minutes only guards a hang.
void settle(Session& session) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (session.busy() && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        session.poll();
    }
    ASSERT_FALSE(session.busy()) << "loading did not finish";
}

// Two PNGs, "NAME-a" (300x200) shown and "NAME-b" (width x height) opened behind it, loaded.
void open_pair(Session& session, const std::string& name, int width, int height) {
    const auto a = testing::temp_path(name + "-a.png");
    const auto b = testing::temp_path(name + "-b.png");
    write_png(a, 300, 200, 1);
    write_png(b, width, height, 2);
    session.open(a.string());
    session.open(b.string(), /*show=*/false);
    settle(session);
}

std::uint8_t first_sample(const ImageDocument& document) {
    std::uint8_t value = 0;
    EXPECT_TRUE(
        document.image()
            .source->read_region({0}, {0, 0, 1, 1}, std::as_writable_bytes(std::span(&value, 1)))
            .ok());
    return value;
}

TEST_F(SessionTest, FilesLoadInTheBackgroundAndFailuresStayListedWithTheirError) {
    const auto good = testing::temp_path("session-good.png");
    write_png(good, 40, 30, 1);
    const auto missing = testing::temp_path("session-missing.exr");
    Session session;
    session.open(good.string());
    session.open(missing.string(), /*show=*/false);
    ASSERT_EQ(session.documents().size(), 2u);
    EXPECT_EQ(session.current_index(), 0u) << "opening without showing keeps the current image";
    EXPECT_EQ(session.documents()[0]->state, DocumentState::Loading);
    settle(session);
    EXPECT_EQ(session.documents()[0]->state, DocumentState::Ready);
    EXPECT_EQ(session.documents()[0]->title, "session-good.png");
    EXPECT_TRUE(session.documents()[0]->display().colour);
    EXPECT_EQ(session.documents()[1]->state, DocumentState::Failed);
    EXPECT_NE(session.documents()[1]->error.find(missing.string() + ": cannot open"),
              std::string::npos);
    session.previous();  // wraps around
    EXPECT_EQ(session.current_index(), 1u);
    session.next();
    EXPECT_EQ(session.current_index(), 0u);
    session.close_current();
    ASSERT_EQ(session.documents().size(), 1u);
    EXPECT_EQ(session.current()->state, DocumentState::Failed);
}

TEST_F(SessionTest, DecoderFailuresAmongFilesLoadingAtOnceLeaveTheOthersLoaded) {
    // Every input that once crashed a decoder, loading on the session's workers between and
    // beside good files: each fails alone, with its own error, and the good ones load.
    const auto first = testing::temp_path("session-first.png");
    const auto last = testing::temp_path("session-last.png");
    write_png(first, 20, 10, 3);
    write_png(last, 10, 20, 4);
    const auto inputs = testing::regression_files();
    ASSERT_FALSE(inputs.empty());
    Session session;
    session.open(first.string());
    for (const auto& input : inputs) {
        session.open(input.string(), /*show=*/false);
    }
    session.open(last.string(), /*show=*/false);
    settle(session);
    const auto& documents = session.documents();
    ASSERT_EQ(documents.size(), inputs.size() + 2);
    EXPECT_EQ(documents.front()->state, DocumentState::Ready);
    EXPECT_EQ(documents.back()->state, DocumentState::Ready);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const ImageDocument& document = *documents[i + 1];
        if (inputs[i].filename().string().starts_with("valid-")) {
            EXPECT_EQ(document.state, DocumentState::Ready) << inputs[i];
            continue;
        }
        EXPECT_EQ(document.state, DocumentState::Failed) << inputs[i];
        EXPECT_EQ(document.error.rfind(inputs[i].string() + ": ", 0), 0u) << document.error;
    }
}

TEST_F(SessionTest, ImagesThatAreNotShownGiveTheirTexturesBackWithinTheSessionBudget) {
    Session session;
    gl::StreamingOptions options;
    options.gpu_budget = std::size_t{16} << 20;
    session.set_streaming(options);
    open_pair(session, "session-budget", 300, 200);
    const core::View whole = core::View::fit_rect(0, 0, 300, 200, 300, 200);
    auto& documents = session.documents();
    EXPECT_EQ(documents[0]->tiles->gpu_budget(), options.gpu_budget);
    ASSERT_TRUE(documents[0]->tiles->prepare_final(whole, {0, 1, 2}).ok());
    EXPECT_GT(documents[0]->tiles->texture_bytes(), 0u);
    session.next();  // b is shown, a is hidden
    session.release_hidden();
    ASSERT_TRUE(documents[1]->tiles->prepare_final(whole, {0, 1, 2}).ok());
    EXPECT_EQ(documents[0]->tiles->texture_bytes(), 0u);
    EXPECT_EQ(documents[0]->tiles->cpu_cache_bytes(), 0u);
    EXPECT_GT(documents[1]->tiles->texture_bytes(), 0u);
    session.previous();  // a streams back in when shown again
    session.release_hidden();
    auto shown = documents[0]->tiles->prepare_final(whole, {0, 1, 2});
    ASSERT_TRUE(shown.ok());
    EXPECT_TRUE(shown->final);
    EXPECT_EQ(documents[1]->tiles->texture_bytes(), 0u);
}

TEST_F(SessionTest, ADatasetShownAsALayerOfTheCurrentViewKeepsItsTextures) {
    Session session;
    open_pair(session, "session-layer", 150, 100);
    auto& documents = session.documents();
    ImageDocument& base = *documents[0];
    ImageDocument& mask = *documents[1];
    // b lies over a at twice its size.
    base.layers.push_back({mask.dataset, mask.display(), {0, 0, 2}, true});
    EXPECT_EQ(session.tiles_for(mask.dataset.get()), mask.tiles.get());
    const core::View whole = core::View::fit_rect(0, 0, 300, 200, 300, 200);
    ASSERT_TRUE(
        mask.tiles->prepare_final(base.layers[1].placement.layer_view(whole), {0, 1, 2}).ok());
    session.release_hidden();
    EXPECT_GT(mask.tiles->texture_bytes(), 0u) << "a layer of the shown view is shown";
    base.layers.pop_back();
    session.release_hidden();
    EXPECT_EQ(mask.tiles->texture_bytes(), 0u) << "and given back once it is not";
}

TEST_F(SessionTest, AnAddedLayerIsBlendedOverAndScaledToCoverTheImageBelow) {
    Session session;
    open_pair(session, "session-add-layer", 150, 100);
    auto& documents = session.documents();
    EXPECT_FALSE(session.add_layer(0, 0)) << "an image over itself";
    EXPECT_FALSE(session.add_layer(0, 5));
    ASSERT_TRUE(session.add_layer(0, 1));
    const ImageDocument& base = *documents[0];
    ASSERT_EQ(base.layers.size(), 2u);
    const core::ViewLayer& layer = base.layers[1];
    EXPECT_EQ(layer.dataset, documents[1]->dataset);
    EXPECT_EQ(layer.placement, (core::Placement{0, 0, 2}));  // 150x100 over 300x200
    EXPECT_EQ(layer.display.blend, core::BlendMode::Over);
    for (const core::ChannelDisplay& channel : layer.display.channels) {
        EXPECT_EQ(channel.opacity, 0.5f);
    }
    EXPECT_TRUE(layer.visible);
    // Another aspect: not stretched; placed at scale 1 for the user to move.
    const auto c = testing::temp_path("session-add-layer-c.png");
    write_png(c, 90, 90, 3);
    session.open(c.string(), /*show=*/false);
    settle(session);
    ASSERT_TRUE(session.add_layer(0, 2));
    EXPECT_EQ(documents[0]->layers[2].placement, (core::Placement{0, 0, 1}));
    // The grid shows the ready images that are chosen, in list order.
    EXPECT_EQ(session.grid_documents(), (std::vector<std::size_t>{0, 1, 2}));
    documents[1]->in_grid = false;
    EXPECT_EQ(session.grid_documents(), (std::vector<std::size_t>{0, 2}));
    documents[1]->in_grid = true;
    // Reloading the layer's image keeps it in the layer.
    const auto before = documents[1]->dataset;
    session.set_labels(1, false);  // a no-op for a colour image: nothing rebuilt
    EXPECT_EQ(documents[1]->dataset, before);
}

TEST_F(SessionTest, ASameShapeReloadKeepsSettingsAndUpdatesTexturesInPlace) {
    const auto path = testing::temp_path("session-reload.png");
    write_png(path, 64, 48, 1);
    Session session;
    session.open(path.string());
    settle(session);
    ImageDocument& document = *session.current();
    // Show it, so that textures exist, then change what the user would change.
    const core::View whole = core::View::fit_rect(0, 0, 64, 48, 64, 48);
    ASSERT_TRUE(document.tiles->prepare_final(whole, {0, 1, 2}).ok());
    document.display().colour = false;
    document.display().channels[1].colormap = core::named_colormap("magma");
    document.view.zoom_steps(3, 10, 10);
    const auto textures = document.tiles->stats().textures_created;
    const auto old_value = first_sample(document);

    write_png(path, 64, 48, 2);
    session.reload_current();
    settle(session);
    EXPECT_EQ(document.in_place_reloads, 1u);
    EXPECT_EQ(document.tiles->stats().textures_created, textures)
        << "textures must not be re-created";
    auto shown = document.tiles->prepare_final(whole, {0, 1, 2});
    ASSERT_TRUE(shown.ok());
    EXPECT_TRUE(shown->final);
    EXPECT_EQ(document.tiles->stats().textures_created, textures);
    EXPECT_EQ(core::colormap_name(document.display().channels[1].colormap), "magma");
    EXPECT_FALSE(document.display().colour);
    EXPECT_FALSE(document.view.fitted());
    EXPECT_NE(first_sample(document), old_value);
}

TEST_F(SessionTest, ABrokenReloadKeepsThePreviousImageAndShowsTheError) {
    const auto path = testing::temp_path("session-broken.png");
    write_png(path, 20, 10, 1);
    Session session;
    session.open(path.string());
    settle(session);
    const auto value = first_sample(*session.current());
    testing::write_text(path, "\x89PNG\r\n\x1a\nhalf-written");
    session.reload_current();
    settle(session);
    ImageDocument& document = *session.current();
    EXPECT_EQ(document.state, DocumentState::Ready);
    EXPECT_EQ(first_sample(document), value);
    EXPECT_NE(document.error.find(path.string()), std::string::npos) << document.error;
    write_png(path, 20, 10, 5);  // written completely: the next reload recovers
    session.reload_current();
    settle(session);
    EXPECT_TRUE(document.error.empty());
}

TEST_F(SessionTest, ChannelsFromAnotherAxisReopenTheStackAndBadAxesLeaveItAsItWas) {
    // (8, 3, 16, 24) uint16: Z 8 with 3 channels by the default rule.
    const auto path = testing::temp_path("session-stack.npy");
    testing::write_npy(path, {"<u2", {8, 3, 16, 24}}, std::vector<std::byte>(8 * 3 * 16 * 24 * 2));
    Session session;
    session.open(path.string());
    settle(session);
    ImageDocument& document = *session.current();
    ASSERT_EQ(document.state, DocumentState::Ready) << document.error;
    EXPECT_EQ(document.image().metadata.axes, "ZCYX");
    EXPECT_EQ(document.image().source->channel_count(), 3u);
    session.reinterpret(0, "CZYX");  // the first axis as channels
    settle(session);
    EXPECT_EQ(document.image().source->channel_count(), 8u);
    ASSERT_EQ(document.dims.axes().size(), 1u);
    EXPECT_EQ(document.dims.axes()[0].extent, 3);
    session.reinterpret(0, "ZYX");  // does not fit a 4-D array
    settle(session);
    EXPECT_EQ(document.state, DocumentState::Ready);
    EXPECT_EQ(document.image().source->channel_count(), 8u) << "the image shown stays";
    EXPECT_NE(document.error.find("name 3 axes, the array has 4"), std::string::npos)
        << document.error;
    EXPECT_EQ(document.load.axes, "CZYX") << "later reloads open it as it is shown";
    session.reload_current();
    settle(session);
    EXPECT_TRUE(document.error.empty()) << document.error;
}

TEST_F(SessionTest, AReloadOfAnotherShapeRebuildsAndAChangedFileIsNoticed) {
    const auto path = testing::temp_path("session-shape.png");
    write_png(path, 20, 10, 1);
    Session session;
    session.open(path.string());
    settle(session);
    session.watch_files(std::chrono::milliseconds(0));  // records nothing new: no reload
    EXPECT_FALSE(session.busy());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    write_png(path, 33, 17, 2);
    session.watch_files(std::chrono::milliseconds(0));
    EXPECT_TRUE(session.busy()) << "the changed file was not noticed";
    settle(session);
    EXPECT_EQ(session.current()->image().source->width(), 33);
    EXPECT_EQ(session.current()->in_place_reloads, 0u);
}

TEST_F(SessionTest, EveryPartOfAMultiPartFileBecomesADocument) {
    const auto path = testing::temp_path("session-parts.exr");
    ASSERT_EQ(testing::write_exr(path, {{"left", 4, 4, TINYEXR_PIXELTYPE_FLOAT, 0,
                                         testing::bytes_of(std::vector<float>(16, 0.25f))},
                                        {"right", 4, 4, TINYEXR_PIXELTYPE_FLOAT, 0,
                                         testing::bytes_of(std::vector<float>(16, 0.75f))}}),
              "");
    Session session;
    session.open(path.string());
    settle(session);
    ASSERT_EQ(session.documents().size(), 2u);
    EXPECT_EQ(session.documents()[0]->title, "session-parts.exr [left]");
    EXPECT_EQ(session.documents()[1]->title, "session-parts.exr [right]");
}

TEST_F(SessionTest, ADerivedImageJoinsTheListAndIsComputedAgainWhereALiveInputChanges) {
    Session session;
    const auto plane = [](float (*value)(std::int64_t, std::int64_t)) {
        auto image = std::make_shared<core::PlanarImage>(40, 30);
        image->add_channel("v", core::SampleType::F32);
        auto samples = image->samples<float>(0);
        for (std::int64_t i = 0; i < 40 * 30; ++i) {
            samples[static_cast<std::size_t>(i)] = value(i % 40, i / 40);
        }
        return image;
    };
    auto a = plane([](std::int64_t x, std::int64_t y) { return static_cast<float>(x * y % 7); });
    auto b = plane([](std::int64_t x, std::int64_t y) { return static_cast<float>((x + y) % 5); });
    core::Image input{a, {}};
    input.metadata.path = "a";
    auto dataset = core::make_dataset(std::move(input), core::StatisticsDetail::Exact);
    ASSERT_TRUE(dataset.ok());
    session.add(std::move(dataset).value());
    auto derived = core::derive::BlockImage::create(
        {core::derive::BlockOp::Pearson, core::derive::Footprint::Blocks, 10, 10},
        {{a, {0}}, {b, {0}}});
    ASSERT_TRUE(derived.ok());
    session.derive(*derived, "r of a and b", true);
    EXPECT_TRUE(session.busy());
    settle(session);
    ASSERT_EQ(session.documents().size(), 2u);
    const ImageDocument& document = *session.documents().back();
    EXPECT_EQ(document.title, "r of a and b");
    EXPECT_EQ(document.derived, *derived);
    EXPECT_EQ(document.image().source->width(), 4);
    EXPECT_EQ(core::colormap_name(document.display().channels[0].colormap), "coolwarm");
    EXPECT_EQ(document.display().channels[0].lo, -1);
    EXPECT_EQ(document.display().channels[0].hi, 1);
    // Its 10 x 10 blocks lie over the inputs: block (2, 1) covers input pixels 20..29, 10..19,
    // and the view's space is the inputs' (a linked grid shows the same place in both).
    EXPECT_EQ(document.placement(), (core::Placement{0, 0, 10}));
    EXPECT_EQ(document.pixel_from_view(25.5, 14.0), (std::array<double, 2>{2.55, 1.4}));
    EXPECT_EQ((*derived)->footprint(2, 1), (core::Rect{20, 10, 10, 10}));
    EXPECT_EQ(document.view.fit_zoom(), session.documents().front()->view.fit_zoom());
    const auto r00 = [&] {
        float value = 0;
        EXPECT_TRUE(
            document.image()
                .source
                ->read_region({0}, {0, 0, 1, 1}, std::as_writable_bytes(std::span(&value, 1)))
                .ok());
        return value;
    };
    EXPECT_LT(r00(), 0.9f);
    // b becomes 2a + 1 over the first block: its r becomes 1 once the session has noticed.
    std::vector<float> patch(100);
    for (std::int64_t i = 0; i < 100; ++i) {
        patch[static_cast<std::size_t>(i)] = 2.0f * static_cast<float>((i % 10) * (i / 10) % 7) + 1;
    }
    const std::uint64_t before = (*derived)->computed_pixels();
    ASSERT_TRUE(b->write_region({0}, {0, 0, 10, 10}, std::as_bytes(std::span(patch))).ok());
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (std::abs(r00() - 1.0f) > 1e-6f && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        session.poll();
    }
    EXPECT_NEAR(r00(), 1.0f, 1e-6f);
    EXPECT_EQ((*derived)->computed_pixels() - before, 1u) << "only the block that changed";
}

TEST_F(SessionTest, TheWindowTitleNamesTheImageShown) {
    Session session;
    EXPECT_EQ(session.window_title(), "Tessera");
    open_pair(session, "title", 30, 20);
    EXPECT_EQ(session.window_title(), "title-a.png (1/2) - Tessera");
    session.next();
    EXPECT_EQ(session.window_title(), "title-b.png (2/2) - Tessera");
    session.close_current();
    EXPECT_EQ(session.window_title(), "title-a.png - Tessera");
}

TEST_F(SessionTest, ADerivedImageFollowsAFileInputReloadedWithTheSameShape) {
    Session session;
    const auto path = testing::temp_path("session-derive-input.png");
    write_png(path, 40, 30, 1);
    session.open(path.string());
    settle(session);
    ASSERT_EQ(session.documents().size(), 1u);
    auto derived = core::derive::BlockImage::create(
        {core::derive::BlockOp::Mean, core::derive::Footprint::Blocks, 10, 10},
        {{session.documents()[0]->image().source, {0}}});
    ASSERT_TRUE(derived.ok());
    session.derive(*derived, "mean", false);
    settle(session);
    ASSERT_EQ(session.documents().size(), 2u);
    // The mean of the first block of channel 0 of the file as it is now open.
    const auto block_mean = [&] {
        std::vector<std::uint8_t> block(100);
        EXPECT_TRUE(
            session.documents()[0]
                ->image()
                .source->read_region({0}, {0, 0, 10, 10}, std::as_writable_bytes(std::span(block)))
                .ok());
        double sum = 0;
        for (const std::uint8_t v : block) {
            sum += v;
        }
        return static_cast<float>(sum / 100);
    };
    const auto derived_mean = [&] {
        float value = 0;
        EXPECT_TRUE(
            session.documents()[1]
                ->image()
                .source
                ->read_region({0}, {0, 0, 1, 1}, std::as_writable_bytes(std::span(&value, 1)))
                .ok());
        return value;
    };
    const float before = block_mean();
    EXPECT_FLOAT_EQ(derived_mean(), before);
    write_png(path, 40, 30, 9);
    session.reload(0);
    settle(session);
    const float after = block_mean();
    ASSERT_NE(after, before);
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    while (derived_mean() != after && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        session.poll();
    }
    EXPECT_FLOAT_EQ(derived_mean(), after);
}

TEST_F(SessionTest, ADerivedImageIsMadeAgainWhenAnInputIsReloadedWithAnotherShape) {
    Session session;
    std::vector<std::string> errors;
    session.set_error_handler([&](const std::string& message) { errors.push_back(message); });
    const auto a = testing::temp_path("session-reshape-a.png");
    const auto b = testing::temp_path("session-reshape-b.png");
    write_png(a, 40, 30, 1);
    write_png(b, 40, 30, 2);
    session.open(a.string());
    session.open(b.string());
    settle(session);
    ASSERT_EQ(session.documents().size(), 2u);
    auto mean = core::derive::BlockImage::create(
        {core::derive::BlockOp::Mean, core::derive::Footprint::Blocks, 10, 10},
        {{session.documents()[0]->image().source, {1}}});  // channel G
    ASSERT_TRUE(mean.ok());
    session.derive(*mean, "mean", false);
    auto r = core::derive::BlockImage::create(
        {core::derive::BlockOp::Pearson, core::derive::Footprint::Blocks, 10, 10},
        {{session.documents()[0]->image().source, {0}},
         {session.documents()[1]->image().source, {0}}});
    ASSERT_TRUE(r.ok());
    session.derive(*r, "r", true);
    settle(session);
    ASSERT_EQ(session.documents().size(), 4u);
    const ImageDocument& mean_document = *session.documents()[2];
    const ImageDocument& r_document = *session.documents()[3];
    const core::derive::DerivedImage* old_r = r_document.derived.get();
    EXPECT_EQ(mean_document.image().source->width(), 4);

    // The file grows: the mean is made again over the new size, of the same channel, in place
    // in its document and still laid over its input; r's inputs now differ in size, so it stays
    // as it was and says why.
    write_png(a, 60, 50, 9);
    session.reload(0);
    settle(session);
    ASSERT_EQ(session.documents().size(), 4u);
    const core::ImageSource& grown = *mean_document.image().source;
    ASSERT_EQ(grown.width(), 6);
    ASSERT_EQ(grown.height(), 5);
    EXPECT_EQ(mean_document.derived.get(), &grown);
    EXPECT_EQ(mean_document.title, "mean");
    EXPECT_EQ(mean_document.layers.front().placement.scale, 10.0);
    std::vector<std::uint8_t> block(100);
    ASSERT_TRUE(
        session.documents()[0]
            ->image()
            .source->read_region({1}, {50, 40, 10, 10}, std::as_writable_bytes(std::span(block)))
            .ok());
    double sum = 0;
    for (const std::uint8_t v : block) {
        sum += v;
    }
    float value = 0;
    ASSERT_TRUE(
        grown.read_region({0}, {5, 4, 1, 1}, std::as_writable_bytes(std::span(&value, 1))).ok());
    EXPECT_FLOAT_EQ(value, static_cast<float>(sum / 100));

    EXPECT_EQ(r_document.derived.get(), old_r);
    EXPECT_EQ(r_document.image().source->width(), 4);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find("r: an input was reloaded with another shape: the inputs differ in "
                             "size: 60x50 and 40x30"),
              std::string::npos)
        << errors[0];
}

}  // namespace
}  // namespace tessera::app
