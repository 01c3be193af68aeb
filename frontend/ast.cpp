// Spellings of AST operators, types and patterns as a user writes them; used
// by the AST printer and by diagnostics.
#include "frontend/ast.h"

namespace nnc::ast {

const char* spelling(UnaryOp op) {
    switch (op) {
    case UnaryOp::Neg: return "-";
    case UnaryOp::Plus: return "+";
    case UnaryOp::Not: return "not";
    }
    return "?";
}

const char* spelling(BinaryOp op) {
    switch (op) {
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::FloorDiv: return "//";
    case BinaryOp::Mod: return "%";
    case BinaryOp::Pow: return "**";
    case BinaryOp::MatMul: return "@";
    case BinaryOp::Eq: return "==";
    case BinaryOp::Ne: return "!=";
    case BinaryOp::Lt: return "<";
    case BinaryOp::Le: return "<=";
    case BinaryOp::Gt: return ">";
    case BinaryOp::Ge: return ">=";
    case BinaryOp::And: return "and";
    case BinaryOp::Or: return "or";
    }
    return "?";
}

const char* spelling(Assign::Op op) {
    switch (op) {
    case Assign::Op::Set: return "=";
    case Assign::Op::Add: return "+=";
    case Assign::Op::Sub: return "-=";
    case Assign::Op::Mul: return "*=";
    case Assign::Op::Div: return "/=";
    }
    return "?";
}

std::string escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        default: out += c;
        }
    }
    return out;
}

namespace {

// "(a, b)", "(a,)", "()": the tuple spelling shared by types and patterns.
template <class T> std::string tuple_string(const std::vector<T>& elements) {
    std::string out = "(";
    for (size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) out += ", ";
        out += to_string(elements[i]);
    }
    if (elements.size() == 1) out += ",";
    return out + ")";
}

std::string to_string(const DimExpr& dim) {
    switch (dim.kind) {
    case DimExpr::Known: return std::to_string(dim.value);
    case DimExpr::Symbol: return dim.name;
    case DimExpr::Any: return "_";
    }
    return "?";
}

}  // namespace

std::string to_string(const TypeExpr& type) {
    switch (type.kind) {
    case TypeExpr::Tensor: {
        std::string out(dtype_name(type.dtype));
        // A bare `bool` names the host boolean, so its rank-0 tensor is `bool[]`.
        if (type.dims.empty()) return type.dtype == DType::Bool ? out + "[]" : out;
        out += "[";
        for (size_t i = 0; i < type.dims.size(); ++i) {
            if (i > 0) out += ", ";
            out += to_string(type.dims[i]);
        }
        return out + "]";
    }
    case TypeExpr::Named: {
        std::string out;
        for (size_t i = 0; i < type.path.size(); ++i) {
            if (i > 0) out += ".";
            out += type.path[i];
        }
        return out;
    }
    case TypeExpr::Tuple: return tuple_string(type.elements);
    }
    return "?";
}

std::string to_string(const Pattern& pattern) {
    return pattern.kind == Pattern::Bind ? pattern.name : tuple_string(pattern.elements);
}

}  // namespace nnc::ast
