"""Per-epoch training time on Fashion-MNIST, PyTorch eager, with the model,
batch size (128) and optimizer (Adam, lr 1e-3) of examples/fashion_mlp.nn
(--model mlp) or of the CNN example (--model cnn). Each epoch visits the
60000 training images in a random order (torch.randperm seeded by the epoch),
gathering each batch by index, as data.Dataset.batches(shuffle = true) does.
--max-steps N stops each epoch after N batches (smoke runs); the full-epoch
time is then extrapolated linearly (epoch_s_est). A few untimed warm-up steps
run first."""
import gzip
import struct
import time

import common

DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path, np):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    if magic >> 8 != 0x08 or (magic & 0xff) not in (1, 3):
        raise SystemExit("%s: not an unsigned-byte IDX file (magic %#x)" % (path, magic))
    rank = magic & 0xff
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load(split, torch, np, data_dir):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx("%s/%s-images-idx3-ubyte.gz" % (data_dir, prefix), np)
    y = read_idx("%s/%s-labels-idx1-ubyte.gz" % (data_dir, prefix), np)
    x = torch.from_numpy(x.reshape(len(x), -1).astype(np.float32) / 255.0)
    y = torch.from_numpy(y.astype(np.int64))
    return x, y


def main():
    p = common.parser(__doc__)
    p.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--max-steps", type=int, default=0, help="batches per epoch (0: all)")
    p.add_argument("--eval", action="store_true", help="report the test accuracy after the last epoch")
    p.add_argument("--data-dir", default=DIR)
    p.set_defaults(warmup=3)
    args = p.parse_args()
    torch = common.setup(args)
    import numpy as np
    import torch.nn as nn
    import torch.nn.functional as F

    t0 = time.perf_counter()
    x, y = load("train", torch, np, args.data_dir)
    load_s = time.perf_counter() - t0
    if args.model == "mlp":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
        shape = (-1, 784)
    else:
        from cnn_step import make_cnn
        model = make_cnn(torch)
        shape = (-1, 1, 28, 28)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(xb, yb):
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xb.view(shape)), yb)
        loss.backward()
        opt.step()
        return loss

    n = len(x)
    full_steps = (n + args.batch - 1) // args.batch
    # Warm-up on the first batches (not timed; the weights move a little, as
    # they would in any real run).
    for i in range(args.warmup):
        step(x[i * args.batch:(i + 1) * args.batch], y[i * args.batch:(i + 1) * args.batch])

    epochs = []
    loss = float("nan")
    for epoch in range(args.epochs):
        t0 = time.perf_counter()
        g = torch.Generator().manual_seed(epoch)
        perm = torch.randperm(n, generator=g)
        steps = 0
        for start in range(0, n, args.batch):
            if args.max_steps and steps >= args.max_steps:
                break
            idx = perm[start:start + args.batch]
            loss = step(x[idx], y[idx])
            steps += 1
        s = time.perf_counter() - t0
        epochs.append({"epoch_s": s, "steps": steps, "epoch_s_est": s * full_steps / steps})
    r = {"epoch_s": min(e["epoch_s"] for e in epochs),
         "epoch_s_est": min(e["epoch_s_est"] for e in epochs),
         "steps": epochs[0]["steps"], "full_steps": full_steps, "epochs": epochs,
         "load_s": load_s, "loss": float(loss)}
    if args.eval:
        xt, yt = load("test", torch, np, args.data_dir)
        with torch.no_grad():
            r["test_accuracy"] = float((model(xt.view(shape)).argmax(1) == yt).float().mean())
    key = "%s_epoch" % args.model
    common.emit(key, args, {key: r}, model=args.model, batch=args.batch)


if __name__ == "__main__":
    main()
