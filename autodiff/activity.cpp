// Activity analysis: one forward sweep over the function, iterating each
// loop body until the set of varied carried values stops growing.
#include "autodiff/activity.h"

#include "autodiff/rules.h"

namespace nnc::autodiff {

Activity::Activity(const ir::Function& f, const std::vector<bool>& wrt) {
    for (size_t i = 0; i < wrt.size(); ++i)
        if (wrt[i]) mark(f.params()[i]);
    visit(*f.body());
}

bool Activity::mark(const ir::Value* v) { return is_floating(v->type().dtype) && varied_.insert(v).second; }

void Activity::visit(const ir::Block& block) {
    for (const ir::Op* op : block.ops) {
        switch (op->kind) {
        case OpKind::For:
        case OpKind::While: visit_loop(*op); break;
        case OpKind::If:
            for (const ir::Block* branch : op->regions) visit(*branch);
            for (size_t k = 0; k < op->results.size(); ++k)
                if (varied(op->regions[0]->terminator()->operands[k]) || varied(op->regions[1]->terminator()->operands[k]))
                    mark(op->results[k]);
            break;
        case OpKind::Yield:
        case OpKind::Return: break;
        default:
            if (!has_derivative(op->kind)) break;
            for (size_t i = 0; i < op->operands.size(); ++i)
                if (carries_derivative(op->kind, i) && varied(op->operands[i])) {
                    mark(op->result());
                    break;
                }
        }
    }
}

// for: operands (trip, inits...), body args (index, carried...);
// while: operands (inits...), cond and body args (carried...).
void Activity::visit_loop(const ir::Op& loop) {
    const size_t first = loop.kind == OpKind::For ? 1 : 0;
    const ir::Block& body = *loop.regions.back();
    std::vector<bool> carried(loop.results.size());
    for (size_t k = 0; k < carried.size(); ++k) carried[k] = varied(loop.operands[first + k]);
    for (bool changed = true; changed;) {
        for (size_t k = 0; k < carried.size(); ++k)
            if (carried[k])
                for (const ir::Block* region : loop.regions) mark(region->args[first + k]);
        for (const ir::Block* region : loop.regions) visit(*region);
        changed = false;
        for (size_t k = 0; k < carried.size(); ++k)
            if (!carried[k] && varied(body.terminator()->operands[k])) carried[k] = changed = true;
    }
    for (size_t k = 0; k < carried.size(); ++k)
        if (carried[k]) mark(loop.results[k]);
}

}  // namespace nnc::autodiff
