// Kernel code generation for fusion groups (see kernel_emitter.h).
#include "codegen/cpu/kernel_emitter.h"

#include <cmath>
#include <stdexcept>
#include <unordered_map>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/Module.h>

#include "codegen/cpu/vector_math.h"
#include "ir/function.h"
#include "ir/passes/fusion.h"
#include "core/shape_rules.h"
#include "support/error.h"

namespace nnc::codegen {

namespace {

using llvm::Value;

// One loop of the nest: a run of adjacent iteration dims treated alike.
struct Loop {
    std::vector<int> dims;     // original iteration dims it covers
    bool reduced = false;      // folded by the group's reduction
    Value* extent = nullptr;   // product of their sizes (run time)
};

// An operand's view of the nest: which loops it does not advance along
// (broadcast inputs, the reduction's output) and its stride in each.
struct Access {
    std::vector<bool> fixed;            // per loop
    std::vector<Value*> stride;         // per loop (run time)
};

class Emitter {
public:
    Emitter(llvm::Module& m, const ir::Op& fusion, const std::string& symbol)
        : m_(m), fusion_(fusion), body_(*fusion.regions[0]), b_(m.getContext()), root_(ir::group_root(fusion)) {
        const ir::Op* yield = body_.terminator();
        outputs_.assign(yield->operands.begin(), yield->operands.end());
        iteration_ = root_ ? root_->operands[0]->type().dims : outputs_.front()->type().dims;
        declare(symbol);
    }

    KernelInfo run() {
        KernelInfo info;
        info.symbol = entry_->getName().str();
        if (root_ && (root_->kind == OpKind::Softmax || root_->kind == OpKind::LogSoftmax)) {
            softmax();
            info.outer_dims = static_cast<int>(iteration_.size()) - 1;
        } else {
            plan_loops();
            info.outer_dims = loops_.front().dims.empty() ? 0 : loops_.front().dims.back() + 1;
            info.parallel = !loops_.front().reduced;
            loop_nest();
        }
        b_.CreateRetVoid();
        return info;
    }

private:
    // ---- types ------------------------------------------------------------

    llvm::Type* memory_type(DType t) {
        switch (t) {
        case DType::F32: return b_.getFloatTy();
        case DType::F64: return b_.getDoubleTy();
        case DType::I32: return b_.getInt32Ty();
        case DType::I64: return b_.getInt64Ty();
        case DType::Bool: return b_.getInt8Ty();
        default: internal_error("codegen: unsupported dtype " + std::string(dtype_name(t)));
        }
    }
    llvm::Type* register_type(DType t) { return t == DType::Bool ? b_.getInt1Ty() : memory_type(t); }

    Value* load(DType t, Value* base, Value* offset) {
        Value* v = b_.CreateLoad(memory_type(t), b_.CreateGEP(memory_type(t), base, offset));
        return t == DType::Bool ? b_.CreateICmpNE(v, b_.getInt8(0)) : v;
    }
    void store(DType t, Value* v, Value* base, Value* offset) {
        if (t == DType::Bool) v = b_.CreateZExt(v, b_.getInt8Ty());
        b_.CreateStore(v, b_.CreateGEP(memory_type(t), base, offset));
    }

    Value* constant(double v, DType t) {
        llvm::Type* type = register_type(t);
        if (type->isFloatingPointTy()) return llvm::ConstantFP::get(type, v);
        return llvm::ConstantInt::get(type, static_cast<uint64_t>(static_cast<int64_t>(v)), true);
    }
    // A rank-0 constant's value, exact for integers beyond 2^53.
    Value* constant(const Tensor& payload) {
        if (is_floating(payload.dtype())) return constant(payload.get(0), payload.dtype());
        return llvm::ConstantInt::get(register_type(payload.dtype()), static_cast<uint64_t>(payload.get_int(0)), true);
    }

    // ---- the function -----------------------------------------------------

