// A compiled function, the same for every backend: a Program (the step
// tree of its fused IR) run over buffers placed by a static memory plan,
// with a Backend doing the device's part (kernels, library ops, arenas).
//
// Symbolic dimensions are bound from the arguments at each run, so one
// executable serves every batch size; every value's shape and the memory
// plan are worked out once per set of sizes and its arena reused across
// runs (no page faults on fresh memory after the first). Results are fresh
// tensors — or, for a result marked as the new value of a parameter (a
// model's weights, an optimizer's moments), the parameter's own storage
// updated in place when nothing else holds it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "codegen/backend.h"
#include "codegen/program.h"
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
    // The executable of `f`, which must have been through a compile
    // pipeline (ir/passes/compile_pipeline.h), run by `backend`, which holds
    // one kernel per fusion op in the order ir::walk visits them.
    // `compile_ms` is what building the kernels took.
    Executable(const ir::Function& f, const CompileOptions& options, std::unique_ptr<Backend> backend, double compile_ms);
    ~Executable();

    // Runs on `args` (one per parameter; moved in so that updated
    // parameters can be written in place when `args` and the caller's own
    // reference are their only owners: at most `max_owners`). Throws
    // RuntimeError when the arguments do not match the parameter types.
    std::vector<Tensor> run(std::vector<Tensor> args, long max_owners);

    // The symbolic dimensions of the parameters' types, in the order
    // `reserve` takes their sizes (first appearance).
    const std::vector<std::string>& symbols() const { return program_.symbols(); }
    // Plans the arena for these sizes now rather than at the first run.
    void reserve(const std::vector<int64_t>& sizes) { plan_for(sizes); }

    int kernel_count() const { return program_.kernel_count(); }
    // Milliseconds spent emitting, optimising and compiling its kernels (or loading them from the disk cache).
    double compile_ms() const { return compile_ms_; }
    // Bytes of the largest arena planned so far plus the results' buffers.
    int64_t peak_bytes() const { return peak_bytes_; }
    std::vector<StepProfile> profile() const;
    // Results written into their parameter's storage, over all runs so far.
    int64_t in_place_updates() const { return in_place_updates_; }

private:
    struct Plan;
    struct Run;
    const Plan& plan_for(const std::vector<int64_t>& sizes);
    void run_steps(const std::vector<std::unique_ptr<Step>>& steps, Run& run);
    void run_step(Step& st, Run& run);

    Program program_;
    std::unique_ptr<Backend> backend_;
    bool profile_ = false;
    double compile_ms_ = 0;
    std::map<std::vector<int64_t>, std::unique_ptr<Plan>> plans_;
    int64_t peak_bytes_ = 0;
    int64_t in_place_updates_ = 0;
};

}  // namespace nnc::codegen
