// nnc: the command-line driver. Parses the command line once into
// DriverOptions and dispatches to a subcommand:
//   nnc run FILE [--eager] [--seed N] [--threads N]   (also: nnc FILE.nn)
//   nnc check FILE
//   nnc emit --stage=tokens|ast FILE
//   nnc compile FILE --fn NAME --arg x=f32[B,784] -o libmodel.so
//   nnc repl [FILE]
#include <unistd.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "support/error.h"
#include "support/stack.h"
#include "tools/commands.h"
#include "tools/options.h"
#include "tools/repl.h"

namespace po = boost::program_options;

namespace {

// The evaluator's thread: deep enough for the call-depth limit with room to
// spare, and for sanitizer builds, whose frames are larger.
constexpr size_t kEvaluatorStack = size_t(1) << 30;

constexpr const char* kUsage =
    "usage: nnc <command> [options] [FILE]\n"
    "\n"
    "commands:\n"
    "  run FILE     run a .nn script (`nnc FILE.nn` means the same)\n"
    "  check FILE   parse and type/shape-check a script without running it\n"
    "  emit FILE    print a compilation stage (--stage=tokens|ast|ir|grad|ir-opt|fused|llvm|asm; all but\n"
    "               tokens and ast take --fn, --arg)\n"
    "  compile FILE --fn NAME [--arg ...] -o libNAME.so\n"
    "               compile a fn ahead of time into a shared library and a C header NAME.h\n"
    "  repl [FILE]  interactive session (runs FILE first, if given)\n";

// The standard library: next to the installed binary, else the source tree.
std::string default_stdlib_dir(const char* argv0) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path exe = fs::canonical("/proc/self/exe", ec);
    if (!ec) {
        fs::path installed = exe.parent_path().parent_path() / "share" / "nnc" / "stdlib";
        if (fs::is_directory(installed, ec)) return installed.string();
    }
    return NNC_STDLIB_DIR;
}

// $XDG_CACHE_HOME/nnc, else ~/.cache/nnc; empty (no disk cache) without either.
std::string default_cache_dir() {
    if (const char* xdg = getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/nnc";
    const char* home = getenv("HOME");
    return home && *home ? std::string(home) + "/.cache/nnc" : std::string();
}

std::string default_history_file() {
    const char* home = getenv("HOME");
    return home ? std::string(home) + "/.nnc_history" : std::string();
}

}  // namespace

