"""PyTorch peer of bench/aot: inference latency of the MLP 784-256-256-10 at
batch 1 and 64, eager (under torch.inference_mode) and TorchScript
(torch.jit.trace, frozen). Prints one JSON line."""
import common
import torch


def main():
    p = common.parser("inference latency, eager and TorchScript")
    args = p.parse_args()
    common.setup(args)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)
    ).eval()
    results = {}
    for batch in (1, 64):
        x = torch.rand(batch, 784)
        with torch.inference_mode():
            results["eager_b%d" % batch] = common.time_calls(lambda: model(x), args.warmup, args.samples)
        with torch.no_grad():
            scripted = torch.jit.freeze(torch.jit.trace(model, x))
            results["torchscript_b%d" % batch] = common.time_calls(lambda: scripted(x), args.warmup, args.samples)
    common.emit("aot_infer", args, results)


main()
