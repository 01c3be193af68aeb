"""Running a program in every mode of nnc and checking the results against
the reference: values, gradients against finite differences, Hessians."""

import os
import subprocess
import sys
import time

import numpy as np

from .common import *  # noqa: F401,F403


# ---------------------------------------------------------------------------
# Running

class Result:
    def __init__(self, mode, rc, out, err, arrays, seconds):
        self.mode, self.rc, self.out, self.err, self.arrays, self.seconds = mode, rc, out, err, arrays, seconds


def wait_for(path):
    for _ in range(60):
        if os.access(path, os.X_OK):
            return
        time.sleep(1)
    sys.exit(f"random_programs.py: {path} is not an executable")


def run_nnc(nnc, mode, prog_path, workdir, env, threads):
    os.makedirs(workdir, exist_ok=True)
    if mode == "check":
        cmd = [nnc, "check", prog_path]
    else:
        flags = {"jit": [], "jit-cached": [], "eager": ["--eager"], "no-jit": ["--no-jit"]}[mode]
        cmd = [nnc, "run", "--quiet", *flags, "--threads", str(threads), prog_path]
    t0 = time.time()
    for attempt in range(30):
        wait_for(nnc)
        try:
            p = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True, timeout=120)
            rc, out, err = p.returncode, p.stdout, p.stderr
            break
        except subprocess.TimeoutExpired as e:
            dec = lambda b: b.decode(errors="replace") if isinstance(b, bytes) else (b or "")
            rc, out, err = "timeout", dec(e.stdout), dec(e.stderr)
            break
        except OSError:  # the binary is being rebuilt ("text file busy")
            time.sleep(2)
    else:
        sys.exit(f"random_programs.py: cannot run {nnc}")
    arrays = {}
    for f in os.listdir(workdir):
        if f.endswith(".npy"):
            try:
                arrays[f[:-4]] = np.load(os.path.join(workdir, f))
            except Exception as e:  # a malformed .npy file is a failure too
                arrays[f[:-4]] = e
    return Result(mode, rc, out, err, arrays, time.time() - t0)


def load_ref(ref_src):
    ns = {}
    exec(compile(ref_src, "<reference>", "exec"), ns)
    return ns["f"]


DTMODES = {
    # the program's own dtypes
    "actual": {"f16": "f16", "bf16": "bf16", "f32": np.float32, "f64": np.float64, "actual": True},
    # 16-bit floats kept in f32 (how much the 16-bit rounding moves the result)
    "no16": {"f16": np.float32, "bf16": np.float32, "f32": np.float32, "f64": np.float64, "actual": False},
    # everything in one precision (how much rounding the program amplifies)
    "f32": {"f16": np.float32, "bf16": np.float32, "f32": np.float32, "f64": np.float32, "actual": False},
    "f64": {"f16": np.float64, "bf16": np.float64, "f32": np.float64, "f64": np.float64, "actual": False},
}


def eval_ref(ref_f, args, dtmode, noise_seed=None, flip=False):
    """The reference in a dtype mode; with noise_seed, every statement's
    result is perturbed by a few ulps (see _c); with flip, every near-tie of
    a comparison, sign or % goes the other way."""
    g = ref_f.__globals__
    g["_NOISE"] = None if noise_seed is None else np.random.default_rng(noise_seed)
    g["_FLIP"] = flip
    try:
        with np.errstate(all="ignore"):
            return ref_f(*args, DTMODES[dtmode])
    finally:
        g["_NOISE"], g["_FLIP"] = None, False


def compare(got, ref, slack, prec, what):
    """None if got matches ref within the tolerance (plus slack), else a message."""
    if isinstance(got, Exception):
        return f"{what}: unreadable .npy: {got}"
    ref = np.asarray(ref)
    if got.shape != ref.shape:
        return f"{what}: shape {got.shape}, expected {ref.shape}"
    if got.dtype != ref.dtype:
        return f"{what}: dtype {got.dtype}, expected {ref.dtype}"
    t = TOL[prec]
    g = got.astype(np.float64)
    r = ref.astype(np.float64)
    with np.errstate(all="ignore"):
        finite = np.isfinite(r)
        scale = max(1.0, float(np.max(np.abs(r[finite]))) if finite.any() else 1.0)
        tol = t["atol"] * scale + t["rtol"] * np.abs(r) + np.where(np.isnan(slack), np.inf, slack)
        err = np.abs(g - r)
        bad = ~((err <= tol) | (g == r) | (np.isnan(g) & np.isnan(r)))
    if bad.any():
        with np.errstate(all="ignore"):
            i = np.unravel_index(np.argmax(np.where(bad, err / np.where(tol > 0, tol, 1e-300), 0)), bad.shape) \
                if bad.ndim else ()
        return (f"{what}: {int(bad.sum())} of {bad.size} elements off; worst at {tuple(map(int, i))}: "
                f"got {g[i]!r}, expected {r[i]!r} (tolerance {float(np.broadcast_to(tol, bad.shape)[i]):.3g})")
    return None


