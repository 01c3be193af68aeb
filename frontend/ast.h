// The abstract syntax tree of .nn programs. Every node carries its source
// range. Nodes form two hierarchies (Expr, Stmt) with a kind enum and
// `classof`, so passes use isa/cast/dyn_cast (support/casting.h). The tree
// owns its children through unique_ptr; a Program owns its statements.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/source.h"
#include "core/dtype.h"
#include "support/casting.h"

namespace nnc::ast {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;

// ---------------------------------------------------------------- types ---

// One dimension in a tensor type annotation: `784`, `B` or `_`.
struct DimExpr {
    enum Kind { Known, Symbol, Any } kind = Any;
    int64_t value = 0;        // Known
    std::string name;         // Symbol
    SourceRange range;
};

// A type annotation: `f32[B, 784]`, `f32` (rank 0), `int`, `Lin`,
// `optim.Adam`, `(f32, int)`.
struct TypeExpr {
    enum Kind { Tensor, Named, Tuple } kind = Named;
    DType dtype = DType::F32;                 // Tensor
    std::vector<DimExpr> dims;                // Tensor: empty = rank 0
    std::vector<std::string> path;            // Named: {"optim", "Adam"}, {"int"}
    std::vector<TypeExpr> elements;           // Tuple
    SourceRange range;
};

std::string to_string(const TypeExpr& type);   // as written: "f32[B, 784]", "(int, str)"

// ---------------------------------------------------------- expressions ---

enum class UnaryOp { Neg, Plus, Not };
enum class BinaryOp {
    Add, Sub, Mul, Div, FloorDiv, Mod, Pow, MatMul,
    Eq, Ne, Lt, Le, Gt, Ge, And, Or,
};
const char* spelling(UnaryOp op);    // "-", "+", "not"
const char* spelling(BinaryOp op);   // "+", "@", "and", ...

// A string's text as a literal would spell it, without the quotes:
// escapes \n \t \" \\ for the characters that need them.
std::string escape(std::string_view text);

struct Expr {
    enum class Kind {
        IntLit, FloatLit, BoolLit, StrLit, Name,
        Unary, Binary, Call, Member, Index, Tuple, List, Range,
    };
    explicit Expr(Kind k, SourceRange r) : kind(k), range(r) {}
    virtual ~Expr() = default;
    const Kind kind;
    SourceRange range;
    // Levels of expressions in this tree (1 for a leaf). Evaluating,
    // printing and freeing an expression recurse once per level, so the
    // parser refuses trees deeper than kMaxExprDepth.
    int depth = 1;
    static constexpr int kMaxExprDepth = 1000;

protected:
    // Sets `depth` one level below the deepest of `children` (null ones skipped).
    void nest(std::initializer_list<const Expr*> children) {
        for (const Expr* c : children)
            if (c && c->depth + 1 > depth) depth = c->depth + 1;
    }
};

struct IntLit : Expr {
    IntLit(int64_t v, SourceRange r) : Expr(Kind::IntLit, r), value(v) {}
    int64_t value;
    static bool classof(const Expr* e) { return e->kind == Kind::IntLit; }
};

struct FloatLit : Expr {
    FloatLit(double v, SourceRange r) : Expr(Kind::FloatLit, r), value(v) {}
    double value;
    static bool classof(const Expr* e) { return e->kind == Kind::FloatLit; }
};

struct BoolLit : Expr {
    BoolLit(bool v, SourceRange r) : Expr(Kind::BoolLit, r), value(v) {}
    bool value;
    static bool classof(const Expr* e) { return e->kind == Kind::BoolLit; }
};

struct StrLit : Expr {
    StrLit(std::string v, SourceRange r) : Expr(Kind::StrLit, r), value(std::move(v)) {}
    std::string value;   // escapes already decoded
    static bool classof(const Expr* e) { return e->kind == Kind::StrLit; }
};

struct Name : Expr {
    Name(std::string n, SourceRange r) : Expr(Kind::Name, r), name(std::move(n)) {}
    std::string name;
    static bool classof(const Expr* e) { return e->kind == Kind::Name; }
};

struct Unary : Expr {
    Unary(UnaryOp o, ExprPtr x, SourceRange r) : Expr(Kind::Unary, r), op(o), operand(std::move(x)) { nest({operand.get()}); }
    UnaryOp op;
    ExprPtr operand;
    static bool classof(const Expr* e) { return e->kind == Kind::Unary; }
};

struct Binary : Expr {
    Binary(BinaryOp o, ExprPtr l, ExprPtr rr, SourceRange r)
        : Expr(Kind::Binary, r), op(o), lhs(std::move(l)), rhs(std::move(rr)) {
        nest({lhs.get(), rhs.get()});
    }
    BinaryOp op;
    SourceRange op_range;   // the operator token (caret position for errors)
    ExprPtr lhs, rhs;
    static bool classof(const Expr* e) { return e->kind == Kind::Binary; }
};

// One call argument: positional (`name` empty) or keyword (`k = 5`).
struct Arg {
    std::string name;
    ExprPtr value;
    SourceRange range;
};

struct Call : Expr {
    Call(ExprPtr c, std::vector<Arg> a, SourceRange r) : Expr(Kind::Call, r), callee(std::move(c)), args(std::move(a)) {
        nest({callee.get()});
        for (const Arg& arg : args) nest({arg.value.get()});
    }
    ExprPtr callee;
    std::vector<Arg> args;
    static bool classof(const Expr* e) { return e->kind == Kind::Call; }
};

// `object.member`
struct Member : Expr {
    Member(ExprPtr o, std::string m, SourceRange r) : Expr(Kind::Member, r), object(std::move(o)), member(std::move(m)) {
        nest({object.get()});
    }
    ExprPtr object;
    std::string member;
    SourceRange member_range;
    static bool classof(const Expr* e) { return e->kind == Kind::Member; }
};

// One subscript inside `x[...]`: an index expression, a slice `a:b:c`
// (each part optional) or `...`.
struct IndexItem {
    enum Kind { Single, Slice, Ellipsis } kind = Single;
    ExprPtr index;                     // Single
    ExprPtr start, stop, step;         // Slice (each may be null)
    SourceRange range;
};

struct Index : Expr {
    Index(ExprPtr b, std::vector<IndexItem> i, SourceRange r) : Expr(Kind::Index, r), base(std::move(b)), items(std::move(i)) {
        nest({base.get()});
        for (const IndexItem& item : items) nest({item.index.get(), item.start.get(), item.stop.get(), item.step.get()});
    }
    ExprPtr base;
    std::vector<IndexItem> items;
    static bool classof(const Expr* e) { return e->kind == Kind::Index; }
};

// `(a, b)` — also `(a,)`; a parenthesised single expression is not a tuple.
struct Tuple : Expr {
    Tuple(std::vector<ExprPtr> e, SourceRange r) : Expr(Kind::Tuple, r), elements(std::move(e)) {
        for (const ExprPtr& x : elements) nest({x.get()});
    }
    std::vector<ExprPtr> elements;
    static bool classof(const Expr* e) { return e->kind == Kind::Tuple; }
};

// `[a, b]`
struct List : Expr {
    List(std::vector<ExprPtr> e, SourceRange r) : Expr(Kind::List, r), elements(std::move(e)) {
        for (const ExprPtr& x : elements) nest({x.get()});
    }
    std::vector<ExprPtr> elements;
    static bool classof(const Expr* e) { return e->kind == Kind::List; }
};

// `lo..hi` (half-open)
struct Range : Expr {
    Range(ExprPtr l, ExprPtr h, SourceRange r) : Expr(Kind::Range, r), lo(std::move(l)), hi(std::move(h)) { nest({lo.get(), hi.get()}); }
    ExprPtr lo, hi;
    static bool classof(const Expr* e) { return e->kind == Kind::Range; }
};

// ----------------------------------------------------------- statements ---

// Binding target of `let` and `for`: a name or a (nested) tuple of names.
struct Pattern {
    enum Kind { Bind, Tuple } kind = Bind;
    std::string name;                 // Bind ("_" discards)
    std::vector<Pattern> elements;    // Tuple
    SourceRange range;
};

std::string to_string(const Pattern& pattern);   // "x", "(l, g)"

struct Param {
    std::string name;
    std::optional<TypeExpr> type;
    ExprPtr default_value;   // may be null
    SourceRange range;
};

struct Block {
    std::vector<StmtPtr> stmts;
    SourceRange range;
};

struct Stmt {
    enum class Kind {
        Let, Assign, ExprStmt, If, For, While, Break, Continue, Return,
        FnDef, ModelDef, Import,
    };
    explicit Stmt(Kind k, SourceRange r) : kind(k), range(r) {}
    virtual ~Stmt() = default;
    const Kind kind;
    SourceRange range;
};

// `let p [: T] = value`
struct Let : Stmt {
    Let(SourceRange r) : Stmt(Kind::Let, r) {}
    Pattern pattern;
    std::optional<TypeExpr> type;
    ExprPtr value;
    static bool classof(const Stmt* s) { return s->kind == Kind::Let; }
};

// `target = value`, `target += value` (also -= *= /=). The target is a Name,
// Member or Index expression.
struct Assign : Stmt {
    enum class Op { Set, Add, Sub, Mul, Div };
    Assign(SourceRange r) : Stmt(Kind::Assign, r) {}
    Op op = Op::Set;
    ExprPtr target;
    ExprPtr value;
    static bool classof(const Stmt* s) { return s->kind == Kind::Assign; }
};
const char* spelling(Assign::Op op);   // "=", "+=", ...

struct ExprStmt : Stmt {
    ExprStmt(ExprPtr e, SourceRange r) : Stmt(Kind::ExprStmt, r), expr(std::move(e)) {}
    ExprPtr expr;
    static bool classof(const Stmt* s) { return s->kind == Kind::ExprStmt; }
};

// `if c { } else if d { } else { }` — an else-if is an If inside else_block.
struct If : Stmt {
    If(SourceRange r) : Stmt(Kind::If, r) {}
    ExprPtr cond;
    Block then_block;
    std::optional<Block> else_block;
    static bool classof(const Stmt* s) { return s->kind == Kind::If; }
};

// `for p in iterable { }`
struct For : Stmt {
    For(SourceRange r) : Stmt(Kind::For, r) {}
    Pattern pattern;
    ExprPtr iterable;
    Block body;
    static bool classof(const Stmt* s) { return s->kind == Kind::For; }
};

struct While : Stmt {
    While(SourceRange r) : Stmt(Kind::While, r) {}
    ExprPtr cond;
    Block body;
    static bool classof(const Stmt* s) { return s->kind == Kind::While; }
};

struct Break : Stmt {
    Break(SourceRange r) : Stmt(Kind::Break, r) {}
    static bool classof(const Stmt* s) { return s->kind == Kind::Break; }
};

struct Continue : Stmt {
    Continue(SourceRange r) : Stmt(Kind::Continue, r) {}
    static bool classof(const Stmt* s) { return s->kind == Kind::Continue; }
};

struct Return : Stmt {
    Return(ExprPtr v, SourceRange r) : Stmt(Kind::Return, r), value(std::move(v)) {}
    ExprPtr value;   // may be null
    static bool classof(const Stmt* s) { return s->kind == Kind::Return; }
};

// `fn name(params) [-> T] { body }` — at top level, or a method in a model.
struct FnDef : Stmt {
    FnDef(SourceRange r) : Stmt(Kind::FnDef, r) {}
    std::string name;
    SourceRange name_range;
    std::vector<Param> params;
    std::optional<TypeExpr> result;
    Block body;
    bool host = false;   // `host fn`: always runs op by op, never traced
    static bool classof(const Stmt* s) { return s->kind == Kind::FnDef; }
};

// One field of a model body:
//   `param w [: T] = e`   trainable parameter
//   `buffer s [: T] = e`  non-trainable state
//   `name = e`            a sub-model or other field
struct ModelField {
    enum Kind { Param, Buffer, Field } kind = Field;
    std::string name;
    std::optional<TypeExpr> type;
    ExprPtr init;
    SourceRange range;
};

// `model Name[(ctor params)] { fields and methods }`
struct ModelDef : Stmt {
    ModelDef(SourceRange r) : Stmt(Kind::ModelDef, r) {}
    std::string name;
    SourceRange name_range;
    std::vector<Param> params;        // constructor parameters
    std::vector<ModelField> fields;   // in declaration order
    std::vector<std::unique_ptr<FnDef>> methods;
    static bool classof(const Stmt* s) { return s->kind == Kind::ModelDef; }
};

// `import a.b [as c]`
struct Import : Stmt {
    Import(SourceRange r) : Stmt(Kind::Import, r) {}
    std::vector<std::string> path;   // {"nn"}
    std::string alias;               // empty = last path element
    static bool classof(const Stmt* s) { return s->kind == Kind::Import; }
};

// A parsed file or REPL input.
struct Program {
    std::vector<StmtPtr> stmts;
};

}  // namespace nnc::ast
