#!/usr/bin/python3
"""Inference latency of one model four ways, side by side in one run: the
AOT library from `nnc compile` called from C, the same fn through nnc's JIT
(called from .nn code), PyTorch eager and PyTorch TorchScript (at each of
--torch-threads, keeping the fastest). The model is the MLP 784-256-256-10
at batch 1 and 64 (bench/nn/infer.nn, timed from C by infer.c). Prints a markdown table; writes the raw
results to bench/out/aot-TIME.json.

    bench/aot/run.py [--quick] [--nnc build/tools/nnc] [--torch-threads 1,2]
"""
import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd), p.stdout, p.stderr))
    return p.stdout


def bench_lines(out):
    return {j["bench"]: j for j in (json.loads(m) for m in re.findall(r"^BENCH (.*)$", out, re.M))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="few samples: proves it runs")
    ap.add_argument("--nnc", default=os.path.join(ROOT, "build", "tools", "nnc"))
    ap.add_argument("--torch-threads", default="1,2")
    args = ap.parse_args()
    warmup, samples = (10, 50) if args.quick else (200, 3000)

    work = tempfile.mkdtemp(prefix="nnc-aot-bench-")
    infer_nn = os.path.join(BENCH, "nn", "infer.nn")
    run([args.nnc, "compile", infer_nn, "--fn", "infer", "--embed-weights", "-o", os.path.join(work, "libinfer.so")])
    exe = os.path.join(work, "infer")
    run(["cc", "-std=c11", "-O2", "-I", work, os.path.join(HERE, "infer.c"), "-L", work, "-linfer", "-Wl,-rpath," + work, "-o", exe])
    aot = bench_lines(run([exe, str(warmup), str(samples)]))

    script = open(infer_nn).read()
    script = re.sub(r"let warmup = \d+", "let warmup = %d" % warmup, script)
    script = re.sub(r"let samples = \d+", "let samples = %d" % samples, script)
    nn_path = os.path.join(work, "infer.nn")
    open(nn_path, "w").write(script)
    shutil.copy(os.path.join(BENCH, "nn", "benchlib.nn"), work)
    jit = bench_lines(run([args.nnc, "run", nn_path]))

    torch = {}
    for threads in [int(t) for t in args.torch_threads.split(",")]:
        p = subprocess.run(["/usr/bin/python3", os.path.join(BENCH, "torch", "infer.py"), "--threads", str(threads),
                            "--warmup", str(warmup), "--samples", str(samples)], capture_output=True, text=True)
        if p.returncode != 0:
            print("PyTorch peer failed (threads %d): %s" % (threads, p.stderr.strip().splitlines()[-1:]), file=sys.stderr)
            continue
        r = json.loads(p.stdout.strip().splitlines()[-1])
        for key, v in r["results"].items():
            if key not in torch or v["median_ms"] < torch[key]["median_ms"]:
                torch[key] = dict(v, threads=threads)

    def ms(v):
        return "%.4f" % v if v is not None else "n/a"

    def median_of(d, key):
        if key not in d:
            return None
        v = d[key]
        if "median_ms" in v:
            return v["median_ms"]
        times = sorted(v["times_ms"])
        return times[len(times) // 2]

    print("| batch | nnc AOT (C) | nnc JIT (.nn call) | PyTorch eager | PyTorch TorchScript |")
    print("| --- | --- | --- | --- | --- |")
    for b in (1, 64):
        print("| %d | %s | %s | %s | %s |" % (b, ms(median_of(aot, "aot_b%d" % b)), ms(median_of(jit, "jit_b%d" % b)),
                                              ms(median_of(torch, "eager_b%d" % b)), ms(median_of(torch, "torchscript_b%d" % b))))
    print("(median ms per call; %d samples after %d warm-up calls)" % (samples, warmup))
    out_dir = os.path.join(BENCH, "out")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "aot-%s.json" % datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    json.dump({"aot": aot, "jit": jit, "torch": torch}, open(path, "w"), indent=1)
    print("raw results: " + path)


main()
