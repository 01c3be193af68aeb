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
--exclude list and the version of this file.
"""

import argparse
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

# ---------------------------------------------------------------------------
# Tolerances (see the header)

TOL = {
    "f32": dict(rtol=1e-4, atol=1e-5, c=4.0),
    "f64": dict(rtol=1e-9, atol=1e-10, c=1e-8),
    "16": dict(rtol=8e-3, atol=2e-3, c=4.0),
}
GRAD_TOL = {
    "f64": dict(rtol=1e-5, atol=1e-6),
    "f32": dict(rtol=2e-3, atol=5e-4),
}
FD_STEP = 1e-5
# Relative size of the perturbation of each statement of the reference (a few
# ulps) in the conditioning estimate, by the program's precision.
NOISE = {"f64": 2.0 ** -49, "f32": 2.0 ** -21, "16": 2.0 ** -21}

# Ops the generator draws from (names for --exclude).
UNARY = ["exp", "log", "log_sq", "sqrt", "rsqrt", "tanh", "sigmoid", "relu", "gelu",
         "softplus", "neg", "abs", "sin", "cos", "clip", "pow", "square", "sign"]
BINARY = ["add", "sub", "mul", "div", "maximum", "minimum", "scalar", "where", "logical", "mod", "pow2"]
REDUCE = ["sum", "mean", "max", "min", "logsumexp", "var", "normalize"]
OTHER = ["softmax", "log_softmax", "matmul", "reshape", "transpose", "permute",
         "unsqueeze", "squeeze", "concat", "stack", "slice", "index", "take", "pad", "cast",
         "cast16", "loop", "branch", "hostdim", "argmax", "gather", "broadcast_to", "split",
         "while"]
# grad, value_and_grad, jvp: the gradient checks; untyped_caller: `loss_fn`,
# which calls `f`, without parameter annotations now and then.
# hessian: second derivatives (f64 programs): jvp of grad and grad of grad.
# globals: f called through a wrapper reading an argument from a global.
# closures: grad, value_and_grad and jvp of a fn defined inside a compiled
# fn, differentiating some arguments and capturing the others.
FEATURES = ["grad", "value_and_grad", "jvp", "untyped_caller", "hessian", "globals", "closures"]
ALL_OPS = UNARY + BINARY + REDUCE + OTHER + FEATURES

# Magnitude bounds that keep values finite and finite differences meaningful.
MAX_BOUND = 1e4
MAX_NUMEL = 300_000
EXP_MAX = 6.0
POS_MIN = 1e-2


class Dim:
    """A dimension: identity by label; vals = its size in call 1 and call 2."""
    __slots__ = ("label", "vals")

    def __init__(self, label, vals):
        self.label, self.vals = label, tuple(vals)

    @property
    def const(self):
        return self.vals[0] == self.vals[1]

    def __repr__(self):
        return f"{self.label}={self.vals}"


ONE = Dim("1", (1, 1))


def bcast(*shapes):
    """NumPy broadcasting of shapes by dimension identity; None if they do not fit."""
    r = max(len(s) for s in shapes)
    out = []
    for i in range(1, r + 1):
        non1 = [s[-i] for s in shapes if len(s) >= i and s[-i].label != "1"]
        if not non1:
            out.append(ONE)
        elif len({d.label for d in non1}) > 1:
            return None
        else:
            out.append(non1[0])
    return tuple(reversed(out))


def mm_shape(a, b):
    if not a or not b:
        return None
    if len(a) == 1 and len(b) == 1:
        return () if a[0].label == b[0].label else None
    if len(b) == 1:
        return a[:-1] if a[-1].label == b[0].label else None
    if len(a) == 1:
        return b[:-2] + (b[-1],) if a[0].label == b[-2].label else None
    if a[-1].label != b[-2].label:
        return None
    batch = bcast(a[:-2], b[:-2]) if (a[:-2] or b[:-2]) else ()
    if batch is None:
        return None
    return batch + (a[-2], b[-1])


class Var:
    __slots__ = ("name", "shape", "dtype", "bound", "lo", "uses")

    def __init__(self, name, shape, dtype, bound, lo=None):
        self.name, self.shape, self.dtype = name, tuple(shape), dtype
        self.bound, self.lo, self.uses = float(bound), lo, 0

    @property
    def rank(self):
        return len(self.shape)

    def numel(self, call=0):
        return math.prod(d.vals[call] for d in self.shape)


def promote(*dts):
    """nnc's promotion among float dtypes: f16/bf16 < f32 < f64, f16 with bf16 gives f32."""
    if "f64" in dts:
        return "f64"
    if "f32" in dts or len(set(dts)) > 1:
        return "f32"
    return dts[0]


def is16(dt):
    return dt in ("f16", "bf16")


def flit(c):
    """A float literal both languages read ('-1.5' parenthesized)."""
    t = repr(float(c))
    return f"({t})" if c < 0 else t


class Skip(Exception):
    """The op drawn does not apply to the current pool."""


