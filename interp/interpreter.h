// Interpreter: evaluates .nn programs statement by statement. It runs in
// one of three modes:
//   - Eager: tensors are concrete and every primitive runs its reference
//     kernel (top-level code, `nnc run --eager`).
//   - Abstract: tensors carry only their types and unknown host values
//     propagate; used by `nnc check` and `:type` to find type and shape errors
//     before anything runs.
//   - Trace: tensors are IR values; a fn call is recorded as an IR function
//     (trace.cpp) which then runs instead of the evaluator (compiled_calls.cpp).
// All tensor computation goes through `apply`.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "frontend/ast.h"
#include "support/diagnostics.h"
#include "interp/builtins/builtins.h"
#include "interp/flatten.h"
#include "interp/captures.h"
#include "interp/guards.h"
#include "interp/objects.h"
#include "interp/scope.h"
#include "interp/value.h"
#include "core/attrs.h"
#include "ir/builder.h"
#include "ir/passes/pipeline.h"
#include "support/scoped.h"
#include "core/op_kind.h"

namespace nnc {

namespace codegen {
class Executable;
}

struct InterpreterOptions {
    uint64_t seed = 0;                          // default seed of rand/randn/init
    std::vector<std::string> module_paths;      // searched by `import` after the script's directory
    std::ostream* out = nullptr;                // where `print` writes (default std::cout)
    std::ostream* err = nullptr;                // where imported modules' syntax errors go (default std::cerr)
    bool echo_values = false;                   // REPL: print the value of expression statements
    bool compile = true;                        // run fn calls as traced IR (false: op by op)
    bool jit = true;                            // compile traced IR to native code (false: interpret the IR)
    bool profile = false;                       // time every step of compiled code
    // How traced fns go through the compile pipeline: IR printed after
    // passes (--print-after, to `pipeline.out`), verified after each.
    ir::PipelineOptions pipeline;
    // Where a warning goes when a fn called from top-level code runs op by
    // op because it cannot be compiled (null: nowhere, `--quiet`); fns of
    // files under `library_dir` (the standard library) are not reported.
    DiagnosticEngine* warnings = nullptr;
    std::string library_dir;
};

// Raised while tracing when the code does something IR cannot express (a
// `while` on a tensor, printing a traced value...); the call then runs eagerly.
struct TraceFailure {
    SourceRange where;
    std::string reason;
};

// Raised at the statement or loop iteration where the evaluator noticed a
// Ctrl-C (support/interrupt.h). Not an error: the REPL goes on, `nnc run`
// exits with status 130.
struct Interrupted {
    SourceRange where;
};

class Interpreter {
public:
    enum class Mode { Eager, Abstract, Trace };

    // A call recorded as IR: parameters are the tensor leaves of the
    // receiver and arguments (flatten.h order), then of the captures;
    // results the leaves of the returned value followed by the model fields
    // the call assigned (of the arguments or the captures).
    struct Trace {
        std::unique_ptr<ir::Function> function;
        Value result_structure;                 // the returned value, tensors as traced values
        std::vector<size_t> updated_leaves;     // argument leaf of each trailing result
        std::vector<LeafInfo> params;           // what each parameter is (path, differentiable)
        std::vector<Value> captured;            // values read from outside whose leaves are the last parameters
    };
    // Traces `callee(args)` (fn, method or any callable) into an IR function.
    // Throws TraceFailure or CompileError. Tensors it reads from outside
    // become inputs after the arguments, or constants (captures.h);
    // `guards`, when given, receives what it read from outside (guards.h).
    Trace trace_call(const Value& callee, CallArgs args, const std::string& name,
                     OuterTensors outer_tensors = OuterTensors::Inputs, std::vector<Guard>* guards = nullptr);

    Interpreter(SourceManager& sources, InterpreterOptions options);
    ~Interpreter();

    // Runs a program's statements in the main scope; `dir` is where its
    // relative imports are found. Keeps the AST alive. Throws CompileError.
    void run(std::unique_ptr<ast::Program> program, const std::string& dir);

    // Checks a program without running it: evaluates the top level
    // abstractly, then every fn and model method with annotated parameters
    // under symbolic shapes. Reports each error found to `diags`.
    void check(std::unique_ptr<ast::Program> program, const std::string& dir, DiagnosticEngine& diags);