FD_SAMPLES = 40


def gap(f0, fp, fm, h):
    """|forward - backward difference|: large at a jump (a `where` flipping)
    or kink (relu, max) within h of the point, where the central difference
    says nothing about the derivative. An element is checked only where the
    gap is within its tolerance (a jump moves the central difference by half
    the gap), and the tolerance's scale comes from elements whose gap is
    small next to the differences themselves."""
    return np.abs((fp - f0) / h - (f0 - fm) / h)


def roughly_smooth(g, fp, fm, h):
    return g <= 1e-3 * (np.abs(fp - fm) / h) + 1e-4


def fd_gradient(ref_f, args, index, seed):
    """Central differences of the f64 reference loss w.r.t. args[index], at up
    to FD_SAMPLES elements where the loss is smooth: (indices, values)."""
    base = [np.asarray(a, np.float64) for a in args]
    f0 = float(eval_ref(ref_f, base, "f64")[0])
    x = base[index]
    points = list(np.ndindex(*x.shape))
    if len(points) > FD_SAMPLES:
        pick = np.random.default_rng(seed).choice(len(points), FD_SAMPLES, replace=False)
        points = [points[k] for k in sorted(pick)]
    vals, gaps, rough = [], [], []
    for i in points:
        h = FD_STEP * max(1.0, abs(float(x[i])))
        ys = []
        for sgn in (1, -1):
            xs = x.copy()
            xs[i] += sgn * h
            a = list(base)
            a[index] = xs
            ys.append(float(eval_ref(ref_f, a, "f64")[0]))
        vals.append((ys[0] - ys[1]) / (2 * h))
        gaps.append(gap(f0, ys[0], ys[1], h))
        rough.append(not roughly_smooth(gaps[-1], ys[0], ys[1], h))
    return points, np.array(vals), np.array(gaps), np.array(rough, bool)


