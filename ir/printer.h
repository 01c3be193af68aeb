// The IR's text form, MLIR-like; ir/parser.h reads it back and documents
// the grammar. One op per line, values named in order of definition:
//
//   func @step(%x: f32[B, 3], %n: i64) -> f32 {
//     %0 = constant dense<0.5> : f32
//     %1, %2 = for %n iter(%x, %0) {
//     ^(%3: i64, %4: f32[B, 3], %5: f32):
//       %6 = mul %4, %5 : f32[B, 3]
//       yield %6, %5
//     } : f32[B, 3], f32
//     %7 = reduce_sum %1 {axes = [], keepdim = false} : f32
//     return %7
//   }
//
// A value prints as its name hint when it has one (`%x`; made unique within
// the function by a `_1`, `_2` suffix) and otherwise as the next number.
// Printing, parsing and printing again gives the same text.
#pragma once

#include <ostream>
#include <string>

#include "support/source.h"
#include "ir/function.h"

namespace nnc::ir {

struct PrintOptions {
    // Appends the source location of each op that has one:
    // `loc("model.nn":4:12)`, or `loc("model.nn":4:12 to 4:20)` for a range.
    bool locations = false;
    const SourceManager* sources = nullptr;   // names the files; required by `locations`
};

void print_function(const Function& f, std::ostream& out, const PrintOptions& options = {});
// Functions in order, separated by blank lines.
void print_module(const Module& m, std::ostream& out, const PrintOptions& options = {});
std::string to_string(const Function& f, const PrintOptions& options = {});

}  // namespace nnc::ir
