// The interactive read-eval-print loop of `nnc repl`.
#pragma once

#include "tools/options.h"

namespace nnc {

// Runs the REPL on stdin/stdout until `:quit` or end of input. Line editing
// and history (libedit) when stdin is a terminal; plain reading, without
// prompts, when input is piped. Returns the process exit code.
int run_repl(const DriverOptions& options);

}  // namespace nnc
