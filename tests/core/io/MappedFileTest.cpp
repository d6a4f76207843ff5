// Files that are not regular files never block a load, and a memory-mapped file that shrinks
// while it is read gives an error for that image instead of SIGBUS.
#include <algorithm>
#include <chrono>
#include <future>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "core/base/FaultGuard.h"
#include "core/io/ImageLoader.h"
#include "core/stats/ChannelStatistics.h"
#include "tests/support/Fixtures.h"

namespace tessera::core {
namespace {

TEST(MappedFile, AFifoIsRefusedWithoutWaitingForAWriter) {
    const auto fifo = testing::temp_path("pipe.npy");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    auto loading = std::async(std::launch::async, [&] { return load_images(fifo); });
    if (loading.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
        // Release the blocked open() so that the test ends, then fail.
        const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        ::close(writer);
        loading.wait();
        FAIL() << "loading a FIFO blocked";
    }
    auto images = loading.get();
    ASSERT_FALSE(images.ok());
    EXPECT_NE(images.error().message.find(fifo.string() + ": is a named pipe"), std::string::npos)
        << images.error().message;
    ::unlink(fifo.c_str());
}

TEST(MappedFile, DevicesAndDirectoriesAreRefusedByName) {
    auto device = load_images("/dev/zero");
    ASSERT_FALSE(device.ok());
    EXPECT_NE(device.error().message.find("/dev/zero: is not a regular file"), std::string::npos)
        << device.error().message;
    auto directory = load_images(testing::temp_path("dir-parent").parent_path());
    ASSERT_FALSE(directory.ok());
    EXPECT_NE(directory.error().message.find("is a directory"), std::string::npos);
}

// Opens a 1024 x 1024 float file of `descr`, reads a row, cuts the file to its header, and
// expects the next read to be an error naming the file, not a SIGBUS.
void expect_shrinking_file_is_an_error(const std::string& descr, const std::string& name) {
    const auto path = testing::temp_path(name);
    const std::size_t side = 1024;
    std::vector<float> values(side * side, 2.5f);
    testing::write_npy(path, {descr, {side, side}}, testing::bytes_of(values));
    auto images = load_images(path);
    ASSERT_TRUE(images.ok()) << images.error().message;
    const ImageSource& source = *images->front().source;
    std::vector<float> row(side);
    ASSERT_TRUE(source.read_region({0}, {0, 0, 1024, 1}, std::as_writable_bytes(std::span(row))));
    // A renderer rewrites the file in place: it is cut to its header.
    ASSERT_EQ(::truncate(path.c_str(), 128), 0);
    auto read = source.read_region({0}, {0, 1000, 1024, 1}, std::as_writable_bytes(std::span(row)));
    ASSERT_FALSE(read.ok()) << descr;
    EXPECT_NE(read.error().message.find(path.string() + ": the file shrank"), std::string::npos)
        << read.error().message;
    auto tile = source.read_region({0}, {10, 900, 16, 16}, std::as_writable_bytes(std::span(row)));
    EXPECT_FALSE(tile.ok()) << descr << ": a region of rows apart";
    auto statistics = compute_statistics(source);
    EXPECT_FALSE(statistics.ok()) << "statistics read through the same guard";
}

TEST(MappedFile, ANumpyFileTruncatedUnderItsMapGivesAnErrorNotSigbus) {
    // Rows as delivered are copied with pread (a short read); swapped ones read the map (a
    // SIGBUS caught by the fault guard).
    expect_shrinking_file_is_an_error("<f4", "shrinking.npy");
    expect_shrinking_file_is_an_error(">f4", "shrinking-big-endian.npy");
}

TEST(MappedFile, CopyReadsTheSameBytesWithOrWithoutADescriptor) {
    const auto path = testing::temp_path("copy.bin");
    std::vector<std::byte> bytes(100000);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        bytes[i] = static_cast<std::byte>(i * 7 % 251);
    }
    testing::write_bytes(path, bytes);
    // With many descriptors open, a map keeps none and copies through the map instead.
    std::vector<int> held;
    auto first = MappedFile::open(path);
    while (held.size() < 600) {
        held.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    }
    auto crowded = MappedFile::open(path);
    for (int fd : held) {
        ::close(fd);
    }
    auto in_memory = MappedFile::read(path);
    ASSERT_TRUE(first.ok() && crowded.ok() && in_memory.ok());
    for (const auto& file : {*first, *crowded, *in_memory}) {
        std::vector<std::byte> got(5000);
        ASSERT_TRUE(file->copy(12345, got).ok());
        EXPECT_TRUE(std::equal(got.begin(), got.end(), bytes.begin() + 12345));
        auto past = file->copy(99000, got);
        ASSERT_FALSE(past.ok());
        EXPECT_NE(past.error().message.find("lie past the end of the file"), std::string::npos)
            << past.error().message;
    }
}

TEST(FaultGuard, ReadsOutsideAGuardStillReachTheirData) {
    int value = 0;
    EXPECT_TRUE(read_mapped([&] { value = 42; }));
    EXPECT_EQ(value, 42);
    // Nested guards: the inner one restores the outer.
    EXPECT_TRUE(read_mapped([&] { EXPECT_TRUE(read_mapped([&] { ++value; })); }));
    EXPECT_EQ(value, 43);
}

}  // namespace
}  // namespace tessera::core