    // A parameter's value for `lower`: a value (a tensor may be abstract,
    // with symbolic dimensions), or the text of an expression evaluated
    // with the parameters before it in scope.
    struct LowerArg {
        Value value;
        std::string expression;
    };
    struct Lowered {
        Trace trace;
        // The arguments traced: the receiver first ("self") for a method,
        // then each parameter by name.
        std::vector<std::pair<std::string, Value>> args;
    };
    // Evaluates the program's declarations and traces the fn (or
    // `Model.method`) `name` to IR; parameters take the values in `given`,
    // else their annotations (models: constructed with no arguments).
    // `concrete`: models and expressions are evaluated for real (their
    // tensors are the values a compiled library starts from), else
    // abstractly. Throws CompileError or TraceFailure.
    Lowered lower(std::unique_ptr<ast::Program> program, const std::string& dir, const std::string& name,
                  const std::map<std::string, LowerArg>& given, bool concrete = false);

    // What compiled calls did so far (`nnc run --stats`).
    struct Stats {
        int traces = 0;            // fns traced to IR (each signature once)
        int compiled_calls = 0;    // calls that ran traced IR
        int eager_calls = 0;       // calls that ran op by op because tracing failed
        int host_calls = 0;        // calls of host code, run op by op by design: constructors (fns
                                   // returning a model, `optim.adam(m)`) and `host fn`s
        std::vector<std::string> constructors;   // those fns, one per signature
        std::vector<std::string> fallbacks;   // "fn: reason", one per signature that could not be traced
        std::vector<std::string> specialized; // "fn: reason", traced per shape: symbolic dimensions did not suffice
        std::vector<std::string> retraces;    // "fn: what changed", traced again because a guard broke
    };
    const Stats& stats() const { return stats_; }
    // Every fn compiled to native code so far, by the name it was traced under.
    std::vector<std::pair<std::string, const codegen::Executable*>> executables() const;

    // Type of an expression in the current scope without running it.
    std::string type_of(const ast::Expr& expr);

    // ---- services for builtins -------------------------------------------
    Mode mode() const { return mode_; }
    std::ostream& out() { return *out_; }

    // Applies a primitive to tensor operands (concrete or abstract). Shape
    // errors become CompileErrors at `where`.
    Value apply(OpKind kind, std::vector<Value> operands, const Attrs& attrs, SourceRange where);
    // A host number, bool or nested list as a tensor; tensors pass through.
    // `hint` is the dtype for host numbers (default: f32 for floats, i32 for
    // ints, bool for bools).
    Value to_tensor(const Value& v, std::optional<DType> hint, SourceRange where);
    // A binary elementwise primitive on tensors or host numbers: a host
    // number takes the dtype of the tensor it meets (`x * 2` stays f32).
    Value elementwise(OpKind kind, const Value& a, const Value& b, SourceRange where);
    // Calls any callable value.
    Value call(const Value& callee, CallArgs& args);
    // The seed for a random op called without one: the next value of the
    // run's random state (random_state.cpp). An int, or while tracing an i64
    // tensor read from the state, which the trace takes as an input and
    // returns advanced, so that a compiled call draws what the same call
    // draws op by op.
    Value next_seed(SourceRange where);
    // The seed as a host int; tracing throws TraceFailure (a host computation
    // such as `permutation` cannot take its seed from a traced state).
    uint64_t next_host_seed(SourceRange where);
    // Checking (abstract mode): calls `f` as reverse-mode `what` (grad,
    // value_and_grad) at `where` would differentiate it, so a `while` on a
    // tensor inside, which has no reverse-mode derivative, is an error there.
    Value call_for_reverse_mode(const Value& f, CallArgs& args, const std::string& what, SourceRange where);
    // Brings a traced or transformed function from stage `from` to `to` of
    // the compile pipeline for the CPU (ir/passes/pipeline.h).
    void run_pipeline(ir::Function& f, ir::Stage from, ir::Stage to) const;
    // The IR value of a tensor while tracing (concrete tensors become constants).
    ir::Value* ir_value(const Value& v, SourceRange where);
    ir::Builder* builder() const { return builder_; }
    // The trace in progress: models and scopes with an older epoch are not its own.
    int trace_root_epoch() const { return trace_root_epoch_; }
    // Truth of a condition; Unknown (abstract mode) → nullopt.
    std::optional<bool> truth(const Value& v, SourceRange where);