class Program:
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

    def _unary(self, nn_f, py_f, pred, bound, lo=None):
        v = self.pick(pred)
        return self.emit(nn_f(v.name), py_f(v.name), v.shape, v.dtype, bound(v), lo(v) if lo else None, v)

    def op_exp(self):
        self._unary(lambda a: f"exp({a})", lambda a: f"np.exp({a})", lambda v: v.bound <= EXP_MAX,
                    lambda v: math.exp(v.bound), lambda v: math.exp(-v.bound))

    def op_log(self):
        self._unary(lambda a: f"log({a})", lambda a: f"np.log({a})", lambda v: v.lo and v.lo >= POS_MIN,
                    lambda v: max(abs(math.log(v.lo)), abs(math.log(v.bound))))

    def op_log_sq(self):
        self._unary(lambda a: f"log({a} * {a} + 1.0)", lambda a: f"np.log({a} * {a} + 1.0)",
                    lambda v: v.bound <= (100 if is16(v.dtype) else 1e3), lambda v: math.log(v.bound ** 2 + 1))

    def op_sqrt(self):
        if self.rng.random() < 0.5:
            self._unary(lambda a: f"sqrt({a})", lambda a: f"np.sqrt({a})", lambda v: v.lo and v.lo >= POS_MIN,
                        lambda v: math.sqrt(v.bound), lambda v: math.sqrt(v.lo))
        else:
            self._unary(lambda a: f"sqrt({a} * {a} + 0.5)", lambda a: f"np.sqrt({a} * {a} + 0.5)",
                        lambda v: v.bound <= (100 if is16(v.dtype) else 1e3), lambda v: v.bound + 1, lambda v: 0.7)

    def op_rsqrt(self):
        self._unary(lambda a: f"rsqrt({a})", lambda a: f"1.0 / np.sqrt({a})", lambda v: v.lo and v.lo >= 0.05,
                    lambda v: 1 / math.sqrt(v.lo), lambda v: 1 / math.sqrt(v.bound))

    def op_tanh(self):
        self._unary(lambda a: f"tanh({a})", lambda a: f"np.tanh({a})", lambda v: True, lambda v: 1.0)

    def op_sigmoid(self):
        self._unary(lambda a: f"sigmoid({a})", lambda a: f"_sigmoid({a})", lambda v: True, lambda v: 1.0,
                    lambda v: 1 / (1 + math.exp(v.bound)) if v.bound <= EXP_MAX else None)

    def op_relu(self):
        self._unary(lambda a: f"relu({a})", lambda a: f"np.maximum({a}, 0)", lambda v: True, lambda v: v.bound)

    def op_gelu(self):
        self._unary(lambda a: f"gelu({a})", lambda a: f"_gelu({a})", lambda v: True, lambda v: v.bound)

    def op_softplus(self):
        self._unary(lambda a: f"softplus({a})", lambda a: f"np.logaddexp(0, {a})", lambda v: True,
                    lambda v: v.bound + 1, lambda v: math.log1p(math.exp(-v.bound)) if v.bound <= EXP_MAX else None)

    def op_neg(self):
        self._unary(lambda a: f"-{a}", lambda a: f"-{a}", lambda v: True, lambda v: v.bound)

    def op_abs(self):
        self._unary(lambda a: f"abs({a})", lambda a: f"np.abs({a})", lambda v: True, lambda v: v.bound)

    def op_sin(self):
        self._unary(lambda a: f"sin({a})", lambda a: f"np.sin({a})", lambda v: v.bound <= 100, lambda v: 1.0)

    def op_cos(self):
        self._unary(lambda a: f"cos({a})", lambda a: f"np.cos({a})", lambda v: v.bound <= 100, lambda v: 1.0)

    def op_clip(self):
        lo = round(-self.rng.uniform(0.2, 2.0), 2)
        hi = round(self.rng.uniform(0.2, 2.0), 2)
        form = self.rng.choice(["both", "lo", "hi"])
        if form == "both":
            nn = lambda a: f"clip({a}, lo = {flit(lo)}, hi = {flit(hi)})"
            b = lambda v: max(-lo, hi)
        elif form == "lo":
            nn = lambda a: f"clip({a}, lo = {flit(lo)})"
            b = lambda v: max(v.bound, -lo)
        else:
            nn = lambda a: f"clip({a}, hi = {flit(hi)})"
            b = lambda v: max(v.bound, hi)
        plo = lo if form != "hi" else None
        phi = hi if form != "lo" else None
        self._unary(nn, lambda a: f"np.clip({a}, {plo}, {phi})", lambda v: True, b)

    def op_pow(self):
        p = self.rng.choice([0.5, 1.5, 2.0, 3.0, -0.5])
        self._unary(lambda a: f"pow({a}, {flit(p)})", lambda a: f"np.power({a}, {flit(p)})",
                    lambda v: v.lo and v.lo >= 0.05 and v.bound <= 20,
                    lambda v: max(v.bound ** p, v.lo ** p), lambda v: min(v.bound ** p, v.lo ** p))

    def op_sign(self):
        v = self.pick()
        self.emit(f"sign({v.name})", f"_sign({v.name}, '{v.dtype}')", v.shape, v.dtype, 1.0, None, v)

    def op_square(self):
        e = self.rng.choice(["2", "2.0", "3"])
        self._unary(lambda a: f"{a} ** {e}", lambda a: f"{a} ** {e}", lambda v: v.bound <= 20,
                    lambda v: v.bound ** float(e))

    # -- binary -----------------------------------------------------------

    def _binary(self, fits, make):
        a, b = self.pick_pair(lambda a, b: bcast(a.shape, b.shape) is not None and fits(a, b))
        nn, py, bound, lo = make(a, b)
        return self.emit(nn, py, bcast(a.shape, b.shape), promote(a.dtype, b.dtype), bound, lo, a, b)

    def op_add(self):
        self._binary(lambda a, b: True, lambda a, b: (f"{a.name} + {b.name}", f"{a.name} + {b.name}",
                                                      a.bound + b.bound,
                                                      a.lo + b.lo if a.lo and b.lo else None))

    def op_sub(self):
        self._binary(lambda a, b: a is not b, lambda a, b: (f"{a.name} - {b.name}", f"{a.name} - {b.name}",
                                                            a.bound + b.bound, None))

    def op_mul(self):
        self._binary(lambda a, b: a.bound * b.bound <= MAX_BOUND,
                     lambda a, b: (f"{a.name} * {b.name}", f"{a.name} * {b.name}", a.bound * b.bound,
                                   a.lo * b.lo if a.lo and b.lo else None))

    def op_div(self):
        if self.rng.random() < 0.5:
            self._binary(lambda a, b: b.lo and b.lo >= 0.05 and a.bound / b.lo <= MAX_BOUND,
                         lambda a, b: (f"{a.name} / {b.name}", f"{a.name} / {b.name}", a.bound / b.lo,
                                       a.lo / b.bound if a.lo else None))
        else:
            self._binary(lambda a, b: b.bound <= (100 if is16(b.dtype) else 1e3),
                         lambda a, b: (f"{a.name} / ({b.name} * {b.name} + 1.0)",
                                       f"{a.name} / ({b.name} * {b.name} + 1.0)", a.bound, None))

    def op_maximum(self):
        self._binary(lambda a, b: a is not b, lambda a, b: (f"maximum({a.name}, {b.name})",
                                                            f"np.maximum({a.name}, {b.name})",
                                                            max(a.bound, b.bound),
                                                            max(a.lo or 0, b.lo or 0) or None))

    def op_minimum(self):
        self._binary(lambda a, b: a is not b, lambda a, b: (f"minimum({a.name}, {b.name})",
                                                            f"np.minimum({a.name}, {b.name})",
                                                            max(a.bound, b.bound),
                                                            min(a.lo, b.lo) if a.lo and b.lo else None))

    def op_mod(self):
        """`%` with the Python/NumPy sign convention (jumps: finite differences skip them)."""
        if self.rng.random() < 0.5:
            v = self.pick(lambda v: v.bound <= 1e3)
            c = self.rng.choice([0.75, 1.5, 2.0, -1.25])
            self.emit(f"{v.name} % {flit(c)}", f"_mod({v.name}, {self.klit(c, v.dtype)}, '{v.dtype}')", v.shape, v.dtype,
                      abs(c), None, v)
        else:
            self._binary(lambda a, b: b.lo and b.lo >= 0.1 and a.bound <= 1e3,
                         lambda a, b: (f"{a.name} % {b.name}", f"_mod({a.name}, {b.name}, '{promote(a.dtype, b.dtype)}')",
                                       b.bound, None))

    def op_pow2(self):
        """pow with a tensor exponent, on a positive base."""
        self._binary(lambda a, b: a.lo and a.lo >= 0.05 and a.bound <= 20 and b.bound <= 1e3,
                     lambda a, b: (f"pow({a.name}, tanh({b.name}))", f"np.power({a.name}, np.tanh({b.name}))",
                                   max(a.bound, 1 / a.lo), min(a.lo, 1 / a.bound)))

    def op_scalar(self):
        v = self.pick()
        c = round(self.rng.choice([-1, 1]) * self.rng.uniform(0.1, 3.0), 2) or 0.5
        form = self.rng.choice(["a*c", "c*a", "a+c", "c-a", "a/c", "a-c"])
        a, lit = v.name, flit(c)
        forms = {"a*c": "{a} * {lit}", "c*a": "{lit} * {a}", "a+c": "{a} + {lit}",
                 "c-a": "{lit} - {a}", "a/c": "{a} / {lit}", "a-c": "{a} - {lit}"}
        expr = forms[form].format(a=a, lit=lit)
        pyexpr = forms[form].format(a=a, lit=self.klit(c, v.dtype))
        bound = {"a*c": v.bound * abs(c), "c*a": v.bound * abs(c), "a/c": v.bound / abs(c)}.get(form, v.bound + abs(c))
        lo = v.lo * c if v.lo and c > 0 and form in ("a*c", "c*a") else None
        self.emit(expr, pyexpr, v.shape, v.dtype, bound, lo, v)

    def _cond(self, logical):
        """A bool condition: (nn text, py text, shape, vars)."""
        cmp = self.rng.choice([">", "<", ">=", "<="] * 4 + ["==", "!="])
        if self.rng.random() < 0.25:
            a = self.pick()
            c = flit(round(self.rng.uniform(-1, 1), 2))
            nn, py, shape, used = f"{a.name} {cmp} {c}", f"_cmp({a.name}, '{cmp}', {c}, '{a.dtype}')", a.shape, [a]
        else:
            a, b = self.pick_pair(lambda a, b: a is not b and bcast(a.shape, b.shape) is not None)
            nn, py = f"{a.name} {cmp} {b.name}", f"_cmp({a.name}, '{cmp}', {b.name}, '{promote(a.dtype, b.dtype)}')"
            shape, used = bcast(a.shape, b.shape), [a, b]
        if logical:
            kind = self.rng.choice(["and", "or", "not"])
            if kind == "not":
                return f"not ({nn})", f"np.logical_not({py})", shape, used
            nn2, py2, shape2, used2 = self._cond(False)
            shape3 = bcast(shape, shape2)
            if shape3 is None:
                raise Skip()
            f = "np.logical_and" if kind == "and" else "np.logical_or"
            return f"({nn}) {kind} ({nn2})", f"{f}({py}, {py2})", shape3, used + used2
        return nn, py, shape, used

    def op_where(self, logical=False):
        cnn, cpy, cshape, used = self._cond(logical)
        c, d = self.pick_pair(lambda c, d: bcast(cshape, c.shape, d.shape) is not None)
        shape = bcast(cshape, c.shape, d.shape)
        dt = promote(c.dtype, d.dtype)
        self.emit(f"where({cnn}, {c.name}, {d.name})", f"np.where({cpy}, {c.name}, {d.name})", shape, dt,
                  max(c.bound, d.bound), min(c.lo, d.lo) if c.lo and d.lo else None, *used, c, d)

    def op_logical(self):
        self.op_where(logical=True)

    # -- reductions -------------------------------------------------------

    def _reduce(self, name, pred=lambda v: True):
        v = self.pick(lambda v: v.rank >= 1 and pred(v))
        rng = self.rng
        keep = rng.random() < 0.4
        if rng.random() < 0.2:
            ax, axes = "none", list(range(v.rank))
        else:
            a = rng.randrange(v.rank)
            ax, axes = str(self.axis(v.rank, a)), [a]
        n = math.prod(max(v.shape[i].vals) for i in axes)
        if any(min(v.shape[i].vals) < 1 for i in axes):
            raise Skip()
        shape = tuple(ONE if i in axes else d for i, d in enumerate(v.shape)) if keep else \
            tuple(d for i, d in enumerate(v.shape) if i not in axes)
        kd = " keepdim = true" if keep else ""
        args = f"axis = {ax}" + ("," + kd if keep else "")
        if rng.random() < 0.3 and ax != "none":
            args = f"{ax}" + (", true" if keep else "")  # positional
        elif ax == "none" and not keep and rng.random() < 0.5:
            args = ""
        pyax = "None" if ax == "none" else ax
        bound = {"sum": v.bound * n, "mean": v.bound, "max": v.bound, "min": v.bound,
                 "logsumexp": v.bound + math.log(n), "var": v.bound ** 2}[name]
        lo = v.lo if name in ("mean", "max", "min") else None
        pyf = {"sum": "np.sum", "mean": "np.mean", "max": "np.max", "min": "np.min",
               "logsumexp": "_logsumexp", "var": "np.var"}[name]
        nn = f"{name}({v.name}" + (", " + args if args else "") + ")"
        self.emit(nn, f"{pyf}({v.name}, axis={pyax}, keepdims={keep})", shape, v.dtype, bound, lo, v)

    def op_sum(self):
        self._reduce("sum")

    def op_mean(self):
        self._reduce("mean")

    def op_max(self):
        self._reduce("max")

    def op_min(self):
        self._reduce("min")

    def op_logsumexp(self):
        self._reduce("logsumexp")

    def op_normalize(self):
        """Layer-norm style: a reduction broadcast back over the reduced axis."""
        v = self.pick(lambda v: v.rank >= 1 and v.bound <= 100 and any(min(d.vals) >= 2 for d in v.shape))
        ax = self.rng.choice([i for i, d in enumerate(v.shape) if min(d.vals) >= 2])
        a = self.axis(v.rank, ax)
        n = v.name
        self.emit(f"({n} - mean({n}, axis = {a}, keepdim = true)) / sqrt(var({n}, axis = {a}, keepdim = true) + 0.1)",
                  f"({n} - np.mean({n}, axis={ax}, keepdims=True)) / np.sqrt(np.var({n}, axis={ax}, keepdims=True) + {self.klit(0.1, v.dtype)})",
                  v.shape, v.dtype, 2 * v.bound / math.sqrt(0.1), None, v)

    def op_var(self):
        self._reduce("var", lambda v: v.bound <= 100)

    # -- other ------------------------------------------------------------

    def _softmax(self, name):
        v = self.pick(lambda v: v.rank >= 1)
        rng = self.rng
        if rng.random() < 0.75:
            a = v.rank - 1
            ax = rng.choice(["", "axis = -1", f"axis = {a}"])
        else:
            a = rng.randrange(v.rank)
            ax = f"axis = {self.axis(v.rank, a)}"
        nn = f"{name}({v.name}" + (", " + ax if ax else "") + ")"
        n = max(v.shape[a].vals)
        bound = 1.0 if name == "softmax" else 2 * v.bound + math.log(n)
        self.emit(nn, f"_{name}({v.name}, {a})", v.shape, v.dtype, bound, None, v)

    def op_softmax(self):
        self._softmax("softmax")

    def op_log_softmax(self):
        self._softmax("log_softmax")

    def op_matmul(self):
        a, b = self.pick_pair(lambda a, b: mm_shape(a.shape, b.shape) is not None)
        shape = mm_shape(a.shape, b.shape)
        k = max(a.shape[-1].vals)
        form = "@" if self.rng.random() < 0.8 else "matmul"
        nn = f"{a.name} @ {b.name}" if form == "@" else f"matmul({a.name}, {b.name})"
        self.emit(nn, f"np.matmul({a.name}, {b.name})", shape, promote(a.dtype, b.dtype),
                  a.bound * b.bound * k, None, a, b)

    def op_reshape(self):
        v = self.pick(lambda v: v.rank >= 1)
        rng = self.rng
        dims = list(v.shape)
        kind = rng.choice(["insert1", "merge", "flatten", "split", "drop1"])
        if kind == "insert1":
            dims.insert(rng.randint(0, len(dims)), ONE)
        elif kind == "merge":
            if len(dims) < 2:
                raise Skip()
            i = rng.randrange(len(dims) - 1)
            a, b = dims[i], dims[i + 1]
            dims[i:i + 2] = [Dim(f"({a.label}*{b.label})", (a.vals[0] * b.vals[0], a.vals[1] * b.vals[1]))]
        elif kind == "flatten":
            if len(dims) < 2:
                raise Skip()
            lab = "(" + "*".join(d.label for d in dims) + ")"
            dims = [Dim(lab, (v.numel(0), v.numel(1)))]
        elif kind == "split":
            cands = [(i, p) for i, d in enumerate(dims) if d.const
                     for p in range(2, d.vals[0]) if d.vals[0] % p == 0]
            if not cands:
                raise Skip()
            i, p = rng.choice(cands)
            d = dims[i]
            q = d.vals[0] // p
            dims[i:i + 1] = [Dim(f"({d.label}/{q})", (p, p)), Dim(f"({d.label}%{q})", (q, q))]
        else:
            ones = [i for i, d in enumerate(dims) if d.label == "1"]
            if not ones:
                raise Skip()
            del dims[rng.choice(ones)]
        varying = [i for i, d in enumerate(dims) if not d.const]
        if len(varying) > 1:
            raise Skip()
        nn_parts, py_parts = [], []
        minus = varying[0] if varying else (rng.randrange(len(dims)) if dims and rng.random() < 0.3 else None)
        for i, d in enumerate(dims):
            if i == minus:
                nn_parts.append("-1")
                py_parts.append("-1")
            else:
                a, b = self.dimref(d)
                nn_parts.append(a)
                py_parts.append(b)
        self.emit(f"reshape({v.name}, [{', '.join(nn_parts)}])",
                  f"np.reshape({v.name}, [{', '.join(py_parts)}])", dims, v.dtype, v.bound, v.lo, v)

    def op_transpose(self):
        v = self.pick(lambda v: v.rank >= 2)
        rng = self.rng
        form = rng.choice(["T", "rev", "swap"])
        if form == "T":
            self.emit(f"{v.name}.T", f"{v.name}.T", v.shape[::-1], v.dtype, v.bound, v.lo, v)
        elif form == "rev":
            self.emit(f"transpose({v.name})", f"np.transpose({v.name})", v.shape[::-1], v.dtype, v.bound, v.lo, v)
        else:
            i, j = rng.sample(range(v.rank), 2)
            shape = list(v.shape)
            shape[i], shape[j] = shape[j], shape[i]
            self.emit(f"transpose({v.name}, {self.axis(v.rank, i)}, {self.axis(v.rank, j)})",
                      f"np.swapaxes({v.name}, {i}, {j})", shape, v.dtype, v.bound, v.lo, v)

    def op_permute(self):
        v = self.pick(lambda v: v.rank >= 3)
        perm = list(range(v.rank))
        self.rng.shuffle(perm)
        self.emit(f"permute({v.name}, {perm})", f"np.transpose({v.name}, {perm})",
                  [v.shape[i] for i in perm], v.dtype, v.bound, v.lo, v)

    def op_unsqueeze(self):
        v = self.pick(lambda v: v.rank <= 3)
        a = self.rng.randint(0, v.rank)
        shape = list(v.shape)
        shape.insert(a, ONE)
        self.emit(f"unsqueeze({v.name}, {self.axis(v.rank + 1, a)})", f"np.expand_dims({v.name}, {a})",
                  shape, v.dtype, v.bound, v.lo, v)

    def op_squeeze(self):
        v = self.pick(lambda v: any(d.label == "1" for d in v.shape))
        ones = [i for i, d in enumerate(v.shape) if d.label == "1"]
        if self.rng.random() < 0.3:
            # squeeze all size-1 dims: only sound if no other dim can be 1
            if any(min(d.vals) == 1 for d in v.shape if d.label != "1"):
                raise Skip()
            self.emit(f"squeeze({v.name})", f"np.squeeze({v.name})", [d for d in v.shape if d.label != "1"],
                      v.dtype, v.bound, v.lo, v)
        else:
            a = self.rng.choice(ones)
            self.emit(f"squeeze({v.name}, {self.axis(v.rank, a)})", f"np.squeeze({v.name}, {a})",
                      [d for i, d in enumerate(v.shape) if i != a], v.dtype, v.bound, v.lo, v)

    def op_concat(self):
        rng = self.rng

        def fits(a, b):
            if a.rank != b.rank or a.rank == 0 or a.dtype != b.dtype:
                return False
            diff = [i for i in range(a.rank) if a.shape[i].label != b.shape[i].label]
            return len(diff) <= 1
        a, b = self.pick_pair(fits)
        diff = [i for i in range(a.rank) if a.shape[i].label != b.shape[i].label]
        ax = diff[0] if diff else rng.randrange(a.rank)
        parts = [a, b] + ([a] if rng.random() < 0.2 else [])
        da = [p.shape[ax] for p in parts]
        d = Dim("(" + "+".join(x.label for x in da) + ")", (sum(x.vals[0] for x in da), sum(x.vals[1] for x in da)))
        shape = list(a.shape)
        shape[ax] = d
        names = ", ".join(p.name for p in parts)
        seq = f"[{names}]" if rng.random() < 0.7 else f"({names})"
        axt = f", axis = {self.axis(a.rank, ax)}" if ax != 0 or rng.random() < 0.5 else ""
        self.emit(f"concat({seq}{axt})", f"np.concatenate([{names}], axis={ax})", shape, a.dtype,
                  max(a.bound, b.bound), min(a.lo, b.lo) if a.lo and b.lo else None, *parts)

    def op_stack(self):
        a, b = self.pick_pair(lambda a, b: a.shape == b.shape and a.dtype == b.dtype and a.rank <= 3)
        ax = self.rng.randint(0, a.rank)
        shape = list(a.shape)
        shape.insert(ax, Dim("S2", (2, 2)))
        self.emit(f"stack([{a.name}, {b.name}], axis = {self.axis(a.rank + 1, ax)})",
                  f"np.stack([{a.name}, {b.name}], axis={ax})", shape, a.dtype,
                  max(a.bound, b.bound), min(a.lo, b.lo) if a.lo and b.lo else None, a, b)

    def _subscript(self, v, ax, s):
        subs = [":"] * v.rank
        subs[ax] = s
        if ax == v.rank - 1 and v.rank > 1 and self.rng.random() < 0.5:
            subs = ["..."] + [s]
        else:
            while len(subs) > 1 and subs[-1] == ":":
                subs.pop()
        return f"{v.name}[{', '.join(subs)}]"

    def op_slice(self):
        # A dim of one size takes any slice; a symbolic one (a size per call)
        # forward bounds within its smallest size, which keep it symbolic in
        # the trace (the result's size is the same at every call).
        v = self.pick(lambda v: any(min(d.vals) >= 2 for d in v.shape))
        rng = self.rng
        ax = rng.choice([i for i, d in enumerate(v.shape) if min(d.vals) >= 2])
        d = v.shape[ax]
        n = min(d.vals)
        if d.const:
            s = rng.choice(["1:", ":-1", "::2", "::-1", f"{rng.randrange(n - 1)}:{n}", "1::2", "-2:"])
        else:
            k = rng.randrange(1, n + 1)
            s = rng.choice([f"0:{k}", f":{k}", f"{rng.randrange(k)}:{k}", f"0:{n}:2", f"1:{n}:{rng.randint(1, 3)}"])
        start, stop, step = [(int(t) if t else None) for t in (s.split(":") + [""])[:3]]
        size = len(range(n)[slice(start, stop, step)])
        if size < 1:
            raise Skip()
        shape = list(v.shape)
        shape[ax] = Dim(f"{d.label}[{s}]", (size, size))
        e = self._subscript(v, ax, s)
        self.emit(e, e, shape, v.dtype, v.bound, v.lo, v)

    def op_index(self):
        v = self.pick(lambda v: v.rank >= 1)
        ax = self.rng.randrange(v.rank)
        n = min(v.shape[ax].vals)
        i = self.rng.choice([0, -1, n - 1, -n]) if self.rng.random() < 0.7 else self.rng.randrange(n)
        e = self._subscript(v, ax, str(i))
        self.emit(e, e, [dd for k, dd in enumerate(v.shape) if k != ax], v.dtype, v.bound, v.lo, v)

    def op_cast(self):
        # Not in gradient programs: the finite differences evaluate the program
        # in f64 throughout, and a comparison of a value with its own f32
        # rounding (`where(cast(y, f32) < y, ...)`) is decided differently there.
        if self.do_grad:
            raise Skip()
        v = self.pick()
        to = "f32" if v.dtype == "f64" else "f64"
        self.emit(f"cast({v.name}, {to})", f"{v.name}", v.shape, to, v.bound, v.lo, v)

    def op_cast16(self):
        # 16-bit floats (stored in 16 bits, computed in f32); not in gradient
        # programs, whose finite differences need full precision.
        if self.do_grad:
            raise Skip()
        v = self.pick(lambda v: v.bound <= 1e3)
        to = self.rng.choice(["f16", "bf16"])
        if is16(v.dtype) and self.rng.random() < 0.5:
            to = "f32"
        self.emit(f"cast({v.name}, {to})", f"{v.name}", v.shape, to, v.bound, v.lo, v)

    def op_hostdim(self):
        """Dimensions as host ints: `v * B`, `v / v.shape[k]`, `v + full([B, 5], c)`
        (a fn that needs a dimension's value is traced per shape)."""
        rng = self.rng
        form = rng.randrange(3)
        if form == 0:
            names = [(d.label, p.name, i) for p, _ in self.params for i, d in enumerate(p.shape)
                     if d.label in self.sym_bound]
            if not names:
                raise Skip()
            lab, pn, i = rng.choice(names)
            d = next(d for p, _ in self.params for d in p.shape if d.label == lab)
            v = self.pick(lambda v: v.bound * max(d.vals) <= MAX_BOUND)
            if rng.random() < 0.5:
                self.emit(f"{v.name} * {lab}", f"{v.name} * {pn}.shape[{i}]", v.shape, v.dtype,
                          v.bound * max(d.vals), None, v)
            else:
                self.emit(f"{v.name} / ({lab} + 1)", f"{v.name} / ({pn}.shape[{i}] + 1)", v.shape, v.dtype,
                          v.bound, None, v)
        elif form == 1:
            v = self.pick(lambda v: v.rank >= 1)
            k = rng.randrange(v.rank)
            kt = k - v.rank if rng.random() < 0.3 else k
            acc = rng.choice([f"{v.name}.shape[{kt}]", f"shape({v.name})[{kt}]"] + ([f"len({v.name})"] if k == 0 else []))
            self.emit(f"{v.name} / {acc}", f"{v.name} / {v.name}.shape[{k}]", v.shape, v.dtype, v.bound, None, v)
        else:
            def nameable(d):
                return d.const or d.label in self.sym_bound
            v = self.pick(lambda v: all(nameable(d) for d in v.shape))
            dims = [d.label if (d.label in self.sym_bound and (not d.const or rng.random() < 0.5)) else str(d.vals[0])
                    for d in v.shape]
            c = round(rng.uniform(-2, 2), 2)
            fn = rng.choice(["full", "ones"])
            t = (f"full([{', '.join(dims)}], {flit(c)}, dtype = {v.dtype})" if fn == "full"
                 else f"ones([{', '.join(dims)}], dtype = {v.dtype}) * {flit(c)}")
            self.emit(f"{v.name} + {t}", f"{v.name} + {self.klit(c, v.dtype)}", v.shape, v.dtype, v.bound + abs(c), None, v)

    def op_argmax(self):
        """one_hot(argmax(v, axis), n): an i32 value and back to floats."""
        v = self.pick(lambda v: any(d.const for d in v.shape))
        rng = self.rng
        ax = rng.choice([i for i, d in enumerate(v.shape) if d.const])
        n = v.shape[ax].vals[0]
        f = rng.choice(["argmax", "argmin"])
        shape = [d for i, d in enumerate(v.shape) if i != ax] + [Dim(f"H{n}", (n, n))]
        self.emit(f"one_hot({f}({v.name}, axis = {self.axis(v.rank, ax)}), {n}, dtype = {v.dtype})",
                  f"np.eye({n})[np.{f}({v.name}, axis={ax})]", shape, v.dtype, 1.0, None, v)

    def op_gather(self):
        """gather(v, argmax(v, axis, keepdim = true), axis): the max, as an index read."""
        v = self.pick(lambda v: v.rank >= 1)
        rng = self.rng
        ax = rng.randrange(v.rank)
        a = self.axis(v.rank, ax)
        f = rng.choice(["argmax", "argmin"])
        shape = list(v.shape)
        shape[ax] = ONE
        self.emit(f"gather({v.name}, {f}({v.name}, axis = {a}, keepdim = true), {a})",
                  f"np.take_along_axis({v.name}, np.{f}({v.name}, axis={ax}, keepdims=True), {ax})",
                  shape, v.dtype, v.bound, v.lo, v)

    def op_broadcast_to(self):
        def nameable(d):
            return d.const or d.label in self.sym_bound
        v = self.pick(lambda v: any(d.label == "1" for d in v.shape) and all(nameable(d) for d in v.shape))
        rng = self.rng
        targets = [d for p, _ in self.params for d in p.shape if nameable(d) and d.label != "1"]
        shape = [rng.choice(targets) if d.label == "1" and rng.random() < 0.8 else d for d in v.shape]
        if rng.random() < 0.3:
            shape.insert(0, rng.choice(targets))
        dims = [d.label if (d.label in self.sym_bound and (not d.const or rng.random() < 0.5)) else str(d.vals[0])
                for d in shape]
        pyd = []
        for d in shape:
            if d.const:
                pyd.append(str(d.vals[0]))
            else:
                pn, i = next((p.name, i) for p, _ in self.params for i, e in enumerate(p.shape) if e.label == d.label)
                pyd.append(f"{pn}.shape[{i}]")
        self.emit(f"broadcast_to({v.name}, [{', '.join(dims)}])", f"np.broadcast_to({v.name}, ({', '.join(pyd)},))",
                  shape, v.dtype, v.bound, v.lo, v)

    def op_split(self):
        v = self.pick(lambda v: any(d.const and d.vals[0] >= 2 for d in v.shape))
        rng = self.rng
        ax = rng.choice([i for i, d in enumerate(v.shape) if d.const and d.vals[0] >= 2])
        n = v.shape[ax].vals[0]
        if rng.random() < 0.5:
            k = rng.randint(1, n - 1)
            sizes = [k] * (n // k) + ([n % k] if n % k else [])
            arg = str(k)
        else:
            cut = sorted(rng.sample(range(1, n), min(rng.randint(1, 2), n - 1)))
            sizes = [b - a for a, b in zip([0] + cut, cut + [n])]
            arg = str(sizes)
        j = rng.randrange(len(sizes))
        start = sum(sizes[:j])
        shape = list(v.shape)
        shape[ax] = Dim(f"{v.shape[ax].label}.s{start}:{start + sizes[j]}", (sizes[j], sizes[j]))
        at = f", axis = {self.axis(v.rank, ax)}" if ax or rng.random() < 0.5 else ""
        jt = j - len(sizes) if rng.random() < 0.3 else j
        sl = [":"] * v.rank
        sl[ax] = f"{start}:{start + sizes[j]}"
        self.emit(f"split({v.name}, {arg}{at})[{jt}]", f"{v.name}[{', '.join(sl)}]", shape, v.dtype,
                  v.bound, v.lo, v)

    def op_while(self):
        """A `while` on a tensor condition (not differentiable: not in gradient programs)."""
        if self.do_grad:
            raise Skip()
        h = self.pick(lambda v: v.numel(0) >= 1 and v.numel(1) >= 1)
        limit = self.rng.choice(["1.0", "0.5", "2.0"])
        v = Var(self.fresh(), h.shape, h.dtype, min(h.bound, float(limit)), None)
        n = v.name
        self.emit_block(v, [f"let {n} = {h.name}", f"while max(abs({n})) > {limit} {{ {n} = {n} * 0.5 }}"],
                        [f"{n} = {h.name}", f"while np.max(np.abs({n})) > {limit}:",
                         f"    {n} = _c({n} * 0.5, DT['{v.dtype}'])"], h)

    def op_take(self):
        v = self.pick(lambda v: any(d.const for d in v.shape))
        rng = self.rng
        ax = rng.choice([i for i, d in enumerate(v.shape) if d.const])
        n = v.shape[ax].vals[0]
        k = rng.randint(1, 5)
        idx = [rng.randrange(n) for _ in range(k)]
        shape = list(v.shape)
        if rng.random() < 0.25:
            idx2 = [idx, [rng.randrange(n) for _ in range(k)]]
            shape[ax:ax + 1] = [Dim("T2", (2, 2)), Dim(f"T{k}", (k, k))]
            idxt = str(idx2)
        else:
            shape[ax] = Dim(f"T{k}", (k, k))
            idxt = str(idx)
        if ax == 0 and rng.random() < 0.3:
            nn = f"{v.name}[tensor({idxt}, dtype = i32)]"
        else:
            nn = f"take({v.name}, tensor({idxt}, dtype = i32), axis = {self.axis(v.rank, ax)})"
        self.emit(nn, f"np.take({v.name}, {idxt}, axis={ax})", shape, v.dtype, v.bound, v.lo, v)

    def op_pad(self):
        v = self.pick(lambda v: v.rank >= 1)
        rng = self.rng
        npairs = rng.randint(1, min(2, v.rank))
        pairs = [[rng.randint(0, 2), rng.randint(0, 2)] for _ in range(npairs)]
        val = rng.choice([None, 0.5, -1.0, 2.0])
        shape = list(v.shape)
        for j, (b, a) in enumerate(pairs):
            i = v.rank - npairs + j
            d = shape[i]
            if b + a:
                shape[i] = Dim(f"({d.label}+{b}+{a})", (d.vals[0] + b + a, d.vals[1] + b + a))
        flat = rng.random() < 0.3
        pt = str([x for p in pairs for x in p]) if flat else str(pairs)
        vt = f", value = {flit(val)}" if val is not None else ""
        pypairs = [(0, 0)] * (v.rank - npairs) + [tuple(p) for p in pairs]
        lo = min(v.lo, val) if v.lo and val and val > 0 else None
        self.emit(f"pad({v.name}, {pt}{vt})", f"np.pad({v.name}, {pypairs}, constant_values={val or 0.0})",
                  shape, v.dtype, max(v.bound, abs(val or 0.0)), lo, v)

    def op_loop(self):
        """A `for` over a range carrying a tensor (an IR loop when traced)."""
        rng = self.rng
        h = self.pick()
        a = self.pick(lambda a: bcast(h.shape, a.shape) is not None
                      and [d.label for d in bcast(h.shape, a.shape)] == [d.label for d in h.shape]
                      and promote(h.dtype, a.dtype) == h.dtype)
        k = rng.randint(1, 4)
        c = round(rng.uniform(0.2, 0.9), 2) * rng.choice([-1, 1])
        form = rng.randrange(4)
        v = Var(self.fresh(), h.shape, h.dtype, 0)
        n = v.name
        kc = self.klit(c, h.dtype)
        if form == 0:
            nn, py, v.bound = f"tanh({n} * {flit(c)} + {a.name})", f"np.tanh({n} * {kc} + {a.name})", max(1.0, h.bound)
        elif form == 1:
            nn, py, v.bound = f"{n} * {flit(c)} + sin({a.name})", f"{n} * {kc} + np.sin({a.name})", h.bound + k
        elif form == 2:
            nn, py, v.bound = (f"maximum({n}, {a.name}) * {flit(c)}", f"np.maximum({n}, {a.name}) * {kc}",
                               max(h.bound, a.bound))
        else:
            nn, py = f"{n} * {flit(c)} + {a.name} * i", f"{n} * {kc} + {a.name} * i"
            v.bound = h.bound + k * k * a.bound
        self.emit_block(v, [f"let {n} = {h.name}", f"for i in 0..{k} {{ {n} = {nn} }}"],
                        [f"{n} = {h.name}", f"for i in range({k}):", f"    {n} = _c({py}, DT['{v.dtype}'])"], h, a)

    def op_branch(self):
        """An `if` on a one-element tensor (an IR if when traced)."""
        rng = self.rng
        h = self.pick()
        b = self.pick()
        red = rng.choice(["sum", "mean", "max"])
        cmp = rng.choice([">", "<"])
        c = round(rng.uniform(-0.5, 0.5), 2)
        v = Var(self.fresh(), h.shape, h.dtype, 0)
        n = v.name
        forms = [(f"tanh({h.name})", f"np.tanh({h.name})", 1.0),
                 (f"{h.name} * 0.5", f"{h.name} * 0.5", h.bound),
                 (f"sin({h.name}) + {h.name}", f"np.sin({h.name}) + {h.name}", h.bound + 1),
                 (f"-{h.name}", f"-{h.name}", h.bound)]
        (t1, p1, b1), (t2, p2, b2) = rng.sample(forms, 2)
        v.bound = max(b1, b2)
        cond = f"{red}({b.name}) {cmp} {flit(c)}"
        pycond = f"_cmp(np.{red}({b.name}), '{cmp}', {flit(c)}, '{b.dtype}')"
        nn = [f"let {n} = {h.name}", f"if {cond} {{ {n} = {t1} }} else {{ {n} = {t2} }}"]
        py = [f"if {pycond}:", f"    {n} = _c({p1}, DT['{v.dtype}'])", "else:",
              f"    {n} = _c({p2}, DT['{v.dtype}'])"]
        if rng.random() < 0.5:  # the else-less form
            nn = [f"let {n} = {t2}", f"if {cond} {{ {n} = {t1} }}"]
        self.emit_block(v, nn, py, h, b)

    # -- the fn, the calls ------------------------------------------------

    def ann_shape(self, shape):
        out = []
        for d in shape:
            if d.label == "1":
                out.append("1")
            elif d.label in self.sym_bound:
                out.append(d.label)
            elif d.const:
                out.append(str(d.vals[0]))
            else:
                out.append("_")
        return f"[{', '.join(out)}]" if out else ""

    def _finish(self):
        rng = self.rng
        body = [v for v in self.pool if v.name.startswith("v")]
        if not body:
            raise Skip()
        sinks = [v for v in body if v.uses == 0]
        rng.shuffle(sinks)
        terms = sinks[:3] or [body[-1]]
        nn_terms, py_terms, dts = [], [], []
        for v in terms:
            name, dt = v.name, v.dtype
            # bf16 cannot be saved to .npy, and an f16 sum may overflow: to f32
            if dt == "bf16" or (dt == "f16" and (rng.random() < 0.7 or v.bound * v.numel(1) > 3e4)):
                name, dt = f"cast({v.name}, f32)", "f32"
            if v.rank == 0 and rng.random() < 0.5:
                nn_terms.append(name)
                py_terms.append(v.name)
            else:
                r = rng.choice(["sum", "mean"])
                nn_terms.append(f"{r}({name})")
                py_terms.append(f"np.{r}({v.name})")
            dts.append(dt)
        self.loss_dtype = promote(*dts)
        cands = [v for v in body if v.dtype != "bf16"]
        inter = rng.choice([v for v in cands if v.rank > 0] or cands or [None])
        if inter is None:
            inter = self.emit(f"cast({body[-1].name}, f32)", body[-1].name, body[-1].shape, "f32",
                              body[-1].bound, body[-1].lo, body[-1])
        self.inter = inter
        self.loss_nn = " + ".join(nn_terms)
        self.loss_py = f"_fin(_c({' + '.join(py_terms)}, DT['{self.loss_dtype}']), '{self.loss_dtype}', DT)"
        self.annotate_ret = rng.random() < 0.5

    def signature(self, annotate=True):
        if not annotate:
            return ", ".join(v.name for v, _ in self.params)
        return ", ".join(f"{v.name}: {v.dtype}{a}" for v, a in self.params)

    def input_expr(self, v, call):
        dims = ", ".join(str(d.vals[call]) for d in v.shape)
        dt = f", dtype = {v.dtype}" if v.dtype == "f64" or self.rng.random() < 0.3 else ""
        seed = self.rng.randrange(1, 10 ** 6)
        return f"randn([{dims}], seed = {seed}{dt})"

    def render(self):
        rng = random.Random(self.seed + 17)
        L = [f"# random program {self.seed} (test/fuzz/random_programs.py --print {self.seed})"]
        sig = self.signature(not self.unannotated)
        ret = ""
        if self.annotate_ret and not self.unannotated:
            ret = f" -> ({self.loss_dtype}, {self.inter.dtype}{self.ann_shape(self.inter.shape)})"
        L.append(f"fn f({sig}){ret} {{")
        for nn, _ in self.lines:
            if nn is not None:
                L.append("    " + nn)
        L.append(f"    return ({self.loss_nn}, {self.inter.name})")
        L.append("}")
        bdep = [v for v, _ in self.params if any(not d.const for d in v.shape)]
        names = {}
        for v, _ in self.params:
            if v not in bdep:
                L.append(f"let {v.name} = {self.input_expr(v, 0)}")
                L.append(f'save_npy({v.name}, "{v.name}.npy")')
                names[v.name] = [v.name, v.name]
        for call in (0, 1):
            for v in bdep:
                nm = f"{v.name}_{call + 1}"
                L.append(f"let {nm} = {self.input_expr(v, call)}")
                L.append(f'save_npy({nm}, "{nm}.npy")')
                names[v.name] = names.get(v.name, [None, None])
                names[v.name][call] = nm
        self.arg_names = names

        def args(call):
            out = []
            kw = rng.random() < 0.2
            for i, (v, _) in enumerate(self.params):
                a = names[v.name][call]
                out.append(f"{v.name} = {a}" if kw and i > 0 else a)
            return ", ".join(out)
        # Some programs call f through a wrapper that reads one argument from
        # a global reassigned before every call (a new value, and a new
        # shape when it has B): a compiled call must see what it holds now.
        grng = random.Random(self.seed + 29)
        via_global = None
        if "globals" not in self.exclude and grng.random() < 0.3:
            via_global = grng.choice([v for v, _ in self.params])
            wrapper_params = [v.name for v, _ in self.params if v is not via_global]
            L.append(f"let current_{via_global.name} = {names[via_global.name][0]}")
            L.append(f"fn f_global({', '.join(wrapper_params)}) {{")
            inner = [f"current_{v.name}" if v is via_global else v.name for v, _ in self.params]
            L.append(f"    return f({', '.join(inner)})")
            L.append("}")

        def call_f(call):
            if via_global is None:
                return f"f({args(call)})"
            L.append(f"current_{via_global.name} = {names[via_global.name][call]}")
            return f"f_global({', '.join(names[v.name][call] for v, _ in self.params if v is not via_global)})"
        self.outputs = []  # (file stem, kind, call)
        for k, call in ((1, 0), (2, 1), (3, 0)):
            L.append(f"let (loss_{k}, out_{k}) = {call_f(call)}")
            L.append(f'save_npy(loss_{k}, "loss_{k}.npy")')
            L.append(f'save_npy(out_{k}, "out_{k}.npy")')
            self.outputs.append((k, call))
        self.grads = []  # (file stem, call, param name or None for the loss)
        self.jvps = []   # (value stem, tangent stem, call, param name, tangent input stem)
        if self.do_grad:
            typed = rng.random() < 0.8 or "untyped_caller" in self.exclude
            L.append(f"fn loss_fn({self.signature(typed)}) {{")
            L.append(f"    let (l, _) = f({', '.join(v.name for v, _ in self.params)})")
            L.append("    return l")
            L.append("}")
            nparams = len(self.params)
            kinds = [k for k in ("grad", "value_and_grad") if k not in self.exclude]
            crng = random.Random(self.seed + 31)
            closures = "closures" not in self.exclude
            tup = lambda xs: "(" + ", ".join(xs) + ("," if len(xs) == 1 else "") + ")"
            all_names = ", ".join(v.name for v, _ in self.params)

            def closure_wrapper(name, inner_params, extra, body):
                """A compiled fn taking every argument of loss_fn (and `extra`),
                whose inner fn takes `inner_params` and captures the rest."""
                sig = self.signature(True) + extra
                L.append(f"fn {name}({sig}) {{")
                L.append(f"    fn inner({', '.join(f'{v.name}: {v.dtype}{a}' for v, a in inner_params)}) "
                         f"{{ return loss_fn({all_names}) }}")
                L.append(f"    return {body}")
                L.append("}")
            for call in ((0, 1) if rng.random() < 0.5 else (0,)):
                kind = rng.choice(kinds)
                argnums = sorted(rng.sample(range(nparams), rng.randint(1, nparams)))
                single = len(argnums) == 1 and rng.random() < 0.7
                if single and argnums == [0] and rng.random() < 0.5:
                    argtxt = ""
                elif single:
                    argtxt = f", argnums = {argnums[0]}"
                else:
                    argtxt = ", argnums = (" + ", ".join(map(str, argnums)) + ("," if len(argnums) == 1 else "") + ")"
                gnames = [f"g{call + 1}_{self.params[i][0].name}" for i in argnums]
                gpat = gnames[0] if single else "(" + ", ".join(gnames) + ("," if len(gnames) == 1 else "") + ")"
                callargs = ", ".join(names[v.name][call] for v, _ in self.params)
                transformed = f"{kind}(loss_fn{argtxt})({callargs})"
                if closures and crng.random() < 0.3:
                    diff = [self.params[i] for i in argnums]
                    inner_argnums = "" if single else ", argnums = " + tup([str(k) for k in range(len(diff))])
                    closure_wrapper(f"closure_{kind}{call + 1}", diff, "",
                                    f"{kind}(inner{inner_argnums})({', '.join(v.name for v, _ in diff)})")
                    transformed = f"closure_{kind}{call + 1}({callargs})"
                if kind == "value_and_grad":
                    L.append(f"let (gv{call + 1}, {gpat}) = {transformed}")
                    L.append(f'save_npy(gv{call + 1}, "gv{call + 1}.npy")')
                else:
                    L.append(f"let {gpat} = {transformed}")
                for i, g in zip(argnums, gnames):
                    L.append(f'save_npy({g}, "{g}.npy")')
                    self.grads.append((g, call, self.params[i][0].name))
                if kind == "value_and_grad":
                    self.grads.append((f"gv{call + 1}", call, None))
                if "jvp" not in self.exclude and rng.random() < 0.4:
                    # forward mode along a random tangent for one differentiated argument
                    j = rng.choice(argnums)
                    pv = self.params[j][0]
                    tn = f"t{call + 1}_{pv.name}"
                    L.append(f"let {tn} = {self.input_expr(pv, call)}")
                    L.append(f'save_npy({tn}, "{tn}.npy")')
                    tangents = [tn if i == j else f"zeros_like({names[v.name][call]})"
                                for i, (v, _) in enumerate(self.params)]
                    if closures and crng.random() < 0.3:
                        pa = self.params[j][1]
                        closure_wrapper(f"closure_jvp{call + 1}", [self.params[j]], f", tangent: {pv.dtype}{pa}",
                                        f"jvp(inner, ({pv.name},), (tangent,))")
                        L.append(f"let (jv{call + 1}, jt{call + 1}) = closure_jvp{call + 1}({callargs}, {tn})")
                    else:
                        L.append(f"let (jv{call + 1}, jt{call + 1}) = jvp(loss_fn, "
                                 f"{tup([names[v.name][call] for v, _ in self.params])}, {tup(tangents)})")
                    L.append(f'save_npy(jv{call + 1}, "jv{call + 1}.npy")')
                    L.append(f'save_npy(jt{call + 1}, "jt{call + 1}.npy")')
                    self.jvps.append((f"jv{call + 1}", f"jt{call + 1}", call, pv.name, tn,
                                      f"g{call + 1}_{pv.name}"))
        self.hessian = None
        if self.do_grad and self.dtype == "f64" and "hessian" not in self.exclude and rng.random() < 0.5 \
                and not any(f"hessian:{op}" in self.exclude for op in self.ops_used):
            self.render_hessian(L, names, rng)
        L.append('print("done")')
        return "\n".join(L) + "\n"

    def render_hessian(self, L, names, rng):
        """Hessian-vector products of the loss w.r.t. one argument, two ways
        (forward over reverse: jvp of grad; reverse over reverse: grad of
        sum(grad * t)), and the gradient at x +- h t for a finite difference."""
        j = rng.randrange(len(self.params))
        pv = self.params[j][0]
        pnames = ", ".join(v.name for v, _ in self.params)
        sig = self.signature(True)
        args = [names[v.name][0] for v, _ in self.params]
        L.append(f"fn gfn({sig}) {{ return grad(loss_fn, argnums = {j})({pnames}) }}")
        L.append(f"let ht = {self.input_expr(pv, 0)}")
        L.append('save_npy(ht, "ht.npy")')
        tangents = ["ht" if i == j else f"zeros_like({a})" for i, a in enumerate(args)]
        tup = lambda xs: "(" + ", ".join(xs) + ("," if len(xs) == 1 else "") + ")"
        L.append(f"let (h0, hv) = jvp(gfn, {tup(args)}, {tup(tangents)})")
        L.append(f"fn hsum({sig}) {{ return sum(gfn({pnames}) * ht) }}")
        L.append(f"let hr = grad(hsum, argnums = {j})({', '.join(args)})")
        for nm, sgn in (("hp", "+"), ("hm", "-")):
            a2 = [f"{a} {sgn} {FD_STEP!r} * ht" if i == j else a for i, a in enumerate(args)]
            L.append(f"let {nm} = gfn({', '.join(a2)})")
        for nm in ("h0", "hv", "hr", "hp", "hm"):
            L.append(f'save_npy({nm}, "{nm}.npy")')
        self.hessian = pv.name

    def reference(self):
        """Python source of the NumPy reference: def f(<params>, DT)."""
        L = ["import numpy as np", "", PY_PRELUDE, "",
             f"def f({', '.join(v.name for v, _ in self.params)}, DT):"]
        for v, _ in self.params:
            L.append(f"    {v.name} = _c({v.name}, DT['{v.dtype}'])")
        for _, py in self.lines:
            if py is not None:
                L.append("    " + py)
        L.append(f"    return ({self.loss_py}, _fin({self.inter.name}, '{self.inter.dtype}', DT))")
        return "\n".join(L) + "\n"


PY_PRELUDE = '''\
_NOISE = None  # a numpy Generator while the runner estimates the conditioning
_FLIP = False  # flip near-ties (of comparisons, sign, %) while it does
_DELTA = {"f16": 2.0 ** -9, "bf16": 2.0 ** -6, np.dtype(np.float32): 2.0 ** -21, np.dtype(np.float64): 2.0 ** -49,
          "f32": 2.0 ** -21, "f64": 2.0 ** -49}
_OPS = {">": np.greater, "<": np.less, ">=": np.greater_equal, "<=": np.less_equal,
        "==": np.equal, "!=": np.not_equal}

def _near(a, b, dt):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.abs(a - b) <= 8 * _DELTA[dt] * (np.abs(a) + np.abs(b) + 1e-3)

def _cmp(a, op, b, dt):
    r = _OPS[op](a, b)
    return np.where(_near(a, b, dt), ~r, r) if _FLIP else r

def _sign(a, dt):
    r = np.sign(a)
    return np.where(_near(a, 0.0, dt), np.where(r == 0, 1.0, -r), r).astype(r.dtype) if _FLIP else r

def _mod(a, b, dt):
    r = np.mod(a, b)
    if _FLIP:
        lo, hi = _near(r, 0.0, dt), _near(r, b, dt)
        r = np.where(lo, r + b, np.where(hi, r - b, r)).astype(r.dtype)
    return r

def _c(a, dt):
    """To dtype dt; 'f16'/'bf16' round to 16 bits and stay float32 (computed in f32)."""
    a = np.asarray(a)
    if isinstance(dt, str):
        a = a.astype(np.float32)
        if dt == "f16":
            a = a.astype(np.float16).astype(np.float32)
        else:
            u = a.view(np.uint32).astype(np.uint64)
            one, shift = np.uint64(1), np.uint64(16)   # uint64 constants: a rank-0 u would promote a Python int to float
            u = (u + np.uint64(0x7FFF) + ((u >> shift) & one)) & np.uint64(0xFFFF0000)
            a = u.astype(np.uint32).view(np.float32)
    else:
        a = a.astype(dt)
    if _NOISE is not None:
        d = _DELTA[dt if isinstance(dt, str) else np.dtype(dt)]
        a = (a * (1 + d * _NOISE.uniform(-1, 1, a.shape)) + d * _NOISE.uniform(-1, 1, a.shape)).astype(a.dtype)
    return a

def _fin(a, dt, DT):
    """A returned value in its .nn dtype."""
    return a.astype(np.float16) if dt == "f16" and DT["actual"] else a

def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))

def _gelu(a):
    return 0.5 * a * (1.0 + np.tanh(0.7978845608028654 * (a + 0.044715 * a * a * a)))

def _softmax(a, ax):
    e = np.exp(a - np.max(a, axis=ax, keepdims=True))
    return e / np.sum(e, axis=ax, keepdims=True)

def _log_softmax(a, ax):
    s = a - np.max(a, axis=ax, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=ax, keepdims=True))

def _logsumexp(a, axis, keepdims):
    m = np.max(a, axis=axis, keepdims=True)
    r = m + np.log(np.sum(np.exp(a - m), axis=axis, keepdims=True))
    if not keepdims:
        r = np.squeeze(r, axis=axis) if axis is not None else r.reshape(())
    return r
'''


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
