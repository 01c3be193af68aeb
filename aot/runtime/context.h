// The run time of a library written by `nnc compile`: the embedded
// description parsed once per process (Library), and contexts that own a
// copy of the state (weights, optimizer moments) and an executor with its
// arena, and run the compiled function on the caller's buffers. Contexts
// share nothing mutable, so several run concurrently on different threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "aot/signature.h"
#include "codegen/cpu/kernel_abi.h"
#include "codegen/executable.h"
#include "ir/function.h"
#include "nnc/aot_abi.h"
#include "runtime/tensor.h"

namespace nnc::aot {

// A failure with the status the C API returns.
struct Error {
    nnc_status status;
    std::string message;
};

class Library {
public:
    // The parsed description of `embedded` (parsed on first use, then
    // shared). `embedded` itself may be a temporary (the generated create
    // builds it on its stack); its blobs are the library's static data,
    // which identify it.
    static std::shared_ptr<const Library> get(const nnc_aot_library& embedded);

    const nnc_aot_library embedded;   // a copy: the pointers in it are static
    std::unique_ptr<ir::Module> module;   // owns the function
    const ir::Function* function = nullptr;
    std::vector<codegen::CompiledKernel> kernels;
    Signature signature;

    explicit Library(const nnc_aot_library& embedded);
};

class Context {
public:
    // Throws Error (weights: NNC_ERROR_WEIGHTS).
    Context(std::shared_ptr<const Library> library, const char* weights_path);

    void run(const nnc_tensor* inputs, int32_t num_inputs, nnc_tensor* outputs, int32_t num_outputs);
    void reserve(const int64_t* sizes);
    int64_t scratch_bytes() const { return executable_->peak_bytes(); }
    void load_weights(const std::string& path);
    void save_weights(const std::string& path) const;

private:
    std::shared_ptr<const Library> library_;
    std::unique_ptr<codegen::Executable> executable_;
    std::vector<Tensor> state_;   // per parameter; empty for inputs and aliases
    size_t holder(size_t param) const;   // the parameter whose state_ holds `param`'s
};

}  // namespace nnc::aot
