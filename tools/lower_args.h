// The `--arg NAME=VALUE` options of `nnc emit` and `nnc compile`: a tensor
// type (`x=f32[B,784]`, abstract, with symbolic dimensions), an int
// (`n=3`), or any other text as a .nn expression (`o=optim.adam(m)`).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "interp/interpreter.h"

namespace nnc {

// Prints the problem and returns false on a malformed option.
bool parse_lower_args(const std::vector<std::string>& options, std::map<std::string, Interpreter::LowerArg>& given);

}  // namespace nnc
