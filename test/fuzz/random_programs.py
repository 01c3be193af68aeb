#!/usr/bin/env python3
"""Differential testing of nnc with random well-typed .nn programs.

Each program is a random DAG of tensor ops (elementwise, broadcasting,
`where`, reductions, softmax, matmul, shape ops, indexing, casts, f16/bf16,
`for`/`if`/`while` on tensors, dimensions as host ints) inside

    fn f(x: f32[B, N], y: f32[N], w: f32[N, M], s: f32, ...) -> (loss, intermediate)

(a random subset of the parameters; dimensions annotated symbolically or
concretely; small, medium or large sizes). The top level builds the inputs
with `randn(shape, seed = K)`, calls `f` with two batch sizes B (a symbolic
dimension: one trace, two shapes) and then with the first again; some
programs call f through a wrapper fn reading one argument from a global
that is reassigned before every call. About half
of the programs (those without casts) also take `grad` / `value_and_grad`
of the loss with respect to some inputs, some `jvp`, and some f64 ones
Hessian-vector products (`jvp` of `grad` and `grad` of `grad`).

Every program is run by nnc in several modes:

    jit         nnc run          (traced, fused, compiled to native code;
                                  kernel cache in a directory of this run)
    jit-cached  nnc run          (again: kernels now come from the disk cache)
    eager       nnc run --eager  (op by op, reference kernels)
    no-jit      nnc run --no-jit (traced IR, interpreted)
    check       nnc check        (must accept every program that runs)

Values. `print` shows only 6 significant digits, so the programs write every
result (and their inputs) with `save_npy`, and the runner compares the arrays
at full precision with a NumPy evaluation of the same DAG (generated with the
.nn text, run on the inputs nnc wrote). Shapes and dtypes must match exactly,
values elementwise within

    |got - ref| <= ATOL * max(1, max|ref|) + RTOL * |ref|
                   + C * |ref_f32 - ref_f64| + 4 * max_k |ref_k - ref|

    f32 programs:                  RTOL = 1e-4, ATOL = 1e-5,  C = 4
    f64 programs:                  RTOL = 1e-9, ATOL = 1e-10, C = 1e-8
    (an f64 program casting to f32 somewhere is an f32 program)
    programs with f16/bf16 values: RTOL = 8e-3, ATOL = 2e-3,  C = 4,
                                   plus 4 * |ref - ref_no16|

ref_f32/ref_f64 are the reference with every tensor in f32 / in f64: their
difference estimates how much rounding the program amplifies (C scales an
f32 rounding difference to the program's precision). ref_k (k = 1, 2) is the
reference with every statement's result perturbed by a few ulps of its dtype
(relative and absolute: 2^-21 for f32, 2^-49 for f64), and ref_3 the
unperturbed reference with every near-tie (within 8 such ulps) of a
comparison, `sign` or `%` decided the other way: a comparison on a value
that is zero or a tie only up to rounding (a normalized constant row;
tanh(t) < t for tiny t, where a libm result 1 ulp off decides) legitimately
flips with the last bits of its operands. So ill-conditioned programs do
not give false alarms and well-conditioned ones are held to a few ulps.
ref_no16 keeps the 16-bit values in f32: the reference rounds each
statement's result (and host numbers meeting 16-bit tensors) to 16 bits, not
every primitive inside a statement, and a fused kernel may keep intermediates
in f32, so the 16-bit tolerance (about two bf16 ulps) is not an ulp-exact
rounding check.

Derivatives. Gradients are compared with central finite differences of the
f64 reference at up to 40 elements of each (step h = 1e-5 * max(1, |x_i|);
elements where the forward and backward differences disagree by more than
the tolerance, i.e. a `where` flips or a kink lies within h, are skipped):

    |g - fd| <= GATOL * max(1e-2, max|fd| over all the program's gradients)
                + GRTOL * |fd| + 1e-9 * max(1, |loss|)

    f64 programs: GRTOL = 1e-5, GATOL = 1e-6
    f32 programs: GRTOL = 2e-3, GATOL = 5e-4

`jvp` along a random tangent t is compared with a directional central
difference with GRTOL, and GATOL times sum|g * t| + 1e-4 * sum|t|.
Hessian-vector products H t (both ways) are compared with the central
difference (g(x + h t) - g(x - h t)) / 2h of nnc's own gradient g (checked
above), where g is smooth, within 1e-4 * max(1e-2, max|fd|) + 1e-3 * |fd|.
The derivative checks of a program are skipped when its loss depends on
rounding, not only on the inputs: when the perturbations ref_k move the loss
by more than 1000 times their size and nnc's loss is off the reference's by
more than RTOL/ATOL alone, or when the f64 reference's loss is that far from
the loss in the program's precision (gelu(t) is 0 in f32, not in f64, and a
`sign` of it decides a branch).

Failures: a crash (signal), an exit status other than 0 or 1, modes that
disagree on success or on the error message, a mismatch of shapes, dtypes,
values or inputs, `nnc check` rejecting a program that runs, or a derivative
off its finite difference. A program that every run mode rejects with exit
status 1 and the same diagnostic counts as "rejected", not failed. Each
failure is printed, and the program (.nn), its reference (.py) and what
every mode printed are saved under --keep-failures DIR (a temporary
directory otherwise). The last line is "N programs, N failed"; the exit
status is 1 if any failed.

usage: random_programs.py --nnc PATH/nnc [--seconds S] [--seed K] [--count N]
           [--exclude op1,op2,feature:op] [--keep-failures DIR] [-v]
       random_programs.py --nnc PATH/nnc --program SEED [--exclude ...]
       random_programs.py --print SEED [--exclude ...]

Program i of a run with --seed K has program seed K * 1000003 + i (printed
with each failure); --program SEED runs that program alone and --print SEED
prints it and its NumPy reference. A program depends only on its seed, the
--exclude list and the version of this script and its parts (fuzzgen/).
"""

