// The signature of a compiled library as JSON (see signature.h).
#include "aot/signature.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace nnc::aot {

namespace {

nlohmann::json tensor_json(const TensorSpec& t) {
    nlohmann::json dims = nlohmann::json::array();
    for (const Dim& d : t.dims) dims.push_back(d.is_known() ? nlohmann::json(d.value()) : nlohmann::json(d.name()));
    return {{"name", t.name}, {"dtype", std::string(dtype_name(t.dtype))}, {"dims", dims}};
}

TensorSpec tensor_spec(const nlohmann::json& j) {
    TensorSpec t;
    t.name = j.at("name").get<std::string>();
    const auto dtype = parse_dtype(j.at("dtype").get<std::string>());
    if (!dtype) throw std::runtime_error("unknown dtype " + j.at("dtype").dump());
    t.dtype = *dtype;
    for (const auto& d : j.at("dims")) t.dims.push_back(d.is_string() ? Dim::symbol(d.get<std::string>()) : Dim::known(d.get<int64_t>()));
    return t;
}

}  // namespace

std::string TensorSpec::str() const {
    std::string s = std::string(dtype_name(dtype)) + "[";
    for (size_t d = 0; d < dims.size(); ++d) s += (d ? ", " : "") + dims[d].str();
    return s + "]";
}

std::string encode_signature(const Signature& s) {
    nlohmann::json j;
    for (const TensorSpec& t : s.inputs) j["inputs"].push_back(tensor_json(t));
    for (const TensorSpec& t : s.outputs) j["outputs"].push_back(tensor_json(t));
    j["inputs"] = j.value("inputs", nlohmann::json::array());
    j["outputs"] = j.value("outputs", nlohmann::json::array());
    j["params"] = nlohmann::json::array();
    for (const ParamSpec& p : s.params) {
        if (p.input >= 0) j["params"].push_back({{"input", p.input}});
        else j["params"].push_back({{"state", p.name}, {"checkpoint", p.checkpoint}, {"alias", p.alias}});
    }
    j["updates"] = s.updates;
    j["symbols"] = s.symbols;
    j["weights_embedded"] = s.weights_embedded;
    return j.dump(1);
}

Signature decode_signature(std::string_view text) {
    try {
        const nlohmann::json j = nlohmann::json::parse(text);
        Signature s;
        for (const auto& t : j.at("inputs")) s.inputs.push_back(tensor_spec(t));
        for (const auto& t : j.at("outputs")) s.outputs.push_back(tensor_spec(t));
        for (const auto& p : j.at("params")) {
            ParamSpec spec;
            if (p.contains("input")) spec.input = p.at("input").get<int>();
            else {
                spec.name = p.at("state").get<std::string>();
                spec.checkpoint = p.at("checkpoint").get<std::string>();
                spec.alias = p.at("alias").get<int>();
            }
            s.params.push_back(std::move(spec));
        }
        s.updates = j.at("updates").get<std::vector<std::pair<size_t, size_t>>>();
        s.symbols = j.at("symbols").get<std::vector<std::string>>();
        s.weights_embedded = j.at("weights_embedded").get<bool>();
        return s;
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(std::string("malformed signature: ") + e.what());
    }
}

}  // namespace nnc::aot
