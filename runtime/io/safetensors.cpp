// The safetensors format (see safetensors.h).
#include "runtime/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>
#include <optional>
#include <unordered_set>

#include "runtime/io/files.h"

#include <nlohmann/json.hpp>

namespace nnc {

static_assert(std::endian::native == std::endian::little, "file formats assume a little-endian host");

namespace {

constexpr const char* kMetadataKey = "__metadata__";   // the header entry that is not a tensor
constexpr size_t kMaxQuotedName = 100;      // bytes of a tensor name a message quotes
constexpr size_t kMaxQuotedMessage = 300;   // bytes of the JSON parser's message
constexpr size_t kMaxListedNames = 10;
constexpr size_t kMaxListedProblems = 20;

// `text`, cut to its first `limit` bytes (at a UTF-8 character boundary)
// and "..." when longer.
std::string abbreviated(std::string_view text, size_t limit) {
    if (text.size() <= limit) return std::string(text);
    size_t cut = limit;
    while (cut > 0 && (uint8_t(text[cut]) & 0xc0) == 0x80) --cut;
    return std::string(text.substr(0, cut)) + "...";
}

// "and N more" after the `shown` first of `total` items, or "".
std::string and_more(size_t total, size_t shown) { return total > shown ? "and " + std::to_string(total - shown) + " more" : ""; }

const char* st_dtype_name(DType t) {
    switch (t) {
    case DType::Bool: return "BOOL";
    case DType::I8: return "I8";
    case DType::I32: return "I32";
    case DType::I64: return "I64";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::F32: return "F32";
    case DType::F64: return "F64";
    }
    return "?";
}

std::optional<DType> parse_dtype(const std::string& s) {
    for (DType t : {DType::Bool, DType::I8, DType::I32, DType::I64, DType::F16, DType::BF16, DType::F32, DType::F64})
        if (s == st_dtype_name(t)) return t;
    return std::nullopt;
}

void put_u64(std::string& out, uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
}

uint64_t get_u64(std::string_view s, size_t at) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | uint8_t(s[at + i]);
    return v;
}

// The keys of a JSON document's top-level object, in order (the parsed
// object, a std::map, sorts them and keeps one of keys given twice).
struct TopLevelKeys : nlohmann::json_sax<nlohmann::json> {
    std::vector<std::string> keys;
    int depth = 0;

    bool key(string_t& k) override {
        if (depth == 1) keys.push_back(k);
        return true;
    }
    bool start_object(std::size_t) override {
        ++depth;
        return true;
    }
    bool end_object() override {
        --depth;
        return true;
    }
    bool start_array(std::size_t) override {
        ++depth;
        return true;
    }
    bool end_array() override {
        --depth;
        return true;
    }
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::json::exception&) override { return false; }
};

}  // namespace

std::string quote_name(std::string_view name) {
    std::string quoted = "`" + abbreviated(name, kMaxQuotedName) + "`";
    if (name.size() > kMaxQuotedName) quoted += " (a name of " + std::to_string(name.size()) + " bytes)";
    return quoted;
}

std::string quoted_names(std::span<const NamedTensor> tensors) {
    std::string list;
    for (size_t i = 0; i < tensors.size() && i < kMaxListedNames; ++i) list += (i ? ", " : "") + quote_name(tensors[i].name);
    const std::string more = and_more(tensors.size(), kMaxListedNames);
    return more.empty() ? list : list + ", " + more;
}

std::string mismatch_message(const std::string& path, const std::string& holder, std::span<const std::string> problems) {
    std::string message = "`" + path + "` does not match " + holder + " (" + std::to_string(problems.size()) +
                          (problems.size() == 1 ? " problem" : " problems") + "):";
    for (size_t i = 0; i < problems.size() && i < kMaxListedProblems; ++i) message += "\n  " + problems[i];
    const std::string more = and_more(problems.size(), kMaxListedProblems);
    if (!more.empty()) message += "\n  " + more;
    return message;
}

