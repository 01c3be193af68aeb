// What the grammar's actions (parser.y) build with: nodes assembled from
// parts the rules matched, kept out of the grammar so that it reads as a
// grammar.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "frontend/ast.h"

namespace nnc {

// A field or method of a model body, while the body is being parsed.
using ModelMember = std::variant<ast::ModelField, std::unique_ptr<ast::FnDef>>;

// Assignment targets: `x`, `m.w`, `x[i]`.
bool is_assignable(const ast::Expr& e);

// A named type: `int`, `Lin`, `optim.Adam`. A bare element type (`f32`) is
// a rank-0 tensor, except `bool`, which names the host boolean.
ast::TypeExpr named_type(std::vector<std::string> path, SourceRange range);

// A block holding one statement: the `else if` chain as an else block.
ast::Block block_of(ast::StmtPtr stmt, SourceRange range);

void add_member(ast::ModelDef& model, ModelMember member);

}  // namespace nnc
