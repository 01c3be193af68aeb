// SourceManager: owns the text of every file and REPL input the compiler has
// seen, and maps locations back to lines for diagnostics.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nnc {

// A point in a source buffer: 1-based line and column (columns count bytes).
struct SourceLoc {
    uint32_t file = 0;   // index in the SourceManager; 0 = no location
    uint32_t line = 0;
    uint32_t col = 0;
    bool valid() const { return file != 0; }
    bool operator==(const SourceLoc&) const = default;
};

// A half-open range [begin, end) within one buffer.
struct SourceRange {
    SourceLoc begin;
    SourceLoc end;
    bool valid() const { return begin.valid(); }
    bool empty() const { return begin == end; }
    bool operator==(const SourceRange&) const = default;
};

class SourceManager {
public:
    // Reads a file; returns 0 and sets `error` when it cannot be read.
    uint32_t add_file(const std::string& path, std::string* error);
    // Adds in-memory text (REPL input, -e strings) under a display name.
    uint32_t add_buffer(std::string name, std::string text);

    const std::string& name(uint32_t file) const;
    const std::string& text(uint32_t file) const;
    std::string_view line_text(uint32_t file, uint32_t line) const;   // without the newline

private:
    struct Buffer {
        std::string name;
        std::string text;
        std::vector<uint32_t> line_starts;   // byte offset of each line
    };
    std::vector<Buffer> buffers_;   // file id = index + 1
};

}  // namespace nnc
