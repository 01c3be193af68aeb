"""The other ops a program draws: reductions, softmax, matmul, shape ops,
indexing, casts, host dims, and `for` / `if` / `while` on tensors."""

import math

from .common import *  # noqa: F401,F403


class StructureOps:
    """Mixin of Program: one method per op that is not elementwise."""

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