import argparse
import math
import os
import random
import shutil
import sys
import tempfile
import time


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fuzzgen.checking import *  # noqa: E402,F401,F403
from fuzzgen.common import *  # noqa: E402,F401,F403
from fuzzgen.ops_elementwise import ElementwiseOps  # noqa: E402
from fuzzgen.ops_structure import StructureOps  # noqa: E402
from fuzzgen.render import Rendering  # noqa: E402


class Program(ElementwiseOps, StructureOps, Rendering):
    """One random program: .nn text, NumPy reference text and metadata."""

    def __init__(self, seed, exclude):
        self.seed = seed
        rng = self.rng = random.Random(seed)
        self.exclude = set(exclude)
        self.dtype = "f64" if rng.random() < 0.35 else "f32"
        self.do_grad = rng.random() < 0.5 and not {"grad", "value_and_grad"} <= self.exclude
        self.threads = rng.choice([1, 1, 2, 4])
        # sizes: small; medium (past vector widths); large (past the kernels'
        # parallel threshold of 2^15 elements, so threads split the work)
        r = rng.random()
        self.size = "small" if r < 0.55 else "medium" if r < 0.85 else "large"
        self.has16 = False
        self.unstable = False
        self.lines = []      # (nn line, py line) of the body
        self.pool = []
        self.counter = 0
        self.ops_used = []
        self.has_f32 = self.dtype == "f32"
        self._setup_params()
        nsteps = rng.randint(4, 14) if rng.random() < 0.7 else rng.randint(15, 30)
        tries = 0
        while len(self.ops_used) < nsteps and tries < 400:
            tries += 1
            op = rng.choice(self.op_choices)
            try:
                getattr(self, "op_" + op)()
                self.ops_used.append(op)
            except Skip:
                pass
        self._finish()

    # -- helpers ----------------------------------------------------------

    @property
    def op_choices(self):
        # Weighted: unary and binary ops most, the rest less often.
        ops = UNARY * 2 + BINARY * 3 + REDUCE + OTHER
        ops = ops + ["matmul", "softmax", "reshape", "transpose"]
        return [o for o in ops if o not in self.exclude]

    def fresh(self):
        self.counter += 1
        return f"v{self.counter}"

    def emit(self, nn_expr, py_expr, shape, dtype, bound, lo=None, *uses):
        if bound > MAX_BOUND or not math.isfinite(bound):
            raise Skip()
        if max(math.prod(d.vals[c] for d in shape) for c in (0, 1)) > MAX_NUMEL:
            raise Skip()
        for u in uses:
            u.uses += 1
        v = Var(self.fresh(), shape, dtype, bound, lo)
        if dtype == "f32":
            self.has_f32 = True
        if is16(dtype):
            self.has16 = True
        self.lines.append((f"let {v.name} = {nn_expr}", f"{v.name} = _c({py_expr}, DT['{dtype}'])"))
        self.pool.append(v)
        return v

    def emit_block(self, v, nn_lines, py_lines, *uses):
        """A value built by several statements (a loop, an if)."""
        if v.bound > MAX_BOUND or not math.isfinite(v.bound) or max(v.numel(0), v.numel(1)) > MAX_NUMEL:
            raise Skip()
        for u in uses:
            u.uses += 1
        for i in range(max(len(nn_lines), len(py_lines))):
            self.lines.append((nn_lines[i] if i < len(nn_lines) else None, py_lines[i] if i < len(py_lines) else None))
        self.pool.append(v)
        return v

    def pick(self, pred=lambda v: True):
        cands = [v for v in self.pool if pred(v)]
        if not cands:
            raise Skip()
        # Prefer recent and unused values, so the DAG grows deep and connected.
        weights = [(1 + i) / (1 + 2 * v.uses) for i, v in enumerate(cands)]
        return self.rng.choices(cands, weights)[0]

    def pick_pair(self, fits):
        pairs = [(a, b) for a in self.pool for b in self.pool if fits(a, b)]
        if not pairs:
            raise Skip()
        n = len(self.pool)
        idx = {v.name: i for i, v in enumerate(self.pool)}
        weights = [(1 + idx[a.name] + idx[b.name]) / (1 + a.uses + b.uses) / (1 + 2 * (a is b) * n)
                   for a, b in pairs]
        return self.rng.choices(pairs, weights)[0]

    @staticmethod
    def klit(c, dtype):
        """A host number meeting a tensor takes the tensor's dtype (f16 rounds it)."""
        return f"_c({flit(c)}, DT['{dtype}'])"

    def dimref(self, d):
        """A constant dimension as body text: its name when bound, else a literal."""
        if d.label in self.sym_bound and self.rng.random() < 0.5:
            return d.label, str(d.vals[0])
        return str(d.vals[0]), str(d.vals[0])

    def axis(self, rank, ax):
        """Axis text, sometimes negative."""
        return ax - rank if self.rng.random() < 0.4 else ax

    # -- parameters -------------------------------------------------------

    def _setup_params(self):
        rng = self.rng
        if self.size == "large":
            b1 = rng.choice([100, 257, 300])
            b2 = rng.choice([b for b in (1, 64, 129, 256) if b != b1])
            n = rng.choice([128, 129, 200])
            m = rng.choice([3, 64, 65])
        elif self.size == "medium":
            b1 = rng.choice([1, 2, 7, 8, 9, 16, 17, 31, 33, 64])
            b2 = rng.choice([b for b in (1, 3, 8, 15, 16, 32, 47, 65) if b != b1])
            n = rng.choice([8, 9, 15, 16, 17, 24, 31, 33, 40])
            m = rng.choice([2, 4, 7, 8, 12, 16, 17, 24])
        else:
            b1 = rng.randint(1, 6)
            b2 = rng.choice([b for b in range(1, 8) if b != b1])
            n = rng.randint(2, 7)
            m = rng.randint(2, 6)
        B, N, M = Dim("B", (b1, b2)), Dim("N", (n, n)), Dim("M", (m, m))
        self.B = B
        b_ann = "B" if rng.random() < 0.85 else "_"
        n_style = rng.choice(["sym", "sym", "lit", "mixed"])
        m_style = rng.choice(["sym", "lit", "mixed"])
        self.sym_bound = set()
        if b_ann == "B":
            self.sym_bound.add("B")

        def ann(d):
            if d is B:
                return b_ann
            if d.label == "1":
                return "1"
            style = n_style if d is N else m_style
            if style == "sym" or (style == "mixed" and rng.random() < 0.5):
                self.sym_bound.add(d.label)
                return d.label
            if rng.random() < 0.05:
                return "_"
            return str(d.vals[0])

        specs = [("x", (B, N))]
        if rng.random() < 0.7:
            specs.append(("y", (N,)))
        if rng.random() < 0.5:
            specs.append(("w", (N, M)))
            if rng.random() < 0.4:
                specs.append(("u", (M,)))
        if rng.random() < 0.3:
            specs.append(("s", ()))
        if rng.random() < 0.2:
            specs.append(("z", (B, ONE)))
        if rng.random() < 0.15:
            specs.append(("q", (M, B)))
        rng.shuffle(specs)
        # x first most of the time (binding B and N), but not always.
        if rng.random() < 0.7:
            specs.sort(key=lambda s: s[0] != "x")
        self.params = []
        for name, shape in specs:
            dt = self.dtype
            v = Var(name, shape, dt, 4.5)
            self.pool.append(v)
            self.params.append((v, "[" + ", ".join(ann(d) for d in shape) + "]"))
        self.unannotated = rng.random() < 0.1
        if self.unannotated:
            self.sym_bound = set()  # no dimension names in the body

    # -- unary ------------------------------------------------------------


