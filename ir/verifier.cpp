// The IR verifier: one walk over the function with the set of values in
// scope, checking each op against the rules listed in verifier.h.
#include "ir/verifier.h"

#include <unordered_set>

#include "core/attr_schema.h"
#include "core/shape_rules.h"
#include "support/error.h"

namespace nnc::ir {

namespace {

const TensorType kIndexType{DType::I64, {}};
const TensorType kConditionType{DType::Bool, {}};

std::vector<TensorType> types_of(std::span<Value* const> values) {
    std::vector<TensorType> types;
    for (const Value* v : values) types.push_back(v->type());
    return types;
}

std::string str(const std::vector<TensorType>& ts) {
    std::string s = "(";
    for (size_t i = 0; i < ts.size(); ++i) s += (i ? ", " : "") + ts[i].str();
    return s + ")";
}

size_t region_count(OpKind kind) {
    switch (kind) {
    case OpKind::For: case OpKind::Fusion: return 1;
    case OpKind::If: case OpKind::While: return 2;
    default: return 0;
    }
}

bool is_terminator(OpKind kind) { return kind == OpKind::Yield || kind == OpKind::Return; }

// The yield ending region `b`, or null (reported where the block is checked).
const Op* yield_of(const Block* b) {
    const Op* t = b->terminator();
    return t && t->kind == OpKind::Yield ? t : nullptr;
}

class Verifier {
public:
    explicit Verifier(const Function& f) : f_(f) {}

    std::vector<Diagnostic> run() {
        block(f_.body(), nullptr);
        return std::move(diags_);
    }

private:
    void error(const Op* op, std::string message) {
        const SourceRange range = op ? op->loc : SourceRange{};
        if (!range.valid()) message = "in @" + f_.name() + ": " + message;
        diags_.push_back({Severity::Error, range, std::move(message), {}});
    }

    // `b` is the body of `owner` (null: the function body).
    void block(const Block* b, const Op* owner) {
        const size_t mark = scope_.size();
        for (const Value* a : b->args) declare(a);
        const OpKind terminator = owner ? OpKind::Yield : OpKind::Return;
        if (b->ops.empty())
            error(owner, owner ? "a region of '" + std::string(op_name(owner->kind)) + "' is empty; it must end with yield"
                               : "the function body is empty; it must end with return");
        for (size_t i = 0; i < b->ops.size(); ++i) {
            const Op* op = b->ops[i];
            const bool last = i + 1 == b->ops.size();
            if (op->parent != b) error(op, "'" + std::string(op_name(op->kind)) + "' has a stale parent block");
            if (is_terminator(op->kind) && !last)
                error(op, "'" + std::string(op_name(op->kind)) + "' must be the last op of its block");
            if (last && op->kind != terminator)
                error(op, owner ? "a region of '" + std::string(op_name(owner->kind)) + "' must end with yield"
                                : "the function body must end with return");
            this->op(op);
        }
        for (; scope_.size() > mark; scope_.pop_back()) visible_.erase(scope_.back());
    }

    void declare(const Value* v) {
        visible_.insert(v);
        scope_.push_back(v);
    }

    void op(const Op* op) {
        const std::string name(op_name(op->kind));
        bool operands_ok = true;
        for (size_t i = 0; i < op->operands.size(); ++i) {
            if (!op->operands[i]) {
                error(op, "operand #" + std::to_string(i) + " of '" + name + "' is null");
                operands_ok = false;
            } else if (!visible_.count(op->operands[i])) {
                error(op, "operand #" + std::to_string(i) + " of '" + name + "' is not defined before this use");
            }
        }
        if (op->regions.size() != region_count(op->kind)) {
            error(op, "'" + name + "' must have " + std::to_string(region_count(op->kind)) + " regions, has " +
                          std::to_string(op->regions.size()));
            return;
        }
        for (const Block* r : op->regions)
            if (r->parent_op != op) error(op, "a region of '" + name + "' names another op as its parent");
        if (operands_ok) {
            switch (op->kind) {
            case OpKind::For: for_op(op); break;
            case OpKind::If: if_op(op); break;
            case OpKind::While: while_op(op); break;
            case OpKind::Fusion: fusion_op(op); break;
            case OpKind::Yield: case OpKind::Return:
                if (!op->results.empty()) error(op, "'" + name + "' has no results");
                break;
            default: primitive(op); break;
            }
        }
        for (const Block* r : op->regions) block(r, op);
        for (const Value* v : op->results) declare(v);
    }