int main(int argc, char** argv) {
    nnc::DriverOptions options;
    po::options_description visible("options");
    visible.add_options()
        ("help,h", "show this help")
        ("version", "show the version")
        ("eager", "run: execute every fn op by op (no compilation)")
        ("quiet", "run: no warning when a fn runs eagerly (op by op) because it cannot be compiled")
        ("stats", "run: at exit, print fns traced and compiled, compile time, cache hits, kernels, planned memory")
        ("profile", "run: at exit, print the time spent in each kernel of compiled fns")
        ("no-jit", "run: interpret traced IR instead of compiling it to native code")
        ("no-cache", "run: do not read or write compiled kernels on disk")
        ("print-after", po::value<std::string>(&options.print_after),
         "run, emit, compile: print the IR of each compiled fn to stderr after every run of this pass")
        ("print-after-all", "run, emit, compile: print the IR of each compiled fn to stderr after every pass")
        ("verify-each", "run, emit, compile: verify the IR after every pass (always on in debug builds)")
        ("seed", po::value<uint64_t>(&options.seed)->default_value(0), "default seed of random operations")
        ("threads", po::value<int>(&options.threads)->default_value(0), "kernel threads (0 = all cores)")
        ("stage", po::value<std::string>(&options.stage)->default_value("ast"), "emit: tokens | ast | ir | grad | ir-opt | fused | llvm | asm")
        ("fn", po::value<std::string>(&options.fn), "emit, compile: the fn (or Model.method) to lower")
        ("arg", po::value<std::vector<std::string>>(&options.args)->composing(),
         "emit, compile: a parameter: NAME=f32[B,784], NAME=INT or NAME=EXPRESSION such as o=optim.adam(m) (repeatable)")
        ("output,o", po::value<std::string>(&options.output), "compile: the shared library to write (its header goes next to it)")
        ("name", po::value<std::string>(&options.library_name), "compile: the C prefix of its functions (default: from -o libNAME.so)")
        ("weights", po::value<std::string>(&options.weights), "compile: a safetensors file of the first model argument's weights")
        ("embed-weights", "compile: put the weights in the library (else create() loads them from a file)")
        ("cpu", po::value<std::string>(&options.cpu)->default_value("host"), "compile: the CPU to generate code for (host, x86-64-v3, ...)")
        ("stdlib", po::value<std::string>(&options.stdlib_dir), "directory of the standard library")
        ("verify-diagnostics", "run/check: compare diagnostics with the `# expected-error {{...}}` comments of FILE");
    po::options_description hidden;
    hidden.add_options()("args", po::value<std::vector<std::string>>(), "command and file");
    po::options_description all;
    all.add(visible).add(hidden);
    po::positional_options_description positional;
    positional.add("args", -1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "nnc: error: " << e.what() << "\n" << kUsage;
        return 2;
    }
    if (vm.count("help")) {
        std::cout << kUsage << "\n" << visible;
        return 0;
    }
    if (vm.count("version")) {
        std::cout << "nnc " << NNC_VERSION << "\n";
        return 0;
    }

    std::vector<std::string> args = vm.count("args") ? vm["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
    if (args.empty()) {
        std::cerr << kUsage;
        return 2;
    }
    static const std::vector<std::string> commands{"run", "check", "emit", "compile", "repl"};
    if (std::find(commands.begin(), commands.end(), args[0]) != commands.end()) {
        options.command = args[0];
        args.erase(args.begin());
    } else {
        options.command = "run";   // `nnc FILE.nn`
    }
    if (args.size() > 1) {
        std::cerr << "nnc: error: unexpected argument `" << args[1] << "`\n" << kUsage;
        return 2;
    }
    if (!args.empty()) options.file = args[0];
    if (options.file.empty() && options.command != "repl") {
        std::cerr << "nnc: error: `" << options.command << "` needs a FILE\n" << kUsage;
        return 2;
    }
    options.eager = vm.count("eager") > 0;
    options.stats = vm.count("stats") > 0;
    options.quiet = vm.count("quiet") > 0;
    options.profile = vm.count("profile") > 0;
    options.jit = vm.count("no-jit") == 0;
    options.print_after_all = vm.count("print-after-all") > 0;
    options.verify_each = vm.count("verify-each") > 0;
    if (!options.print_after.empty() && !nnc::ir::find_pass(options.print_after)) {
        std::cerr << "nnc: error: --print-after: no pass named `" << options.print_after << "` (passes:";
        for (const nnc::ir::Pass& p : nnc::ir::all_passes()) std::cerr << " " << p.name;
        std::cerr << ")\n";
        return 2;
    }
    if (vm.count("no-cache") == 0) options.cache_dir = default_cache_dir();
    options.verify_diagnostics = vm.count("verify-diagnostics") > 0;
    options.embed_weights = vm.count("embed-weights") > 0;
    options.color = isatty(STDERR_FILENO);
    if (options.stdlib_dir.empty()) options.stdlib_dir = default_stdlib_dir(argv[0]);
    options.history_file = default_history_file();

    try {
        // The evaluator recurses over the program: give it a large stack
        // (reserved, committed only as used) and let it check what is left.
        return nnc::run_with_stack(kEvaluatorStack, [&] {
            if (options.command == "run") return nnc::run_command(options);
            if (options.command == "check") return nnc::check_command(options);
            if (options.command == "emit") return nnc::emit_command(options);
            if (options.command == "compile") return nnc::compile_command(options);
            return nnc::run_repl(options);
        });
    } catch (const std::bad_alloc&) {
        std::cerr << "nnc: error: out of memory\n";
        return 1;
    } catch (const nnc::InternalError& e) {   // a bug in nnc, not in the program: say so, do not abort
        std::cerr << "nnc: " << e.what() << "\nnnc: this is a bug in nnc; please report it with the script that showed it\n";
        return 70;
    }
}