MODES = ["jit", "jit-cached", "eager", "no-jit", "check"]


def merge_modes(msgs):
    """'jit: X' and 'eager: X' become 'jit, eager: X'."""
    out, where = [], {}
    for m in msgs:
        mode, sep, rest = m.partition(": ")
        if sep and mode in MODES:
            if rest in where:
                out[where[rest]][0].append(mode)
                continue
            where[rest] = len(out)
            out.append(([mode], rest))
        else:
            out.append(([], m))
    return [(", ".join(modes) + ": " + rest) if modes else rest for modes, rest in out]


def run_one(args, seed, workroot, cache_env, keep_dir):
    prog = Program(seed, args.exclude)
    text = prog.render()
    ref_src = prog.reference()
    pdir = os.path.join(workroot, f"p{seed}")
    os.makedirs(pdir, exist_ok=True)
    path = os.path.join(pdir, "prog.nn")
    with open(path, "w") as f:
        f.write(text)
    results = [run_nnc(args.nnc, m, path, os.path.join(pdir, m), cache_env, prog.threads) for m in MODES]
    try:
        fails, rejected = check_program(prog, results, ref_src)
    except Exception as e:  # a bug of this script: report it, do not hide it
        import traceback
        fails, rejected = [f"runner error: {traceback.format_exc()}"], False
    if fails:
        dest = os.path.join(keep_dir, f"program-{seed}")
        os.makedirs(dest, exist_ok=True)
        with open(os.path.join(dest, "prog.nn"), "w") as f:
            f.write(text)
        with open(os.path.join(dest, "reference.py"), "w") as f:
            f.write(ref_src)
        with open(os.path.join(dest, "report.txt"), "w") as f:
            f.write(f"program seed {seed}; threads {prog.threads}; ops {prog.ops_used}\n\n")
            f.write("\n".join(fails) + "\n\n")
            for r in results:
                f.write(f"--- {r.mode}: exit {r.rc}, {r.seconds:.2f}s\nstdout:\n{r.out}\nstderr:\n{r.err}\n")
        print(f"FAIL: program {seed} (threads {prog.threads}); files in {dest}")
        for m in merge_modes(fails):
            print("  " + m.replace("\n", "\n  "))
        print("  program:\n    " + text.rstrip().replace("\n", "\n    "))
        sys.stdout.flush()
    elif rejected and args.verbose:
        print(f"rejected: program {seed}: {results[0].err.strip().splitlines()[0]}")
    shutil.rmtree(pdir, ignore_errors=True)
    return prog, fails, rejected


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nnc", required=False, default=None, help="the nnc binary")
    ap.add_argument("--seconds", type=float, default=20.0, help="time budget (default 20)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=None, help="stop after this many programs")
    ap.add_argument("--program", type=int, default=None, help="run only the program with this seed")
    ap.add_argument("--print", type=int, default=None, dest="print_seed",
                    help="print the program with this seed and its NumPy reference; run nothing")
    ap.add_argument("--exclude", default="", help="comma-separated ops not to generate: " + ",".join(ALL_OPS)
                    + "; FEATURE:OP (hessian:concat) leaves out that feature's check in programs using OP")
    ap.add_argument("--keep-failures", default=None, help="directory for the files of failing programs")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    args.exclude = [e for e in args.exclude.split(",") if e]
    unknown = [e for e in args.exclude if e not in ALL_OPS and not
               (e.partition(":")[0] in FEATURES and e.partition(":")[2] in ALL_OPS)]
    if unknown:
        ap.error(f"unknown op(s) in --exclude: {', '.join(unknown)} (known: {', '.join(ALL_OPS)})")
    if args.print_seed is not None:
        p = Program(args.print_seed, args.exclude)
        print(p.render())
        print("# ---- NumPy reference ----")
        print(p.reference())
        return 0
    if not args.nnc:
        ap.error("--nnc is required")
    args.nnc = os.path.abspath(args.nnc)
    workroot = tempfile.mkdtemp(prefix="nnc-fuzz-")
    keep_dir = os.path.abspath(args.keep_failures) if args.keep_failures else os.path.join(workroot, "failures")
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = os.path.join(workroot, "cache")
    seeds = [args.program] if args.program is not None else None
    start = time.time()
    n = nfail = nrej = ngrad = nunst = 0
    i = 0
    try:
        while True:
            if seeds is not None:
                if i >= len(seeds):
                    break
                seed = seeds[i]
            else:
                if time.time() - start >= args.seconds or (args.count is not None and i >= args.count):
                    break
                seed = args.seed * 1000003 + i
            i += 1
            prog, fails, rejected = run_one(args, seed, workroot, env, keep_dir)
            n += 1
            nfail += bool(fails)
            nrej += rejected
            ngrad += bool(prog.grads) and not rejected and not prog.unstable
            nunst += prog.unstable
            if args.verbose and not fails and not rejected:
                print(f"ok: program {seed} ({len(prog.ops_used)} ops, {prog.dtype}"
                      f"{', grad' if prog.grads else ''})")
    finally:
        if nfail == 0 or args.keep_failures:
            shutil.rmtree(workroot, ignore_errors=True)
        else:
            shutil.rmtree(os.path.join(workroot, "cache"), ignore_errors=True)
    print(f"{nrej} rejected by nnc (same diagnostic in every mode), {ngrad} with gradient checks, "
          f"{nunst} with a rounding-sensitive loss (values checked, derivatives not), {time.time() - start:.1f}s")
    print(f"{n} programs, {nfail} failed")
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
