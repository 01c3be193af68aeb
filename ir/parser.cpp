// The IR text parser: recursive descent over ir/lexer.h tokens, one method
// per grammar rule of ir/parser.h, building ops with Function's API. The
// first error ends the parse.
#include "ir/parser.h"

#include <charconv>
#include <unordered_map>
#include <unordered_set>

#include "core/checked_size.h"
#include "ir/dense.h"
#include "ir/passes/constant_fold.h"
#include "ir/lexer.h"

namespace nnc::ir {

namespace {

struct ParseError {
    SourceRange range;
    std::string message;
};

std::string types_str(const std::vector<TensorType>& ts) {
    std::string s = "(";
    for (size_t i = 0; i < ts.size(); ++i) s += (i ? ", " : "") + ts[i].str();
    return s + ")";
}

bool all_digits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

class Parser {
public:
    Parser(SourceManager& sources, uint32_t file)
        : sources_(sources), text_(sources.text(file)), lexer_(text_, file) {
        loc_files_[sources.name(file)] = file;
        advance();
    }

    // module ::= function*
    Module module() {
        Module m;
        while (!at(Tok::Eof)) m.functions.push_back(function(m));
        return m;
    }

private:
    // --- tokens ------------------------------------------------------------

    [[noreturn]] static void fail(SourceRange range, std::string message) {
        throw ParseError{range, std::move(message)};
    }

    void advance() {
        tok_ = lexer_.next();
        if (tok_.kind == Tok::Error) fail(tok_.range, tok_.message);
    }
    bool at(Tok kind) const { return tok_.kind == kind; }
    bool at_word(std::string_view word) const { return tok_.kind == Tok::Ident && tok_.text == word; }
    bool accept(Tok kind) {
        if (!at(kind)) return false;
        advance();
        return true;
    }
    std::string describe_current() const {
        return at(Tok::Eof) ? "end of input" : "'" + std::string(tok_.text) + "'";
    }
    Token expect(Tok kind, std::string_view what) {
        if (!at(kind)) fail(tok_.range, "expected " + std::string(what) + ", got " + describe_current());
        Token t = tok_;
        advance();
        return t;
    }
    void expect_word(std::string_view word) {
        if (!at_word(word)) fail(tok_.range, "expected '" + std::string(word) + "', got " + describe_current());
        advance();
    }
    int64_t integer(const Token& t) {
        int64_t n = 0;
        auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), n);
        if (ec != std::errc() || end != t.text.data() + t.text.size()) fail(t.range, "integer out of range");
        return n;
    }

    // --- names -------------------------------------------------------------

    Value* use(const Token& name) {
        auto it = visible_.find(std::string(name.text));
        if (it == visible_.end()) fail(name.range, "undefined value %" + std::string(name.text));
        return it->second;
    }
    Value* value() { return use(expect(Tok::ValueName, "a value")); }

    void define(const Token& name, Value* v) {
        std::string key(name.text);
        if (!defined_.insert(key).second) fail(name.range, "redefinition of %" + key);
        visible_[key] = v;
        scope_.push_back(key);
        if (!all_digits(key)) v->set_name_hint(key);
    }

    // Names defined since `mark` go out of scope.
    void close_scope(size_t mark) {
        for (; scope_.size() > mark; scope_.pop_back()) visible_.erase(scope_.back());
    }

    // values ::= [value (',' value)*]
    std::vector<Value*> values() {
        std::vector<Value*> vs;
        if (!at(Tok::ValueName)) return vs;
        do vs.push_back(value());
        while (accept(Tok::Comma));
        return vs;
    }

    std::vector<Value*> parenthesized_values() {
        expect(Tok::LParen, "'('");
        std::vector<Value*> vs = values();
        expect(Tok::RParen, "')'");
        return vs;
    }

    // --- functions and regions ---------------------------------------------

