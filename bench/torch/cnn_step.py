"""One full training step (forward, backward, Adam update) of the CNN of the
training issue on random 1x28x28 images, PyTorch eager: conv 32 3x3 pad 1 ->
relu -> maxpool 2 -> conv 64 3x3 pad 1 -> relu -> maxpool 2 -> fc 128 -> relu
-> fc 10, cross-entropy, Adam."""
import common


def make_cnn(torch):
    import torch.nn as nn
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def main():
    p = common.parser(__doc__)
    p.add_argument("--batch", type=int, default=128)
    p.set_defaults(warmup=3, samples=10)
    args = p.parse_args()
    torch = common.setup(args)
    import torch.nn.functional as F

    model = make_cnn(torch)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(args.batch, 1, 28, 28)
    y = torch.randint(0, 10, (args.batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    r = common.time_calls(step, args.warmup, args.samples)
    r["flops"] = common.cnn_flops(args.batch)
    r["loss"] = float(step())
    common.emit("cnn_step", args, {"cnn_step": r}, batch=args.batch)


if __name__ == "__main__":
    main()
