"""Tolerances, the op lists, shapes with symbolic dims, values of a program
and the helpers every part of the generator uses."""

import math


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
