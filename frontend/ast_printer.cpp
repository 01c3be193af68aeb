// print_ast: the AST as indented S-expressions, one node per line, each with
// the `@line:col` where it begins. Used by `nnc emit --stage=ast` and by the
// frontend's FileCheck tests, so the format is kept stable:
//
//   (fn f @1:1
//     (param x : f32[N] @1:6)
//     (result f32 @1:19)
//     (block @1:23
//       (return @1:25
//         (name x @1:32))))
#include <charconv>
#include <string>

#include "frontend/parse.h"

namespace nnc {

namespace {

using namespace ast;

class AstPrinter {
public:
    explicit AstPrinter(std::ostream& out) : out_(out) {}

    void print(const Program& program) {
        for (const StmtPtr& stmt : program.stmts) {
            print(*stmt);
            out_ << '\n';
        }
    }

private:
    // Starts a node `(head @line:col` on its own line; children follow,
    // indented, and close() ends it.
    void open(const std::string& head, const SourceRange& range) {
        if (depth_ > 0) out_ << '\n';
        out_ << std::string(2 * depth_, ' ') << '(' << head << " @" << range.begin.line << ':' << range.begin.col;
        ++depth_;
    }
    void close() {
        out_ << ')';
        --depth_;
    }
    void leaf(const std::string& head, const SourceRange& range) {
        open(head, range);
        close();
    }
    // A missing optional child (a slice bound), printed as `_`.
    void absent() { out_ << '\n' << std::string(2 * depth_, ' ') << '_'; }

    static std::string typed(const std::string& name, const std::optional<TypeExpr>& type) {
        return type ? name + " : " + to_string(*type) : name;
    }

    void print(const Block& block, const char* head) {
        open(head, block.range);
        for (const StmtPtr& stmt : block.stmts) print(*stmt);
        close();
    }

    void print(const Param& param) {
        open("param " + typed(param.name, param.type), param.range);
        if (param.default_value) print(*param.default_value);
        close();
    }

    void print(const FnDef& fn) {
        open((fn.host ? "host fn " : "fn ") + fn.name, fn.range);
        for (const Param& param : fn.params) print(param);
        if (fn.result) leaf("result " + to_string(*fn.result), fn.result->range);
        print(fn.body, "block");
        close();
    }

    void print(const ModelField& field) {
        static const char* const kinds[] = {"field param ", "field buffer ", "field "};
        open(kinds[field.kind] + typed(field.name, field.type), field.range);
        print(*field.init);
        close();
    }

    void print(const Stmt& stmt) {
        switch (stmt.kind) {
        case Stmt::Kind::Let: {
            const auto& let = *cast<Let>(&stmt);
            open("let " + typed(to_string(let.pattern), let.type), let.range);
            print(*let.value);
            close();
            return;
        }
        case Stmt::Kind::Assign: {
            const auto& assign = *cast<Assign>(&stmt);
            open(std::string("assign ") + spelling(assign.op), assign.range);
            print(*assign.target);
            print(*assign.value);
            close();
            return;
        }
        case Stmt::Kind::ExprStmt:
            open("expr", stmt.range);
            print(*cast<ExprStmt>(&stmt)->expr);
            close();
            return;
        case Stmt::Kind::If: {
            const auto& if_ = *cast<If>(&stmt);
            open("if", if_.range);
            print(*if_.cond);
            print(if_.then_block, "block");
            if (if_.else_block) print(*if_.else_block, "else");
            close();
            return;
        }
        case Stmt::Kind::For: {
            const auto& loop = *cast<For>(&stmt);
            open("for " + to_string(loop.pattern), loop.range);
            print(*loop.iterable);
            print(loop.body, "block");
            close();
            return;
        }
        case Stmt::Kind::While: {
            const auto& loop = *cast<While>(&stmt);
            open("while", loop.range);
            print(*loop.cond);
            print(loop.body, "block");
            close();
            return;
        }
        case Stmt::Kind::Break: leaf("break", stmt.range); return;
        case Stmt::Kind::Continue: leaf("continue", stmt.range); return;
        case Stmt::Kind::Return: {
            const auto& ret = *cast<Return>(&stmt);
            open("return", ret.range);
            if (ret.value) print(*ret.value);
            close();
            return;
        }
        case Stmt::Kind::FnDef: print(*cast<FnDef>(&stmt)); return;
        case Stmt::Kind::ModelDef: {
            const auto& model = *cast<ModelDef>(&stmt);
            open("model " + model.name, model.range);
            for (const Param& param : model.params) print(param);
            for (const ModelField& field : model.fields) print(field);
            for (const auto& method : model.methods) print(*method);
            close();
            return;
        }
        case Stmt::Kind::Import: {
            const auto& import = *cast<Import>(&stmt);
            std::string head = "import ";
            for (size_t i = 0; i < import.path.size(); ++i) head += (i > 0 ? "." : "") + import.path[i];
            if (!import.alias.empty()) head += " as " + import.alias;
            leaf(head, import.range);
            return;
        }
        }
    }