    // Symbolic sizes (symbolic_sizes.cpp). The size of dim `axis` of a
    // tensor: an int when known, else Unknown (while tracing, with its IR value).
    Value dim_size(const Value& tensor, int64_t axis, SourceRange where);
    // A symbolic size as the weakly typed i64 tensor it stands for; other values pass through.
    Value size_tensor(const Value& size);
    // `a op b` where one side is a symbolic size; nullopt when the int itself is needed.
    std::optional<Value> size_arithmetic(ast::BinaryOp op, const Value& a, const Value& b, SourceRange where);
    // A shape listing symbolic sizes, as the `shape` attr of an op lending
    // dims from its operands (`full_like`, `rand`): entries -1-k copy the
    // k-th dim of `lenders`; nullopt when the shape lists none.
    struct LentShape {
        std::vector<int64_t> entries;
        std::vector<Value> lenders;
    };
    std::optional<LentShape> lent_shape(const Value& shape, SourceRange where);

private:
    enum class Flow { Normal, Break, Continue, Return };
    struct Frame {
        Value result;
        int loops = 0;   // loops around the statement being run, within this call
    };

    // statements (exec.cpp)
    Flow exec_block(const ast::Block& block, const std::shared_ptr<Scope>& scope, Frame& frame);
    Flow exec(const ast::Stmt& s, const std::shared_ptr<Scope>& scope, Frame& frame);
    Flow exec_if(const ast::If& s, const std::shared_ptr<Scope>& scope, Frame& frame);
    Flow exec_for(const ast::For& s, const std::shared_ptr<Scope>& scope, Frame& frame);
    Flow exec_while(const ast::While& s, const std::shared_ptr<Scope>& scope, Frame& frame);
    void exec_assign(const ast::Assign& s, const std::shared_ptr<Scope>& scope);
    void bind_pattern(const ast::Pattern& p, const Value& v, Scope& scope, SourceRange where);
    void define_model(const ast::ModelDef& d, const std::shared_ptr<Scope>& scope);
    void assign_checked(Value& slot, Value v, const std::string& name, SourceRange where);

    // expressions (eval.cpp, operators.cpp, indexing.cpp)
    Value eval(const ast::Expr& e, const std::shared_ptr<Scope>& scope);
    Value eval_call(const ast::Call& e, const std::shared_ptr<Scope>& scope);
    Value eval_member(const Value& object, const std::string& member, SourceRange where);
    Value unary(ast::UnaryOp op, const Value& v, SourceRange where);
    Value binary(ast::BinaryOp op, const Value& a, const Value& b, SourceRange where);
    Value index(const Value& base, const ast::Index& e, const std::shared_ptr<Scope>& scope);
    Value index_tensor_row(const Tensor& t, int64_t i);

    // tracing (trace.cpp, compiled_calls.cpp)
    static Value traced(ir::Value* v);
    struct Binding {
        std::string name;
        Value* slot;
    };
    // The bindings a traced fn may rebind: its scopes' variables and the fields of its receiver.
    std::vector<Binding> traced_bindings(const std::shared_ptr<Scope>& scope);
    // The loop over `start + k * step` for k < trip as an IR `for`; throws
    // TraceFailure when the body cannot be one (a concrete range is then unrolled).
    Flow trace_for(const ast::For& s, const Value& start, int64_t step, ir::Value* trip,
                   const std::shared_ptr<Scope>& scope, Frame& frame);
    // One attempt of trace_for.
    Flow trace_loop(const ast::For& s, const Value& start, int64_t step, ir::Value* trip,
                    const std::shared_ptr<Scope>& scope, Frame& frame);
    // `for x in a..b` while tracing, with int bounds of which one or both are
    // symbolic sizes: an IR `for` with a run-time trip count.
    Flow trace_symbolic_for(const ast::For& s, const Value& lo, const Value& hi, const std::shared_ptr<Scope>& scope,
                            Frame& frame);
    // `a..b` of evaluated bounds.
    Value make_range(const ast::Range& r, const Value& lo, const Value& hi);
    Flow trace_if(const ast::If& s, const Value& cond, const std::shared_ptr<Scope>& scope, Frame& frame);
    // What the traces in progress see of `value`, read as `name` from
    // `owner` (captures.h).
    Value read_outer(Scope& owner, const std::string& name, const Value& value, SourceRange where);
    bool compiles(const Value& callee) const;
    Value call_compiled(const Value& callee, CallArgs& args);

