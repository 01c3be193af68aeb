// A compiled function: the steps of a fused IR function (one native kernel
// per fusion group, oneDNN GEMM for matmul, reference kernels for the ops no
// group covers, free reshapes; for / if / while run nested step lists) over
// buffers placed by a static memory plan.
//
// Symbolic dimensions are bound from the arguments at each run, so one
// executable serves every batch size; every value's shape and the memory
// plan are worked out once per set of sizes and its arena reused across runs (no page faults on fresh
// memory after the first). Results are fresh tensors — or, for a result
// marked as the new value of a parameter (a model's weights, an
// optimizer's moments), the parameter's own storage updated in place when
// nothing else holds it.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "codegen/cpu/kernel_abi.h"
#include "ir/function.h"
#include "runtime/tensor.h"

namespace nnc::codegen {

struct CompileOptions {
    // result index -> parameter index: the result replaces the parameter in
    // the caller (which then holds only the result).
    std::map<size_t, size_t> updates;
    bool profile = false;   // time every step
};

// Per-step timings (`nnc run --profile`).
struct StepProfile {
    std::string name;     // kernel symbol or op name
    SourceRange loc;      // the .nn source it came from
    int64_t calls = 0;
    double seconds = 0;
};

class Executable {
public:
    // Builds the executable of `f`, which must have been through the fusion
    // pipeline (fusion_pipeline()), around its kernels: one per fusion op,
    // in the order ir::walk visits them (from the JIT or a compiled
    // library; kernel_module.h). `compile_ms` is what they took to build.
    static std::unique_ptr<Executable> build(const ir::Function& f, const CompileOptions& options,
                                             std::vector<CompiledKernel> kernels, double compile_ms);

    // Runs on `args` (one per parameter; moved in so that updated
    // parameters can be written in place when `args` and the caller's own
    // reference are their only owners: at most `max_owners`). Throws
    // RuntimeError when the arguments do not match the parameter types.
    std::vector<Tensor> run(std::vector<Tensor> args, long max_owners);

    // The symbolic dimensions of the parameters' types, in the order
    // `reserve` takes their sizes (first appearance).
    std::vector<std::string> symbols() const;
    // Plans the arena for these sizes now rather than at the first run.
    void reserve(const std::vector<int64_t>& sizes) { plan_for(sizes); }

    int kernel_count() const { return kernels_; }
    // Milliseconds spent emitting, optimising and compiling its kernels (or loading them from the disk cache).
    double compile_ms() const { return compile_ms_; }
    // Bytes of the largest arena planned so far plus the results' buffers.
    int64_t peak_bytes() const { return peak_bytes_; }
    std::vector<StepProfile> profile() const;
    // Results written into their parameter's storage, over all runs so far.
    int64_t in_place_updates() const { return in_place_updates_; }

    ~Executable();

private:
    Executable() = default;
    struct Step;
    struct Plan;
    struct Run;
    const Plan& plan_for(const std::vector<int64_t>& sizes);
    // Every slot's shape at these sizes (the shape rules on concrete shapes,
    // so dimensions the IR types leave unknown are known here too), and each
    // kernel's iteration shape.
    std::vector<Shape> value_shapes(const std::vector<int64_t>& sizes, std::unordered_map<const ir::Op*, Shape>& iteration) const;
    void run_steps(const std::vector<std::unique_ptr<Step>>& steps, Run& run);
    static void all_inputs(const Step& st, std::vector<int>& out);              // its regions' reads included
    static void all_outputs(const Step& st, std::vector<const Step*>& out);     // it and its regions' steps

    const ir::Function* f_ = nullptr;
    std::vector<std::unique_ptr<Step>> steps_;
    std::map<std::string, int> symbols_;   // symbolic dim -> index into sizes
    std::map<std::vector<int64_t>, std::unique_ptr<Plan>> plans_;
    std::vector<const ir::Value*> slot_values_;
    std::vector<std::pair<int, const ir::Op*>> constants_;   // slot, constant op: set at every run
    size_t n_slots_ = 0;
    std::vector<int> result_slots_;
    std::map<size_t, size_t> updates_;
    std::vector<bool> update_in_place_;   // per result: statically safe to write into its parameter
    int kernels_ = 0;
    double compile_ms_ = 0;
    int64_t peak_bytes_ = 0;
    int64_t in_place_updates_ = 0;
    bool profile_ = false;
};

// The passes that turn a traced function into what Executable::build
// takes: the default pipeline, then fuse.
std::span<const std::string> fusion_pipeline();

}  // namespace nnc::codegen
