"""The elementwise ops a program draws: unary, binary, `where` and logic."""

import math

from .common import *  # noqa: F401,F403


class ElementwiseOps:
    """Mixin of Program: one method per elementwise op."""

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
