// The `nnc` subcommands that work on one script: run, check, emit, compile.
#pragma once

#include "ir/passes/pipeline.h"
#include "tools/options.h"

namespace nnc {

// What --print-after, --print-after-all and --verify-each ask of the
// compile pipeline (IR printed to stderr).
ir::PipelineOptions pipeline_options(const DriverOptions& options);

int run_command(const DriverOptions& options);     // nnc run FILE
int check_command(const DriverOptions& options);   // nnc check FILE
int emit_command(const DriverOptions& options);    // nnc emit --stage=tokens|ast FILE
int compile_command(const DriverOptions& options); // nnc compile FILE --fn NAME -o libNAME.so (compile_command.cpp)

}  // namespace nnc