def check_program(prog, results, ref_src):
    """Failure messages (empty: passed) and whether nnc rejected it."""
    fails = []
    runs = [r for r in results if r.mode != "check"]
    check = next(r for r in results if r.mode == "check")
    for r in results:
        if r.rc == "timeout":
            fails.append(f"{r.mode}: timed out")
        elif r.rc < 0:
            fails.append(f"{r.mode}: crashed with signal {-r.rc}\n{r.err[-2000:]}")
        elif r.rc not in (0, 1):
            fails.append(f"{r.mode}: exit status {r.rc}\n{r.err[-2000:]}")
    if fails:
        return fails, False
    if all(r.rc == 1 for r in runs):
        if len({r.err for r in runs}) == 1 and "error:" in runs[0].err:
            return [], True
        return ["every mode rejected the program, with different diagnostics:\n" +
                "\n".join(f"--- {r.mode}:\n{r.err}" for r in runs)], False
    if any(r.rc != 0 for r in runs):
        return ["modes disagree on success:\n" +
                "\n".join(f"--- {r.mode} (exit {r.rc}):\n{r.err}" for r in runs)], False
    if check.rc != 0:
        fails.append(f"nnc check rejects a program that runs:\n{check.err}")
    for r in runs:
        if r.out != "done\n" or r.err:
            fails.append(f"{r.mode}: unexpected output {r.out[:500]!r} / {r.err[:500]!r}")
    eager = next(r for r in runs if r.mode == "eager")

    def same_in_all_modes(stem):
        a = eager.arrays.get(stem)
        if a is None or isinstance(a, Exception):
            fails.append(f"eager: {stem}.npy not written")
            return None
        for r in runs:
            b = r.arrays.get(stem)
            if b is None or isinstance(b, Exception) or b.dtype != a.dtype or not np.array_equal(a, b):
                fails.append(f"{r.mode}: input {stem} differs from eager's")
        return a
    # Inputs (top-level randn): identical in every mode.
    inputs = {}
    for v, _ in prog.params:
        inputs[v.name] = [same_in_all_modes(prog.arg_names[v.name][call]) for call in (0, 1)]
    tangents = {tn: same_in_all_modes(tn) for *_, tn, _ in prog.jvps}
    if fails:
        return fails, False
    # an f64 program casting to f32 has f32 precision
    prec = "16" if prog.has16 else "f32" if prog.has_f32 else "f64"
    ref_f = load_ref(ref_src)
    refs = {}
    unstable = precision_dependent = False
    for call in (0, 1):
        args = [inputs[v.name][call] for v, _ in prog.params]
        act = eval_ref(ref_f, args, "actual")
        r32 = eval_ref(ref_f, args, "f32")
        r64 = eval_ref(ref_f, args, "f64")
        slack = [TOL[prec]["c"] * np.abs(np.asarray(r32[j], np.float64) - np.asarray(r64[j], np.float64))
                 for j in (0, 1)]
        if prog.has16:
            n16 = eval_ref(ref_f, args, "no16")
            slack = [slack[j] + 4 * np.abs(np.asarray(act[j], np.float64) - np.asarray(n16[j], np.float64))
                     for j in (0, 1)]
        # Perturbed evaluations: a comparison, sign or `==` on a value that is
        # 0 or a tie up to rounding (a normalized constant row, tanh(t) == t
        # for tiny t) flips with the last bits of its operands.
        dev = [0, 0]
        for k in (1, 2, 3):
            pert = eval_ref(ref_f, args, "actual", noise_seed=None if k == 3 else prog.seed * 7 + call * 3 + k,
                            flip=k == 3)
            dev = [np.maximum(dev[j], np.abs(np.asarray(pert[j], np.float64) - np.asarray(act[j], np.float64)))
                   for j in (0, 1)]
        slack = [slack[j] + 4 * dev[j] for j in (0, 1)]
        delta = NOISE[prec]
        if float(dev[0]) > 1e3 * delta * max(1.0, abs(float(act[0]))):
            unstable = True
        # The finite differences evaluate the reference in f64: an f32 program
        # whose branches depend on its precision (gelu(t) == 0 in f32 but not
        # in f64, then sign) is a different function there.
        if abs(float(r64[0]) - float(act[0])) > 1e3 * delta * max(1.0, abs(float(act[0]))):
            precision_dependent = True
        refs[call] = (args, act, slack, r64)

    def check_value(stem, ref, slack):
        for r in runs:
            got = r.arrays.get(stem)
            m = compare(got, ref, slack, prec, f"{r.mode}: {stem}") if got is not None \
                else f"{r.mode}: {stem}.npy not written"
            if m:
                fails.append(m)
    for k, call in prog.outputs:
        args, act, slack, _ = refs[call]
        check_value(f"loss_{k}", act[0], slack[0])
        check_value(f"out_{k}", act[1], slack[1])
    if unstable:
        # Derivatives are still checked where nnc's loss agrees with the
        # reference's without the perturbation slack (same branches taken).
        unstable = any(eager.arrays.get(f"loss_{k}") is None or
                       compare(eager.arrays[f"loss_{k}"], refs[call][1][0], 0.0, prec, "") is not None
                       for k, call in ((1, 0), (2, 1)))
    unstable = unstable or precision_dependent
    prog.unstable = unstable
    if unstable:
        # The loss itself jumps with rounding: its derivatives are not
        # determined by the reference.
        return fails, False
    # Gradients against finite differences of the f64 reference.
    gt = GRAD_TOL["f32" if prog.has_f32 else "f64"]
    fds = {}
    for stem, call, pname in prog.grads:
        if pname is not None:
            idx = [v.name for v, _ in prog.params].index(pname)
            fds[stem] = fd_gradient(ref_f, refs[call][0], idx, prog.seed + call)
    # The floor of the gradients' scale: rounding noise in a gradient that is 0
    # (d sum(softmax(x)) / dx; a shift of log_softmax's input by a scalar)
    # follows the size of the gradients flowing through the program.
    gscale = max([1e-2] + [float(np.max(np.abs(fd[~rough]))) for _, fd, _, rough in fds.values() if (~rough).any()])
    for stem, call, pname in prog.grads:
        args, act, slack, r64 = refs[call]
        if pname is None:  # the value of value_and_grad: the loss
            check_value(stem, act[0], slack[0])
            continue
        points, fd, gaps, rough = fds[stem]
        loss = abs(float(r64[0]))
        want = inputs[pname][call]
        for r in runs:
            got = r.arrays.get(stem)
            if got is None or isinstance(got, Exception):
                fails.append(f"{r.mode}: {stem}.npy not written")
                continue
            if got.shape != want.shape or got.dtype != want.dtype:
                fails.append(f"{r.mode}: {stem}: {got.dtype}{list(got.shape)}, expected {want.dtype}{list(want.shape)}")
                continue
            if not np.isfinite(got).all():
                fails.append(f"{r.mode}: {stem} (d loss / d {pname}, call {call + 1}) has non-finite elements")
                continue
            g = np.array([float(got[i]) for i in points])
            scale = max(float(np.max(np.abs(fd[~rough]))) if (~rough).any() else 0.0, gscale)
            tol = gt["atol"] * scale + gt["rtol"] * np.abs(fd) + 1e-9 * max(1.0, loss)
            err = np.abs(g - fd)
            bad = ~(err <= tol) & (gaps <= tol)
            if bad.any():
                w = int(np.argmax(np.where(bad, err / tol, 0)))
                fails.append(f"{r.mode}: {stem} (d loss / d {pname}, call {call + 1}): {int(bad.sum())} of "
                             f"{len(points)} checked elements off the finite difference; worst at {points[w]}: "
                             f"got {g[w]!r}, finite difference {fd[w]!r} (tolerance {tol[w]:.3g})")
    if prog.hessian:
        check_hessian(prog, runs, fails)
    # Forward mode against a directional finite difference.
    for vstem, tstem, call, pname, tn, gstem in prog.jvps:
        args, act, slack, r64 = refs[call]
        check_value(vstem, act[0], slack[0])
        idx = [v.name for v, _ in prog.params].index(pname)
        t = np.asarray(tangents[tn], np.float64)
        ys = []
        for sgn in (1, -1):
            a = [np.asarray(x, np.float64) for x in args]
            a[idx] = a[idx] + sgn * FD_STEP * t
            ys.append(float(eval_ref(ref_f, a, "f64")[0]))
        fd = (ys[0] - ys[1]) / (2 * FD_STEP)
        gmag = float(np.sum(np.abs(np.asarray(eager.arrays[gstem], np.float64) * t))) + 1e-4 * float(np.sum(np.abs(t)))
        tol = gt["rtol"] * abs(fd) + gt["atol"] * gmag + 1e-9 * max(1.0, abs(float(r64[0])))
        if gap(float(r64[0]), ys[0], ys[1], FD_STEP) > tol:
            continue  # a jump or kink within h along t
        for r in runs:
            got = r.arrays.get(tstem)
            if got is None or isinstance(got, Exception) or got.shape != ():
                fails.append(f"{r.mode}: {tstem}.npy not written or not a scalar")
            elif not abs(float(got) - fd) <= tol:
                fails.append(f"{r.mode}: {tstem} (jvp along d{pname}, call {call + 1}): got {float(got)!r}, "
                             f"directional finite difference {fd!r} (tolerance {tol:.3g})")
    return fails, False


