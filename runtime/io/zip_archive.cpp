// Zip archive reading and writing (see zip_archive.h). Structures are read
// field by field from little-endian bytes; every offset and length is
// checked against the bytes that hold it before it is used.
#include "runtime/io/zip_archive.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <set>

namespace nnc {

namespace {

constexpr uint32_t kLocalHeader = 0x04034b50, kCentralHeader = 0x02014b50, kEndOfDirectory = 0x06054b50,
                   kZip64EndOfDirectory = 0x06064b50, kZip64Locator = 0x07064b50;
constexpr uint16_t kStored = 0, kDeflate = 8;
constexpr uint64_t kDeflateMaxRatio = 1032;   // deflate cannot compress better than this

uint64_t get(std::string_view s, uint64_t at, int bytes) {
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | uint8_t(s[at + i]);
    return v;
}

void put(std::string& out, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
}

std::string hex_bytes(std::string_view s) {
    std::string out;
    char buf[4];
    for (size_t i = 0; i < s.size() && i < 4; ++i) {
        std::snprintf(buf, sizeof buf, "%s%02x", i ? " " : "", uint8_t(s[i]));
        out += buf;
    }
    return out;
}

uint64_t physical_memory() {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) return UINT64_MAX;
    return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page);
}

uint32_t crc_of(std::string_view data) { return uint32_t(crc32_z(0, reinterpret_cast<const Bytef*>(data.data()), data.size())); }

struct EndOfDirectory {
    uint64_t entries, directory_offset, directory_size, directory_end;
};

// Finds the end-of-central-directory record (and its ZIP64 form).
EndOfDirectory find_end(std::string_view a) {
    if (a.size() < 4) throw ZipError("it has " + std::to_string(a.size()) + " bytes, too few for a zip archive");
    if (get(a, 0, 4) != kLocalHeader && get(a, 0, 4) != kEndOfDirectory)
        throw ZipError("wrong magic number " + hex_bytes(a) + " (a zip archive starts with 50 4b 03 04)");
    if (a.size() < 22) throw ZipError("truncated: no end-of-central-directory record");
    uint64_t at = a.size() - 22, lowest = a.size() - 22 > 0xffff ? a.size() - 22 - 0xffff : 0;
    while (get(a, at, 4) != kEndOfDirectory || at + 22 + get(a, at + 20, 2) > a.size()) {
        if (at == lowest) throw ZipError("truncated or corrupt: no end-of-central-directory record");
        --at;
    }
    if (get(a, at + 4, 2) != 0 || get(a, at + 6, 2) != 0) throw ZipError("multi-disk archives are not supported");
    EndOfDirectory end{get(a, at + 10, 2), get(a, at + 16, 4), get(a, at + 12, 4), at};
    if (at >= 20 && get(a, at - 20, 4) == kZip64Locator) {
        uint64_t z = get(a, at - 12, 8);
        if (z > at - 20 || at - 20 - z < 56 || get(a, z, 4) != kZip64EndOfDirectory)
            throw ZipError("corrupt: the ZIP64 end-of-central-directory locator points outside the archive");
        end = {get(a, z + 32, 8), get(a, z + 48, 8), get(a, z + 40, 8), z};
    }
    if (end.directory_offset > end.directory_end || end.directory_size > end.directory_end - end.directory_offset)
        throw ZipError("truncated or corrupt: the central directory (" + std::to_string(end.directory_size) + " bytes at " +
                       std::to_string(end.directory_offset) + ") lies outside the archive");
    return end;
}

// Replaces the 0xffffffff fields of a central header with their values in
// its ZIP64 extra field.
void read_zip64_extra(std::string_view extra, ZipReader::Entry& e, uint64_t& header_offset, const std::string& where) {
    const bool need_size = e.size == 0xffffffff, need_compressed = e.compressed_size == 0xffffffff,
               need_offset = header_offset == 0xffffffff;
    uint64_t at = 0;
    while (at + 4 <= extra.size()) {
        uint64_t id = get(extra, at, 2), len = get(extra, at + 2, 2);
        if (at + 4 + len > extra.size()) break;
        if (id == 1) {
            std::string_view f = extra.substr(at + 4, len);
            uint64_t k = 0;
            auto next = [&](uint64_t& out) {
                if (k + 8 > f.size()) throw ZipError(where + " has a ZIP64 extra field too short for its sizes");
                out = get(f, k, 8);
                k += 8;
            };
            if (need_size) next(e.size);
            if (need_compressed) next(e.compressed_size);
            if (need_offset) next(header_offset);
            return;
        }
        at += 4 + len;
    }
    if (need_size || need_compressed || need_offset) throw ZipError(where + " lacks the ZIP64 extra field its sizes need");
}

