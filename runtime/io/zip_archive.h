// Zip archives (PKWARE's APPNOTE), as far as NumPy's .npz files need them:
// reading stored and deflated entries (with ZIP64 sizes and offsets), and
// writing stored ones. Every structure read is checked against the archive's
// size and every entry's CRC-32 is verified, so a truncated or corrupt
// archive is a ZipError naming the problem, never a crash.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nnc {

struct ZipError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class ZipReader {
public:
    struct Entry {
        std::string name;
        uint16_t method = 0;             // 0 stored, 8 deflate
        uint32_t crc = 0;
        uint64_t data_offset = 0;        // of the (compressed) contents in the archive
        uint64_t compressed_size = 0;
        uint64_t size = 0;
    };

    // Reads the central directory and every local header of `archive`,
    // which must outlive the reader. Throws ZipError.
    explicit ZipReader(std::string_view archive);

    const std::vector<Entry>& entries() const { return entries_; }

    // An entry's contents: a view into the archive when stored, or into
    // `scratch` when inflated. Throws ZipError (corrupt data, CRC mismatch,
    // a size other than declared). Inflating allocates as the data arrives,
    // never more than the declared size (plus a byte), so a lying size
    // costs only the memory the data really inflates to.
    std::string_view contents(const Entry& e, std::string& scratch) const;

    // The first `n` bytes of an entry's contents (fewer when it is shorter),
    // inflating no more than those: enough to check a header against the
    // declared size before trusting it. Unchecked (no CRC); throws ZipError
    // for corrupt deflate data.
    std::string head(const Entry& e, uint64_t n) const;

private:
    std::string_view archive_;
    std::vector<Entry> entries_;
};

struct ZipMember {
    std::string name;
    std::string_view data;
};

// An archive holding `members` uncompressed, in order. Throws ZipError when
// it would need ZIP64 (4 GiB or 65535 entries).
std::string write_zip(const std::vector<ZipMember>& members);

}  // namespace nnc
