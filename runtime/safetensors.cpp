// The safetensors format (see safetensors.h).
#include "runtime/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>
#include <optional>

#include "runtime/files.h"

#include <nlohmann/json.hpp>

namespace nnc {

static_assert(std::endian::native == std::endian::little, "file formats assume a little-endian host");

namespace {

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

}  // namespace

std::string encode_safetensors(std::span<const NamedTensor> tensors) {
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    uint64_t offset = 0;
    for (const NamedTensor& t : tensors) {
        const uint64_t n = uint64_t(t.tensor.nbytes());
        header[t.name] = {{"dtype", st_dtype_name(t.tensor.dtype())}, {"shape", t.tensor.shape()}, {"data_offsets", {offset, offset + n}}};
        offset += n;
    }
    header["__metadata__"] = {{"format", "nnc"}};
    std::string text = header.dump();
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
    nlohmann::ordered_json header;
    try {
        header = nlohmann::ordered_json::parse(data.begin() + 8, data.begin() + 8 + std::ptrdiff_t(hlen));
    } catch (const nlohmann::json::exception& e) {
        bad(std::string("the header is not valid JSON (") + e.what() + ")");
    }
    if (!header.is_object()) bad("the header is not a JSON object");
    const uint64_t data_start = 8 + hlen, data_size = data.size() - data_start;

    struct Entry {
        std::string name;
        DType dtype;
        Shape shape;
        uint64_t begin, end;
    };
    std::vector<Entry> entries;
    for (auto it = header.begin(); it != header.end(); ++it) {
        const std::string& name = it.key();
        if (name == "__metadata__") {
            if (!it->is_object()) bad("`__metadata__` is not an object");
            continue;
        }
        const auto& e = it.value();
        const std::string where = "tensor `" + name + "`";
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
        if (c.begin < p.end) bad("the data of tensors `" + p.name + "` and `" + c.name + "` overlap");
    }
    std::vector<NamedTensor> out;
    for (const Entry& e : entries) {
        Tensor t;
        try {
            t = Tensor::empty(e.dtype, e.shape);
        } catch (const RuntimeError& err) {
            throw RuntimeError("cannot load tensor `" + e.name + "`: " + err.what());
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
            problems.push_back("`" + e.name + "` (" + e.type.str() + ") is missing from the file");
            continue;
        }
        used[e.name] = true;
        const TensorType have = it->second->type();
        if (!(have == e.type))
            problems.push_back("`" + e.name + "` is " + e.type.str() + " in " + holder + ", but " + have.str() + " in the file");
    }
    for (const NamedTensor& f : file)
        if (!used.count(f.name)) problems.push_back("`" + f.name + "` (" + f.tensor.type().str() + ") in the file is not in " + holder);
    return problems;
}

std::map<std::string, Tensor> read_checkpoint(const std::string& path, std::span<const ExpectedTensor> expected) {
    std::string bytes, error;
    if (!read_whole_file(path, bytes, error)) throw RuntimeError(error);
    std::vector<NamedTensor> file = decode_safetensors(bytes, path);
    const std::vector<std::string> problems = checkpoint_mismatches(expected, file, "the model");
    if (!problems.empty()) {
        std::string message = "`" + path + "` does not match the model (" + std::to_string(problems.size()) +
                              (problems.size() == 1 ? " problem" : " problems") + "):";
        for (const std::string& p : problems) message += "\n  " + p;
        throw RuntimeError(message);
    }
    std::map<std::string, Tensor> by_name;
    for (NamedTensor& t : file) by_name[t.name] = std::move(t.tensor);
    return by_name;
}

}  // namespace nnc