// Inflates `packed` (raw deflate data) into `out`, which grows as the data
// arrives, so that a size an archive declares is never allocated before
// the data bears it out. Stops when the data ends or `out` holds more than
// `limit` bytes; returns whether the data ended. Throws ZipError for
// corrupt data.
bool inflate_up_to(std::string_view packed, uint64_t limit, std::string& out, const std::string& where) {
    constexpr uint64_t kFirstChunk = 1 << 16, kMaxStep = 1u << 30;   // zlib counts in 32 bits
    const uint64_t capacity = limit < UINT64_MAX ? limit + 1 : limit;   // the byte past the limit tells data that goes on
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) throw ZipError("cannot start zlib's inflate");
    out.clear();
    uint64_t in_done = 0, out_done = 0;
    int rc = Z_OK;
    while (rc == Z_OK && out_done < capacity) {
        if (out_done == out.size()) out.resize(std::min(capacity, std::max(kFirstChunk, 2 * out_done)));
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data() + in_done));
        z.avail_in = uInt(std::min(packed.size() - in_done, kMaxStep));
        z.next_out = reinterpret_cast<Bytef*>(out.data() + out_done);
        z.avail_out = uInt(std::min(out.size() - out_done, kMaxStep));
        const uInt in_before = z.avail_in, out_before = z.avail_out;
        rc = inflate(&z, Z_NO_FLUSH);   // Z_BUF_ERROR: the data ran out
        in_done += in_before - z.avail_in;
        out_done += out_before - z.avail_out;
    }
    const std::string message = z.msg ? z.msg : "";
    inflateEnd(&z);
    out.resize(out_done);
    if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) throw ZipError("corrupt deflate data in " + where + " (" + message + ")");
    if (rc == Z_MEM_ERROR) throw ZipError("out of memory inflating " + where);
    return rc == Z_STREAM_END;
}

}  // namespace

ZipReader::ZipReader(std::string_view a) : archive_(a) {
    EndOfDirectory end = find_end(a);
    const uint64_t dir_end = end.directory_offset + end.directory_size;
    uint64_t at = end.directory_offset;
    std::set<std::string> names;
    for (uint64_t i = 0; i < end.entries; ++i) {
        std::string where = "central directory entry " + std::to_string(i + 1);
        if (dir_end - at < 46 || get(a, at, 4) != kCentralHeader)
            throw ZipError("corrupt: " + where + " of " + std::to_string(end.entries) + " is missing or damaged");
        uint64_t name_len = get(a, at + 28, 2), extra_len = get(a, at + 30, 2), comment_len = get(a, at + 32, 2);
        if (dir_end - at - 46 < name_len + extra_len + comment_len) throw ZipError("corrupt: " + where + " overruns the central directory");
        Entry e;
        e.name = std::string(a.substr(at + 46, name_len));
        where = "entry `" + e.name + "`";
        uint64_t flags = get(a, at + 8, 2);
        e.method = uint16_t(get(a, at + 10, 2));
        e.crc = uint32_t(get(a, at + 16, 4));
        e.compressed_size = get(a, at + 20, 4);
        e.size = get(a, at + 24, 4);
        uint64_t header = get(a, at + 42, 4);
        read_zip64_extra(a.substr(at + 46 + name_len, extra_len), e, header, where);
        at += 46 + name_len + extra_len + comment_len;

        if (flags & 1) throw ZipError(where + " is encrypted");
        if (e.method != kStored && e.method != kDeflate)
            throw ZipError(where + " uses compression method " + std::to_string(e.method) + " (only stored and deflate are supported)");
        if (!names.insert(e.name).second) throw ZipError(where + " appears twice");
        if (e.method == kStored && e.compressed_size != e.size)
            throw ZipError("corrupt: stored " + where + " declares " + std::to_string(e.compressed_size) + " bytes in the archive but " +
                           std::to_string(e.size) + " uncompressed");
        if (e.method == kDeflate && e.size / kDeflateMaxRatio > e.compressed_size)
            throw ZipError("corrupt: " + where + " declares " + std::to_string(e.size) + " uncompressed bytes, more than its " +
                           std::to_string(e.compressed_size) + " compressed bytes can hold");
        if (header > end.directory_offset || end.directory_offset - header < 30 || get(a, header, 4) != kLocalHeader)
            throw ZipError("truncated or corrupt: the local header of " + where + " is missing");
        uint64_t local_name = get(a, header + 26, 2), local_extra = get(a, header + 28, 2);
        e.data_offset = header + 30 + local_name + local_extra;
        if (e.data_offset > end.directory_offset || a.substr(header + 30, local_name) != e.name)
            throw ZipError("corrupt: the local header of " + where + " does not match the central directory");
        if (end.directory_offset - e.data_offset < e.compressed_size)
            throw ZipError("truncated: the " + std::to_string(e.compressed_size) + " bytes of " + where +
                           " run past the start of the central directory");
        entries_.push_back(std::move(e));
    }
}

