// The `nnc` subcommands that work on one script: run, check, emit, compile.
#pragma once

#include "tools/options.h"

namespace nnc {

int run_command(const DriverOptions& options);     // nnc run FILE
int check_command(const DriverOptions& options);   // nnc check FILE
int emit_command(const DriverOptions& options);    // nnc emit --stage=tokens|ast FILE
int compile_command(const DriverOptions& options); // nnc compile FILE --fn NAME -o libNAME.so (compile_command.cpp)

}  // namespace nnc
