// The grammar's node builders (see syntax_builders.h).
#include "frontend/syntax_builders.h"

#include "support/casting.h"

namespace nnc {

bool is_assignable(const ast::Expr& e) {
    return isa<ast::Name>(&e) || isa<ast::Member>(&e) || isa<ast::Index>(&e);
}

ast::TypeExpr named_type(std::vector<std::string> path, SourceRange range) {
    ast::TypeExpr type;
    type.range = range;
    if (path.size() == 1 && path[0] != "bool") {
        if (std::optional<DType> dtype = parse_dtype(path[0])) {
            type.kind = ast::TypeExpr::Tensor;
            type.dtype = *dtype;
            return type;
        }
    }
    type.kind = ast::TypeExpr::Named;
    type.path = std::move(path);
    return type;
}

ast::Block block_of(ast::StmtPtr stmt, SourceRange range) {
    ast::Block block;
    block.stmts.push_back(std::move(stmt));
    block.range = range;
    return block;
}

void add_member(ast::ModelDef& model, ModelMember member) {
    if (auto* field = std::get_if<ast::ModelField>(&member))
        model.fields.push_back(std::move(*field));
    else
        model.methods.push_back(std::move(std::get<std::unique_ptr<ast::FnDef>>(member)));
}

}  // namespace nnc
