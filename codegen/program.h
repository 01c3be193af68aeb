// The backend-neutral form of a compiled function: its fused IR as a tree
// of steps over numbered value slots. A step runs one fusion group's kernel,
// one library op (matmul as `gemm`, convolution, gathers...), a free view
// (reshape, expand_dims), or a for / if / while whose regions are nested
// step lists. Built once per function; what depends on the sizes of the
// symbolic dims (every slot's shape, each kernel's iteration shape) is
// computed by `shapes_at` for each set of sizes the executable meets.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/function.h"

namespace nnc::codegen {

struct Step {
    enum Kind { Kernel, Library, View, ControlFlow } kind;
    const ir::Op* op;
    std::vector<int> inputs;    // slots
    std::vector<int> outputs;
    size_t kernel = 0;          // Kernel: its index in the backend's kernels
    // ControlFlow: each region's steps, argument slots and yielded slots
    std::vector<std::vector<std::unique_ptr<Step>>> regions;
    std::vector<std::vector<int>> region_args, region_yields;
    // --profile
    int64_t calls = 0;
    double seconds = 0;

    // Every slot it reads, its regions' reads included.
    void all_inputs(std::vector<int>& out) const;
    // It and its regions' steps, in order.
    void all_steps(std::vector<const Step*>& out) const;
};

// What a program's slots are at one set of sizes of its symbolic dims.
struct Shapes {
    std::vector<Shape> slots;                              // per slot
    std::unordered_map<const ir::Op*, Shape> iteration;   // per fusion op: its kernel's iteration shape
};

class Program {
public:
    // `f` must have been through a compile pipeline (fusion included);
    // `updates` maps result indices to the parameter each replaces.
    Program(const ir::Function& f, const std::map<size_t, size_t>& updates);

    const ir::Function& function() const { return *f_; }
    const std::vector<std::unique_ptr<Step>>& steps() const { return steps_; }
    size_t slot_count() const { return slot_values_.size(); }
    const TensorType& slot_type(int slot) const { return slot_values_[slot]->type(); }
    const std::vector<int>& result_slots() const { return result_slots_; }
    // The constants' slots: set from their payload at every run.
    const std::vector<std::pair<int, const ir::Op*>>& constants() const { return constants_; }
    // Per result: whether it may be written into its parameter's storage
    // (the kernel producing it reads the parameter element by element and
    // nothing reads the parameter afterwards).
    const std::vector<bool>& update_in_place() const { return update_in_place_; }
    const std::map<size_t, size_t>& updates() const { return updates_; }
    int kernel_count() const { return kernels_; }
    // The symbolic dims of the parameters in order of first appearance: the
    // order of the sizes `shapes_at` takes.
    const std::vector<std::string>& symbols() const { return symbols_; }

    // Every slot's shape at these sizes (the shape rules on concrete shapes,
    // so dims the IR types leave unknown are known here too).
    Shapes shapes_at(std::span<const int64_t> sizes) const;

private:
    void build_steps(const ir::Block& b, std::vector<std::unique_ptr<Step>>& steps);
    void find_in_place_updates();

    const ir::Function* f_;
    std::unordered_map<const ir::Value*, int> slot_;
    std::vector<const ir::Value*> slot_values_;
    std::vector<std::unique_ptr<Step>> steps_;
    std::vector<std::string> symbols_;
    std::vector<std::pair<int, const ir::Op*>> constants_;
    std::vector<int> result_slots_;
    std::map<size_t, size_t> updates_;
    std::vector<bool> update_in_place_;
    int kernels_ = 0;
};

}  // namespace nnc::codegen