    // `symbol(buffers, dims, begin, end)` unpacks its arguments and calls
    // the body, whose buffer pointers are noalias (what lets the loops vectorise).
    void declare(const std::string& symbol) {
        llvm::LLVMContext& c = m_.getContext();
        llvm::Type* ptr = b_.getPtrTy();
        llvm::Type* i64 = b_.getInt64Ty();
        const size_t n_buffers = fusion_.operands.size() + outputs_.size();
        entry_ = llvm::Function::Create(llvm::FunctionType::get(b_.getVoidTy(), {ptr, ptr, i64, i64}, false),
                                        llvm::Function::ExternalLinkage, symbol, m_);
        std::vector<llvm::Type*> params(n_buffers, ptr);
        params.insert(params.end(), {ptr, i64, i64});
        fn_ = llvm::Function::Create(llvm::FunctionType::get(b_.getVoidTy(), params, false),
                                     llvm::Function::InternalLinkage, symbol + ".body", m_);
        for (size_t i = 0; i < n_buffers; ++i) fn_->addParamAttr(static_cast<unsigned>(i), llvm::Attribute::NoAlias);
        for (llvm::Function* f : {entry_, fn_}) f->addFnAttr(llvm::Attribute::NoUnwind);

        b_.SetInsertPoint(llvm::BasicBlock::Create(c, "entry", entry_));
        std::vector<Value*> args;
        for (size_t i = 0; i < n_buffers; ++i)
            args.push_back(b_.CreateLoad(ptr, b_.CreateConstGEP1_64(ptr, entry_->getArg(0), i)));
        args.insert(args.end(), {entry_->getArg(1), entry_->getArg(2), entry_->getArg(3)});
        b_.CreateCall(fn_, args);
        b_.CreateRetVoid();

        b_.SetInsertPoint(llvm::BasicBlock::Create(c, "entry", fn_));
        for (size_t i = 0; i < n_buffers; ++i) buffers_.push_back(fn_->getArg(static_cast<unsigned>(i)));
        Value* dims = fn_->getArg(static_cast<unsigned>(n_buffers));
        begin_ = fn_->getArg(static_cast<unsigned>(n_buffers + 1));
        end_ = fn_->getArg(static_cast<unsigned>(n_buffers + 2));
        for (size_t d = 0; d < iteration_.size(); ++d)
            dims_.push_back(b_.CreateLoad(b_.getInt64Ty(), b_.CreateConstGEP1_64(b_.getInt64Ty(), dims, d)));
    }

    // for (iv = lo; iv < hi; ++iv) carrying `init`; `body` returns the next carried values.
    using Body = std::function<std::vector<Value*>(Value* iv, const std::vector<Value*>& carried)>;
    std::vector<Value*> loop(Value* lo, Value* hi, const std::vector<Value*>& init, const Body& body) {
        llvm::LLVMContext& c = m_.getContext();
        llvm::BasicBlock* before = b_.GetInsertBlock();
        auto* header = llvm::BasicBlock::Create(c, "loop", fn_);
        auto* exit = llvm::BasicBlock::Create(c, "after", fn_);
        b_.CreateCondBr(b_.CreateICmpSLT(lo, hi), header, exit);
        b_.SetInsertPoint(header);
        llvm::PHINode* iv = b_.CreatePHI(b_.getInt64Ty(), 2);
        iv->addIncoming(lo, before);
        std::vector<Value*> carried;
        std::vector<llvm::PHINode*> phis;
        for (Value* v : init) {
            phis.push_back(b_.CreatePHI(v->getType(), 2));
            phis.back()->addIncoming(v, before);
            carried.push_back(phis.back());
        }
        std::vector<Value*> next = body(iv, carried);
        Value* iv_next = b_.CreateAdd(iv, b_.getInt64(1), "", true, true);
        llvm::BasicBlock* latch = b_.GetInsertBlock();
        iv->addIncoming(iv_next, latch);
        for (size_t i = 0; i < phis.size(); ++i) phis[i]->addIncoming(next[i], latch);
        b_.CreateCondBr(b_.CreateICmpSLT(iv_next, hi), header, exit);
        b_.SetInsertPoint(exit);
        std::vector<Value*> results;
        for (size_t i = 0; i < init.size(); ++i) {
            llvm::PHINode* phi = b_.CreatePHI(init[i]->getType(), 2);
            phi->addIncoming(init[i], before);
            phi->addIncoming(next[i], latch);
            results.push_back(phi);
        }
        return results;
    }

