// Stepping for, if and while (see control_flow.h).
#include "ir/control_flow.h"

#include "support/error.h"

namespace nnc::ir {

std::vector<Tensor> run_control_flow(const Op& op, std::span<const Tensor> operands, const RunRegion& run_region) {
    switch (op.kind) {
    case OpKind::For: {
        const int64_t trip = operands[0].get_int(0);
        std::vector<Tensor> carried(operands.begin() + 1, operands.end());
        for (int64_t i = 0; i < trip; ++i) {
            std::vector<Tensor> args{Tensor::scalar(static_cast<double>(i), DType::I64)};
            args.insert(args.end(), carried.begin(), carried.end());
            carried = run_region(0, std::move(args));
        }
        return carried;
    }
    case OpKind::If: return run_region(operands[0].get(0) != 0 ? 0 : 1, {});
    case OpKind::While: {
        std::vector<Tensor> carried(operands.begin(), operands.end());
        while (run_region(0, carried).at(0).get(0) != 0) carried = run_region(1, carried);
        return carried;
    }
    default: internal_error(std::string(op_name(op.kind)) + " is not control flow");
    }
}

}  // namespace nnc::ir
