"""Row softmax of f32[R, C] (default 4096 x 4096), PyTorch eager, allocating
the output (softmax_alloc) and into a preallocated one (softmax_out, out=)."""
import common


def main():
    p = common.parser(__doc__)
    p.add_argument("--rows", type=int, default=4096)
    p.add_argument("--cols", type=int, default=4096)
    p.set_defaults(warmup=3, samples=15)
    args = p.parse_args()
    torch = common.setup(args)
    x = torch.randn(args.rows, args.cols)
    out = torch.empty_like(x)
    res = {}
    for key, fn in (("softmax_alloc", lambda: torch.softmax(x, 1)),
                    ("softmax_out", lambda: torch.softmax(x, 1, out=out))):
        r = common.time_calls(fn, args.warmup, args.samples)
        r["bytes"] = 2 * 4 * args.rows * args.cols   # read x once, write the result once
        res[key] = r
    common.emit("softmax", args, res, rows=args.rows, cols=args.cols)


if __name__ == "__main__":
    main()
