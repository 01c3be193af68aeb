#!/usr/bin/python3
"""The nnc benchmark harness: builds the machine-limits program, runs the
.nn benchmarks under nnc, their PyTorch eager peers (at each of --torch-threads,
keeping the fastest) and the limits, then prints a markdown table and writes
every raw result to a JSON file.

    bench/run.py --quick          # smoke sizes, a minute or two
    bench/run.py                  # full sizes (the numbers for bench/RESULTS.md)

See bench/README.md for what each benchmark measures and how floors are
computed. Uses only the Python standard library; PyTorch is optional (its
columns read n/a without it).
"""
import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, os.path.join(BENCH, "torch"))
import common  # noqa: E402  (workload definitions; does not import torch)

PYTHON = "/usr/bin/python3"

# ---------------------------------------------------------------- sizes
# Per mode: the PyTorch peers' arguments and the .nn scripts' bench-params.
# Quick sizes only prove that everything runs (the elementwise and softmax
# inputs then fit in the cache, so their "% of floor" means nothing).
MODES = {
    "quick": {
        "limits": ["--quick"],
        "torch": {
            "mlp_step": ["--warmup", "3", "--samples", "10"],
            "tiny_mlp_step": ["--sizes", "784,32,10", "--batch", "16", "--warmup", "5", "--samples", "20"],
            "cnn_step": ["--warmup", "1", "--samples", "2"],
            "elementwise": ["--n", str(2 << 20), "--warmup", "2", "--samples", "3"],
            "softmax": ["--rows", "512", "--warmup", "2", "--samples", "3"],
            "sgemm": ["--warmup", "3", "--budget-ms", "5"],
            "mlp_epoch": ["--model", "mlp", "--max-steps", "5", "--warmup", "1"],
            "cnn_epoch": ["--model", "cnn", "--max-steps", "1", "--warmup", "1"],
        },
        "nn": {
            "mlp_step": {"warmup": 3, "samples": 10},
            "tiny_mlp_step": {"batch": 16, "hidden": 32, "name": "tiny_mlp_step", "warmup": 5, "samples": 20},
            "cnn_step": {"warmup": 0, "samples": 2},
            "elementwise": {"n": 2 << 20, "warmup": 2, "samples": 3},
            "softmax": {"rows": 512, "cols": 4096, "warmup": 2, "samples": 3},
            "sgemm": {"warmup": 3, "samples": 5},
            "mlp_epoch": {"which": "mlp", "epochs": 1, "max_steps": 5, "warmup": 1},
            "cnn_epoch": {"which": "cnn", "epochs": 1, "max_steps": 1, "warmup": 0},
        },
        "timeout": 300,
    },
    "full": {
        "limits": [],
        "torch": {
            "mlp_step": ["--warmup", "20", "--samples", "200"],
            "tiny_mlp_step": ["--sizes", "784,32,10", "--batch", "16", "--warmup", "50", "--samples", "1000"],
            "cnn_step": ["--warmup", "3", "--samples", "20"],
            "elementwise": ["--warmup", "3", "--samples", "15"],
            "softmax": ["--warmup", "3", "--samples", "15"],
            "sgemm": ["--warmup", "10", "--budget-ms", "300"],
            "mlp_epoch": ["--model", "mlp", "--epochs", "2", "--warmup", "3"],
            "cnn_epoch": ["--model", "cnn", "--epochs", "1", "--warmup", "3"],
        },
        "nn": {
            "mlp_step": {"warmup": 20, "samples": 200},
            "tiny_mlp_step": {"batch": 16, "hidden": 32, "name": "tiny_mlp_step", "warmup": 50, "samples": 1000},
            "cnn_step": {"warmup": 3, "samples": 20},
            "elementwise": {"n": 16 << 20, "warmup": 3, "samples": 15},
            "softmax": {"rows": 4096, "cols": 4096, "warmup": 3, "samples": 15},
            "sgemm": {"warmup": 10, "samples": 50},
            "mlp_epoch": {"which": "mlp", "epochs": 2, "max_steps": 0, "warmup": 3},
            "cnn_epoch": {"which": "cnn", "epochs": 1, "max_steps": 0, "warmup": 3},
        },
        "timeout": 3600,
    },
}

