// The interpreter set-up the fuzz targets share.
#include "fuzz_input.h"

#include <unistd.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "support/diagnostics.h"
#include "frontend/parse.h"
#include "support/source.h"
#include "interp/interpreter.h"

namespace nnc::fuzz {

namespace {

void evaluate(const std::string& source, bool check) {
    SourceManager sources;
    std::ostringstream discard;
    DiagnosticEngine diags(sources, discard);
    const uint32_t file = sources.add_buffer("fuzz.nn", source);
    std::unique_ptr<ast::Program> program = parse(sources, file, diags);
    if (!program) return;
    InterpreterOptions options;
    options.out = &discard;
    options.err = &discard;
    options.compile = false;
    Interpreter interp(sources, options);
    try {
        if (check) interp.check(std::move(program), ".", diags);
        else interp.run(std::move(program), ".");
    } catch (const CompileError&) {
        // a user error: what the reader must say for bad input
    }
}

}  // namespace

void run_source(const std::string& source) { evaluate(source, false); }

void check_source(const std::string& source) { evaluate(source, true); }

void read_as_file(const uint8_t* data, size_t size, const std::string& reader, const std::string& suffix) {
    const std::string path = "/tmp/nnc-fuzz-" + std::to_string(getpid()) + suffix;   // one per process
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    const std::string program = "let x = " + reader + "(\"" + path + "\")\nprint(x)\n";
    run_source(program);
    check_source(program);
}

}  // namespace nnc::fuzz
