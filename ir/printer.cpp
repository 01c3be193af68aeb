// Printing functions in the IR's text form: value naming, one op per line,
// regions indented by two spaces.
#include "ir/printer.h"

#include <cctype>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "ir/dense.h"

namespace nnc::ir {

namespace {

// Whether `op` has the operands and regions its syntax needs (passes may
// print a broken function before the verifier reports it).
bool well_formed(const Op* op) {
    switch (op->kind) {
    case OpKind::For: return !op->operands.empty() && op->regions.size() == 1;
    case OpKind::If: return op->operands.size() == 1 && op->regions.size() == 2;
    case OpKind::While: return op->regions.size() == 2;
    case OpKind::Fusion: return op->regions.size() == 1;
    case OpKind::Constant: return op->payload.defined() && op->regions.empty();
    default: return op->regions.empty();
    }
}

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// `"..."` with `"` and `\` escaped.
std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + '"';
}

// `@name`, or `@"name"` when it is not an identifier (`@"grad(loss)"`).
std::string function_name(const std::string& name) {
    bool plain = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0]));
    for (char c : name) plain = plain && (is_name_char(c) || c == '.');
    return "@" + (plain ? name : quoted(name));
}

// A name hint made into a value name: other characters become `_`, and a
// leading digit gets a `_` prefix (plain numbers are for unnamed values).
std::string sanitize(const std::string& hint) {
    std::string s;
    for (char c : hint) s += is_name_char(c) ? c : '_';
    if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0]))) s = "_" + s;
    return s;
}

class Printer {
public:
    Printer(std::ostream& out, const PrintOptions& options) : out_(out), options_(options) {}

    void function(const Function& f) {
        out_ << "func " << function_name(f.name()) << '(';
        for (size_t i = 0; i < f.params().size(); ++i) {
            if (i) out_ << ", ";
            out_ << name(f.params()[i]) << ": " << f.params()[i]->type().str();
        }
        out_ << ") -> ";
        std::vector<TensorType> results = f.result_types();
        if (results.size() == 1) out_ << results[0].str();
        else out_ << '(' << types(results) << ')';
        out_ << " {\n";
        for (const Op* op : f.body()->ops) this->op(op, 1);
        out_ << "}\n";
    }

private:
    // The value's name, given on first sight: definitions come first in a
    // valid function, so names follow the order of definition.
    const std::string& name(const Value* v) {
        static const std::string null_name = "%<null>";
        if (!v) return null_name;
        auto it = names_.find(v);
        if (it != names_.end()) return it->second;
        std::string hint = sanitize(v->name_hint());
        std::string chosen = hint.empty() ? std::to_string(next_number_++) : hint;
        for (int suffix = 1; !hint.empty() && taken_.count(chosen); ++suffix)
            chosen = hint + "_" + std::to_string(suffix);
        taken_.insert(chosen);
        return names_.emplace(v, "%" + chosen).first->second;
    }

    std::string names(std::span<Value* const> values) {
        std::string s;
        for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + name(values[i]);
        return s;
    }

    static std::string types(const std::vector<TensorType>& ts) {
        std::string s;
        for (size_t i = 0; i < ts.size(); ++i) s += (i ? ", " : "") + ts[i].str();
        return s;
    }

    void indent(int depth) { out_ << std::string(static_cast<size_t>(2 * depth), ' '); }

    void op(const Op* op, int depth) {
        indent(depth);
        if (!op->results.empty()) out_ << names(op->results) << " = ";
        out_ << op_name(op->kind);
        if (well_formed(op)) operands_and_regions(op, depth);
        else out_ << " <malformed: " << op->operands.size() << " operands, " << op->regions.size() << " regions>";
        if (!op->results.empty()) {
            std::vector<TensorType> result_types;
            for (const Value* v : op->results) result_types.push_back(v->type());
            out_ << " : " << types(result_types);
        }
        location(op->loc);
        out_ << '\n';
    }

    // What follows the op's name: the syntax of its kind.
    void operands_and_regions(const Op* op, int depth) {
        switch (op->kind) {
        case OpKind::For:
            out_ << ' ' << name(op->operands[0]) << " iter("
                 << names(std::span<Value* const>(op->operands).subspan(1)) << ") ";
            region(op->regions[0], depth);
            break;
        case OpKind::If:
            out_ << ' ' << name(op->operands[0]) << ' ';
            region(op->regions[0], depth);
            out_ << " else ";
            region(op->regions[1], depth);
            break;
        case OpKind::While:
            out_ << " iter(" << names(op->operands) << ") ";
            region(op->regions[0], depth);
            out_ << " do ";
            region(op->regions[1], depth);
            break;
        case OpKind::Fusion:
            out_ << ' ' << names(op->operands) << ' ';
            region(op->regions[0], depth);
            break;
        case OpKind::Constant:
            out_ << ' ' << format_dense(op->payload);
            break;
        default:
            if (!op->operands.empty()) out_ << ' ' << names(op->operands);
            if (!op->attrs.items().empty()) out_ << ' ' << op->attrs.str();
            break;
        }
    }

    // `{`, the block's arguments as `^(%a: t, ...):` when it has any, its
    // ops one level deeper, `}` (no newline).
    void region(const Block* b, int depth) {
        out_ << "{\n";
        if (!b->args.empty()) {
            indent(depth);
            out_ << "^(";
            for (size_t i = 0; i < b->args.size(); ++i)
                out_ << (i ? ", " : "") << name(b->args[i]) << ": " << b->args[i]->type().str();
            out_ << "):\n";
        }
        for (const Op* inner : b->ops) op(inner, depth + 1);
        indent(depth);
        out_ << '}';
    }

    void location(const SourceRange& r) {
        if (!options_.locations || !options_.sources || !r.valid()) return;
        out_ << " loc(" << quoted(options_.sources->name(r.begin.file)) << ':' << r.begin.line << ':' << r.begin.col;
        if (r.end.valid() && r.end.file == r.begin.file && !(r.end == r.begin))
            out_ << " to " << r.end.line << ':' << r.end.col;
        out_ << ')';
    }

    std::ostream& out_;
    const PrintOptions& options_;
    std::unordered_map<const Value*, std::string> names_;
    std::unordered_set<std::string> taken_;
    int next_number_ = 0;
};

}  // namespace

void print_function(const Function& f, std::ostream& out, const PrintOptions& options) {
    Printer(out, options).function(f);
}

void print_module(const Module& m, std::ostream& out, const PrintOptions& options) {
    for (size_t i = 0; i < m.functions.size(); ++i) {
        if (i) out << '\n';
        print_function(*m.functions[i], out, options);
    }
}

std::string to_string(const Function& f, const PrintOptions& options) {
    std::ostringstream out;
    print_function(f, out, options);
    return out.str();
}

}  // namespace nnc::ir