TORCH_SCRIPTS = {
    "mlp_step": "mlp_step.py", "tiny_mlp_step": "mlp_step.py", "cnn_step": "cnn_step.py",
    "elementwise": "elementwise.py", "softmax": "softmax.py", "sgemm": "sgemm.py",
    "mlp_epoch": "epoch.py", "cnn_epoch": "epoch.py",
}
NN_SCRIPTS = {
    "mlp_step": "mlp_step.nn", "tiny_mlp_step": "mlp_step.nn", "cnn_step": "cnn_step.nn",
    "elementwise": "elementwise.nn", "softmax": "softmax.nn", "sgemm": "sgemm.nn",
    "mlp_epoch": "epoch.nn", "cnn_epoch": "epoch.nn",
}
ALL = list(TORCH_SCRIPTS)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_cmd(cmd, timeout, cwd=None):
    """(returncode, stdout, stderr, seconds); returncode None on timeout."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr, time.perf_counter() - t0
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
        return None, out, err + "\n(timed out after %ss)" % timeout, time.perf_counter() - t0


# ---------------------------------------------------------------- limits
def build_limits(build_dir):
    src = os.path.join(BENCH, "limits", "limits.cpp")
    exe = os.path.join(build_dir, "limits")
    if os.path.exists(exe) and os.path.getmtime(exe) >= os.path.getmtime(src):
        return exe
    os.makedirs(build_dir, exist_ok=True)
    cmd = ["g++", "-O3", "-march=native", "-fopenmp", "-o", exe, src, "-ldnnl"]
    log("building limits: " + " ".join(cmd))
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        log(p.stderr)
        return None
    return exe


def run_limits(exe, mode, threads, timeout):
    cmd = [exe] + MODES[mode]["limits"] + ["--threads", ",".join(map(str, threads))]
    for g in common.MLP_GEMMS + common.TINY_GEMMS:
        cmd += ["--gemm", common.gemm_spec(g)]
    log("limits: " + " ".join(cmd[:4]) + " ...")
    rc, out, err, _ = run_cmd(cmd, timeout)
    if rc != 0:
        return {"error": err.strip()[-2000:]}
    return json.loads(out)


# ---------------------------------------------------------------- PyTorch
def torch_available():
    rc, out, err, _ = run_cmd([PYTHON, "-c", "import torch; print(torch.__version__)"], 120)
    return out.strip() if rc == 0 else None


def run_torch(bench, mode, threads_list, timeout):
    """{threads: parsed JSON or {"error": ...}} for each thread count."""
    script = os.path.join(BENCH, "torch", TORCH_SCRIPTS[bench])
    runs = {}
    for t in threads_list:
        cmd = [PYTHON, script, "--threads", str(t)] + MODES[mode]["torch"][bench]
        log("torch %-14s threads=%d" % (bench, t))
        rc, out, err, secs = run_cmd(cmd, timeout, cwd=os.path.join(BENCH, "torch"))
        line = [l for l in out.splitlines() if l.startswith("{")]
        if rc != 0 or not line:
            runs[t] = {"error": (err or out).strip()[-2000:], "seconds": secs}
        else:
            runs[t] = json.loads(line[-1])
            runs[t]["seconds"] = secs
    return runs


# ---------------------------------------------------------------- nnc
PARAM_RE = re.compile(r"^(\s*let\s+(\w+)(?:\s*:\s*[^=]+)?\s*=\s*)(.*?)(\s*#\s*bench-param.*)$")


def nn_literal(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, tuple):
        return "(" + ", ".join(nn_literal(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, list):
        return "[" + ", ".join(nn_literal(x) for x in v) + "]"
    raise TypeError(v)


def instantiate(src_path, params, dest):
    """Copy an .nn script with its `# bench-param` lines set from params."""
    lines = open(src_path).read().split("\n")
    left = dict(params)
    for i, line in enumerate(lines):
        m = PARAM_RE.match(line)
        if m and m.group(2) in left:
            lines[i] = m.group(1) + nn_literal(left.pop(m.group(2))) + m.group(4)
    if left:
        raise SystemExit("%s has no `# bench-param` line for %s" % (src_path, ", ".join(left)))
    with open(dest, "w") as f:
        f.write("\n".join(lines))


def parse_bench_lines(out):
    res = {}
    for line in out.splitlines():
        if line.startswith("BENCH "):
            r = json.loads(line[6:])
            res[r.pop("bench")] = r
    return res


def run_nnc(bench, mode, nnc, threads_list, timeout, work):
    params = dict(MODES[mode]["nn"][bench])
    if bench == "sgemm":
        params["gemms"] = [tuple(g) for g in common.MLP_GEMMS + common.TINY_GEMMS]
    d = os.path.join(work, bench)
    os.makedirs(d, exist_ok=True)
    shutil.copy(os.path.join(BENCH, "nn", "benchlib.nn"), d)
    script = os.path.join(d, NN_SCRIPTS[bench])
    instantiate(os.path.join(BENCH, "nn", NN_SCRIPTS[bench]), params, script)
    runs = {}
    for t in threads_list:
        cmd = [nnc, "run", script, "--stats"] + ([] if t is None else ["--threads", str(t)])
        log("nnc   %-14s threads=%s" % (bench, "default" if t is None else t))
        rc, out, err, secs = run_cmd(cmd, timeout, cwd=d)
        key = "default" if t is None else t
        results = parse_bench_lines(out)
        if rc != 0 or not results:
            runs[key] = {"error": (err or out).strip()[-2000:], "seconds": secs}
        else:
            runs[key] = {"results": results, "stats": err.strip(), "seconds": secs}
    return runs


# ---------------------------------------------------------------- table
def med(xs):
    return statistics.median(xs) if xs else None


def best_torch(runs, key, field="median_ms"):
    """(value, threads) of the fastest thread setting for result `key`."""
    best = None
    for t, r in runs.items():
        v = r.get("results", {}).get(key, {}).get(field)
        if v is not None and (best is None or v < best[0]):
            best = (v, t)
    return best


def best_nnc(runs, key, field=None):
    """(value, threads): the median of times_ms, or min over runs of `field`."""
    best = None
    for t, r in runs.items():
        res = r.get("results", {}).get(key)
        if not res:
            continue
        v = res.get(field) if field else med(res.get("times_ms"))
        if isinstance(v, list):
            v = min(v) if v else None
        if v is not None and (best is None or v < best[0]):
            best = (v, t)
    return best


def limits_best(lim, fn):
    """Best over the limits' thread counts of fn(per-thread dict)."""
    vals = []
    for t, d in lim.get("threads", {}).items():
        try:
            vals.append((fn(d), t))
        except (KeyError, TypeError):
            pass
    return vals