std::string encode_safetensors(std::span<const NamedTensor> tensors) {
    // The header is written entry by entry: building it as one ordered JSON
    // object would search its keys linearly at every insertion.
    std::string text = "{";
    uint64_t offset = 0;
    for (const NamedTensor& t : tensors) {
        if (t.name == kMetadataKey)
            throw RuntimeError("cannot save tensor " + quote_name(t.name) +
                               ": safetensors reserves that name for the file's metadata; rename it");
        const uint64_t n = uint64_t(t.tensor.nbytes());
        const nlohmann::ordered_json entry = {
            {"dtype", st_dtype_name(t.tensor.dtype())}, {"shape", t.tensor.shape()}, {"data_offsets", {offset, offset + n}}};
        text += nlohmann::json(t.name).dump() + ":" + entry.dump() + ",";
        offset += n;
    }
    text += "\"" + std::string(kMetadataKey) + "\":{\"format\":\"nnc\"}}";
    while (text.size() % 8 != 0) text.push_back(' ');   // keeps the data 8-byte aligned
    std::string bytes;
    bytes.reserve(8 + text.size() + offset);
    put_u64(bytes, text.size());
    bytes += text;
    for (const NamedTensor& t : tensors) bytes.append(static_cast<const char*>(t.tensor.raw()), size_t(t.tensor.nbytes()));
    return bytes;
}

std::vector<NamedTensor> decode_safetensors(std::string_view data, const std::string& what) {
    auto bad = [&](const std::string& why) { throw RuntimeError("`" + what + "` is not a valid safetensors file: " + why); };
    if (data.size() < 8) bad("it has " + std::to_string(data.size()) + " bytes, fewer than the 8-byte header length");
    const uint64_t hlen = get_u64(data, 0);
    if (hlen > data.size() - 8)
        bad("the header length " + std::to_string(hlen) + " exceeds the " + std::to_string(data.size() - 8) + " bytes after it");
    // The header is parsed into a JSON object with logarithmic lookups (an
    // ordered_json object searches its keys linearly, which made files of
    // many tensors load in quadratic time), then again for the file order
    // of its keys.
    const char* header_begin = data.data() + 8;
    const char* header_end = header_begin + hlen;
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(header_begin, header_end);
    } catch (const nlohmann::json::exception& e) {
        bad("the header is not valid JSON (" + abbreviated(e.what(), kMaxQuotedMessage) + ")");
    }
    if (!header.is_object()) bad("the header is not a JSON object");
    const uint64_t data_start = 8 + hlen, data_size = data.size() - data_start;

    struct Entry {
        std::string name;
        DType dtype;
        Shape shape;
        uint64_t begin, end;
    };
    TopLevelKeys names;
    nlohmann::json::sax_parse(header_begin, header_end, &names);
    std::vector<Entry> entries;
    std::unordered_set<std::string_view> seen;
    for (const std::string& name : names.keys) {
        if (!seen.insert(name).second) bad("the header names " + quote_name(name) + " twice");
        const nlohmann::json& e = header.at(name);
        if (name == kMetadataKey) {
            if (!e.is_object()) bad("`__metadata__` is not an object");
            continue;
        }
        const std::string where = "tensor " + quote_name(name);
        if (!e.is_object()) bad(where + " is not an object");
        if (!e.contains("dtype") || !e["dtype"].is_string()) bad(where + " has no dtype string");
        if (!e.contains("shape") || !e["shape"].is_array()) bad(where + " has no shape list");
        if (!e.contains("data_offsets") || !e["data_offsets"].is_array() || e["data_offsets"].size() != 2 ||
            !e["data_offsets"][0].is_number_unsigned() || !e["data_offsets"][1].is_number_unsigned())
            bad(where + " has no data_offsets pair of non-negative integers");
        const std::string dname = e["dtype"].get<std::string>();
        const auto dtype = parse_dtype(dname);
        if (!dtype) bad(where + " has dtype `" + dname + "`, not one of BOOL, I8, I32, I64, F16, BF16, F32, F64");
        Shape shape;
        for (const auto& d : e["shape"]) {
            if (!d.is_number_unsigned()) bad(where + " has a shape entry that is not a non-negative integer");
            const uint64_t n = d.get<uint64_t>();
            if (n > uint64_t(INT64_MAX)) bad(where + " has a dimension that is too large");
            shape.push_back(int64_t(n));
        }
        const uint64_t b = e["data_offsets"][0].get<uint64_t>(), en = e["data_offsets"][1].get<uint64_t>();
        if (b > en || en > data_size)
            bad(where + " has data_offsets [" + std::to_string(b) + ", " + std::to_string(en) + "] outside the " +
                std::to_string(data_size) + " data bytes");
        int64_t numel = 0;
        try {
            numel = checked_numel(shape);
        } catch (const RuntimeError&) {
            bad(where + " has shape " + shape_str(shape) + " whose size overflows");
        }
        const uint64_t want = uint64_t(numel) * uint64_t(dtype_size(*dtype));
        if (numel != 0 && want / uint64_t(numel) != uint64_t(dtype_size(*dtype))) bad(where + " is too large");
        if (want != en - b)
            bad(where + " has " + std::to_string(en - b) + " data bytes, but " + dname + shape_str(shape) + " needs " +
                std::to_string(want));
        entries.push_back({name, *dtype, std::move(shape), b, en});
    }
    std::vector<size_t> order(entries.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return entries[x].begin < entries[y].begin; });
    for (size_t i = 1; i < order.size(); ++i) {
        const Entry &p = entries[order[i - 1]], &c = entries[order[i]];
        if (c.begin < p.end) bad("the data of tensors " + quote_name(p.name) + " and " + quote_name(c.name) + " overlap");
    }
    std::vector<NamedTensor> out;
    for (const Entry& e : entries) {
        Tensor t;
        try {
            t = Tensor::empty(e.dtype, e.shape);
        } catch (const RuntimeError& err) {
            throw RuntimeError("cannot load tensor " + quote_name(e.name) + ": " + err.what());
        }
        if (e.end > e.begin) std::memcpy(t.raw(), data.data() + data_start + e.begin, e.end - e.begin);
        if (e.dtype == DType::Bool) {   // normalise to 0/1
            auto* p = static_cast<uint8_t*>(t.raw());
            for (int64_t i = 0; i < t.numel(); ++i) p[i] = p[i] != 0;
        }
        out.push_back({e.name, std::move(t)});
    }
    return out;
}