    void print(const Expr& expr) {
        switch (expr.kind) {
        case Expr::Kind::IntLit: leaf("int " + std::to_string(cast<IntLit>(&expr)->value), expr.range); return;
        case Expr::Kind::FloatLit: leaf("float " + number(cast<FloatLit>(&expr)->value), expr.range); return;
        case Expr::Kind::BoolLit: leaf(cast<BoolLit>(&expr)->value ? "bool true" : "bool false", expr.range); return;
        case Expr::Kind::StrLit: leaf("str \"" + escape(cast<StrLit>(&expr)->value) + "\"", expr.range); return;
        case Expr::Kind::Name: leaf("name " + cast<Name>(&expr)->name, expr.range); return;
        case Expr::Kind::Unary: {
            const auto& unary = *cast<Unary>(&expr);
            open(std::string("unary ") + spelling(unary.op), unary.range);
            print(*unary.operand);
            close();
            return;
        }
        case Expr::Kind::Binary: {
            const auto& binary = *cast<Binary>(&expr);
            open(std::string("binary ") + spelling(binary.op), binary.range);
            print(*binary.lhs);
            print(*binary.rhs);
            close();
            return;
        }
        case Expr::Kind::Call: {
            const auto& call = *cast<Call>(&expr);
            open("call", call.range);
            print(*call.callee);
            for (const Arg& arg : call.args) {
                if (arg.name.empty()) {
                    print(*arg.value);
                    continue;
                }
                open("kwarg " + arg.name, arg.range);
                print(*arg.value);
                close();
            }
            close();
            return;
        }
        case Expr::Kind::Member: {
            const auto& member = *cast<Member>(&expr);
            open("member " + member.member, member.range);
            print(*member.object);
            close();
            return;
        }
        case Expr::Kind::Index: {
            const auto& index = *cast<Index>(&expr);
            open("index", index.range);
            print(*index.base);
            for (const IndexItem& item : index.items) print(item);
            close();
            return;
        }
        case Expr::Kind::Tuple:
            open("tuple", expr.range);
            for (const ExprPtr& element : cast<Tuple>(&expr)->elements) print(*element);
            close();
            return;
        case Expr::Kind::List:
            open("list", expr.range);
            for (const ExprPtr& element : cast<List>(&expr)->elements) print(*element);
            close();
            return;
        case Expr::Kind::Range: {
            const auto& range = *cast<Range>(&expr);
            open("range", range.range);
            print(*range.lo);
            print(*range.hi);
            close();
            return;
        }
        }
    }

    // Shortest text that reads back as `value`, with a `.0` on integral
    // values so a float never looks like an int: 0.001, 2.0, 1e+20.
    static std::string number(double value) {
        char buffer[32];
        auto [end, status] = std::to_chars(buffer, buffer + sizeof buffer, value);
        std::string text(buffer, end);
        if (text.find_first_not_of("-0123456789") == std::string::npos) text += ".0";
        return text;
    }

    void print(const IndexItem& item) {
        switch (item.kind) {
        case IndexItem::Single: print(*item.index); return;
        case IndexItem::Ellipsis: leaf("ellipsis", item.range); return;
        case IndexItem::Slice:
            open("slice", item.range);
            for (const ExprPtr* part : {&item.start, &item.stop, &item.step}) {
                if (*part)
                    print(**part);
                else
                    absent();
            }
            close();
            return;
        }
    }

    std::ostream& out_;
    int depth_ = 0;
};

}  // namespace

void print_ast(const ast::Program& program, std::ostream& out) { AstPrinter(out).print(program); }

}  // namespace nnc