    // ---- loop and reduction groups -----------------------------------------

    // Whether a value of `type` is broadcast along iteration dim `d`.
    bool broadcast(const TensorType& type, size_t d) const {
        const int64_t lead = static_cast<int64_t>(iteration_.size()) - type.rank();
        if (static_cast<int64_t>(d) < lead) return true;
        const Dim& own = type.dims[d - lead];
        return own.is_known() && own.value() == 1 && !(iteration_[d].is_known() && iteration_[d].value() == 1);
    }

    std::vector<bool> reduced_dims() const {
        std::vector<bool> reduced(iteration_.size(), false);
        if (!root_) return reduced;
        if (root_->kind == OpKind::SumLike) {
            const TensorType& like = root_->operands[1]->type();
            for (size_t d = 0; d < iteration_.size(); ++d) reduced[d] = broadcast(like, d);
            return reduced;
        }
        return reduced_axes(root_->kind, root_->operands[0]->type(), root_->attrs);
    }

    // Groups the iteration dims into loops and computes every access's strides.
    void plan_loops() {
        const std::vector<bool> reduced = reduced_dims();
        const auto& args = body_.args;
        std::vector<bool> previous_key;
        for (size_t d = 0; d < iteration_.size(); ++d) {
            if (iteration_[d].is_known() && iteration_[d].value() == 1) continue;
            std::vector<bool> key{reduced[d]};
            for (const ir::Value* a : args) key.push_back(broadcast(a->type(), d));
            if (loops_.empty() || key != previous_key) loops_.push_back({{}, reduced[d], nullptr});
            loops_.back().dims.push_back(static_cast<int>(d));
            previous_key = key;
        }
        if (loops_.empty()) loops_.push_back({});   // rank 0 (or all ones): one iteration
        for (Loop& l : loops_) {
            l.extent = b_.getInt64(1);
            for (int d : l.dims) l.extent = b_.CreateMul(l.extent, dims_[d]);
        }
        for (const ir::Value* a : args) {
            std::vector<bool> fixed;
            for (const Loop& l : loops_) fixed.push_back(!l.dims.empty() && broadcast(a->type(), l.dims.front()));
            inputs_.push_back(access(fixed));
        }
        std::vector<bool> none(loops_.size(), false), folded;
        for (const Loop& l : loops_) folded.push_back(l.reduced);
        elementwise_out_ = access(none);
        reduced_out_ = access(folded);
    }

    Access access(const std::vector<bool>& fixed) {
        Access a{fixed, std::vector<Value*>(loops_.size())};
        Value* stride = b_.getInt64(1);
        for (size_t j = loops_.size(); j-- > 0;) {
            a.stride[j] = fixed[j] ? b_.getInt64(0) : stride;
            if (!fixed[j]) stride = b_.CreateMul(stride, loops_[j].extent);
        }
        return a;
    }

    // The reduction's output elements this call owns, as [lo, hi).
    std::pair<Value*, Value*> owned_outputs() {
        Value* total = b_.getInt64(1);
        for (size_t j = 1; j < loops_.size(); ++j)
            if (!loops_[j].reduced) total = b_.CreateMul(total, loops_[j].extent);
        if (loops_.front().reduced) return {b_.getInt64(0), total};
        return {b_.CreateMul(begin_, total), b_.CreateMul(end_, total)};
    }

    DType root_dtype() const { return root_->result()->type().dtype; }

    // The value a reduction starts from, in `type` (float sums accumulate
    // in f64 while in registers, as the reference kernel does): max and min
    // start from -inf and +inf, so a row of infinities reduces to one.
    Value* identity(llvm::Type* type) {
        switch (root_->kind) {
        case OpKind::ReduceMax: return llvm::ConstantFP::getInfinity(type, /*Negative=*/true);
        case OpKind::ReduceMin: return llvm::ConstantFP::getInfinity(type, /*Negative=*/false);
        default: return llvm::ConstantFP::get(type, 0.0);
        }
    }

