// Atomic file writes (runtime/files): concurrent saves to one path while a
// reader checks every version it sees, temporary files of dead writers
// removed, permission bits and symlinks kept; each with both kinds of
// temporary file (O_TMPFILE and the named fallback).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/io/files.h"

namespace nnc {
namespace {

namespace fs = std::filesystem;

// A fresh directory, removed with everything in it at the end of the test.
struct ScratchDir {
    fs::path path;
    ScratchDir() {
        std::string pattern = (fs::temp_directory_path() / "nnc-files-test-XXXXXX").string();
        EXPECT_NE(::mkdtemp(pattern.data()), nullptr);
        path = pattern;
    }
    ~ScratchDir() { fs::remove_all(path); }
    std::set<std::string> names() const {
        std::set<std::string> out;
        for (const auto& e : fs::directory_iterator(path)) out.insert(e.path().filename().string());
        return out;
    }
};

void touch(const fs::path& p) { std::ofstream(p) << "partial"; }

mode_t permissions(const fs::path& p) {
    struct stat st;
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
}

// The pid of a process that has exited (and been reaped).
pid_t dead_pid() {
    const pid_t child = ::fork();
    if (child == 0) ::_exit(0);
    ::waitpid(child, nullptr, 0);
    return child;
}

class AtomicWrite : public ::testing::TestWithParam<TempFile> {};

// Version v of the file: (v + 1) * 4096 copies of the byte 'a' + v, so a
// torn or mixed file is recognisable.
std::string version(int v) { return std::string(size_t(v + 1) * 4096, char('a' + v)); }

TEST_P(AtomicWrite, ConcurrentSavesToOnePath) {
    ScratchDir dir;
    const std::string path = (dir.path / "ckpt").string();
    constexpr int kWriters = 4, kSaves = 100;
    std::atomic<int> failed_saves{0}, writers_left{kWriters}, reads{0};
    std::vector<std::string> bad_reads;
    std::thread reader([&] {
        while (writers_left > 0) {
            std::string data, error;
            if (!read_whole_file(path, data, error)) continue;   // before the first save
            ++reads;
            const int v = data.empty() ? -1 : data[0] - 'a';
            if (v < 0 || v >= kWriters || data != version(v)) bad_reads.push_back(data.substr(0, 16) + "... of " + std::to_string(data.size()));
        }
    });
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w)
        writers.emplace_back([&, w] {
            for (int i = 0; i < kSaves; ++i)
                if (!write_file_atomically(path, version(w), GetParam()).empty()) ++failed_saves;
            --writers_left;
        });
    for (std::thread& t : writers) t.join();
    reader.join();
    EXPECT_EQ(failed_saves, 0);
    EXPECT_GT(reads, 0);
    EXPECT_EQ(bad_reads, std::vector<std::string>{});
    EXPECT_EQ(dir.names(), std::set<std::string>{"ckpt"});
}

TEST_P(AtomicWrite, RemovesTemporaryFilesOfDeadWriters) {
    ScratchDir dir;
    const std::string dead = std::to_string(dead_pid()), alive = std::to_string(::getpid());
    for (const std::string& name : {"ckpt.tmp-" + dead + "-3-0a1b2c3d", "ckpt.tmp-" + dead, "ckpt.tmp-" + alive + "-1-00000000",
                                    "ckpt.tmp-" + dead + "-notes", "other.tmp-" + dead + "-1-00000000"})
        touch(dir.path / name);
    EXPECT_EQ(write_file_atomically((dir.path / "ckpt").string(), "new", GetParam()), "");
    // Kept: the live writer's file, a file that only looks similar, another target's.
    EXPECT_EQ(dir.names(), (std::set<std::string>{"ckpt", "ckpt.tmp-" + alive + "-1-00000000", "ckpt.tmp-" + dead + "-notes",
                                                  "other.tmp-" + dead + "-1-00000000"}));
}

TEST_P(AtomicWrite, KeepsPermissionBits) {
    ScratchDir dir;
    const fs::path path = dir.path / "secret";
    const mode_t umask_bits = ::umask(022);
    EXPECT_EQ(write_file_atomically(path.string(), "v1", GetParam()), "");
    EXPECT_EQ(permissions(path), 0644u);   // a new file: 0666 less the umask
    ::chmod(path.c_str(), 0600);
    EXPECT_EQ(write_file_atomically(path.string(), "v2", GetParam()), "");
    EXPECT_EQ(permissions(path), 0600u);
    ::chmod(path.c_str(), 0664);   // group write, which the umask would clear
    EXPECT_EQ(write_file_atomically(path.string(), "v3", GetParam()), "");
    EXPECT_EQ(permissions(path), 0664u);
    ::umask(umask_bits);
}

TEST_P(AtomicWrite, WritesThroughSymlinks) {
    ScratchDir dir;
    fs::create_directory(dir.path / "store");
    fs::create_symlink("store/real", dir.path / "middle");   // relative, resolved from the link's directory
    fs::create_symlink(dir.path / "middle", dir.path / "ckpt");
    EXPECT_EQ(write_file_atomically((dir.path / "ckpt").string(), "through", GetParam()), "");
    EXPECT_TRUE(fs::is_symlink(dir.path / "ckpt"));
    EXPECT_TRUE(fs::is_symlink(dir.path / "middle"));
    std::string data, error;
    EXPECT_TRUE(read_whole_file((dir.path / "store/real").string(), data, error));
    EXPECT_EQ(data, "through");
    EXPECT_EQ(dir.names(), (std::set<std::string>{"ckpt", "middle", "store"}));
}

TEST_P(AtomicWrite, SymlinkLoopIsAnError) {
    ScratchDir dir;
    fs::create_symlink(dir.path / "b", dir.path / "a");
    fs::create_symlink(dir.path / "a", dir.path / "b");
    const std::string path = (dir.path / "a").string();
    EXPECT_EQ(write_file_atomically(path, "x", GetParam()), "cannot write `" + path + "`: Too many levels of symbolic links");
}

INSTANTIATE_TEST_SUITE_P(TempFiles, AtomicWrite, ::testing::Values(TempFile::Unnamed, TempFile::Named),
                         [](const auto& info) { return info.param == TempFile::Unnamed ? "Unnamed" : "Named"; });

}  // namespace
}  // namespace nnc