def check_hessian(prog, runs, fails):
    """hv (jvp of grad) and hr (grad of grad) against (g(x+ht) - g(x-ht)) / 2h
    of nnc's own (checked) gradient, where the gradient is smooth."""
    for r in runs:
        a = {k: r.arrays.get(k) for k in ("h0", "hv", "hr", "hp", "hm")}
        if any(v is None or isinstance(v, Exception) for v in a.values()):
            fails.append(f"{r.mode}: hessian outputs not written")
            continue
        if len({v.shape for v in a.values()}) != 1:
            fails.append(f"{r.mode}: hessian outputs of different shapes {[v.shape for v in a.values()]}")
            continue
        h = FD_STEP
        g0, gp, gm = (a[k].astype(np.float64) for k in ("h0", "hp", "hm"))
        fd = (gp - gm) / (2 * h)
        gaps = gap(g0, gp, gm, h)
        rough = ~roughly_smooth(gaps, gp, gm, h)
        scale = max(float(np.max(np.abs(fd[~rough]))) if (~rough).any() else 0.0, 1e-2)
        tol = 1e-4 * scale + 1e-3 * np.abs(fd)
        ok = gaps <= tol
        for k, what in (("hv", "jvp of grad"), ("hr", "grad of grad")):
            got = a[k].astype(np.float64)
            bad = ok & ~(np.abs(got - fd) <= tol)
            if bad.any():
                i = np.unravel_index(np.argmax(np.where(bad, np.abs(got - fd) / tol, 0)), bad.shape) if bad.ndim else ()
                fails.append(f"{r.mode}: {k} (Hessian-vector product w.r.t. {prog.hessian}, {what}): "
                             f"{int(bad.sum())} of {int(ok.sum())} smooth elements off the finite difference "
                             f"of the gradient; worst at {tuple(map(int, i))}: got {got[i]!r}, "
                             f"finite difference {fd[i]!r} (tolerance {float(np.broadcast_to(tol, bad.shape)[i]):.3g})")