    // acc (+) v; max and min keep the first NaN they meet, like the reference.
    Value* combine(Value* acc, Value* v, bool reassociate) {
        if (root_->kind == OpKind::ReduceMax || root_->kind == OpKind::ReduceMin) {
            Value* better = root_->kind == OpKind::ReduceMax ? b_.CreateFCmpUGT(v, acc) : b_.CreateFCmpULT(v, acc);
            return b_.CreateSelect(b_.CreateFCmpUNO(acc, acc), acc, b_.CreateSelect(better, v, acc));
        }
        llvm::FastMathFlags flags;
        flags.setAllowReassoc(reassociate);
        llvm::IRBuilderBase::FastMathFlagGuard guard(b_);
        b_.setFastMathFlags(flags);
        return b_.CreateFAdd(acc, v);
    }

    void loop_nest() {
        std::pair<Value*, Value*> owned;
        if (root_) {
            owned = owned_outputs();
            Value* out = buffers_[reduction_output_index()];
            const DType t = root_dtype();
            loop(owned.first, owned.second, {}, [&](Value* i, const std::vector<Value*>&) {
                store(t, identity(register_type(t)), out, i);
                return std::vector<Value*>{};
            });
        }
        // A mean adds each contribution already divided by the count, so a
        // sum that overflows the element type (3e38 + 3e38 in f32) does not.
        if (root_ && root_->kind == OpKind::ReduceMean) {
            mean_count_ = b_.getInt64(1);
            for (const Loop& l : loops_)
                if (l.reduced) mean_count_ = b_.CreateMul(mean_count_, l.extent);
        }
        std::vector<Value*> in(inputs_.size(), b_.getInt64(0));
        nest(0, in, b_.getInt64(0), b_.getInt64(0));
    }

    // `v` divided by a mean's count, in `v`'s type (or in f64 first when `v` is f32).
    Value* mean_share(Value* v) {
        if (!mean_count_) return v;
        if (v->getType()->isFloatTy()) return b_.CreateFPTrunc(mean_share(b_.CreateFPExt(v, b_.getDoubleTy())), v->getType());
        return b_.CreateFDiv(v, b_.CreateSIToFP(mean_count_, v->getType()));
    }

    size_t reduction_output_index() const {
        for (size_t k = 0; k < outputs_.size(); ++k)
            if (outputs_[k] == root_->result()) return fusion_.operands.size() + k;
        internal_error("codegen: a reduction group does not yield its reduction");
    }

    Value* advance(Value* offset, const Access& a, size_t j, Value* iv) {
        return b_.CreateAdd(offset, b_.CreateMul(iv, a.stride[j]));
    }

    // Loop `j` of the nest, with the offsets of its enclosing iteration.
    void nest(size_t j, const std::vector<Value*>& in, Value* out, Value* red) {
        Value* lo = j == 0 ? begin_ : b_.getInt64(0);
        Value* hi = j == 0 ? end_ : loops_[j].extent;
        const bool innermost = j + 1 == loops_.size();
        if (innermost && root_ && loops_[j].reduced) {
            // The reduced innermost loop accumulates in a register.
            llvm::Type* acc_type = root_dtype() == DType::F32 && root_->kind != OpKind::ReduceMax &&
                                           root_->kind != OpKind::ReduceMin
                                       ? b_.getDoubleTy()
                                       : register_type(root_dtype());
            Value* total = loop(lo, hi, {identity(acc_type)}, [&](Value* iv, const std::vector<Value*>& acc) {
                Value* v = element(offsets(in, j, iv), advance(out, elementwise_out_, j, iv));
                if (acc_type != v->getType()) v = b_.CreateFPExt(v, acc_type);
                return std::vector<Value*>{combine(acc[0], v, true)};
            })[0];
            accumulate(red, b_.CreateFPCast(mean_share(total), register_type(root_dtype())));
            return;
        }
        loop(lo, hi, {}, [&](Value* iv, const std::vector<Value*>&) {
            std::vector<Value*> inner = offsets(in, j, iv);
            Value* o = advance(out, elementwise_out_, j, iv);
            Value* r = advance(red, reduced_out_, j, iv);
            if (!innermost) {
                nest(j + 1, inner, o, r);
            } else {
                Value* v = element(inner, o);
                if (root_) accumulate(r, mean_share(v));
            }
            return std::vector<Value*>{};
        });
    }

