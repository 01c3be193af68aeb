// The run time of compiled libraries (see context.h).
#include "aot/runtime/context.h"

#include <cstring>
#include <map>
#include <mutex>
#include <sstream>

#include "codegen/cpu/cpu_backend.h"
#include "ir/parser.h"
#include "support/diagnostics.h"
#include "ir/verifier.h"
#include "runtime/io/files.h"
#include "runtime/io/safetensors.h"
#include "support/error.h"

namespace nnc::aot {

namespace {

[[noreturn]] void internal(const std::string& what) { throw Error{NNC_ERROR_INTERNAL, "corrupt library: " + what}; }

std::string shape_text(const nnc_tensor& t) {
    std::string s = std::string(dtype_name(static_cast<DType>(t.dtype))) + "[";
    for (int32_t d = 0; d < t.rank; ++d) s += (d ? ", " : "") + std::to_string(t.dims[d]);
    return s + "]";
}

// The C enum and DType agree value for value (checked here once).
static_assert(static_cast<int>(DType::Bool) == NNC_BOOL && static_cast<int>(DType::I8) == NNC_I8 &&
              static_cast<int>(DType::I32) == NNC_I32 && static_cast<int>(DType::I64) == NNC_I64 &&
              static_cast<int>(DType::F16) == NNC_F16 && static_cast<int>(DType::BF16) == NNC_BF16 &&
              static_cast<int>(DType::F32) == NNC_F32 && static_cast<int>(DType::F64) == NNC_F64);

// The caller's memory as a tensor, without taking ownership.
Tensor borrow(void* data, DType dtype, const Shape& shape) {
    return Tensor::wrap(std::shared_ptr<std::byte[]>(std::shared_ptr<std::byte[]>(), static_cast<std::byte*>(data)), dtype, shape);
}

}  // namespace

Library::Library(const nnc_aot_library& e) : embedded(e) {
    try {
        signature = decode_signature(std::string_view(e.metadata, e.metadata_size));
    } catch (const std::runtime_error& x) {
        internal(x.what());
    }
    SourceManager sources;
    std::ostringstream messages;
    DiagnosticEngine diags(sources, messages);
    const uint32_t file = sources.add_buffer(std::string(e.name) + ".nnir", std::string(e.ir, e.ir_size));
    auto parsed = ir::parse_module(sources, file, diags);
    if (!parsed || parsed->functions.size() != 1) internal("its IR does not parse: " + messages.str());
    module = std::make_unique<ir::Module>(std::move(*parsed));
    function = module->functions[0].get();
    if (!ir::verify(*function).empty()) internal("its IR does not verify");
    for (int32_t k = 0; k < e.num_kernels; ++k)
        kernels.push_back({{e.kernels[k].symbol, e.kernels[k].outer_dims, e.kernels[k].parallel != 0}, e.kernels[k].fn});
}

std::shared_ptr<const Library> Library::get(const nnc_aot_library& embedded) {
    static std::mutex mutex;
    static std::map<const char*, std::weak_ptr<const Library>> parsed;   // by the IR blob's address
    std::lock_guard lock(mutex);
    std::weak_ptr<const Library>& slot = parsed[embedded.ir];
    if (auto library = slot.lock()) return library;
    auto library = std::make_shared<const Library>(embedded);
    slot = library;
    return library;
}

Context::Context(std::shared_ptr<const Library> library, const char* weights_path) : library_(std::move(library)) {
    const Library& lib = *library_;
    codegen::CompileOptions options;
    for (const auto& [result, param] : lib.signature.updates) options.updates[result] = param;
    try {
        executable_ = std::make_unique<codegen::Executable>(*lib.function, options,
                                                            std::make_unique<codegen::CpuBackend>(lib.kernels), 0);
    } catch (const InternalError& x) {
        internal(x.what());
    }
    state_.resize(lib.signature.params.size());
    std::vector<NamedTensor> embedded;
    try {
        embedded = decode_safetensors(std::string_view(lib.embedded.state, lib.embedded.state_size), "embedded state");
    } catch (const RuntimeError& x) {
        internal(x.what());
    }
    std::map<std::string, Tensor> by_name;
    for (NamedTensor& t : embedded) by_name[t.name] = std::move(t.tensor);
    for (size_t i = 0; i < lib.signature.params.size(); ++i) {
        const ParamSpec& p = lib.signature.params[i];
        if (p.input >= 0 || p.alias >= 0 || (!p.checkpoint.empty() && !lib.signature.weights_embedded)) continue;
        auto it = by_name.find(p.name);
        if (it == by_name.end()) internal("no embedded value for `" + p.name + "`");
        state_[i] = it->second;
    }
    if (weights_path) load_weights(weights_path);
    else if (!lib.signature.weights_embedded)
        throw Error{NNC_ERROR_WEIGHTS, std::string(lib.embedded.name) +
                                           " was compiled without --embed-weights: give create a safetensors file of the weights"};
}

size_t Context::holder(size_t param) const {
    const int alias = library_->signature.params[param].alias;
    return alias >= 0 ? static_cast<size_t>(alias) : param;
}

void Context::load_weights(const std::string& path) {
    const Library& lib = *library_;
    std::vector<ExpectedTensor> expected;
    for (size_t i = 0; i < lib.signature.params.size(); ++i)
        if (!lib.signature.params[i].checkpoint.empty()) expected.push_back({lib.signature.params[i].checkpoint, lib.function->params()[i]->type()});
    std::map<std::string, Tensor> by_name;
    try {
        by_name = read_checkpoint(path, expected);
    } catch (const RuntimeError& x) {
        throw Error{NNC_ERROR_WEIGHTS, x.what()};
    }
    for (size_t i = 0; i < lib.signature.params.size(); ++i)
        if (!lib.signature.params[i].checkpoint.empty()) state_[i] = by_name.at(lib.signature.params[i].checkpoint);
}

void Context::save_weights(const std::string& path) const {
    const Library& lib = *library_;
    std::vector<NamedTensor> weights;
    for (size_t i = 0; i < lib.signature.params.size(); ++i)
        if (!lib.signature.params[i].checkpoint.empty()) weights.push_back({lib.signature.params[i].checkpoint, state_[i]});
    const std::string error = write_file_atomically(path, encode_safetensors(weights));
    if (!error.empty()) throw Error{NNC_ERROR_WEIGHTS, error};
}

void Context::reserve(const int64_t* sizes) {
    const size_t n = executable_->symbols().size();
    if (n > 0 && !sizes) throw Error{NNC_ERROR_INVALID_ARGUMENT, "sizes is null"};
    std::vector<int64_t> values(sizes, sizes + n);
    for (size_t i = 0; i < n; ++i)
        if (values[i] < 0) throw Error{NNC_ERROR_SHAPE, executable_->symbols()[i] + " = " + std::to_string(values[i]) + " is negative"};
    try {
        executable_->reserve(values);
    } catch (const RuntimeError& x) {
        throw Error{NNC_ERROR_SHAPE, x.what()};
    }
}

void Context::run(const nnc_tensor* inputs, int32_t num_inputs, nnc_tensor* outputs, int32_t num_outputs) {
    const Library& lib = *library_;
    auto count = [&](const std::string& what, int32_t given, size_t want) {
        if (given != static_cast<int32_t>(want))
            throw Error{NNC_ERROR_INVALID_ARGUMENT, "the function takes " + std::to_string(want) + " " + what + (want == 1 ? "" : "s") +
                                                        ", not " + std::to_string(given)};
    };
    count("input", num_inputs, lib.signature.inputs.size());
    count("output", num_outputs, lib.signature.outputs.size());
    if ((num_inputs > 0 && !inputs) || (num_outputs > 0 && !outputs))
        throw Error{NNC_ERROR_INVALID_ARGUMENT, std::string(!inputs && num_inputs > 0 ? "inputs" : "outputs") + " is null"};

    // Every tensor against its declared type; symbolic dims bound by the first tensor that has them.
    std::map<std::string, int64_t> bound;
    auto check = [&](const nnc_tensor& t, const TensorSpec& spec, const char* role) -> Shape {
        const std::string what = std::string(role) + " `" + spec.name + "`";
        if (static_cast<int>(t.dtype) != static_cast<int>(spec.dtype) || t.rank != static_cast<int32_t>(spec.dims.size()) ||
            t.rank < 0 || t.rank > NNC_MAX_RANK)
            throw Error{NNC_ERROR_SHAPE, what + " must be " + spec.str() + ", not " +
                                            (t.dtype >= NNC_BOOL && t.dtype <= NNC_F64 && t.rank >= 0 && t.rank <= NNC_MAX_RANK
                                                 ? shape_text(t) : std::string("dtype ") + std::to_string(t.dtype) + " rank " + std::to_string(t.rank))};
        Shape shape(t.dims, t.dims + t.rank);
        for (int32_t d = 0; d < t.rank; ++d) {
            const Dim& want = spec.dims[d];
            bool ok = t.dims[d] >= 0;
            if (ok && want.is_known()) ok = want.value() == t.dims[d];
            else if (ok) {
                auto [it, fresh] = bound.emplace(want.name(), t.dims[d]);
                ok = fresh || it->second == t.dims[d];
            }
            if (!ok) {
                std::string msg = what + " is " + shape_text(t) + " but must be " + spec.str();
                if (want.is_symbol() && bound.count(want.name()) && t.dims[d] >= 0)
                    msg += " with " + want.name() + " = " + std::to_string(bound.at(want.name()));
                throw Error{NNC_ERROR_SHAPE, msg};
            }
        }
        try {
            if (checked_numel(shape) > 0 && !t.data) throw Error{NNC_ERROR_INVALID_ARGUMENT, what + " has no data (null pointer)"};
        } catch (const RuntimeError&) {
            throw Error{NNC_ERROR_SHAPE, what + " is " + shape_text(t) + ", too large"};
        }
        return shape;
    };
    std::vector<Tensor> args(lib.signature.params.size());
    std::vector<Shape> input_shapes;
    for (int32_t i = 0; i < num_inputs; ++i) input_shapes.push_back(check(inputs[i], lib.signature.inputs[i], "input"));
    std::vector<Shape> output_shapes;
    for (int32_t i = 0; i < num_outputs; ++i) output_shapes.push_back(check(outputs[i], lib.signature.outputs[i], "output"));
    for (size_t i = 0; i < lib.signature.params.size(); ++i) {
        const int input = lib.signature.params[i].input;
        args[i] = input >= 0 ? borrow(inputs[input].data, lib.signature.inputs[input].dtype, input_shapes[input]) : state_[holder(i)];
    }

    std::vector<Tensor> results;
    try {
        results = executable_->run(std::move(args), 1);   // state updated in place: held by state_ and the run only
    } catch (const std::runtime_error& x) {   // an op's own check (an index out of range...)
        throw Error{NNC_ERROR_RUNTIME, x.what()};
    }
    for (int32_t i = 0; i < num_outputs; ++i) {
        const Tensor& r = results[i];
        if (r.shape() != output_shapes[i])
            throw Error{NNC_ERROR_INTERNAL, "output `" + lib.signature.outputs[i].name + "` came out as " + r.type().str()};
        if (r.nbytes() > 0 && r.raw() != outputs[i].data) std::memmove(outputs[i].data, r.raw(), static_cast<size_t>(r.nbytes()));
    }
    for (const auto& [result, param] : lib.signature.updates) state_[holder(param)] = results[result];
}

}  // namespace nnc::aot
