// Zip archives (interp/zip_archive): round trips, deflated entries, and
// robustness: every truncation and every single-byte corruption of an
// archive is either read or a ZipError, never a crash, and a declared size
// is not allocated before the data bears it out.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <fstream>
#include <optional>

#include "runtime/io/zip_archive.h"

namespace nnc {
namespace {

std::string read_all(std::string_view archive, std::vector<std::string>* names = nullptr) {
    ZipReader zip(archive);
    std::string all, scratch;
    for (const auto& e : zip.entries()) {
        if (names) names->push_back(e.name);
        all += std::string(zip.contents(e, scratch)) + "|";
    }
    return all;
}

TEST(ZipArchive, RoundTrip) {
    std::string a = write_zip({{"x.npy", "hello"}, {"empty", ""}, {"y.npy", std::string(1000, 'z')}});
    std::vector<std::string> names;
    EXPECT_EQ(read_all(a, &names), "hello||" + std::string(1000, 'z') + "|");
    EXPECT_EQ(names, (std::vector<std::string>{"x.npy", "empty", "y.npy"}));
    EXPECT_EQ(read_all(write_zip({})), "");
}

// A one-entry archive whose entry is deflated (method 8), built by hand:
// `data` deflated, followed by `padding` zero bytes, declaring `declared`
// uncompressed bytes (by default, the true size).
std::string deflated_archive(const std::string& data, std::optional<uint32_t> declared = std::nullopt, size_t padding = 0) {
    std::string packed(compressBound(uLong(data.size())) + 16, '\0');
    z_stream z{};
    deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = uInt(data.size());
    z.next_out = reinterpret_cast<Bytef*>(packed.data());
    z.avail_out = uInt(packed.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    packed.resize(z.total_out);
    deflateEnd(&z);
    // Rewrite a stored archive of `packed` into a deflated one: method 8,
    // the CRC and size of `data`.
    std::string a = write_zip({{"d", packed + std::string(padding, '\0')}});
    auto put32 = [&](size_t at, uint32_t v) {
        for (int i = 0; i < 4; ++i) a[at + i] = char((v >> (8 * i)) & 0xff);
    };
    uint32_t crc = uint32_t(crc32(0, reinterpret_cast<const Bytef*>(data.data()), uInt(data.size())));
    size_t central = a.find(std::string("PK\x01\x02", 4));
    for (size_t h : {size_t(0), central}) {
        size_t shift = h == 0 ? 0 : 2;   // the central header has "version made by" first
        a[h + 8 + shift] = 8;
        put32(h + 14 + shift, crc);
        put32(h + 22 + shift, declared.value_or(uint32_t(data.size())));
    }
    return a;
}

TEST(ZipArchive, Deflated) {
    std::string data;
    for (int i = 0; i < 5000; ++i) data += std::to_string(i % 97);
    EXPECT_EQ(read_all(deflated_archive(data)), data + "|");
}

// Every prefix and every byte flipped: read or rejected, never a crash.
void expect_robust(const std::string& a) {
    for (size_t n = 0; n < a.size(); ++n) {
        try {
            read_all(std::string_view(a).substr(0, n));
        } catch (const ZipError&) {
        }
    }
    for (size_t i = 0; i < a.size(); ++i) {
        std::string b = a;
        b[i] = char(b[i] ^ 0x5a);
        try {
            read_all(b);
        } catch (const ZipError&) {
        }
    }
}

TEST(ZipArchive, TruncatedOrCorruptNeverCrashes) {
    expect_robust(write_zip({{"a.npy", "some data"}, {"b.npy", std::string(300, 'q')}}));
    std::string data;
    for (int i = 0; i < 400; ++i) data += std::to_string(i * 7 % 13);
    expect_robust(deflated_archive(data));
}

// Bytes of address space this process has mapped.
uint64_t mapped_bytes() {
    uint64_t pages = 0;
    std::ifstream("/proc/self/statm") >> pages;
    return pages * uint64_t(sysconf(_SC_PAGESIZE));
}

// An entry that declares 3 GB but inflates to 5 bytes (4 MB of padding make
// the claim plausible) is an error, reached without allocating the 3 GB:
// the reading runs in a child process allowed only 1 GB more address space.
TEST(ZipArchive, DeclaredSizeIsNotAllocatedUpFront) {
    const std::string a = deflated_archive("hello", 3000000000u, 4000000);
    const pid_t child = fork();
    if (child == 0) {
        const rlimit limit{mapped_bytes() + (1u << 30), RLIM_INFINITY};
        setrlimit(RLIMIT_AS, &limit);
        int code = 1;   // no error
        try {
            read_all(a);
        } catch (const ZipError& e) {
            code = std::string(e.what()) == "corrupt: entry `d` inflates to 5 bytes, not its declared 3000000000" ? 0 : 2;
        } catch (const std::bad_alloc&) {
            code = 3;
        }
        _exit(code);
    }
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: no error, 2: another error, 3: out of memory";
}

TEST(ZipArchive, Errors) {
    auto error = [](std::string_view a) {
        try {
            read_all(a);
        } catch (const ZipError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(error(""), "it has 0 bytes, too few for a zip archive");
    EXPECT_EQ(error("GIF89a..."), "wrong magic number 47 49 46 38 (a zip archive starts with 50 4b 03 04)");
    std::string a = write_zip({{"a", "abc"}});
    EXPECT_EQ(error(a.substr(0, a.size() - 1)), "truncated or corrupt: no end-of-central-directory record");
    std::string flipped = a;
    flipped[30 + 1] ^= 1;   // the first data byte
    EXPECT_EQ(error(flipped), "corrupt: the CRC-32 of entry `a` does not match its contents");
}

}  // namespace
}  // namespace nnc
