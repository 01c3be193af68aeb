// Writes a compiled library (`nnc compile`): the kernels of a fused
// function as a position-independent object, a C file embedding the IR,
// the signature and the initial state and defining the MODEL_* entry
// points, the public header MODEL.h, all linked with the nnc run time
// (aot/runtime, the executor, reference kernels, oneDNN) into one shared
// library that exports only MODEL_* symbols.
#pragma once

#include <string>
#include <vector>

#include "aot/signature.h"
#include "ir/function.h"
#include "runtime/io/safetensors.h"

namespace nnc::aot {

struct LibraryRequest {
    std::string name;                  // the C prefix of every exported symbol
    std::string origin;                // for the header's comment: "fn `f` of model.nn"
    const ir::Function* function = nullptr;   // lowered for the CPU (ir/passes/pipeline.h)
    Signature signature;
    std::vector<NamedTensor> embedded_state;  // by state name
    std::string output;                // the .so
    std::string header;                // the .h
    std::string cpu = "host";          // what the kernels are compiled for
};

// Throws std::runtime_error naming what failed (a compiler's own output included).
void write_library(const LibraryRequest& request);

// The public header's text (exposed for tests of its layout).
std::string library_header(const LibraryRequest& request);

}  // namespace nnc::aot