    // calls (calls.cpp)
    Value call_function(const FunctionObject& fn, const Value* self, CallArgs& args);
    Value construct_model(const std::shared_ptr<ModelClass>& cls, CallArgs& args);
    Value call_builtin(const BuiltinObject& b, const Value* self, CallArgs& args);

    // modules (modules.cpp)
    Value import_module(const ast::Import& s, const std::string& dir);
    std::shared_ptr<Scope> new_module_scope();

    SourceManager& sources_;
    InterpreterOptions options_;
    std::ostream* out_;
    std::ostream* err_;
    Mode mode_ = Mode::Eager;
    // The random state: a list holding the next seed as an i64 scalar, in a
    // scope of its own, so that traces capture and update it as they do a
    // global model.
    std::shared_ptr<Scope> random_scope_;
    void init_random_state();
    std::shared_ptr<Scope> builtins_;
    std::shared_ptr<Scope> main_;
    std::vector<std::unique_ptr<ast::Program>> programs_;        // ASTs referenced by closures
    std::map<std::string, Value> modules_;                       // by resolved path
    std::vector<std::string> importing_;                         // import cycle detection
    std::vector<std::string> dir_stack_;                         // directory of the code being run
    int call_depth_ = 0;
    ir::Builder* builder_ = nullptr;                             // where traced ops go
    int trace_epoch_ = 0;                                        // the latest trace started
    int trace_root_epoch_ = 1 << 30;                             // the trace in progress (scopes it owns)
    std::vector<TraceFrame*> trace_frames_;                      // the traces in progress, innermost last
    int eager_fallback_depth_ = 0;                               // > 0: inside a call that could not be traced
    struct ReverseModeCheck {
        std::string what;                                        // "grad: cannot differentiate fn f"
        SourceRange where;
    };
    std::optional<ReverseModeCheck> reverse_mode_check_;         // checking a fn that grad differentiates
    struct CompiledCall {
        std::shared_ptr<Trace> traced;
        std::string failure;                                     // why it runs eagerly instead
        SourceRange failure_where;                               // what could not be traced
        std::shared_ptr<codegen::Executable> executable;         // null (--no-jit): the IR interpreter runs `traced`
        std::vector<Guard> guards;                               // what the trace read from outside the fn
        std::string aliases;                                     // how its inputs share objects (alias_pattern)
        // It returns a model (a constructor such as `optim.adam(m)`): models
        // are shared by reference, and a traced result would be a copy no
        // longer aliasing the model it was given, so it runs op by op.
        bool constructor = false;
    };
    static constexpr size_t kMaxTraceVariants = 8;
    // By fn and argument signature: the variants traced under different guards, newest last.
    std::map<std::string, std::vector<std::unique_ptr<CompiledCall>>> compiled_;
    Stats stats_;
    // The cached trace of `callee` at these arguments' types (traced on first use).
    // `generalized`: the arguments have symbolic dimensions (a failure then
    // means tracing per shape, not running eagerly).
    CompiledCall& compiled_call(const Value& callee, const CallArgs& args, bool generalized);
    void compile_native(CompiledCall& entry, const std::string& name);
    // Warns, once per fn, that it runs eagerly and why.
    void warn_eager(const FunctionObject& fn, const CompiledCall& entry);
    std::set<const ast::FnDef*> warned_eager_;
    std::vector<std::pair<std::string, std::shared_ptr<codegen::Executable>>> compiled_names_;
    std::vector<const ast::FnDef*> active_fns_;                  // fns being called, innermost last
};

}  // namespace nnc
