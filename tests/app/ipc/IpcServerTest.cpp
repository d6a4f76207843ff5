// The IPC server end to end: real sockets, a session without a window (headless GL), tev's
// packets as its clients send them. Waits are on packet counts the server reports, never on time.
#include <chrono>
#include <thread>

#include <sys/socket.h>

#include <gtest/gtest.h>

#include "app/ipc/IpcServer.h"
#include "app/ipc/Socket.h"
#include "app/session/Session.h"
#include "tests/gl/GlTest.h"
#include "tests/support/Fixtures.h"
#include "tests/support/Process.h"

namespace tessera::app {
namespace {

namespace ipc = core::ipc;
using IpcServerTest = gl::GlTest;
constexpr auto kPatience = std::chrono::minutes(2);  // only guards a hang

// A server on a free loopback port with its live images.
struct Served {
    std::shared_ptr<ipc::LiveImages> live = std::make_shared<ipc::LiveImages>();
    std::unique_ptr<IpcServer> server;
    std::vector<std::string> logged;
    std::mutex log_mutex;

    Served() {
        auto started = IpcServer::start(*parse_endpoint("127.0.0.1:0"), live);
        EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().message);
        server = std::move(started).value();
        server->set_log([this](const std::string& message) {
            std::lock_guard lock(log_mutex);
            logged.push_back(message);
        });
    }
    Socket connect() const {
        auto socket = connect_to(server->endpoint(), std::chrono::seconds(10));
        EXPECT_TRUE(socket.ok());
        return std::move(socket).value();
    }
    std::string log() {
        std::lock_guard lock(log_mutex);
        std::string all;
        for (const std::string& line : logged) {
            all += line + "\n";
        }
        return all;
    }
};

void send(const Socket& socket, const std::vector<std::byte>& packet) {
    ASSERT_TRUE(send_all(socket, packet).ok());
}

// Applies the server's events and waits for the session's loads.
void apply_events(IpcServer& server, Session& session) {
    for (IpcEvent& event : server.take_events()) {
        session.apply(std::move(event));
    }
    const auto give_up = std::chrono::steady_clock::now() + kPatience;
    while (session.busy() && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        session.poll();
    }
    ASSERT_FALSE(session.busy());
}

// Value of pixel (x, y) of channel c in frame f: exact in float32.
float value_at(int f, std::size_t c, std::int64_t x, std::int64_t y) {
    return static_cast<float>(f * 1000000 + static_cast<int>(c) * 100000) +
           static_cast<float>(y * 300 + x) * 0.25f;
}

// One frame of a W x H RGB image in tiles (128^2 as tev's Python client sends them), interleaved.
void send_frame_in_tiles(const Socket& socket, const std::string& name, int frame, int width,
                         int height, int tile = 128) {
    const std::vector<std::string> rgb{"R", "G", "B"};
    for (int ty = 0; ty < height; ty += tile) {
        for (int tx = 0; tx < width; tx += tile) {
            const core::Rect rect{tx, ty, std::min(tile, width - tx), std::min(tile, height - ty)};
            std::vector<float> values;
            for (std::int64_t y = rect.y; y < rect.y + rect.height; ++y) {
                for (std::int64_t x = rect.x; x < rect.x + rect.width; ++x) {
                    for (std::size_t c = 0; c < 3; ++c) {
                        values.push_back(value_at(frame, c, x, y));
                    }
                }
            }
            send(socket, ipc::encode_update_interleaved(false, name, rgb, rect, values));
        }
    }
}

void expect_frame(const core::ImageSource& source, int frame, core::Rect rect) {
    for (std::size_t c = 0; c < 3; ++c) {
        std::vector<float> got(static_cast<std::size_t>(rect.area()));
        ASSERT_TRUE(source.read_region({c}, rect, std::as_writable_bytes(std::span(got))).ok());
        std::size_t wrong = 0;
        for (std::int64_t y = 0; y < rect.height; ++y) {
            for (std::int64_t x = 0; x < rect.width; ++x) {
                wrong += got[static_cast<std::size_t>(y * rect.width + x)] !=
                         value_at(frame, c, rect.x + x, rect.y + y);
            }
        }
        EXPECT_EQ(wrong, 0u) << "channel " << c << " of frame " << frame;
    }
}

TEST(Endpoint, HostnamesAreTcpOrUnixSocketsAsTevTakesThem) {
    auto tcp = parse_endpoint("127.0.0.1:14158", "/run/user/1");
    ASSERT_TRUE(tcp.ok());
    EXPECT_EQ(tcp->kind, Endpoint::Kind::Tcp);
    EXPECT_EQ(tcp->port, 14158);
    EXPECT_TRUE(tcp->loopback());
    EXPECT_FALSE(parse_endpoint("0.0.0.0:14158")->loopback());
    EXPECT_FALSE(parse_endpoint("192.168.1.4:1")->loopback());
    auto named = parse_endpoint("render", "/run/user/1");
    ASSERT_TRUE(named.ok());
    EXPECT_EQ(named->kind, Endpoint::Kind::Unix);
    EXPECT_EQ(named->socket_path, "/run/user/1/.tev.render.sock");
    EXPECT_EQ(parse_endpoint("render:unix", "/r")->socket_path, "/r/.tev.render.sock");
    for (const char* bad : {"", "a:b:c", "host:port", "host:70000", ":14158", "a/b"}) {
        EXPECT_FALSE(parse_endpoint(bad).ok()) << bad;
    }
}

TEST_F(IpcServerTest, CreateUpdateByTilesAndByRectangleThenCloseReadBackExactly) {
    Served served;
    Session session;
    session.set_live_images(served.live);
    Socket client = served.connect();
    const std::vector<std::string> rgb{"R", "G", "B"};
    send(client, ipc::encode(ipc::CreateImage{true, "render (42)", 300, 200, rgb}));
    send_frame_in_tiles(client, "render (42)", 1, 300, 200);  // 3 x 2 tiles
    ASSERT_TRUE(served.server->wait_for_packets(1 + 6, kPatience));
    apply_events(*served.server, session);
    ImageDocument* document = session.current();
    ASSERT_NE(document, nullptr);
    EXPECT_EQ(document->title, "render (42)");
    EXPECT_TRUE(document->live);
    ASSERT_EQ(document->state, DocumentState::Ready);
    expect_frame(*document->image().source, 1, {0, 0, 300, 200});

    // A rectangle of frame 2 over frame 1, planar (V2): only it changes.
    const core::Rect rect{37, 51, 70, 33};
    ipc::PacketWriter v2(ipc::PacketType::UpdateImageV2);
    v2.boolean(false).string("render (42)").i32(3).string("R").string("G").string("B");
    v2.i32(37).i32(51).i32(70).i32(33);
    for (std::size_t c = 0; c < 3; ++c) {
        for (std::int64_t y = rect.y; y < rect.y + rect.height; ++y) {
            for (std::int64_t x = rect.x; x < rect.x + rect.width; ++x) {
                v2.f32(value_at(2, c, x, y));
            }
        }
    }
    send(client, v2.finish());
    ASSERT_TRUE(served.server->wait_for_packets(8, kPatience));
    expect_frame(*document->image().source, 2, rect);
    expect_frame(*document->image().source, 1, {0, 0, 300, 51});
    expect_frame(*document->image().source, 1, {0, 84, 300, 116});

    send(client, ipc::encode(ipc::CloseImage{"render (42)"}));
    ASSERT_TRUE(served.server->wait_for_packets(9, kPatience));
    apply_events(*served.server, session);
    EXPECT_TRUE(session.documents().empty());
    EXPECT_EQ(served.live->find("render (42)"), nullptr) << "updates to it are refused now";
    EXPECT_EQ(served.server->stats().malformed, 0u) << served.log();
}

// Until the server has received `bytes` in all (so that what is sent next arrives apart).
void wait_for_bytes(const IpcServer& server, std::uint64_t bytes) {
    const auto give_up = std::chrono::steady_clock::now() + kPatience;
    while (server.stats().bytes < bytes && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_GE(server.stats().bytes, bytes);
}

// A whole-image update of channels G and R (planar, V2) of frame f, with 12 bytes after the data.
std::vector<std::byte> whole_frame(const std::string& name, int frame, int width, int height) {
    ipc::PacketWriter out(ipc::PacketType::UpdateImageV2);
    out.boolean(false).string(name).i32(2).string("G").string("R");
    out.i32(0).i32(0).i32(width).i32(height);
    for (const std::size_t c : {std::size_t{1}, std::size_t{0}}) {
        for (std::int64_t y = 0; y < height; ++y) {
            for (std::int64_t x = 0; x < width; ++x) {
                out.f32(value_at(frame, c, x, y));
            }
        }
    }
    out.i32(1).i32(2).i32(3);
    return out.finish();
}

void expect_channel(const core::ImageSource& source, std::size_t c, int frame) {
    std::vector<float> got(static_cast<std::size_t>(source.width() * source.height()));
    ASSERT_TRUE(
        source.read_region({c}, source.bounds(), std::as_writable_bytes(std::span(got))).ok());
    std::size_t wrong = 0;
    for (std::int64_t y = 0; y < source.height(); ++y) {
        for (std::int64_t x = 0; x < source.width(); ++x) {
            wrong +=
                got[static_cast<std::size_t>(y * source.width() + x)] != value_at(frame, c, x, y);
        }
    }
    EXPECT_EQ(wrong, 0u) << "channel " << c << " of frame " << frame;
}

TEST_F(IpcServerTest, ALargeWholeImageUpdateIsReceivedIntoTheImageHoweverItsBytesArrive) {
    Served served;
    Socket client = served.connect();
    const std::vector<std::string> rgb{"R", "G", "B"};
    send(client, ipc::encode(ipc::CreateImage{false, "big", 640, 480, rgb}));
    ASSERT_TRUE(served.server->wait_for_packets(1, kPatience));
    const std::shared_ptr<core::PlanarImage> image = served.live->find("big");
    ASSERT_NE(image, nullptr);
    std::uint64_t sent = served.server->stats().bytes;
    // Frame 1 (2.4 MB) in pieces that split its fields, its data and the bytes after it; each
    // piece has arrived before the next is sent.
    const std::vector<std::byte> first = whole_frame("big", 1, 640, 480);
    const std::size_t cuts[] = {3, 9, 24, 1000, 700001, first.size() - 5, first.size()};
    std::size_t from = 0;
    for (const std::size_t to : cuts) {
        send(client, std::vector<std::byte>(first.begin() + static_cast<long>(from),
                                            first.begin() + static_cast<long>(to)));
        sent += to - from;
        wait_for_bytes(*served.server, sent);
        from = to;
    }
    ASSERT_TRUE(served.server->wait_for_packets(2, kPatience));
    EXPECT_EQ(served.server->stats().received_in_place, 1u);
    expect_channel(*image, 0, 1);
    expect_channel(*image, 1, 1);
    EXPECT_EQ(image->revision(), 1u) << "one change";
    // Frame 2, its fields first and then the rest at once, then a small update after it in the
    // same stream: the stream goes on after the bytes that followed the data. (Had all of it
    // arrived before the server looked, it would be buffered whole, as a small one is.)
    const std::vector<std::byte> second = whole_frame("big", 2, 640, 480);
    send(client, std::vector<std::byte>(second.begin(), second.begin() + 1000));
    sent += 1000;
    wait_for_bytes(*served.server, sent);
    send(client, std::vector<std::byte>(second.begin() + 1000, second.end()));
    const std::vector<std::string> blue{"B"};
    send(client, ipc::encode_update_interleaved(false, "big", blue, {5, 6, 2, 1},
                                                std::vector<float>{8.0f, 9.0f}));
    ASSERT_TRUE(served.server->wait_for_packets(4, kPatience));
    EXPECT_EQ(served.server->stats().received_in_place, 2u);
    expect_channel(*image, 0, 2);
    expect_channel(*image, 1, 2);
    std::vector<float> b(2);
    ASSERT_TRUE(image->read_region({2}, {5, 6, 2, 1}, std::as_writable_bytes(std::span(b))).ok());
    EXPECT_EQ(b, (std::vector<float>{8.0f, 9.0f}));

    // A client gone halfway through an update: nothing changes, and the server goes on.
    {
        Socket quitter = served.connect();
        const std::vector<std::byte> third = whole_frame("big", 3, 640, 480);
        const std::uint64_t before = served.server->stats().bytes;
        send(quitter, std::vector<std::byte>(third.begin(), third.begin() + 1000000));
        wait_for_bytes(*served.server, before + 1000000);
    }
    send(client, ipc::encode(ipc::CloseImage{"nothing"}));
    ASSERT_TRUE(served.server->wait_for_packets(5, kPatience));
    EXPECT_EQ(image->revision(), 3u) << "frame 2 and the small update";
    expect_channel(*image, 0, 2);
    EXPECT_EQ(served.server->stats().malformed, 0u) << served.log();
}

TEST_F(IpcServerTest, AnUpdateInsideOneTileReuploadsOnlyThatTileInPlace) {
    Served served;
    Session session;
    session.set_live_images(served.live);
    Socket client = served.connect();
    send(client, ipc::encode(ipc::CreateImage{false, "big", 1020, 1020, {"Y"}}));
    ASSERT_TRUE(served.server->wait_for_packets(1, kPatience));
    apply_events(*served.server, session);
    ImageDocument& document = *session.current();
    gl::StreamingImage& tiles = *document.tiles;
    // The whole image at half size (level 1, one tile), then at 1:1 (2 x 2 level-0 tiles of 510).
    // Both are shown, so both are resident however fast the tiles came back.
    ASSERT_TRUE(tiles.prepare_final(core::View::of_rect(0, 0, 1020, 1020, 510, 510), {0}).ok());
    ASSERT_EQ(tiles.resident_tiles(), 1u);
    const core::View view = core::View::of_rect(0, 0, 1020, 1020, 1020, 1020);
    ASSERT_TRUE(tiles.prepare_final(view, {0}).ok());
    const gl::StreamingStats before = tiles.stats();
    ASSERT_EQ(tiles.resident_tiles(), 5u);

    const std::vector<std::string> y{"Y"};
    send(client, ipc::encode_update_interleaved(false, "big", y, {600, 40, 128, 128},
                                                std::vector<float>(128 * 128, 7.0f)));
    ASSERT_TRUE(served.server->wait_for_packets(2, kPatience));
    auto frame = tiles.prepare_final(view, {0});
    ASSERT_TRUE(frame.ok());
    const gl::StreamingStats after = tiles.stats();
    EXPECT_EQ(after.damaged - before.damaged, 2u) << "tile (1, 0) and the coarse tile hold it";
    EXPECT_EQ(after.uploads - before.uploads, 1u)
        << "tile (1, 0) again; the coarse one when it is needed";
    EXPECT_EQ(after.textures_created, before.textures_created) << "updated in place";
}

TEST_F(IpcServerTest, AClientFasterThanTheWindowCostsNoQueueTheLatestFrameWins) {
    Served served;
    Session session;
    session.set_live_images(served.live);
    Socket client = served.connect();
    send(client, ipc::encode(ipc::CreateImage{false, "stream", 256, 256, {"R", "G", "B"}}));
    // The window takes nothing while 90 frames arrive (16 tiles of 64^2 each, 3 channels: more
    // changes than the damage log keeps).
    constexpr int kFrames = 90;
    for (int frame = 1; frame <= kFrames; ++frame) {
        send_frame_in_tiles(client, "stream", frame, 256, 256, 64);
    }
    ASSERT_TRUE(served.server->wait_for_packets(1 + kFrames * 16, kPatience));
    const std::vector<IpcEvent> events = served.server->take_events();
    EXPECT_EQ(events.size(), 1u) << "the creation only: updates are written, not queued";
    const auto image = served.live->find("stream");
    ASSERT_NE(image, nullptr);
    expect_frame(*image, kFrames, {0, 0, 256, 256});
    // The damage history is bounded too: a reader that far behind re-reads everything once.
    const auto damage = image->damage_since(0);
    ASSERT_EQ(damage.size(), 1u);
    EXPECT_EQ(damage[0].rect, image->bounds());
    for (IpcEvent event : events) {
        session.apply(std::move(event));
    }
    apply_events(*served.server, session);
    expect_frame(*session.current()->image().source, kFrames, {0, 0, 256, 256});
}

TEST_F(IpcServerTest, MalformedPacketsAreLoggedWithTheClientAndDroppedBadStreamsClosed) {
    Served served;
    Session session;
    session.set_live_images(served.live);
    Socket good = served.connect();
    Socket bad = served.connect();
    // An unknown type, a string without its NUL, an update of nothing: dropped, the
    // connection stays open and the next packet is read.
    send(good, ipc::PacketWriter(static_cast<ipc::PacketType>(99)).u8(1).finish());
    std::vector<std::byte> unterminated = ipc::encode(ipc::CloseImage{"x"});
    unterminated.pop_back();
    unterminated[0] = static_cast<std::byte>(unterminated.size());
    send(good, unterminated);
    const std::vector<std::string> y{"Y"};
    send(good,
         ipc::encode_update_interleaved(false, "missing", y, {0, 0, 1, 1}, std::vector<float>{1}));
    send(good, ipc::encode(ipc::CreateImage{false, "ok", 8, 8, y}));
    send(good, ipc::encode(ipc::CreateImage{false, "huge", 1 << 30, 1 << 30, y}));
    send(good, ipc::encode(ipc::CreateImage{false, "empty", 0, 8, y}));
    send(good,
         ipc::encode_update_interleaved(false, "ok", y, {7, 7, 2, 1}, std::vector<float>{1, 2}));
    ASSERT_TRUE(served.server->wait_for_packets(7, kPatience));
    // A zero length cannot be resynchronised: that connection is closed, nothing else is.
    const std::vector<std::byte> zero(8, std::byte{0});
    send(bad, zero);
    char byte = 0;
    EXPECT_LE(recv(bad.fd(), &byte, 1, 0), 0) << "the server closed the connection";
    send(good, ipc::encode(ipc::CloseImage{"nobody"}));
    ASSERT_TRUE(served.server->wait_for_packets(8, kPatience));
    apply_events(*served.server, session);

    const IpcStats stats = served.server->stats();
    EXPECT_EQ(stats.malformed, 6u);
    EXPECT_EQ(stats.closed_connections, 1u);
    ASSERT_EQ(session.documents().size(), 1u);
    EXPECT_EQ(session.documents()[0]->title, "ok");
    const std::string log = served.log();
    const std::string address = "IPC client 127.0.0.1:";
    EXPECT_NE(log.find(address), std::string::npos) << log;
    for (const char* reason :
         {"invalid packet type 99", "no terminating NUL", "'missing' could not be updated",
          "more than a viewer holds", "zero pixels", "does not fit into image 'ok'",
          "fewer than its header (5)"}) {
        EXPECT_NE(log.find(reason), std::string::npos) << reason << " in:\n" << log;
    }
}

// Polls the session until a live image's statistics are of its current pixels.
void refresh_statistics(Session& session, ImageDocument& document) {
    const auto give_up = std::chrono::steady_clock::now() + kPatience;
    while (std::chrono::steady_clock::now() < give_up &&
           (document.live_statistics_revision != document.image().source->revision() ||
            document.live_statistics_job.valid())) {
        session.poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ASSERT_EQ(document.live_statistics_revision, document.image().source->revision());
}

TEST_F(IpcServerTest, WhileStreamingLimitsStayUnlessTheyFollowTheDataAndStatisticsRefresh) {
    Served served;
    Session session;
    session.set_live_images(served.live);
    session.set_live_statistics_interval(std::chrono::milliseconds(0));  // no clock in the test
    Socket client = served.connect();
    const std::vector<std::string> y{"Y"};
    send(client, ipc::encode(ipc::CreateImage{true, "live", 64, 64, y}));
    ASSERT_TRUE(served.server->wait_for_packets(1, kPatience));
    apply_events(*served.server, session);
    ImageDocument& document = *session.current();
    document.display().channels[0].lo = 0.25;  // the user's limits
    document.display().channels[0].hi = 0.5;
    std::vector<float> ramp(64 * 64);
    for (std::size_t i = 0; i < ramp.size(); ++i) {
        ramp[i] = 100.0f + static_cast<float>(i);
    }
    send(client, ipc::encode_update_interleaved(false, "live", y, {0, 0, 64, 64}, ramp));
    ASSERT_TRUE(served.server->wait_for_packets(2, kPatience));
    refresh_statistics(session, document);
    EXPECT_EQ(document.statistics()[0].min, 100.0) << "the histogram follows the data";
    EXPECT_EQ(document.statistics()[0].max, 100.0 + 64 * 64 - 1);
    EXPECT_EQ(document.display().channels[0].lo, 0.25) << "the limits stay where they were put";
    EXPECT_EQ(document.display().channels[0].hi, 0.5);

    document.live_auto_contrast = true;
    for (float& v : ramp) {
        v += 10000.0f;
    }
    send(client, ipc::encode_update_interleaved(false, "live", y, {0, 0, 64, 64}, ramp));
    ASSERT_TRUE(served.server->wait_for_packets(3, kPatience));
    refresh_statistics(session, document);
    EXPECT_GE(document.display().channels[0].lo, 10100.0) << "auto-contrast follows the data";
    EXPECT_LE(document.display().channels[0].hi, 10100.0 + 64 * 64);
    EXPECT_GT(document.display().channels[0].hi, document.display().channels[0].lo);
}

TEST_F(IpcServerTest, OpenReloadCloseAndDrawActOnFilesByTheirNames) {
    Served served;
    Session session;
    session.set_live_images(served.live);
    std::vector<std::string> errors;
    session.set_error_handler([&](const std::string& message) { errors.push_back(message); });
    const auto file = testing::temp_path("ipc-open.npy");
    const std::vector<float> ones(24, 1.0f);
    testing::write_npy(file, testing::NpyHeader{"<f4", {4, 3, 2}}, std::as_bytes(std::span(ones)));
    Socket client = served.connect();
    send(client, ipc::encode(ipc::OpenImage{true, file.string(), ""}));
    send(client, ipc::encode(ipc::VectorGraphics{false,
                                                 file.string(),
                                                 false,
                                                 {{ipc::VgCommandType::BeginPath, {}, {}},
                                                  {ipc::VgCommandType::Rect, {0, 0, 2, 1}, {}},
                                                  {ipc::VgCommandType::Stroke, {}, {}}}}));
    ASSERT_TRUE(served.server->wait_for_packets(2, kPatience));
    apply_events(*served.server, session);
    ASSERT_EQ(session.documents().size(), 1u);
    ImageDocument& document = *session.documents()[0];
    EXPECT_EQ(document.state, DocumentState::Ready) << document.error;
    ASSERT_EQ(document.vector_shapes.size(), 1u);
    EXPECT_EQ(document.vector_shapes[0].paths[0].points.size(), 4u);
    // Appended, then replaced.
    send(client, ipc::encode(ipc::VectorGraphics{
                     false, file.string(), true, {{ipc::VgCommandType::Stroke, {}, {}}}}));
    ASSERT_TRUE(served.server->wait_for_packets(3, kPatience));
    apply_events(*served.server, session);
    EXPECT_EQ(document.vector_shapes.size(), 2u);
    send(client, ipc::encode(ipc::VectorGraphics{false, file.string(), false, {}}));
    send(client, ipc::encode(ipc::ReloadImage{false, file.string()}));
    send(client, ipc::encode(ipc::ReloadImage{false, "not open"}));
    ASSERT_TRUE(served.server->wait_for_packets(6, kPatience));
    apply_events(*served.server, session);
    EXPECT_TRUE(document.vector_shapes.empty());
    EXPECT_EQ(document.in_place_reloads, 1u);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find("ReloadImage: no image named 'not open'"), std::string::npos);
    EXPECT_NE(errors[0].find("IPC client 127.0.0.1:"), std::string::npos);
    // A channel selector shows only the channels it names.
    send(client, ipc::encode(ipc::OpenImage{false, file.string(), "c1"}));
    send(client, ipc::encode(ipc::CloseImage{file.string()}));
    ASSERT_TRUE(served.server->wait_for_packets(8, kPatience));
    apply_events(*served.server, session);
    ASSERT_EQ(session.documents().size(), 1u);
    EXPECT_EQ(session.documents()[0]->ipc_name(), file.string() + ":c1");
    EXPECT_EQ(session.documents()[0]->display().visible_channels(), std::vector<std::size_t>{1});
}

TEST(IpcForwarding, FilesGoToTheListeningWindowAndMissingOnesAreNamed) {
    const auto runtime = testing::temp_path("ipc-runtime");
    std::filesystem::create_directories(runtime);
    auto endpoint = parse_endpoint("fwd", runtime);
    ASSERT_TRUE(endpoint.ok());
    auto live = std::make_shared<ipc::LiveImages>();
    auto server = IpcServer::start(*endpoint, live);
    ASSERT_TRUE(server.ok()) << server.error().message;
    const auto file = testing::temp_path("forwarded.png");
    testing::write_bytes(file, std::vector<std::byte>(10, std::byte{1}));
    const auto result = testing::run_command(
        "XDG_RUNTIME_DIR=" + testing::shell_quote(runtime.string()) + " " + TESSERA_EXECUTABLE +
        " --hostname fwd " + testing::shell_quote(file.string()) + " no-such-file.exr");
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_NE(result.output.find("no-such-file.exr: does not exist"), std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("sent 1 file to the window"), std::string::npos) << result.output;
    ASSERT_TRUE(server.value()->wait_for_packets(1, kPatience));
    const auto events = server.value()->take_events();
    ASSERT_EQ(events.size(), 1u);
    const auto* open = std::get_if<ipc::OpenImage>(&events[0].what);
    ASSERT_NE(open, nullptr);
    EXPECT_EQ(open->path, std::filesystem::canonical(file).string());
    EXPECT_TRUE(open->grab_focus);
    EXPECT_TRUE(open->channel_selector.empty());
}

}  // namespace
}  // namespace tessera::app