    // function ::= 'func' func-name '(' [param (',' param)*] ')' '->' results '{' op* '}'
    std::unique_ptr<Function> function(const Module& m) {
        expect_word("func");
        Token name = expect(Tok::FuncName, "a function name");
        auto f = std::make_unique<Function>(unescape(name.text));
        if (m.find(f->name())) fail(name.range, "redefinition of function @" + f->name());
        f_ = f.get();
        defined_.clear(), visible_.clear(), scope_.clear();
        expect(Tok::LParen, "'('");
        if (!at(Tok::RParen)) {
            do params(f->body());
            while (accept(Tok::Comma));
        }
        expect(Tok::RParen, "')'");
        expect(Tok::Arrow, "'->'");
        std::vector<TensorType> declared;
        if (accept(Tok::LParen)) {
            if (!at(Tok::RParen)) declared = type_list();
            expect(Tok::RParen, "')'");
        } else {
            declared.push_back(type());
        }
        expect(Tok::LBrace, "'{'");
        block_body(f->body());
        if (Op* ret = f->body()->terminator(); ret && ret->kind == OpKind::Return && f->result_types() != declared)
            fail(ret->loc, "return types " + types_str(f->result_types()) + " differ from the declared result types " +
                               types_str(declared));
        return f;
    }

    // param ::= value-name ':' type   (an argument of `b`)
    void params(Block* b) {
        Token name = expect(Tok::ValueName, "an argument name");
        expect(Tok::Colon, "':'");
        define(name, f_->add_arg(b, type()));
    }

    // region ::= '{' ['^' '(' [param (',' param)*] ')' ':'] op* '}'
    void region(Op* op) {
        expect(Tok::LBrace, "'{'");
        Block* b = f_->new_block();
        b->parent_op = op;
        op->regions.push_back(b);
        const size_t mark = scope_.size();
        if (accept(Tok::Caret)) {
            expect(Tok::LParen, "'('");
            if (!at(Tok::RParen)) {
                do params(b);
                while (accept(Tok::Comma));
            }
            expect(Tok::RParen, "')'");
            expect(Tok::Colon, "':'");
        }
        block_body(b);
        close_scope(mark);
    }

    // op* '}'
    void block_body(Block* b) {
        while (!at(Tok::RBrace)) {
            if (at(Tok::Eof)) fail(tok_.range, "expected '}', got end of input");
            op(b);
        }
        advance();
    }

    // --- ops ---------------------------------------------------------------

    // op ::= [value-name (',' value-name)* '='] op-body [':' type (',' type)*] [location]
    void op(Block* b) {
        std::vector<Token> names;
        if (at(Tok::ValueName)) {
            do names.push_back(expect(Tok::ValueName, "a result name"));
            while (accept(Tok::Comma));
            expect(Tok::Equal, "'='");
        }
        Token name = expect(Tok::Ident, "an op name");
        std::optional<OpKind> kind = parse_op_name(name.text);
        if (!kind) fail(name.range, "unknown op '" + std::string(name.text) + "'");
        const std::string spelling(name.text);
        Op* op = nullptr;
        DenseLiteral literal;
        SourceRange literal_range;
        switch (*kind) {
        case OpKind::For: {
            std::vector<Value*> operands{value()};
            expect_word("iter");
            for (Value* v : parenthesized_values()) operands.push_back(v);
            op = f_->new_op(*kind, operands, {}, {}, name.range);
            region(op);
            break;
        }
        case OpKind::If:
            op = f_->new_op(*kind, {value()}, {}, {}, name.range);
            region(op);
            expect_word("else");
            region(op);
            break;
        case OpKind::While:
            expect_word("iter");
            op = f_->new_op(*kind, parenthesized_values(), {}, {}, name.range);
            region(op);
            expect_word("do");
            region(op);
            break;
        case OpKind::Fusion:
            op = f_->new_op(*kind, values(), {}, {}, name.range);
            region(op);
            break;
        case OpKind::Constant:
            literal_range = tok_.range;
            literal = dense();
            op = f_->new_op(*kind, {}, {}, {}, name.range);
            break;
        default: {
            std::vector<Value*> operands = values();
            op = f_->new_op(*kind, std::move(operands), {}, at(Tok::LBrace) ? attributes() : Attrs{}, name.range);
            break;
        }
        }
        std::vector<TensorType> types;
        if (accept(Tok::Colon)) types = type_list();
        if (at_word("loc")) op->loc = location();

        const bool terminator = *kind == OpKind::Yield || *kind == OpKind::Return;
        if (terminator && !names.empty()) fail(name.range, "'" + spelling + "' has no results");
        if (!is_control_flow(*kind) && names.size() != 1)
            fail(name.range, "'" + spelling + "' has one result, written as '%name = " + spelling + " ...'");
        if (names.size() != types.size())
            fail(name.range, std::to_string(names.size()) + " results named but " + std::to_string(types.size()) +
                                 " types given");
        const int arity = op_arity(*kind);
        if (arity >= 0 && static_cast<int>(op->operands.size()) != arity)
            fail(name.range, "'" + spelling + "' takes " + std::to_string(arity) + " operands, got " +
                                 std::to_string(op->operands.size()));
        if (*kind == OpKind::Constant) {
            if (is_large_splat(literal, types[0])) {
                // Kept symbolic: a splat of 10^10 elements is 90 bytes of text.
                op->kind = OpKind::Full;
                op->attrs = splat_attrs(literal, types[0], literal_range);
            } else {
                std::string error;
                try {
                    op->payload = make_dense(literal, types[0], error);
                } catch (const RuntimeError& e) {   // too large to allocate
                    fail(literal_range, e.what());
                }
                if (!op->payload.defined()) fail(literal_range, error);
            }
        }
        for (TensorType& t : types) f_->add_result(op, std::move(t));
        op->parent = b;
        b->ops.push_back(op);
        for (size_t i = 0; i < names.size(); ++i) define(names[i], op->results[i]);
    }

