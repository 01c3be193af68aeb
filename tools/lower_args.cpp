// `--arg NAME=VALUE` options (see lower_args.h).
#include "tools/lower_args.h"

#include <charconv>
#include <iostream>

#include "core/shape.h"

namespace nnc {

bool parse_lower_args(const std::vector<std::string>& options, std::map<std::string, Interpreter::LowerArg>& given) {
    for (const std::string& a : options) {
        const size_t eq = a.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == a.size()) {
            std::cerr << "nnc: error: --arg " << a << ": expected NAME=TYPE (x=f32[B,784]), NAME=INT or NAME=EXPRESSION\n";
            return false;
        }
        const std::string name = a.substr(0, eq), text = a.substr(eq + 1);
        Interpreter::LowerArg& arg = given[name];
        int64_t n = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec == std::errc() && end == text.data() + text.size())
            arg.value = Value(n);
        else if (auto t = parse_tensor_type(text))
            arg.value = Value(AbstractTensor{*t});
        else
            arg.expression = text;
    }
    return true;
}

}  // namespace nnc
