"""torch.mm on the GEMM shapes of the MLP training step (forward and
backward), PyTorch eager, into preallocated outputs (out=) so only the GEMM is
timed. A transposed operand is a transposed view of a contiguous tensor, as in
autograd's backward. Shapes as NAME:M:K:N:TA:TB (C[M,N] = op(A)[M,K] op(B)[K,N]);
default: the MLP's and the tiny MLP's."""
import common


def main():
    p = common.parser(__doc__)
    p.add_argument("--gemm", action="append", default=None, help="NAME:M:K:N:TA:TB (repeatable)")
    p.add_argument("--budget-ms", type=float, default=200.0, help="timing budget per shape")
    args = p.parse_args()
    torch = common.setup(args)
    gemms = [common.parse_gemm(s) for s in args.gemm] if args.gemm else common.MLP_GEMMS + common.TINY_GEMMS
    res = {}
    for name, m, k, n, ta, tb in gemms:
        a = torch.randn(k, m).t() if ta == "T" else torch.randn(m, k)
        b = torch.randn(n, k).t() if tb == "T" else torch.randn(k, n)
        c = torch.empty(m, n)
        fn = lambda: torch.mm(a, b, out=c)
        inner = common.auto_inner(fn, target_ms=0.5)
        per = max(inner, 1)
        # samples from the budget: each sample is about 0.5 ms
        samples = max(5, int(args.budget_ms / 0.5))
        r = common.time_calls(fn, args.warmup, samples, inner=per)
        r["gflops"] = 2.0 * m * n * k / (r["median_ms"] * 1e-3) / 1e9
        r.update(m=m, k=k, n=n, ta=ta, tb=tb)
        res[name] = r
    common.emit("sgemm", args, res)


if __name__ == "__main__":
    main()