    // Whether a constant is a splat larger than constant folding ever makes:
    // it becomes a `full` op instead of a payload.
    static bool is_large_splat(const DenseLiteral& literal, const TensorType& type) {
        if (literal.form != DenseLiteral::Form::Splat || !type.fully_known()) return false;
        const Shape shape = type.concrete();
        const std::optional<int64_t> n = checked_product(shape);
        return !n || *n > kMaxFoldedElements;
    }

    // The attributes of the `full` op a large splat becomes.
    Attrs splat_attrs(const DenseLiteral& literal, const TensorType& type, SourceRange where) {
        std::string error;
        const Tensor element = make_dense(literal, TensorType{type.dtype, {}}, error);
        if (!element.defined()) fail(where, error);
        Attrs attrs{{"shape", type.concrete()}, {"dtype", type.dtype}};
        if (is_integral(type.dtype)) attrs.set("value", element.get_int(0));
        else attrs.set("value", element.get(0));
        return attrs;
    }

    // attributes ::= '{' name '=' attr (',' name '=' attr)* '}'
    Attrs attributes() {
        expect(Tok::LBrace, "'{'");
        Attrs attrs;
        do {
            Token name = expect(Tok::Ident, "an attribute name");
            if (attrs.has(name.text)) fail(name.range, "duplicate attribute '" + std::string(name.text) + "'");
            expect(Tok::Equal, "'='");
            attrs.set(std::string(name.text), attr_value());
        } while (accept(Tok::Comma));
        expect(Tok::RBrace, "'}'");
        return attrs;
    }

    // attr ::= 'true' | 'false' | integer | float | '[' [integer (',' integer)*] ']' | dtype
    AttrValue attr_value() {
        const Token t = tok_;
        if (accept(Tok::Integer)) return integer(t);
        if (at(Tok::Float) || at_word("nan") || at_word("inf")) {
            advance();
            return number(t);
        }
        if (accept(Tok::LBracket)) {
            std::vector<int64_t> list;
            if (!at(Tok::RBracket)) {
                do list.push_back(integer(expect(Tok::Integer, "an integer")));
                while (accept(Tok::Comma));
            }
            expect(Tok::RBracket, "']'");
            return list;
        }
        if (accept(Tok::Ident)) {
            if (t.text == "true" || t.text == "false") return t.text == "true";
            if (std::optional<DType> dtype = parse_dtype(t.text)) return *dtype;
        }
        fail(t.range, "expected an attribute value, got '" + std::string(t.text) + "'");
    }

