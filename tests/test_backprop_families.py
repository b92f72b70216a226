"""The backprop, loss and layer families against PyTorch: every answer over 200 draws per difficulty,
every catalogued mistake recomputed here (custom autograd functions, torch formulas, plain loops —
never the family's own mistake function) and diagnosed by name, and every mistake told apart from
the right answer in every draw."""

from __future__ import annotations

import ast
import re

import numpy as np
import pytest

from cardcli.diagnosis import diagnose_problem, same_answer
from generators.families import FAMILIES, mistake_answers, problem

torch = pytest.importorskip("torch")
F = torch.nn.functional

NEW = ("graph-backprop", "softmax-loss", "svm-loss", "linear-backward", "activation-backward", "batchnorm", "dropout")
DRAWS = 200
T = torch.float64


def t(a):
    return torch.tensor(np.asarray(a, dtype=float), dtype=T)


def leaf(a):
    return t(a).requires_grad_(True)


def close(answer, reference) -> bool:
    return np.allclose(np.asarray(answer, dtype=float), np.asarray(reference, dtype=float), rtol=1e-8, atol=1e-9)


# -- graph expressions under torch ----------------------------------------------------------------
class _Max(torch.autograd.Function):
    """max(a, b) whose backward sends the gradient to both inputs (the mistake)."""

    @staticmethod
    def forward(ctx, a, b):
        return torch.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        return g, g


class _SigIn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return torch.sigmoid(u)

    @staticmethod
    def backward(ctx, g):
        (u,) = ctx.saved_tensors
        return g * u * (1 - u)


class _TanhIn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, u):
        ctx.save_for_backward(u)
        return torch.tanh(u)

    @staticmethod
    def backward(ctx, g):
        (u,) = ctx.saved_tensors
        return g * (1 - u * u)


class _MulOwn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * a, g * b


class _SubPlus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, g


class _Calls(ast.NodeTransformer):
    """a * b -> mul(a, b), a - b -> sub(a, b) so the test can swap in a wrong backward."""

    def visit_BinOp(self, node):
        self.generic_visit(node)
        name = {ast.Mult: "mul", ast.Sub: "sub"}.get(type(node.op))
        if name is None:
            return node
        return ast.Call(ast.Name(name, ast.Load()), [node.left, node.right], [])


def torch_graph(params, mistake: str | None = None):
    """(f, {name: grad}) by torch autograd; ``mistake`` swaps one gate's backward for a wrong one."""
    names = list(params["values"])
    expr = params["expression"]
    ns = {"exp": torch.exp, "log": torch.log, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu,
          "square": torch.square, "max": torch.maximum, "mul": lambda a, b: a * b, "sub": lambda a, b: a - b}
    if mistake == "max-grad-to-both":
        ns["max"] = _Max.apply
    if mistake == "derivative-at-input":
        ns["sigmoid"], ns["tanh"] = _SigIn.apply, _TanhIn.apply
    if mistake == "mul-grad-own-input":
        ns["mul"] = _MulOwn.apply
    if mistake == "sub-sign-dropped":
        ns["sub"] = _SubPlus.apply
    expr = ast.unparse(_Calls().visit(ast.parse(expr, mode="eval")))
    leaves: dict[str, list] = {n: [] for n in names}
    if mistake == "fanout-not-summed":  # one leaf per use; the first use's gradient only
        counter = {n: 0 for n in names}

        def one_use(m):
            n = m.group(0)
            if n not in counter:
                return n
            counter[n] += 1
            return f"{n}__{counter[n]}"

        expr = re.sub(r"\b[A-Za-z_]\w*\b", one_use, expr)
        for n in names:
            for k in range(1, counter[n] + 1):
                x = leaf(params["values"][n])
                ns[f"{n}__{k}"] = x
                leaves[n].append(x)
    else:
        for n in names:
            x = leaf(params["values"][n])
            ns[n] = x
            leaves[n].append(x)
    f = eval(expr, {"__builtins__": {}}, ns)  # noqa: S307 - the test's own expression grammar
    f.backward()
    grads = {}
    for n, xs in leaves.items():
        g = xs[0].grad if xs else None
        grads[n] = 0.0 if g is None else float(g)
    return f.item(), grads


def graph_answer(params, mistake=None):
    f, grads = torch_graph(params, mistake)
    return {"value": f, "grads": {n: grads[n] for n in params["wrt"]}}