    void primitive(const Op* op) {
        const std::string name(op_name(op->kind));
        const int arity = op_arity(op->kind);
        if (arity >= 0 && static_cast<int>(op->operands.size()) != arity) {
            error(op, "'" + name + "' takes " + std::to_string(arity) + " operands, has " +
                          std::to_string(op->operands.size()));
            return;
        }
        if (op->results.size() != 1) {
            error(op, "'" + name + "' must have one result, has " + std::to_string(op->results.size()));
            return;
        }
        if (std::optional<std::string> why = check_attributes(op->kind, op->attrs)) {
            error(op, "'" + name + "' has invalid attributes: " + *why);
            return;
        }
        const TensorType& result = op->result()->type();
        if (op->kind == OpKind::Constant) {
            if (!op->payload.defined()) error(op, "constant has no payload");
            else if (op->payload.type() != result)
                error(op, "constant payload " + op->payload.type().str() + " does not match its type " + result.str());
            return;
        }
        try {
            const TensorType inferred = infer_type(op->kind, types_of(op->operands), op->attrs);
            if (inferred != result)
                error(op, "result type " + result.str() + " of '" + name + "' differs from its shape rule's " +
                              inferred.str());
        } catch (const ShapeError& e) {
            error(op, e.what());
        } catch (const InternalError& e) {   // an attribute value the schema cannot describe
            error(op, "'" + name + "' has invalid attributes: " + e.message());
        }
    }

    // Compares the types of a region's yield with `expected`.
    void check_yield(const Op* op, const Block* region, std::string_view which, const std::vector<TensorType>& expected,
                     std::string_view what) {
        const Op* y = yield_of(region);
        if (!y) return;
        for (const Value* v : y->operands)
            if (!v) return;   // reported at the yield
        if (types_of(y->operands) != expected)
            error(op, std::string(which) + " of '" + std::string(op_name(op->kind)) + "' yields " +
                          str(types_of(y->operands)) + " but " + std::string(what) + " " + str(expected));
    }

    void check_results(const Op* op, const std::vector<TensorType>& carried) {
        if (types_of(op->results) != carried)
            error(op, "results of '" + std::string(op_name(op->kind)) + "' are " + str(types_of(op->results)) +
                          " but the loop carries " + str(carried));
    }

    void check_args(const Op* op, const Block* region, std::string_view which, const std::vector<TensorType>& expected) {
        if (types_of(region->args) != expected)
            error(op, std::string(which) + " of '" + std::string(op_name(op->kind)) + "' takes " +
                          str(types_of(region->args)) + " but must take " + str(expected));
    }

    void for_op(const Op* op) {
        if (op->operands.empty()) {
            error(op, "'for' needs a trip count");
            return;
        }
        if (op->operands[0]->type() != kIndexType)
            error(op, "trip count of 'for' must be i64, got " + op->operands[0]->type().str());
        const std::vector<TensorType> carried = types_of(std::span<Value* const>(op->operands).subspan(1));
        std::vector<TensorType> args{kIndexType};
        args.insert(args.end(), carried.begin(), carried.end());
        check_args(op, op->regions[0], "the body", args);
        check_yield(op, op->regions[0], "the body", carried, "the loop carries");
        check_results(op, carried);
    }

    void if_op(const Op* op) {
        if (op->operands.size() != 1) {
            error(op, "'if' takes one condition, has " + std::to_string(op->operands.size()) + " operands");
            return;
        }
        if (op->operands[0]->type() != kConditionType)
            error(op, "condition of 'if' must be bool, got " + op->operands[0]->type().str());
        const std::vector<TensorType> results = types_of(op->results);
        const char* names[] = {"the then branch", "the else branch"};
        for (size_t i = 0; i < 2; ++i) {
            check_args(op, op->regions[i], names[i], {});
            check_yield(op, op->regions[i], names[i], results, "its results are");
        }
    }

    // A fusion's body takes its inputs and yields its results; it may use
    // nothing from outside (a kernel sees only its buffers).
    void fusion_op(const Op* op) {
        check_args(op, op->regions[0], "the body", types_of(op->operands));
        check_yield(op, op->regions[0], "the body", types_of(op->results), "its results are");
        walk(op->regions[0], [&](const Op* inner) {
            for (const Value* v : inner->operands)
                if (!inside(v, op)) error(inner, "the body of 'fusion' uses a value defined outside it");
        });
    }

    // Whether `v` is defined in a region of `owner` (at any depth).
    static bool inside(const Value* v, const Op* owner) {
        const Block* b = v->defining_op() ? v->defining_op()->parent : v->owner_block();
        for (; b; b = b->parent_op ? b->parent_op->parent : nullptr)
            if (b->parent_op == owner) return true;
        return false;
    }

    void while_op(const Op* op) {
        const std::vector<TensorType> carried = types_of(op->operands);
        check_args(op, op->regions[0], "the cond region", carried);
        check_yield(op, op->regions[0], "the cond region", {kConditionType}, "it must yield");
        check_args(op, op->regions[1], "the body", carried);
        check_yield(op, op->regions[1], "the body", carried, "the loop carries");
        check_results(op, carried);
    }

    const Function& f_;
    std::vector<Diagnostic> diags_;
    std::unordered_set<const Value*> visible_;
    std::vector<const Value*> scope_;
};

}  // namespace

std::vector<Diagnostic> verify(const Function& f) { return Verifier(f).run(); }

}  // namespace nnc::ir
