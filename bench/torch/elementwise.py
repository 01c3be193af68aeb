"""tanh(x * a + b) * sigmoid(x) over N f32 (default 16M), a and b Python
float scalars (a = 0.5, b = 0.25), PyTorch eager. Two variants:
  elementwise_alloc: the plain expression, every op allocating its output
                     (what a user writes; fresh memory is first-touched);
  elementwise_out:   the same ops into two preallocated buffers (out= and
                     in-place), no allocation in the timed region."""
import common


def main():
    p = common.parser(__doc__)
    p.add_argument("--n", type=int, default=16 * 1024 * 1024)
    p.set_defaults(warmup=3, samples=15)
    args = p.parse_args()
    torch = common.setup(args)
    a, b = 0.5, 0.25
    x = torch.randn(args.n)
    out = torch.empty_like(x)
    tmp = torch.empty_like(x)

    def alloc():
        return torch.tanh(x * a + b) * torch.sigmoid(x)

    def prealloc():
        torch.mul(x, a, out=tmp)
        tmp.add_(b)
        tmp.tanh_()
        torch.sigmoid(x, out=out)
        out.mul_(tmp)
        return out

    assert torch.allclose(alloc(), prealloc())
    res = {}
    for key, fn in (("elementwise_alloc", alloc), ("elementwise_out", prealloc)):
        r = common.time_calls(fn, args.warmup, args.samples)
        r["bytes"] = 2 * 4 * args.n   # the floor: read x once, write the result once
        res[key] = r
    common.emit("elementwise", args, res, n=args.n, a=a, b=b)


if __name__ == "__main__":
    main()
