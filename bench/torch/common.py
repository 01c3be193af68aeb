"""Shared helpers of the PyTorch peers: argument parsing, timing, output.

Every peer prints exactly one JSON line on stdout:
  {"bench": NAME, "impl": "torch", "threads": N, "torch": VERSION,
   "results": {KEY: {"median_ms": .., "min_ms": .., "samples": .., ...}}}
This module must not import torch at load time (bench/run.py imports it for
the workload definitions only).
"""
import argparse
import json
import statistics
import time

# The GEMMs of one training step of the MLP 784-256-256-10 at batch 128:
# C[M,N] = op(A)[M,K] @ op(B)[K,N], row-major, op = transpose where 'T'.
# The forward products, then the backward ones (the input needs no gradient,
# so there is no dX of the first layer).
MLP_GEMMS = [
    # name     M    K    N  TA   TB
    ("fwd1",  128, 784, 256, "N", "N"),  # x @ W1
    ("fwd2",  128, 256, 256, "N", "N"),  # h1 @ W2
    ("fwd3",  128, 256, 10,  "N", "N"),  # h2 @ W3
    ("dW3",   256, 128, 10,  "T", "N"),  # h2^T @ dy
    ("dh2",   128, 10,  256, "N", "T"),  # dy @ W3^T
    ("dW2",   256, 128, 256, "T", "N"),  # h1^T @ dh2
    ("dh1",   128, 256, 256, "N", "T"),  # dh2 @ W2^T
    ("dW1",   784, 128, 256, "T", "N"),  # x^T @ dh1
]

# The same for the tiny MLP 784-32-10 at batch 16.
TINY_GEMMS = [
    ("tiny_fwd1", 16, 784, 32, "N", "N"),
    ("tiny_fwd2", 16, 32, 10, "N", "N"),
    ("tiny_dW2", 32, 16, 10, "T", "N"),
    ("tiny_dh1", 16, 10, 32, "N", "T"),
    ("tiny_dW1", 784, 16, 32, "T", "N"),
]


def gemm_spec(g):
    return "%s:%d:%d:%d:%s:%s" % g


def parse_gemm(s):
    name, m, k, n, ta, tb = s.split(":")
    return (name, int(m), int(k), int(n), ta, tb)


def mlp_flops(sizes, batch):
    """FLOPs of the GEMMs of one training step (no dX for the first layer)."""
    f = 0
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        f += 2 * batch * a * b * (2 if i == 0 else 3)
    return f


def cnn_flops(batch):
    """FLOPs of the convolutions and GEMMs of one CNN training step."""
    conv1 = 2 * batch * 28 * 28 * 32 * 1 * 9
    conv2 = 2 * batch * 14 * 14 * 64 * 32 * 9
    fc1 = 2 * batch * 3136 * 128
    fc2 = 2 * batch * 128 * 10
    # forward; backward: dW for all, dX for all but the first conv
    return (conv1 + conv2 + fc1 + fc2) + (conv1 + 2 * conv2 + 2 * fc1 + 2 * fc2)


def parser(desc):
    p = argparse.ArgumentParser(description=desc)
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    p.add_argument("--warmup", type=int, default=10, help="untimed calls first")
    p.add_argument("--samples", type=int, default=50, help="timed samples (the median is reported)")
    return p


def setup(args):
    import torch
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    return torch


def time_calls(fn, warmup, samples, inner=1):
    """Median and minimum milliseconds per call of fn over `samples` samples of
    `inner` calls each, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        ts.append((time.perf_counter() - t0) / inner * 1e3)
    return {"median_ms": statistics.median(ts), "min_ms": min(ts), "samples": samples, "inner": inner}


def auto_inner(fn, target_ms=1.0):
    """Calls per sample so a sample lasts about target_ms (for tiny kernels)."""
    fn()
    t0 = time.perf_counter()
    fn()
    one = max((time.perf_counter() - t0) * 1e3, 1e-4)
    return max(1, int(target_ms / one))


def blas_libraries():
    """The BLAS shared libraries loaded into this process (torch's mm and
    Linear run on it: Debian's torch is built with BLAS_INFO=generic, so this
    is whatever libblas.so.3 the alternatives system points at; the reference
    netlib BLAS is ~30x slower than OpenBLAS and makes every comparison moot)."""
    import os
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                if "blas" in os.path.basename(path).lower() or "blis" in path.lower():
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(libs)


def emit(bench, args, results, **extra):
    import torch
    out = {"bench": bench, "impl": "torch", "threads": args.threads, "torch": torch.__version__,
           "blas": blas_libraries(), "results": results}
    out.update(extra)
    print(json.dumps(out), flush=True)