def fmt(v, unit, threads=None):
    if v is None:
        return "n/a"
    s = ("%.3g" % v) if v < 100 else ("%.0f" % v)
    s += " " + unit
    if threads not in (None, "default"):
        s += " (%st)" % threads
    return s


def build_rows(raw, only):
    lim = raw.get("limits", {})
    torch_runs = raw.get("torch", {})
    nnc_runs = raw.get("nnc", {})
    rows = []

    def copy_gbs():
        v = limits_best(lim, lambda d: d["copy_gbs"])
        return max(v) if v else None

    def gemm_us(name):
        v = limits_best(lim, lambda d: d["sgemm"][name]["median_us"])
        return min(v) if v else None

    def square_gflops():
        v = limits_best(lim, lambda d: max(g["gflops"] for k, g in d["sgemm"].items() if k.startswith("square")))
        return max(v) if v else None

    def row(bench, name, nnc, torch, floor, floor_note, unit, target):
        if bench not in only:
            return
        n, tt = nnc, torch
        ratio = "%.2f×" % (tt[0] / n[0]) if n and tt and n[0] > 0 else "n/a"
        pct = "%.0f%%" % (100.0 * floor / n[0]) if n and floor else "n/a"
        rows.append([name, fmt(n[0], unit, n[1]) if n else "n/a", fmt(tt[0], unit, tt[1]) if tt else "n/a",
                     ratio, (fmt(floor, unit) + " " + floor_note) if floor else "n/a", pct, target])

    tr = lambda b: torch_runs.get(b, {})
    nr = lambda b: nnc_runs.get(b, {})

    # training steps: floor = the step's GEMMs through oneDNN directly
    for bench, gemms, target in (("mlp_step", common.MLP_GEMMS, "≥ 3× PyTorch"),
                                 ("tiny_mlp_step", common.TINY_GEMMS, "≥ 15× PyTorch")):
        parts = [gemm_us(g[0]) for g in gemms]
        floor = sum(p[0] for p in parts) / 1e3 if parts and all(parts) else None
        label = {"mlp_step": "MLP 784-256-256-10 b128 Adam step",
                 "tiny_mlp_step": "tiny MLP 784-32-10 b16 Adam step"}[bench]
        row(bench, label, best_nnc(nr(bench), bench), best_torch(tr(bench), bench), floor, "GEMMs (oneDNN)", "ms",
            target)
    sq = square_gflops()
    b = best_torch(tr("cnn_step"), "cnn_step")
    flops = common.cnn_flops(128)
    row("cnn_step", "CNN b128 Adam step", best_nnc(nr("cnn_step"), "cnn_step"), b,
        flops / (sq[0] * 1e9) * 1e3 if sq else None, "flops/sgemm rate", "ms", "≥ 4× PyTorch")

    bw = copy_gbs()
    for bench, label, target in (("elementwise", "tanh(x*a+b)*sigmoid(x)", "≤ 1.2× floor"),
                                 ("softmax", "row softmax", "≤ 1.5× floor")):
        n = best_nnc(nr(bench), bench)
        res = next((r["results"][bench] for r in nr(bench).values() if bench in r.get("results", {})), {})
        tres = next((r["results"] for r in tr(bench).values() if "results" in r), {})
        nbytes = res.get("bytes") or next((v.get("bytes") for v in tres.values()), None)
        size = {"elementwise": lambda: "%dM f32" % (nbytes // 8 >> 20) if nbytes else "",
                "softmax": lambda: "%d MiB f32" % (nbytes // 2 >> 20) if nbytes else ""}[bench]()
        floor = nbytes / (bw[0] * 1e9) * 1e3 if nbytes and bw else None
        for variant, vlabel in (("alloc", "PyTorch allocating"), ("out", "PyTorch out=")):
            row(bench, "%s %s(vs %s)" % (label, size + " " if size else "", vlabel), n, best_torch(tr(bench), "%s_%s" % (bench, variant)),
                floor, "bytes/copy GB/s", "ms", target)

    for g in common.MLP_GEMMS + common.TINY_GEMMS:
        name, m, k, nn_, ta, tb = g
        lib = gemm_us(name)
        n = best_nnc(nr("sgemm"), name)
        t = best_torch(tr("sgemm"), name)
        row("sgemm", "sgemm %s %dx%dx%d %s%s" % (name, m, k, nn_, ta, tb), n, t,
            lib[0] / 1e3 if lib else None, "oneDNN direct", "ms", "≥ 90% of library")

    for bench, label, target in (("mlp_epoch", "Fashion-MNIST MLP epoch", "≥ 3× PyTorch"),
                                 ("cnn_epoch", "Fashion-MNIST CNN epoch", "≥ 4× PyTorch")):
        n = best_nnc(nr(bench), bench, "epoch_s_est")
        t = best_torch(tr(bench), bench, "epoch_s_est")
        row(bench, label, n, t, None, "", "s", target)

    n = best_nnc(nr("mlp_step"), "mlp_step", "first_call_ms")
    row("mlp_step", "MLP step first call (trace+compile+run)", n, None, None, "", "ms", "compile < 300 ms cold")
    return rows


def table(rows):
    head = ["benchmark", "nnc", "PyTorch (best threads)", "speed-up (PyTorch/nnc)", "machine limit / floor",
            "% of floor", "target"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def limits_summary(lim):
    if "threads" not in lim:
        return "machine limits: n/a (%s)" % lim.get("error", "not run")
    parts = []
    for t, d in lim["threads"].items():
        sq = [g for k, g in d["sgemm"].items() if k.startswith("square")]
        parts.append("%s thread(s): copy %.1f GB/s, triad %.1f GB/s, FMA peak %.0f GFLOP/s (%s), "
                     "oneDNN sgemm %s GFLOP/s" % (t, d["copy_gbs"], d["triad_gbs"], d["fma_gflops"], lim["isa"],
                                                  ", ".join("%.0f at %d³" % (g["gflops"], g["m"]) for g in sq)))
    ft = lim.get("first_touch", {})
    if ft:
        parts.append("first touch of %d MiB: %.1f ms with 4 KiB pages, %.1f ms with huge pages"
                     % (ft["bytes"] >> 20, ft["ms_4k_pages"], ft["ms_huge_pages"]))
    return "\n".join("- " + p for p in parts)


def error_line(text):
    """The line of a failed run's output most likely to say what went wrong."""
    lines = [l for l in text.splitlines() if l.strip()]
    for l in lines:
        if "error" in l.lower():
            return l.strip()
    return lines[-1].strip() if lines else "?"


def machine_info():
    info = {"platform": platform.platform(), "cpus": os.cpu_count(),
            "date": datetime.datetime.now().isoformat(timespec="seconds")}
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    rc, out, _, _ = run_cmd(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], 30)
    if rc == 0:
        info["commit"] = out.strip()
    return info


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smoke sizes (a minute or two)")
    ap.add_argument("--only", default=",".join(ALL), help="comma-separated subset of: " + ", ".join(ALL))
    ap.add_argument("--nnc", default=os.path.join(ROOT, "build", "tools", "nnc"))
    ap.add_argument("--nnc-threads", default="",
                    help="nnc --threads values to try, keeping the fastest (default: nnc's default)")
    ap.add_argument("--torch-threads", default="1,2", help="torch.set_num_threads values, keeping the fastest")
    ap.add_argument("--limits-threads", default="1,2")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--no-nnc", action="store_true")
    ap.add_argument("--no-limits", action="store_true")
    ap.add_argument("--build-dir", default=os.path.join(tempfile.gettempdir(), "nnc-bench-build"),
                    help="where the limits program is built (outside the source tree)")
    ap.add_argument("--out", default=None, help="raw JSON results (default bench/out/results-MODE-TIME.json)")
    args = ap.parse_args()
    mode = "quick" if args.quick else "full"
    only = [b.strip() for b in args.only.split(",") if b.strip()]
    for b in only:
        if b not in ALL:
            ap.error("unknown benchmark %s" % b)
    torch_threads = [int(t) for t in args.torch_threads.split(",") if t]
    nnc_threads = [int(t) for t in args.nnc_threads.split(",") if t] or [None]
    timeout = MODES[mode]["timeout"]

    raw = {"mode": mode, "machine": machine_info(), "limits": {}, "torch": {}, "nnc": {}}
    if not args.no_limits:
        exe = build_limits(args.build_dir)
        raw["limits"] = run_limits(exe, mode, [int(t) for t in args.limits_threads.split(",")], timeout) \
            if exe else {"error": "the limits program did not build"}

    version = None if args.no_torch else torch_available()
    raw["machine"]["torch"] = version
    if version:
        for b in only:
            raw["torch"][b] = run_torch(b, mode, torch_threads, timeout)
    elif not args.no_torch:
        log("PyTorch is not importable by %s: its columns read n/a" % PYTHON)

    if not args.no_nnc:
        if not os.access(args.nnc, os.X_OK):
            log("no nnc at %s: its column reads n/a" % args.nnc)
        else:
            rc, out, _, _ = run_cmd([args.nnc, "--version"], 30)
            raw["machine"]["nnc"] = out.strip()
            with tempfile.TemporaryDirectory(prefix="nnc-bench-") as work:
                for b in only:
                    raw["nnc"][b] = run_nnc(b, mode, args.nnc, nnc_threads, timeout, work)

    rows = build_rows(raw, only)
    out_path = args.out or os.path.join(BENCH, "out", "results-%s-%s.json"
                                        % (mode, datetime.datetime.now().strftime("%Y%m%d-%H%M%S")))
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    raw["table"] = rows
    with open(out_path, "w") as f:
        json.dump(raw, f, indent=1)

    m = raw["machine"]
    print("## nnc benchmarks (%s mode), %s, %s CPUs, %s" % (mode, m.get("cpu", "?"), m.get("cpus"), m["date"]))
    print()
    print(table(rows))
    print()
    print(limits_summary(raw["limits"]))
    blas = sorted({p for runs in raw["torch"].values() for r in runs.values() for p in r.get("blas", [])})
    if blas:
        print("- PyTorch %s, BLAS: %s" % (version, ", ".join(blas)))
        if any("/blas/libblas" in p for p in blas):
            print("- WARNING: PyTorch runs on the reference (netlib) BLAS, tens of times slower than OpenBLAS: "
                  "install libopenblas0 (apt) so that libblas.so.3 points at OpenBLAS before comparing")
    errors = ["%s %s (threads %s): %s" % (side, b, t, error_line(r["error"]))
              for side in ("nnc", "torch") for b, runs in raw[side].items() for t, r in runs.items() if "error" in r]
    for e in errors:
        print("- ERROR " + e)
    print()
    print("raw results: " + os.path.relpath(out_path))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