    std::vector<Value*> offsets(const std::vector<Value*>& in, size_t j, Value* iv) {
        std::vector<Value*> next;
        for (size_t k = 0; k < in.size(); ++k) next.push_back(advance(in[k], inputs_[k], j, iv));
        return next;
    }

    void accumulate(Value* offset, Value* v) {
        Value* out = buffers_[reduction_output_index()];
        const DType t = root_dtype();
        store(t, combine(load(t, out, offset), v, false), out, offset);
    }

    // Computes one element of every group value, stores the elementwise
    // outputs at `out` and returns the reduction's operand (or null).
    Value* element(const std::vector<Value*>& in, Value* out) {
        std::unordered_map<const ir::Value*, Value*> values;
        auto value = [&](const ir::Value* v) -> Value* {
            if (auto it = values.find(v); it != values.end()) return it->second;
            const size_t k = static_cast<size_t>(std::find(body_.args.begin(), body_.args.end(), v) - body_.args.begin());
            return values[v] = load(v->type().dtype, buffers_[k], in[k]);
        };
        for (const ir::Op* op : body_.ops) {
            if (op == root_ || op->kind == OpKind::Yield) continue;
            if (op->kind == OpKind::Constant) {
                values[op->result()] = constant(op->payload);
                continue;
            }
            std::vector<Value*> operands;
            const size_t used = op->kind == OpKind::BroadcastLike ? 1 : op->operands.size();
            for (size_t i = 0; i < used; ++i) operands.push_back(value(op->operands[i]));
            values[op->result()] = primitive(*op, operands);
        }
        for (size_t k = 0; k < outputs_.size(); ++k)
            if (!root_ || outputs_[k] != root_->result())
                store(outputs_[k]->type().dtype, value(outputs_[k]), buffers_[fusion_.operands.size() + k], out);
        return root_ ? value(root_->operands[0]) : nullptr;
    }

    // ---- elementwise primitives --------------------------------------------

    Value* convert(Value* v, DType from, DType to) {
        if (from == to) return v;
        llvm::Type* t = register_type(to);
        const bool from_float = is_floating(from), to_float = is_floating(to);
        if (to == DType::Bool) return from_float ? b_.CreateFCmpUNE(v, llvm::ConstantFP::get(v->getType(), 0.0))
                                                 : b_.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0));
        if (from == DType::Bool) return to_float ? b_.CreateUIToFP(v, t) : b_.CreateZExt(v, t);
        if (from_float && to_float) return b_.CreateFPCast(v, t);
        if (from_float) return b_.CreateFPToSI(v, t);
        if (to_float) return b_.CreateSIToFP(v, t);
        return b_.CreateSExtOrTrunc(v, t);
    }

    // A call of the C math library's `name` (`namef` for f32) on `x`: the
    // functions LLVM has no intrinsic for. Scalar calls, but fused: the
    // values still never reach memory.
    Value* libm(const std::string& name, DType t, const std::vector<Value*>& x) {
        llvm::Type* type = register_type(t);
        std::vector<llvm::Type*> params(x.size(), type);
        llvm::FunctionType* signature = llvm::FunctionType::get(type, params, false);
        return b_.CreateCall(m_.getOrInsertFunction(t == DType::F32 ? name + "f" : name, signature), x);
    }

