// SourceManager: buffers of source text and the line table used to quote
// source lines in diagnostics.
#include "support/source.h"
#include "support/error.h"

#include <fstream>
#include <sstream>

namespace nnc {

uint32_t SourceManager::add_file(const std::string& path, std::string* error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (error) *error = "cannot open '" + path + "'";
        return 0;
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        if (error) *error = "cannot read '" + path + "'";
        return 0;
    }
    return add_buffer(path, text.str());
}

uint32_t SourceManager::add_buffer(std::string name, std::string text) {
    Buffer buffer{std::move(name), std::move(text), {0}};
    for (uint32_t i = 0; i < buffer.text.size(); ++i)
        if (buffer.text[i] == '\n') buffer.line_starts.push_back(i + 1);
    buffers_.push_back(std::move(buffer));
    return static_cast<uint32_t>(buffers_.size());
}

const std::string& SourceManager::name(uint32_t file) const {
    NNC_CHECK(file >= 1 && file <= buffers_.size(), "unknown source file id " + std::to_string(file));
    return buffers_[file - 1].name;
}

const std::string& SourceManager::text(uint32_t file) const {
    NNC_CHECK(file >= 1 && file <= buffers_.size(), "unknown source file id " + std::to_string(file));
    return buffers_[file - 1].text;
}

std::string_view SourceManager::line_text(uint32_t file, uint32_t line) const {
    NNC_CHECK(file >= 1 && file <= buffers_.size(), "unknown source file id " + std::to_string(file));
    const Buffer& buffer = buffers_[file - 1];
    if (line == 0 || line > buffer.line_starts.size()) return {};
    std::string_view text = buffer.text;
    size_t begin = buffer.line_starts[line - 1];
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    if (end > begin && text[end - 1] == '\r') --end;
    return text.substr(begin, end - begin);
}

}  // namespace nnc
