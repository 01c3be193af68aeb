// Building the step tree of a fused function and its shapes at given sizes
// (see program.h).
#include "codegen/program.h"

#include <algorithm>
#include <functional>

#include "core/shape_rules.h"
#include "ir/control_flow.h"
#include "ir/passes/fusion.h"
#include "support/error.h"

namespace nnc::codegen {

void Step::all_inputs(std::vector<int>& out) const {
    out.insert(out.end(), inputs.begin(), inputs.end());
    for (size_t r = 0; r < regions.size(); ++r) {
        out.insert(out.end(), region_yields[r].begin(), region_yields[r].end());
        for (const auto& inner : regions[r]) inner->all_inputs(out);
    }
}

void Step::all_steps(std::vector<const Step*>& out) const {
    out.push_back(this);
    for (const auto& region : regions)
        for (const auto& inner : region) inner->all_steps(out);
}

Program::Program(const ir::Function& f, const std::map<size_t, size_t>& updates) : f_(&f), updates_(updates) {
    auto number = [&](const ir::Value* v) {
        slot_[v] = static_cast<int>(slot_values_.size());
        slot_values_.push_back(v);
    };
    for (const ir::Value* p : f.params()) {
        number(p);
        for (const Dim& d : p->type().dims)
            if (d.is_symbol() && std::find(symbols_.begin(), symbols_.end(), d.name()) == symbols_.end())
                symbols_.push_back(d.name());
    }
    // Every value of every block gets a slot; a fusion group's body is its kernel's business.
    std::function<void(const ir::Block&)> number_block = [&](const ir::Block& b) {
        for (const ir::Op* op : b.ops) {
            for (const ir::Value* r : op->results) number(r);
            if (op->kind == OpKind::Constant) constants_.emplace_back(slot_.at(op->result()), op);
            if (op->kind == OpKind::Fusion) continue;
            for (const ir::Block* region : op->regions) {
                for (const ir::Value* a : region->args) number(a);
                number_block(*region);
            }
        }
    };
    number_block(*f.body());
    build_steps(*f.body(), steps_);
    find_in_place_updates();
}

void Program::build_steps(const ir::Block& b, std::vector<std::unique_ptr<Step>>& steps) {
    for (const ir::Op* op : b.ops) {
        if (op->kind == OpKind::Return) {
            for (const ir::Value* v : op->operands) result_slots_.push_back(slot_.at(v));
            continue;
        }
        if (op->kind == OpKind::Yield || op->kind == OpKind::Constant) continue;   // constants: preset in every run
        auto step = std::make_unique<Step>();
        step->op = op;
        for (const ir::Value* v : op->operands) step->inputs.push_back(slot_.at(v));
        for (const ir::Value* r : op->results) step->outputs.push_back(slot_.at(r));
        if (op->kind == OpKind::Fusion) {
            step->kind = Step::Kernel;
            step->kernel = static_cast<size_t>(kernels_++);
        } else if (is_control_flow(op->kind)) {   // for, if, while
            step->kind = Step::ControlFlow;
            for (const ir::Block* region : op->regions) {
                step->regions.emplace_back();
                build_steps(*region, step->regions.back());
                std::vector<int> args, yields;
                for (const ir::Value* a : region->args) args.push_back(slot_.at(a));
                for (const ir::Value* v : region->terminator()->operands) yields.push_back(slot_.at(v));
                step->region_args.push_back(std::move(args));
                step->region_yields.push_back(std::move(yields));
            }
        } else if (op->kind == OpKind::Reshape || op->kind == OpKind::ExpandDims) {
            step->kind = Step::View;
        } else {
            step->kind = Step::Library;
        }
        steps.push_back(std::move(step));
    }
}

void Program::find_in_place_updates() {
    update_in_place_.assign(result_slots_.size(), false);
    for (const auto& [result, param] : updates_) {
        if (result >= result_slots_.size()) continue;
        const int out = result_slots_[result];
        const int in = slot_.at(f_->params()[param]);
        if (slot_type(out) != slot_type(in)) continue;
        int producer = -1, last_read = -1;
        for (size_t s = 0; s < steps_.size(); ++s) {
            const Step& st = *steps_[s];
            if (std::count(st.outputs.begin(), st.outputs.end(), out)) producer = static_cast<int>(s);
            std::vector<int> read;
            st.all_inputs(read);
            if (std::count(read.begin(), read.end(), in)) last_read = static_cast<int>(s);
        }
        if (producer < 0 || last_read > producer || steps_[producer]->kind != Step::Kernel) continue;
        const ir::Op& group = *steps_[producer]->op;
        const ir::Op* root = ir::group_root(group);
        const ir::Value* iterated = root ? root->operands[0] : group.results[0];
        if (iterated->type().dims != slot_type(out).dims) continue;   // not element by element
        if (std::count(result_slots_.begin(), result_slots_.end(), in)) continue;
        if (std::count(result_slots_.begin(), result_slots_.end(), out) > 1) continue;
        update_in_place_[result] = true;
    }
}

Shapes Program::shapes_at(std::span<const int64_t> sizes) const {
    Shapes out;
    std::unordered_map<const ir::Value*, Shape> shape;
    for (const ir::Value* p : f_->params()) {
        Shape& s = shape[p];
        for (const Dim& d : p->type().dims) {
            if (d.is_known()) s.push_back(d.value());
            else s.push_back(sizes[std::find(symbols_.begin(), symbols_.end(), d.name()) - symbols_.begin()]);
        }
    }
    auto shapes_of = [&](std::span<ir::Value* const> values) {
        std::vector<Shape> shapes;
        for (const ir::Value* v : values) shapes.push_back(shape.at(v));
        return shapes;
    };
    auto bind = [&](const ir::Block& region, const std::vector<Shape>& args) {
        for (size_t k = 0; k < args.size(); ++k) shape[region.args[k]] = args[k];
    };
    auto set_results = [&](const ir::Op& op, const std::vector<Shape>& results) {
        for (size_t k = 0; k < results.size(); ++k) shape[op.results[k]] = results[k];
    };
    std::function<void(const ir::Block&)> propagate = [&](const ir::Block& b) {
        for (const ir::Op* op : b.ops) {
            switch (op->kind) {
            case OpKind::Yield: case OpKind::Return: break;
            case OpKind::Constant: shape[op->result()] = op->payload.shape(); break;
            case OpKind::Fusion: {
                const ir::Block& body = *op->regions[0];
                bind(body, shapes_of(op->operands));
                propagate(body);
                set_results(*op, shapes_of(body.terminator()->operands));
                const ir::Op* root = ir::group_root(*op);
                out.iteration[op] = root ? shape.at(root->operands[0]) : shape.at(op->results[0]);
                break;
            }
            case OpKind::For: {
                std::vector<Shape> carried = shapes_of(std::span<ir::Value* const>(op->operands).subspan(1));
                std::vector<Shape> args{Shape{}};
                args.insert(args.end(), carried.begin(), carried.end());
                bind(*op->regions[0], args);
                propagate(*op->regions[0]);
                set_results(*op, carried);
                break;
            }
            case OpKind::While:
                for (const ir::Block* region : op->regions) bind(*region, shapes_of(op->operands)), propagate(*region);
                set_results(*op, shapes_of(op->operands));
                break;
            case OpKind::If:
                for (const ir::Block* region : op->regions) propagate(*region);
                set_results(*op, shapes_of(op->regions[0]->terminator()->operands));
                break;
            default: {
                std::vector<TensorType> operands;
                for (const ir::Value* v : op->operands) operands.push_back(TensorType::of(v->type().dtype, shape.at(v)));
                shape[op->result()] = infer_type(op->kind, operands, op->attrs).concrete();
                break;
            }
            }
        }
    };
    propagate(*f_->body());
    out.slots.resize(slot_values_.size());
    for (size_t s = 0; s < slot_values_.size(); ++s) out.slots[s] = shape.at(slot_values_[s]);
    return out;
}

}  // namespace nnc::codegen
