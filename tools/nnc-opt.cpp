// nnc-opt: runs IR passes on IR text, for tests and for looking at what a
// pass does (like mlir-opt):
//
//   nnc-opt FILE.nnir [--pass=canonicalize,cse,dce] [--print-after-all]
//           [--print-after=NAME] [--print-locations] [--split-input-file]
//           [--verify-diagnostics]
//
// Reads FILE (`-` = stdin), parses and verifies it, runs the passes over
// each function (verifying after each) and prints the module; the passes
// that ask a target (select-gemm, fuse) ask the CPU backend's. With
// --split-input-file the input is cut at `// -----` lines and each piece is
// processed on its own (line numbers stay those of the whole file), the
// outputs separated by `// -----`. With --verify-diagnostics, errors are
// matched against `// expected-error {{...}}` comments instead of printed.
#include <algorithm>
#include <boost/program_options.hpp>
#include <cctype>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "support/verify.h"
#include "ir/parser.h"
#include "codegen/cpu/cpu_target.h"
#include "ir/passes/pipeline.h"
#include "ir/printer.h"
#include "ir/verifier.h"

namespace po = boost::program_options;
using namespace nnc;

namespace {

struct OptOptions {
    std::string file;
    std::vector<std::string> passes;
    ir::PipelineOptions pipeline;
    bool print_locations = false;
    bool split_input_file = false;
    bool verify_diagnostics = false;
};

bool is_split_marker(std::string line) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    return line == "// -----";
}

// The pieces of `text` between `// -----` lines, each padded with the
// newlines before it so that its line numbers are those of `text`.
std::vector<std::string> split_input(const std::string& text) {
    std::vector<std::string> chunks;
    std::string current;
    size_t lines_before = 0, line_number = 0;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        ++line_number;
        if (!is_split_marker(line)) {
            current += line + '\n';
            continue;
        }
        chunks.push_back(std::string(lines_before, '\n') + current);
        current.clear();
        lines_before = line_number;
    }
    chunks.push_back(std::string(lines_before, '\n') + current);
    return chunks;
}

// Parses, verifies, transforms and prints one input; returns whether no
// error was reported.
bool process(SourceManager& sources, uint32_t file, DiagnosticEngine& diags, const OptOptions& o) {
    std::optional<ir::Module> module = ir::parse_module(sources, file, diags);
    if (!module) return false;
    auto report = [&diags](const std::vector<Diagnostic>& errors) {
        for (const Diagnostic& d : errors) diags.report(d);
        return errors.empty();
    };
    for (const auto& f : module->functions)
        if (!report(ir::verify(*f))) return false;
    for (const auto& f : module->functions)
        if (!report(ir::run_passes(*f, o.passes, codegen::cpu_target(), o.pipeline))) return false;
    ir::print_module(*module, std::cout, {o.print_locations, &sources});
    return true;
}

// One input with its own diagnostics (and verifier); returns the exit status.
int process_input(SourceManager& sources, const std::string& name, const std::string& text, const OptOptions& o) {
    const uint32_t file = sources.add_buffer(name, text);
    DiagnosticEngine diags(sources, std::cerr);
    if (!o.verify_diagnostics) return process(sources, file, diags, o) ? 0 : 1;
    DiagnosticVerifier verifier(sources, file);
    diags.set_consumer([&](const Diagnostic& d) { verifier.consume(d); });
    process(sources, file, diags, o);
    return verifier.finish(std::cerr) ? 0 : 1;
}

std::vector<std::string> split_commas(const std::vector<std::string>& lists) {
    std::vector<std::string> names;
    for (const std::string& list : lists) {
        std::istringstream in(list);
        for (std::string name; std::getline(in, name, ',');)
            if (!name.empty()) names.push_back(name);
    }
    return names;
}

std::string pass_help() {
    std::string help = "passes:\n";
    for (const ir::Pass& p : ir::all_passes())
        help += "  " + std::string(p.name) + std::string(16 - std::min<size_t>(15, p.name.size()), ' ') +
                std::string(p.summary) + "\n";
    return help;
}

}  // namespace

int main(int argc, char** argv) {
    OptOptions o;
    std::vector<std::string> pass_lists;
    po::options_description visible("options");
    visible.add_options()
        ("help,h", "show this help")
        ("pass", po::value<std::vector<std::string>>(&pass_lists)->composing(), "passes to run, in order: a,b,c")
        ("print-after-all", "print the IR after every pass")
        ("print-after", po::value<std::string>(&o.pipeline.print_after), "print the IR after each run of this pass")
        ("print-locations", "print source locations: loc(\"file\":line:col)")
        ("split-input-file", "process the pieces between `// -----` lines separately")
        ("verify-diagnostics", "match errors against `// expected-error {{...}}` comments");
    po::options_description hidden;
    hidden.add_options()("file", po::value<std::string>(&o.file), "input");
    po::options_description all;
    all.add(visible).add(hidden);
    po::positional_options_description positional;
    positional.add("file", 1);

    const std::string usage = "usage: nnc-opt FILE.nnir|- [options]\n";
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "nnc-opt: error: " << e.what() << "\n" << usage;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << usage << "\n" << visible << "\n" << pass_help();
        return 0;
    }
    if (o.file.empty()) {
        std::cerr << usage;
        return 2;
    }
    o.passes = split_commas(pass_lists);
    for (const std::string& name : o.passes) {
        if (!ir::find_pass(name)) {
            std::cerr << "nnc-opt: error: unknown pass '" << name << "'\n" << pass_help();
            return 2;
        }
    }
    if (!o.pipeline.print_after.empty() && !ir::find_pass(o.pipeline.print_after)) {
        std::cerr << "nnc-opt: error: unknown pass '" << o.pipeline.print_after << "'\n" << pass_help();
        return 2;
    }
    o.pipeline.print_after_all = vm.count("print-after-all") > 0;
    o.pipeline.verify_each = true;
    o.pipeline.out = &std::cout;
    o.print_locations = vm.count("print-locations") > 0;
    o.split_input_file = vm.count("split-input-file") > 0;
    o.verify_diagnostics = vm.count("verify-diagnostics") > 0;

    std::string text;
    if (o.file == "-") {
        text.assign(std::istreambuf_iterator<char>(std::cin), {});
    } else {
        std::ifstream in(o.file, std::ios::binary);
        if (!in) {
            std::cerr << "nnc-opt: error: cannot read " << o.file << "\n";
            return 1;
        }
        text.assign(std::istreambuf_iterator<char>(in), {});
    }
    const std::string name = o.file == "-" ? "<stdin>" : o.file;

    SourceManager sources;
    const std::vector<std::string> inputs = o.split_input_file ? split_input(text) : std::vector<std::string>{text};
    int status = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
        if (i) std::cout << "// -----\n";
        status |= process_input(sources, name, inputs[i], o);
    }
    return status;
}