# -- the other families in torch --------------------------------------------------------------------
def torch_softmax(params, mistake=None):
    s, y = leaf(params["scores"]), torch.tensor(params["labels"])
    n = len(params["labels"])
    if params["wrt"] == "loss":
        if mistake == "log-base-10":
            return (-(torch.log_softmax(s, 1)[torch.arange(n), y] / np.log(10)).mean()).item()
        if mistake == "label-score-dropped":
            return torch.logsumexp(s, 1).mean().item()
        loss = F.cross_entropy(s, y, reduction="sum" if mistake == "not-divided-by-n" else "mean")
        return loss.item()
    loss = F.cross_entropy(s, y, reduction="sum" if mistake == "not-divided-by-n" else "mean")
    loss.backward()
    g = s.grad.numpy().copy()
    if mistake == "label-not-subtracted":
        g[np.arange(n), params["labels"]] += 1 / n
    if mistake == "grad-sign-flipped":
        g = -g
    if mistake == "label-column-only":
        keep = np.zeros_like(g)
        keep[np.arange(n), params["labels"]] = 1
        g = g * keep
    return g


def torch_svm(params, mistake=None):
    s, y = leaf(params["scores"]), torch.tensor(params["labels"])
    n, c = s.shape
    delta = float(params["margin"]) * (-1 if mistake == "margin-sign" else 1)
    margins = s - s[torch.arange(n), y][:, None] + delta
    terms = margins if mistake == "hinge-not-clipped" else torch.clamp(margins, min=0)
    mask = torch.ones(n, c, dtype=T)
    if mistake != "svm-own-class-counted":
        mask[torch.arange(n), y] = 0
    loss = (terms * mask).sum() / (1 if mistake == "not-divided-by-n" else n) / (c if mistake == "divided-by-c" else 1)
    if params["wrt"] == "loss":
        return loss.item()
    loss.backward()
    g = s.grad.numpy().copy()
    if mistake == "svm-label-grad-missing":
        g[np.arange(n), params["labels"]] = 0
    return g


def torch_linear(params, mistake=None):
    x, w, b = leaf(params["x"]), leaf(params["w"]), leaf(params["b"])
    g = t(params["grad_output"])
    if mistake == "upstream-ignored":
        g = torch.ones_like(g)
    if mistake == "one-sample-only":
        x2 = x[:1]
        (x2 @ w + b).backward(g[:1])
    else:
        (x @ w + b).backward(g)
    wrt = params["wrt"]
    out = {"x": x.grad, "w": w.grad, "b": b.grad[None, :]}[wrt].numpy()
    if mistake == "batch-averaged":
        out = out / len(params["x"])
    if mistake == "weight-not-transposed":
        out = (t(params["grad_output"]) @ t(params["w"])).numpy() if wrt == "x" else out.T
    return out


def _act(fn, slope):
    return {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}.get(fn, lambda v: F.leaky_relu(v, slope))


def torch_activation(params, mistake=None):
    x, g = leaf(params["x"]), t(params["grad_output"])
    fn = params["fn"]
    slope = float(params.get("slope", 0.01))
    if mistake == "derivative-at-input":
        out = (_SigIn.apply if fn == "sigmoid" else _TanhIn.apply)(x)
    elif mistake == "forward-output-used":
        with torch.no_grad():
            y = _act(fn, slope)(x)
        return (g * y).numpy()
    elif mistake == "relu-mask-inverted":
        out = torch.relu(-x) * -1 if fn == "relu" else -F.leaky_relu(-x, slope) * 1
        # leaky: slope where x > 0, 1 where x < 0: d/dx of -leaky(-x) is 1 for x<0 and slope for x>0
    elif mistake == "leaky-slope-ignored":
        out = torch.relu(x)
    elif mistake == "derivative-factor-missing":
        with torch.no_grad():
            y = torch.sigmoid(x) if fn == "sigmoid" else torch.tanh(x)
        return (g * (1 - y)).numpy()
    else:
        out = _act(fn, slope)(x)
    out.backward(torch.ones_like(g) if mistake == "upstream-ignored" else g)
    return x.grad.numpy()