std::string_view ZipReader::contents(const Entry& e, std::string& scratch) const {
    std::string_view packed = archive_.substr(e.data_offset, e.compressed_size);
    std::string_view out = packed;
    if (e.method == kDeflate) {
        const std::string where = "entry `" + e.name + "`";
        if (e.size > physical_memory()) throw ZipError(where + " declares " + std::to_string(e.size) + " bytes, too large for memory");
        const bool ended = inflate_up_to(packed, e.size, scratch, where);
        if (scratch.size() > e.size)
            throw ZipError("corrupt: " + where + " inflates to more than its declared " + std::to_string(e.size) + " bytes");
        if (!ended) throw ZipError("truncated deflate data in " + where);
        if (scratch.size() != e.size)
            throw ZipError("corrupt: " + where + " inflates to " + std::to_string(scratch.size()) + " bytes, not its declared " +
                           std::to_string(e.size));
        out = scratch;
    }
    if (crc_of(out) != e.crc) throw ZipError("corrupt: the CRC-32 of entry `" + e.name + "` does not match its contents");
    return out;
}

std::string ZipReader::head(const Entry& e, uint64_t n) const {
    const uint64_t wanted = std::min(n, e.size);
    std::string_view packed = archive_.substr(e.data_offset, e.compressed_size);
    if (e.method != kDeflate) return std::string(packed.substr(0, wanted));
    std::string out;
    inflate_up_to(packed, wanted, out, "entry `" + e.name + "`");
    out.resize(std::min<uint64_t>(out.size(), wanted));
    return out;
}

std::string write_zip(const std::vector<ZipMember>& members) {
    constexpr uint64_t kDosDate = (0 << 9) | (1 << 5) | 1;   // 1980-01-01, the earliest DOS date
    if (members.size() >= 0xffff) throw ZipError("too many entries for a zip archive without ZIP64");
    std::string out, directory;
    for (const ZipMember& m : members) {
        if (out.size() >= 0xffffffff || m.data.size() >= 0xffffffff || m.name.size() > 0xffff)
            throw ZipError("entry `" + m.name + "` is too large for a zip archive without ZIP64 (4 GiB)");
        const bool utf8 = std::any_of(m.name.begin(), m.name.end(), [](char c) { return uint8_t(c) >= 0x80; });
        const uint64_t offset = out.size(), crc = crc_of(m.data), flags = utf8 ? 1 << 11 : 0;
        // The fields the local and central headers share, from "version needed" on.
        auto common = [&](std::string& h) {
            put(h, 20, 2);   // version needed: 2.0
            put(h, flags, 2);
            put(h, kStored, 2);
            put(h, 0, 2);    // time
            put(h, kDosDate, 2);
            put(h, crc, 4);
            put(h, m.data.size(), 4);
            put(h, m.data.size(), 4);
            put(h, m.name.size(), 2);
            put(h, 0, 2);    // extra field length
        };
        put(out, kLocalHeader, 4);
        common(out);
        out += m.name;
        out += m.data;
        put(directory, kCentralHeader, 4);
        put(directory, 20, 2);   // version made by: 2.0, MS-DOS attributes
        common(directory);
        put(directory, 0, 2);    // comment length
        put(directory, 0, 2);    // disk
        put(directory, 0, 2);    // internal attributes
        put(directory, 0, 4);    // external attributes
        put(directory, offset, 4);
        directory += m.name;
    }
    if (out.size() + directory.size() >= 0xffffffff) throw ZipError("the archive is too large for a zip archive without ZIP64 (4 GiB)");
    const uint64_t directory_offset = out.size();
    out += directory;
    put(out, kEndOfDirectory, 4);
    put(out, 0, 2);
    put(out, 0, 2);
    put(out, members.size(), 2);
    put(out, members.size(), 2);
    put(out, directory.size(), 4);
    put(out, directory_offset, 4);
    put(out, 0, 2);   // comment length
    return out;
}

}  // namespace nnc
