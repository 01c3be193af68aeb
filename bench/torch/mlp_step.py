"""One full training step (forward, backward, Adam update) of an MLP on random
data, PyTorch eager. Defaults: the MLP 784-256-256-10 at batch 128; the tiny
MLP is --sizes 784,32,10 --batch 16."""
import common


def main():
    p = common.parser(__doc__)
    p.add_argument("--sizes", default="784,256,256,10")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--name", default=None, help="result key (default mlp_step or tiny_mlp_step)")
    args = p.parse_args()
    torch = common.setup(args)
    import torch.nn as nn
    import torch.nn.functional as F

    sizes = [int(s) for s in args.sizes.split(",")]
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(a, b))
    model = nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(args.batch, sizes[0])
    y = torch.randint(0, sizes[-1], (args.batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    name = args.name or ("mlp_step" if sizes == [784, 256, 256, 10] else "tiny_mlp_step")
    r = common.time_calls(step, args.warmup, args.samples)
    r["flops"] = common.mlp_flops(sizes, args.batch)
    r["loss"] = float(step())
    common.emit(name, args, {name: r}, sizes=sizes, batch=args.batch)


if __name__ == "__main__":
    main()
