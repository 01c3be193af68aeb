// Fuzz target: IR text through the IR parser, the verifier and the printer
// (what nnc-opt does before its passes).
#include <sstream>

#include "support/diagnostics.h"
#include "support/source.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    nnc::SourceManager sources;
    std::ostringstream discard;
    nnc::DiagnosticEngine diags(sources, discard);
    const uint32_t file = sources.add_buffer("fuzz.nnir", std::string(reinterpret_cast<const char*>(data), size));
    std::optional<nnc::ir::Module> module = nnc::ir::parse_module(sources, file, diags);
    if (!module) return 0;
    for (const auto& f : module->functions) {
        if (!nnc::ir::verify(*f).empty()) continue;
        nnc::ir::print_function(*f, discard);
    }
    return 0;
}