std::vector<std::string> checkpoint_mismatches(std::span<const ExpectedTensor> expected, std::span<const NamedTensor> file,
                                               const std::string& holder) {
    std::map<std::string, const Tensor*> by_name;
    for (const NamedTensor& f : file) by_name[f.name] = &f.tensor;
    std::vector<std::string> problems;
    std::map<std::string, bool> used;
    for (const ExpectedTensor& e : expected) {
        auto it = by_name.find(e.name);
        if (it == by_name.end()) {
            problems.push_back(quote_name(e.name) + " (" + e.type.str() + ") is missing from the file");
            continue;
        }
        used[e.name] = true;
        const TensorType have = it->second->type();
        if (!(have == e.type))
            problems.push_back(quote_name(e.name) + " is " + e.type.str() + " in " + holder + ", but " + have.str() + " in the file");
    }
    for (const NamedTensor& f : file)
        if (!used.count(f.name)) problems.push_back(quote_name(f.name) + " (" + f.tensor.type().str() + ") in the file is not in " + holder);
    return problems;
}

std::map<std::string, Tensor> read_checkpoint(const std::string& path, std::span<const ExpectedTensor> expected) {
    std::string bytes, error;
    if (!read_whole_file(path, bytes, error)) throw RuntimeError(error);
    std::vector<NamedTensor> file = decode_safetensors(bytes, path);
    const std::vector<std::string> problems = checkpoint_mismatches(expected, file, "the model");
    if (!problems.empty()) throw RuntimeError(mismatch_message(path, "the model", problems));
    std::map<std::string, Tensor> by_name;
    for (NamedTensor& t : file) by_name[t.name] = std::move(t.tensor);
    return by_name;
}

}  // namespace nnc