def torch_batchnorm(params, mistake=None):
    x, gamma, beta = leaf(params["x"]), leaf(params["gamma"]), leaf(params["beta"])
    eps, wrt = float(params["eps"]), params["wrt"]
    n = x.shape[0]
    if mistake == "sample-variance":
        mu = x.mean(0)
        xh = (x - mu) / torch.sqrt(x.var(0, unbiased=True) + eps)
        out = gamma * xh + beta
    elif mistake == "bn-normalized-over-features":
        out = gamma * F.layer_norm(x, (x.shape[1],), eps=eps) + beta
    elif mistake == "bn-variance-not-rooted":
        mu = x.mean(0)
        out = gamma * (x - mu) / (x.var(0, unbiased=False) + eps) + beta
    elif mistake in ("bn-mean-var-paths-dropped", "bn-variance-path-dropped"):
        mu = x.mean(0)
        var = x.var(0, unbiased=False)
        if mistake == "bn-mean-var-paths-dropped":
            mu = mu.detach()
        var = var.detach()
        out = gamma * (x - mu) / torch.sqrt(var + eps) + beta
    elif mistake == "gamma-ignored":
        out = F.batch_norm(x, None, None, None, beta, training=True, eps=eps)
    else:
        out = F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)
    if wrt == "forward":
        return out.detach().numpy()
    out.backward(t(params["grad_output"]))
    got = {"x": x.grad, "gamma": gamma.grad, "beta": beta.grad}
    if mistake == "gamma-beta-grads-swapped":
        got["gamma"], got["beta"] = got["beta"], got["gamma"]
    r = got[wrt].numpy()
    r = r[None, :] if r.ndim == 1 else r
    return r / n if mistake == "batch-averaged" else r


def torch_dropout(params, mistake=None):
    x = leaf(params["x"])
    mask, p = t(params["mask"]), float(params["p_drop"])
    if params["mode"] == "eval":
        drop = torch.nn.Dropout(p).eval()
        out = drop(x)
        if mistake == "dropout-scaled-at-eval":
            out = out * (1 - p)
        if mistake == "dropout-at-eval":
            out = out * mask / (1 - p)
    else:
        scales = {"dropout-scaled-by-p": p, "dropout-divided-by-p": 1 / p, "dropout-not-scaled": 1.0}
        scale = scales.get(mistake, 1 / (1 - p))
        m = 1 - mask if mistake == "dropout-mask-inverted" else mask
        out = x * m * scale
        if mistake == "dropout-grad-unmasked":
            out = x * scale
    if params["wrt"] == "forward":
        return out.detach().numpy()
    out.backward(t(params["grad_output"]))
    return x.grad.numpy()


REFERENCE = {"graph-backprop": graph_answer, "softmax-loss": torch_softmax, "svm-loss": torch_svm,
             "linear-backward": torch_linear, "activation-backward": torch_activation,
             "batchnorm": torch_batchnorm, "dropout": torch_dropout}


def _same(answer, reference) -> bool:
    if isinstance(answer, dict):
        return close(answer["value"], reference["value"]) and all(
            close(answer["grads"][n], reference["grads"][n]) for n in answer["grads"])
    return close(answer, reference)


# -- tests ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("family", NEW)
@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_pytorch(family, difficulty):
    for i in range(DRAWS):
        p = problem(family, 7, difficulty, i)
        ref = REFERENCE[family](p.params)
        assert _same(p.answer, ref), (p.id, p.params, p.answer, ref)


@pytest.mark.parametrize("family", NEW)
@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_every_mistake_is_distinguishable_in_every_draw(family, difficulty):
    for i in range(DRAWS):
        p = problem(family, 11, difficulty, i)
        for m, wrong in mistake_answers(family, p.params):
            assert not same_answer(wrong, p.answer, p.answer_kind, p.tolerance), (p.id, m.id, p.params)


def _wrong_value(p, ref):
    """A student's answer built from the torch recomputation: for graph-backprop the right forward
    value with the wrong gradients."""
    if p.family == "graph-backprop":
        return {"value": p.answer["value"], "grads": {n: float(v) for n, v in ref["grads"].items()}}
    if isinstance(ref, float):
        return ref
    return [[float(v) for v in row] for row in np.asarray(ref)]


@pytest.mark.parametrize("family", NEW)
def test_every_mistake_recomputed_in_torch_and_diagnosed_by_name(family):
    ids = {m.id for m in FAMILIES[family].mistakes}
    assert len(ids) >= 4
    seen: dict[str, int] = {}
    for d in (1, 2, 3):
        for i in range(60):
            p = problem(family, 5, d, i)
            for m, _ in mistake_answers(family, p.params):
                ref = REFERENCE[family](p.params, m.id)
                found = diagnose_problem(p, _wrong_value(p, ref))
                assert found is not None and m.id in found.ids, (p.id, m.id, p.params, ref)
                seen[m.id] = seen.get(m.id, 0) + 1
    assert set(seen) == ids, f"mistakes never exercised: {ids - set(seen)}"


def test_nn_dropout_scales_like_the_family():
    """nn.Dropout in training keeps a unit with x/(1 − p) and zeroes the rest: the family's rule."""
    torch.manual_seed(0)
    x = torch.arange(1.0, 201.0, dtype=T)
    out = torch.nn.Dropout(0.25)(x)
    kept = out != 0
    assert 0 < int(kept.sum()) < 200
    assert torch.allclose(out[kept], x[kept] / 0.75)
