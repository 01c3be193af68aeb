// Inlining a function body through a value map (ir/clone.h).
#include "ir/inline.h"


#include "ir/clone.h"
#include "support/error.h"

namespace nnc::ir {

std::vector<Value*> inline_function(Builder& builder, const Function& callee, std::span<Value* const> args) {
    NNC_CHECK(args.size() == callee.params().size(), "inlining @" + callee.name() + " with the wrong number of arguments");
    ValueMap map;
    for (size_t i = 0; i < args.size(); ++i) map.set(callee.params()[i], args[i]);
    std::vector<Value*> results;
    for (const Op* op : callee.body()->ops) {
        if (op->kind == OpKind::Return) {
            for (const Value* v : op->operands) results.push_back(map[v]);
            break;
        }
        clone_op(builder, *op, map);
    }
    return results;
}

}  // namespace nnc::ir
