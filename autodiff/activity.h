// Activity analysis: which values of a function vary with the parameters
// being differentiated. A value is varied when it is a float and depends on
// a chosen float parameter through operands that carry derivatives
// (rules.h), loop-carried values or branch results. Only varied values get
// tangents and cotangents; the transforms treat everything else as a
// constant, so no derivative code is built for it.
#pragma once

#include <unordered_set>
#include <vector>

#include "ir/function.h"

namespace nnc::autodiff {

class Activity {
public:
    // `wrt`: one flag per parameter of `f`.
    Activity(const ir::Function& f, const std::vector<bool>& wrt);

    bool varied(const ir::Value* v) const { return varied_.contains(v); }

private:
    void visit(const ir::Block& block);
    void visit_loop(const ir::Op& loop);
    bool mark(const ir::Value* v);   // true when newly marked

    std::unordered_set<const ir::Value*> varied_;
};

}  // namespace nnc::autodiff