    double number(const Token& t) {
        double d = 0;
        auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), d);
        if (ec != std::errc() || end != t.text.data() + t.text.size()) fail(t.range, "number out of range");
        return d;
    }

    // dense ::= 'dense' '<' (element | list | string) '>'
    DenseLiteral dense() {
        expect_word("dense");
        expect(Tok::Less, "'<'");
        DenseLiteral literal;
        if (at(Tok::String)) {
            if (!tok_.text.starts_with("0x")) fail(tok_.range, "expected a hex string \"0x...\"");
            literal.form = DenseLiteral::Form::Hex;
            literal.hex = std::string(tok_.text.substr(2));
            advance();
        } else if (at(Tok::LBracket)) {
            literal.form = DenseLiteral::Form::List;
            literal.list_shape = dense_list(literal);
        } else {
            literal.form = DenseLiteral::Form::Splat;
            literal.elements.push_back(element());
        }
        expect(Tok::Greater, "'>'");
        return literal;
    }

    // list ::= '[' [(element | list) (',' (element | list))*] ']'; returns its shape.
    Shape dense_list(DenseLiteral& literal) {
        const SourceRange start = tok_.range;
        expect(Tok::LBracket, "'['");
        int64_t count = 0;
        std::optional<Shape> inner;   // the shape of nested lists, if the items are lists
        if (!at(Tok::RBracket)) {
            do {
                if (at(Tok::LBracket)) {
                    Shape s = dense_list(literal);
                    if (count > 0 && inner != s) fail(start, "ragged dense literal");
                    inner = s;
                } else {
                    if (inner) fail(start, "ragged dense literal");
                    literal.elements.push_back(element());
                }
                ++count;
            } while (accept(Tok::Comma));
        }
        expect(Tok::RBracket, "']'");
        Shape shape{count};
        if (inner) shape.insert(shape.end(), inner->begin(), inner->end());
        return shape;
    }

    std::string element() {
        if (at(Tok::Integer) || at(Tok::Float) || at_word("true") || at_word("false") || at_word("nan") ||
            at_word("inf")) {
            std::string text(tok_.text);
            advance();
            return text;
        }
        fail(tok_.range, "expected a number, got " + describe_current());
    }

    // --- types and locations -----------------------------------------------

    // type ::= dtype ['[' dim (',' dim)* ']'];  dim ::= integer | identifier
    TensorType type() {
        Token name = expect(Tok::Ident, "a type");
        std::optional<DType> dtype = parse_dtype(name.text);
        if (!dtype) fail(name.range, "unknown element type '" + std::string(name.text) + "'");
        TensorType t{*dtype, {}};
        if (accept(Tok::LBracket)) {
            do {
                const Token d = tok_;
                if (accept(Tok::Integer)) {
                    const int64_t n = integer(d);
                    if (n < 0) fail(d.range, "negative dimension");
                    t.dims.push_back(Dim::known(n));
                } else if (accept(Tok::Ident)) {
                    t.dims.push_back(d.text == "_" ? Dim::any() : Dim::symbol(std::string(d.text)));
                } else {
                    fail(d.range, "expected a dimension, got " + describe_current());
                }
            } while (accept(Tok::Comma));
            expect(Tok::RBracket, "']'");
        }
        return t;
    }

    std::vector<TensorType> type_list() {
        std::vector<TensorType> types;
        do types.push_back(type());
        while (accept(Tok::Comma));
        return types;
    }

    // location ::= 'loc' '(' string ':' line ':' col ['to' line ':' col] ')'
    SourceRange location() {
        expect_word("loc");
        expect(Tok::LParen, "'('");
        const uint32_t file = loc_file(unescape(expect(Tok::String, "a file name").text));
        expect(Tok::Colon, "':'");
        SourceRange r;
        r.begin = line_col(file);
        r.end = r.begin;
        if (at_word("to")) {
            advance();
            r.end = line_col(file);
        }
        expect(Tok::RParen, "')'");
        return r;
    }

    // line ':' col
    SourceLoc line_col(uint32_t file) {
        const Token line = expect(Tok::Integer, "a line number");
        expect(Tok::Colon, "':'");
        const Token col = expect(Tok::Integer, "a column number");
        const int64_t l = integer(line), c = integer(col);
        if (l < 1 || c < 1 || l > UINT32_MAX || c > UINT32_MAX) fail(line.range, "invalid line or column");
        return {file, static_cast<uint32_t>(l), static_cast<uint32_t>(c)};
    }

    // The SourceManager id of a file named in a location.
    uint32_t loc_file(const std::string& name) {
        auto it = loc_files_.find(name);
        if (it != loc_files_.end()) return it->second;
        return loc_files_[name] = sources_.add_buffer(name, "");
    }

    SourceManager& sources_;
    const std::string text_;   // a copy: adding buffers to sources_ may move its strings
    Lexer lexer_;
    Token tok_;
    Function* f_ = nullptr;
    std::unordered_map<std::string, Value*> visible_;   // names in scope
    std::vector<std::string> scope_;                    // names in order of definition, for close_scope
    std::unordered_set<std::string> defined_;           // every name of the current function
    std::unordered_map<std::string, uint32_t> loc_files_;
};

}  // namespace

std::optional<Module> parse_module(SourceManager& sources, uint32_t file, DiagnosticEngine& diags) {
    try {
        return Parser(sources, file).module();
    } catch (const ParseError& e) {
        diags.error(e.range, e.message);
        return std::nullopt;
    }
}

}  // namespace nnc::ir
