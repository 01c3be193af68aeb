"""A program as text: the .nn script nnc runs and the NumPy reference it is
checked against (with the prelude of helpers the reference uses)."""

import random

from .common import *  # noqa: F401,F403


class Rendering:
    """Mixin of Program: its .nn and reference texts."""

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