    Value* primitive(const ir::Op& op, std::vector<Value*> x) {
        const DType out = op.result()->type().dtype;
        auto dtype = [&](size_t i) { return op.operands[i]->type().dtype; };
        const bool is_float = is_floating(out);
        switch (op.kind) {
        case OpKind::StopGradient: case OpKind::BroadcastTo: case OpKind::BroadcastLike: return x[0];
        case OpKind::Cast: return convert(x[0], dtype(0), out);
        case OpKind::LogicalNot: return b_.CreateNot(convert(x[0], dtype(0), DType::Bool));
        case OpKind::LogicalAnd: return b_.CreateAnd(x[0], x[1]);
        case OpKind::LogicalOr: return b_.CreateOr(x[0], x[1]);
        case OpKind::Where: return b_.CreateSelect(x[0], convert(x[1], dtype(1), out), convert(x[2], dtype(2), out));
        case OpKind::Eq: case OpKind::Ne: case OpKind::Lt: case OpKind::Le: case OpKind::Gt: case OpKind::Ge:
            return compare(op.kind, x[0], x[1], dtype(0), dtype(1));
        default: break;
        }
        for (size_t i = 0; i < x.size(); ++i) x[i] = convert(x[i], dtype(i), out);
        Value* zero = constant(0, out);
        switch (op.kind) {
        case OpKind::Neg: return is_float ? b_.CreateFNeg(x[0]) : b_.CreateNeg(x[0]);
        case OpKind::Abs:
            return is_float ? b_.CreateSelect(b_.CreateFCmpOLT(x[0], zero), b_.CreateFNeg(x[0]), x[0])
                            : b_.CreateSelect(b_.CreateICmpSLT(x[0], zero), b_.CreateNeg(x[0]), x[0]);
        case OpKind::Relu:
            return b_.CreateSelect(is_float ? b_.CreateFCmpOLT(x[0], zero) : b_.CreateICmpSLT(x[0], zero), zero, x[0]);
        case OpKind::Sign: {
            if (!is_float) {
                Value* pos = b_.CreateZExt(b_.CreateICmpSGT(x[0], zero), x[0]->getType());
                Value* neg = b_.CreateZExt(b_.CreateICmpSLT(x[0], zero), x[0]->getType());
                return b_.CreateSub(pos, neg);
            }
            Value* pos = b_.CreateUIToFP(b_.CreateFCmpOGT(x[0], zero), x[0]->getType());
            Value* neg = b_.CreateUIToFP(b_.CreateFCmpOLT(x[0], zero), x[0]->getType());
            return b_.CreateSelect(b_.CreateFCmpUNO(x[0], x[0]), x[0], b_.CreateFSub(pos, neg));
        }
        case OpKind::Exp: return emit_exp(b_, x[0]);
        case OpKind::Log: return emit_log(b_, x[0]);
        case OpKind::Sqrt: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, x[0]);
        case OpKind::Rsqrt: return b_.CreateFDiv(constant(1, out), b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, x[0]));
        case OpKind::Sin: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::sin, x[0]);
        case OpKind::Cos: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::cos, x[0]);
        case OpKind::Tanh: return emit_tanh(b_, x[0]);
        case OpKind::Sigmoid: return emit_sigmoid(b_, x[0]);
        case OpKind::Gelu: {
            // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
            Value* v = x[0];
            Value* cube = b_.CreateFMul(b_.CreateFMul(v, v), v);
            Value* inner = b_.CreateFMul(constant(std::sqrt(2.0 / M_PI), out), b_.CreateFAdd(v, b_.CreateFMul(constant(0.044715, out), cube)));
            return b_.CreateFMul(b_.CreateFMul(constant(0.5, out), v), b_.CreateFAdd(constant(1, out), emit_tanh(b_, inner)));
        }
        case OpKind::Softplus: {
            // max(x, 0) + log1p(e^-|x|)
            Value* v = x[0];
            Value* positive = b_.CreateSelect(b_.CreateFCmpOGT(v, zero), v, zero);
            Value* e = emit_exp(b_, b_.CreateFNeg(b_.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, v)));
            return b_.CreateSelect(b_.CreateFCmpUNO(v, v), v, b_.CreateFAdd(positive, emit_log1p(b_, e)));
        }
        case OpKind::Floor: return is_float ? b_.CreateUnaryIntrinsic(llvm::Intrinsic::floor, x[0]) : x[0];
        case OpKind::Ceil: return is_float ? b_.CreateUnaryIntrinsic(llvm::Intrinsic::ceil, x[0]) : x[0];
        case OpKind::Trunc: return is_float ? b_.CreateUnaryIntrinsic(llvm::Intrinsic::trunc, x[0]) : x[0];
        case OpKind::Round: return is_float ? b_.CreateUnaryIntrinsic(llvm::Intrinsic::roundeven, x[0]) : x[0];
        case OpKind::Exp2: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::exp2, x[0]);
        case OpKind::Log2: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::log2, x[0]);
        case OpKind::Log10: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::log10, x[0]);
        case OpKind::Expm1: return libm("expm1", out, x);
        case OpKind::Log1p: return libm("log1p", out, x);
        case OpKind::Tan: return libm("tan", out, x);
        case OpKind::Asin: return libm("asin", out, x);
        case OpKind::Acos: return libm("acos", out, x);
        case OpKind::Atan: return libm("atan", out, x);
        case OpKind::Sinh: return libm("sinh", out, x);
        case OpKind::Cosh: return libm("cosh", out, x);
        case OpKind::Erf: return libm("erf", out, x);
        case OpKind::Atan2: return libm("atan2", out, x);
        case OpKind::Add: return is_float ? b_.CreateFAdd(x[0], x[1]) : b_.CreateAdd(x[0], x[1]);
        case OpKind::Sub: return is_float ? b_.CreateFSub(x[0], x[1]) : b_.CreateSub(x[0], x[1]);
        case OpKind::Mul: return is_float ? b_.CreateFMul(x[0], x[1]) : b_.CreateMul(x[0], x[1]);
        case OpKind::Div: return b_.CreateFDiv(x[0], x[1]);
        case OpKind::FloorDiv: return b_.CreateUnaryIntrinsic(llvm::Intrinsic::floor, b_.CreateFDiv(x[0], x[1]));
        case OpKind::Fmod: return b_.CreateFRem(x[0], x[1]);   // frem is C's fmod
        case OpKind::Pow: return b_.CreateBinaryIntrinsic(llvm::Intrinsic::pow, x[0], x[1]);
        case OpKind::Maximum: case OpKind::Minimum: {
            const bool max = op.kind == OpKind::Maximum;
            if (!is_float)
                return b_.CreateSelect(max ? b_.CreateICmpSGT(x[0], x[1]) : b_.CreateICmpSLT(x[0], x[1]), x[0], x[1]);
            Value* pick = b_.CreateSelect(max ? b_.CreateFCmpOGT(x[0], x[1]) : b_.CreateFCmpOLT(x[0], x[1]), x[0], x[1]);
            return b_.CreateSelect(b_.CreateFCmpUNO(x[0], x[1]), b_.CreateFAdd(x[0], x[1]), pick);
        }
        default:
            internal_error("codegen: no elementwise lowering for " + std::string(op_name(op.kind)));
        }
    }

    Value* compare(OpKind kind, Value* x, Value* y, DType a, DType b) {
        const DType t = promote(a, b);
        x = convert(x, a, t), y = convert(y, b, t);
        if (is_floating(t)) {
            switch (kind) {
            case OpKind::Eq: return b_.CreateFCmpOEQ(x, y);
            case OpKind::Ne: return b_.CreateFCmpUNE(x, y);
            case OpKind::Lt: return b_.CreateFCmpOLT(x, y);
            case OpKind::Le: return b_.CreateFCmpOLE(x, y);
            case OpKind::Gt: return b_.CreateFCmpOGT(x, y);
            default: return b_.CreateFCmpOGE(x, y);
            }
        }
        const bool u = t == DType::Bool;
        switch (kind) {
        case OpKind::Eq: return b_.CreateICmpEQ(x, y);
        case OpKind::Ne: return b_.CreateICmpNE(x, y);
        case OpKind::Lt: return u ? b_.CreateICmpULT(x, y) : b_.CreateICmpSLT(x, y);
        case OpKind::Le: return u ? b_.CreateICmpULE(x, y) : b_.CreateICmpSLE(x, y);
        case OpKind::Gt: return u ? b_.CreateICmpUGT(x, y) : b_.CreateICmpSGT(x, y);
        default: return u ? b_.CreateICmpUGE(x, y) : b_.CreateICmpSGE(x, y);
        }
    }

    // ---- softmax -------------------------------------------------------------

    // Per row (all leading dims flattened): the maximum, the exponentials
    // and their sum, then the normalisation — three passes over a row in cache.
    void softmax() {
        const DType t = root_dtype();
        llvm::Type* type = register_type(t);
        const bool log_space = root_->kind == OpKind::LogSoftmax;
        Value* x = buffers_[0];
        Value* y = buffers_[fusion_.operands.size()];
        Value* n = dims_.back();
        Value* zero = llvm::ConstantFP::get(type, 0.0);
        loop(begin_, end_, {}, [&](Value* row, const std::vector<Value*>&) {
            Value* base = b_.CreateMul(row, n);
            // The row's max (a nan is skipped: it makes every exp nan below). An
            // infinite max makes the whole row nan, as in PyTorch.
            llvm::FastMathFlags fast;
            fast.setAllowReassoc();
            Value* max = loop(b_.getInt64(0), n, {llvm::ConstantFP::getInfinity(type, true)}, [&](Value* i, const std::vector<Value*>& acc) {
                llvm::IRBuilderBase::FastMathFlagGuard guard(b_);
                b_.setFastMathFlags(fast);
                return std::vector<Value*>{b_.CreateMaxNum(acc[0], load(t, x, b_.CreateAdd(base, i)))};
            })[0];
            Value* sum = loop(b_.getInt64(0), n, {zero}, [&](Value* i, const std::vector<Value*>& acc) {
                Value* at = b_.CreateAdd(base, i);
                Value* e = emit_exp(b_, b_.CreateFSub(load(t, x, at), max));
                store(t, e, y, at);
                llvm::IRBuilderBase::FastMathFlagGuard guard(b_);
                llvm::FastMathFlags reassoc;
                reassoc.setAllowReassoc();
                b_.setFastMathFlags(reassoc);
                return std::vector<Value*>{b_.CreateFAdd(acc[0], e)};
            })[0];
            Value* log_sum = b_.CreateCall(m_.getOrInsertFunction(t == DType::F32 ? "logf" : "log", type, type), {sum});
            loop(b_.getInt64(0), n, {}, [&](Value* i, const std::vector<Value*>&) {
                Value* at = b_.CreateAdd(base, i);
                Value* v = log_space ? b_.CreateFSub(b_.CreateFSub(load(t, x, at), max), log_sum)
                                     : b_.CreateFDiv(load(t, y, at), sum);
                store(t, v, y, at);
                return std::vector<Value*>{};
            });
            return std::vector<Value*>{};
        });
    }

    llvm::Module& m_;
    const ir::Op& fusion_;
    const ir::Block& body_;
    llvm::IRBuilder<> b_;
    const ir::Op* root_;
    std::vector<const ir::Value*> outputs_;
    std::vector<Dim> iteration_;
    llvm::Function* entry_ = nullptr;
    llvm::Function* fn_ = nullptr;
    std::vector<Value*> buffers_;
    std::vector<Value*> dims_;
    Value* begin_ = nullptr;
    Value* end_ = nullptr;
    std::vector<Loop> loops_;
    Value* mean_count_ = nullptr;   // a mean's reduced element count (i64), set by loop_nest
    std::vector<Access> inputs_;
    Access elementwise_out_, reduced_out_;
};

}  // namespace

KernelInfo emit_kernel(llvm::Module& m, const ir::Op& fusion, const std::string& symbol) {
    return Emitter(m, fusion, symbol).run();
}

}  // namespace nnc::codegen
