"""graph-backprop: forward value and backward pass of a small computational graph (CS231n staged
backprop), marked part by part with follow-through.

The expression is Python syntax over the names in ``values``: ``+ - * /``, unary minus, ``exp``,
``log``, ``sigmoid``, ``tanh``, ``relu``, ``square`` and ``max(a, b)``. A name used twice is a
fan-out: its gradient is the sum over its uses. The answer is ``{"value": f, "grads": {name: ∂f/∂name}}``
(upstream gradient 1); parts ``value`` then ``grads.<name>`` for each name in ``wrt``.

Follow-through: when the last gate is sigmoid, tanh or exp its local gradient is written with its
output (σ(1 − σ), 1 − t², eᵘ); a student whose forward value is wrong and who backpropagates from
that value earns the gradient parts (their ``follow`` recomputes them from the student's value).
"""

from __future__ import annotations

import ast
import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from generators.families._common import FamilySpec, num, pick
from generators.families._grad import TOL, TOL_TEXT, differs
from generators.parts import Part
from generators.problem import Draft, Mistake
from generators.render import fmt, product

__all__ = ["SPECS", "MISTAKES", "make", "evaluate", "parse", "gradients"]

FUNCS = {"exp": 1, "log": 1, "sigmoid": 1, "tanh": 1, "relu": 1, "square": 1, "max": 2}
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
#: gates whose local gradient is written with their output
OUTPUT_BASED = ("sigmoid", "tanh", "exp")


@dataclass
class Node:
    op: str  # "var", "const", "+", "-", "*", "/", "neg" or a function name
    kids: list[Node] = field(default_factory=list)
    var: str = ""
    const: float = 0.0
    v: float = 0.0
    label: str = ""


def parse(expression: str, names: set[str]) -> Node:
    """The expression tree; raises ValueError on anything outside the grammar."""
    if len(expression) > 400:
        raise ValueError("expression too long")

    def build(e: ast.AST) -> Node:
        if isinstance(e, ast.BinOp) and type(e.op) in _BINOPS:
            return Node(_BINOPS[type(e.op)], [build(e.left), build(e.right)])
        if isinstance(e, ast.UnaryOp) and isinstance(e.op, ast.USub):
            return Node("neg", [build(e.operand)])
        if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id in FUNCS \
                and len(e.args) == FUNCS[e.func.id] and not e.keywords:
            return Node(e.func.id, [build(a) for a in e.args])
        if isinstance(e, ast.Name) and e.id in names:
            return Node("var", var=e.id)
        if isinstance(e, ast.Constant) and isinstance(e.value, (int, float)) and not isinstance(e.value, bool):
            return Node("const", const=float(e.value))
        raise ValueError(f"unsupported syntax in expression: {ast.dump(e)[:60]}")

    return build(_syntax(expression))


@functools.lru_cache(maxsize=512)
def _syntax(expression: str) -> ast.expr:
    """The parsed expression (cached: every mistake re-reads the same few templates; never mutated)."""
    return ast.parse(expression, mode="eval").body


def _sig(u: float) -> float:
    return 1 / (1 + math.exp(-u)) if u >= 0 else math.exp(u) / (1 + math.exp(u))


def evaluate(node: Node, values: dict[str, float]) -> float:
    """Forward pass: every node's ``v`` set; the root's value returned."""
    for k in node.kids:
        evaluate(k, values)
    a = node.kids[0].v if node.kids else 0.0
    b = node.kids[1].v if len(node.kids) > 1 else 0.0
    op = node.op
    if op == "var":
        node.v = float(values[node.var])
    elif op == "const":
        node.v = node.const
    elif op == "+":
        node.v = a + b
    elif op == "-":
        node.v = a - b
    elif op == "*":
        node.v = a * b
    elif op == "/":
        node.v = a / b
    elif op == "neg":
        node.v = -a
    elif op == "exp":
        node.v = math.exp(a)
    elif op == "log":
        node.v = math.log(a)
    elif op == "sigmoid":
        node.v = _sig(a)
    elif op == "tanh":
        node.v = math.tanh(a)
    elif op == "relu":
        node.v = max(a, 0.0)
    elif op == "square":
        node.v = a * a
    elif op == "max":
        node.v = max(a, b)
    return node.v


@dataclass(frozen=True)
class Flags:
    """Which wrong procedure the backward pass follows (all False: the right one)."""

    first_only: bool = False  # a fan-out keeps only its first use's gradient (overwritten, not summed)
    max_both: bool = False  # a max gate sends the gradient to both inputs
    at_input: bool = False  # sigmoid/tanh derivative taken at the gate's input instead of its output
    mul_own: bool = False  # a multiply gate gives each input its own value times the upstream
    sub_sign: bool = False  # a subtract gate gives + upstream to its second input


def _local(n: Node, i: int, flags: Flags, out: float) -> float:
    """The local gradient ∂n/∂kid_i (``out`` is the value used as the gate's output)."""
    a = n.kids[0].v
    b = n.kids[1].v if len(n.kids) > 1 else 0.0
    op = n.op
    if op == "+":
        return 1.0
    if op == "-":
        return 1.0 if i == 0 or flags.sub_sign else -1.0
    if op == "*":
        return (a if i == 0 else b) if flags.mul_own else (b if i == 0 else a)
    if op == "/":
        return 1 / b if i == 0 else -a / (b * b)
    if op == "neg":
        return -1.0
    if op == "exp":
        return out
    if op == "log":
        return 1 / a
    if op == "sigmoid":
        return a * (1 - a) if flags.at_input else out * (1 - out)
    if op == "tanh":
        return 1 - a * a if flags.at_input else 1 - out * out
    if op == "relu":
        return 1.0 if a > 0 else 0.0
    if op == "square":
        return 2 * a
    if op == "max":
        if flags.max_both:
            return 1.0
        return 1.0 if (a > b) == (i == 0) else 0.0
    raise ValueError(op)


def backward(root: Node, flags: Flags = Flags(), root_value: float | None = None,
             lines: list[str] | None = None) -> dict[str, float]:
    """∂f/∂name for every name (upstream 1), after :func:`evaluate`. ``root_value`` replaces the
    last gate's output in its local gradient (follow-through); ``lines`` collects the worked steps."""
    grads: dict[str, float] = {}
    terms: dict[str, list[float]] = {}
    seen: set[str] = set()

    def go(n: Node, up: float) -> None:
        if n.op == "var":
            if flags.first_only and n.var in seen:
                return
            seen.add(n.var)
            grads[n.var] = grads.get(n.var, 0.0) + up
            terms.setdefault(n.var, []).append(up)
            return
        if n.op == "const":
            return
        out = root_value if (n is root and root_value is not None) else n.v
        for i, k in enumerate(n.kids):
            local = _local(n, i, flags, out)
            g = up * local
            if lines is not None and k.op != "const":
                lines.append(f"∂f/∂{k.label} {'+=' if k.op == 'var' else '='} ∂f/∂{n.label} · {_local_text(n, i, out)}"
                             f" = {product(_r(up), _r(local))} = {fmt(_r(g))}")
            go(k, g)

    go(root, 1.0)
    if lines is not None:
        for name, ts in terms.items():
            if len(ts) > 1:
                lines.append(f"∂f/∂{name} = {' + '.join(fmt(_r(t)) if t >= 0 else f'({fmt(_r(t))})' for t in ts)}"
                             f" = {fmt(_r(grads[name]))} (fan-out: {name} is used {len(ts)} times, the paths add up)")
    return grads


def _r(x: float) -> float:
    return float(f"{x:.6g}")


def _local_text(n: Node, i: int, out: float) -> str:
    a, op = n.kids[0], n.op
    b = n.kids[1] if len(n.kids) > 1 else None
    if op == "+":
        return "1"
    if op == "-":
        return "1" if i == 0 else "(−1)"
    if op == "*":
        assert b is not None
        other = b if i == 0 else a
        return f"{other.label} ({fmt(_r(other.v))})"
    if op == "/":
        assert b is not None
        return f"1/{b.label}" if i == 0 else f"(−{a.label}/{b.label}²)"
    if op == "neg":
        return "(−1)"
    if op == "exp":
        return f"exp({a.label}) ({fmt(_r(out))}, the gate's output)"
    if op == "log":
        return f"1/{a.label}"
    if op == "sigmoid":
        return f"σ(1 − σ) with σ = {fmt(_r(out))} (the gate's output)"
    if op == "tanh":
        return f"(1 − t²) with t = {fmt(_r(out))} (the gate's output)"
    if op == "relu":
        return f"[{a.label} > 0] ({1 if a.v > 0 else 0})"
    if op == "square":
        return f"2·{a.label}"
    assert b is not None
    win = a if a.v > b.v else b
    return f"[{'first' if i == 0 else 'second'} input is the max] ({1 if (a.v > b.v) == (i == 0) else 0}; " \
           f"max picks {win.label} = {fmt(_r(win.v))})"


def _label(root: Node) -> list[Node]:
    """Name internal nodes t1, t2, … in evaluation (post-) order; variables by name; the root f."""
    order: list[Node] = []

    def walk(n: Node) -> None:
        for k in n.kids:
            walk(k)
        if n.op == "var":
            n.label = n.var
        elif n.op == "const":
            n.label = fmt(n.const)
        else:
            order.append(n)

    walk(root)
    for i, n in enumerate(order, 1):
        n.label = f"t{i}"
    root.label = "f" if root.op not in ("var", "const") else root.label
    return order


_SYM = {"+": "+", "-": "−", "*": "·", "/": "/"}


def _gate_text(n: Node, numbers: bool) -> str:
    def show(k: Node, wrap: bool = True) -> str:
        if not numbers:
            return k.label
        s = fmt(_r(k.v))
        return f"({s})" if wrap and s.startswith("-") else s

    if n.op in _SYM:
        return f"{show(n.kids[0])} {_SYM[n.op]} {show(n.kids[1])}"
    if n.op == "neg":
        return f"−{show(n.kids[0])}"
    return f"{n.op}({', '.join(show(k, wrap=False) for k in n.kids)})"


# -- drawing ------------------------------------------------------------------------------------
#: (template, integer-only): a b c d are replaced by drawn names
TEMPLATES: dict[int, tuple[str, ...]] = {
    1: ("(a + b) * c", "a * b + max(b, c)", "max(a, b) * (c - a)", "(a - b) * (a + c)", "square(a - b) + b * c",
        "a * b * c", "max(a * b, c) - b", "relu(a * b - c) + a", "(a + b) * (b - c)"),
    2: ("sigmoid(a * b + c)", "sigmoid(w0 * x0 + w1 * x1 + w2)", "tanh(a * b) + c * a", "exp(a - b) * c",
        "log(1 + exp(a * b))", "square(a * b - c) + max(a, c)", "sigmoid(a) * max(b, c)", "a / (1 + square(b)) - c",
        "tanh(a * b - c)", "exp(a * b - c)"),
    3: ("sigmoid(w0 * x0 + w1 * x1 + w2) * x0", "tanh(a * b + c) * max(a, c)", "log(1 + exp(a * b - c)) + square(a)",
        "sigmoid(a * b) - tanh(b * c)", "relu(a * b + c) * sigmoid(c - a)", "exp(-square(a - b)) * c",
        "max(a * b, c * d) / (1 + square(d))", "sigmoid(a * b + c * d - a)", "tanh(square(a) - b * c + d)"),
}
_NAMES = (("x", "y", "z", "w"), ("a", "b", "c", "d"), ("p", "q", "r", "s"), ("u", "v", "w", "z"))


def _values(rng: np.random.Generator, names: list[str], d: int) -> dict[str, int | float]:
    if d == 1:
        pool = [v for v in range(-4, 6) if v != 0]
        return {n: int(pick(rng, pool)) for n in names}
    halves = [v / 2 for v in range(-6, 7) if v != 0]
    return {n: num(pick(rng, halves)) for n in names}


def _variables(root: Node) -> list[str]:
    out: list[str] = []

    def walk(n: Node) -> None:
        if n.op == "var" and n.var not in out:
            out.append(n.var)
        for k in n.kids:
            walk(k)

    walk(root)
    return out


def _well_posed(root: Node) -> bool:
    """No gradient on a kink: no max tie, no relu at 0, no log of ≤ 0, no division by ~0, no overflow."""
    ok = True

    def walk(n: Node) -> None:
        nonlocal ok
        for k in n.kids:
            walk(k)
        if n.op == "max" and abs(n.kids[0].v - n.kids[1].v) < 1e-9:
            ok = False
        if n.op == "relu" and abs(n.kids[0].v) < 1e-9:
            ok = False
        if n.op == "/" and abs(n.kids[1].v) < 1e-6:
            ok = False
        if abs(n.v) > 1e6:
            ok = False

    walk(root)
    return ok


def gradients(params: dict, flags: Flags = Flags(), root_value: float | None = None) -> tuple[float, dict[str, float]]:
    """(f, {name: ∂f/∂name}) of ``params`` with the procedure ``flags``."""
    values = params["values"]
    root = parse(params["expression"], set(values))
    f = evaluate(root, values)
    grads = backward(root, flags, root_value)
    return f, grads


_INT_OPS = {"var", "const", "+", "-", "*", "neg", "max", "relu", "square"}


def _int_only(params: dict) -> bool:
    """Whole-number answers: integer values and only + − · max relu square (then graded exactly)."""
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in params["values"].values()):
        return False
    return _ops(params["expression"]) <= _INT_OPS


@functools.lru_cache(maxsize=512)
def _ops(expression: str) -> frozenset[str]:
    """The gates of an expression ("fraction" for a non-integer constant)."""
    ops: set[str] = set()

    def walk(n: Node) -> None:
        ops.add(n.op)
        if n.op == "const" and not float(n.const).is_integer():
            ops.add("fraction")
        for k in n.kids:
            walk(k)

    walk(parse(expression, set(_placeholder_names(expression))))
    return frozenset(ops)


@functools.lru_cache(maxsize=512)
def _uses(expression: str) -> dict[str, int]:
    """How many times each name is used (a fan-out when more than once)."""
    counts: dict[str, int] = {}

    def walk(n: Node) -> None:
        if n.op == "var":
            counts[n.var] = counts.get(n.var, 0) + 1
        for k in n.kids:
            walk(k)

    walk(parse(expression, set(_placeholder_names(expression))))
    return counts


def _answer(params: dict, flags: Flags = Flags(), root_value: float | None = None) -> dict:
    f, grads = gradients(params, flags, root_value)
    return {"value": _clean(f), "grads": {n: _clean(grads.get(n, 0.0)) for n in params["wrt"]}}


def _clean(x: float) -> int | float:
    if abs(x) < 1e-12:
        return 0
    r = float(f"{x:.12g}")
    return num(r) if abs(r - round(r)) < 1e-9 else r


def _follow(name: str) -> Any:
    def follow(params: dict, given: dict[str, Any]) -> Any:
        root = parse(params["expression"], set(params["values"]))
        if root.op not in OUTPUT_BASED or "value" not in given:
            return None
        evaluate(root, params["values"])
        value = float(given["value"])
        grads = backward(root, Flags(), root_value=value)
        return _clean(grads.get(name, 0.0))

    return follow


def parts_of(params: dict) -> tuple[Part, ...]:
    kind = "int" if _int_only(params) else "float"
    tol = None if kind == "int" else TOL
    root = parse(params["expression"], set(params["values"]))
    follows = root.op in OUTPUT_BASED
    parts = [Part("value", "the forward value f", kind, 1.0, tol, None)]
    parts += [Part(f"grads.{n}", f"∂f/∂{n}", kind, 1.0, tol, _follow(n) if follows else None) for n in params["wrt"]]
    return tuple(parts)


def _draw(rng: np.random.Generator, d: int) -> dict:
    for _ in range(200):
        template = pick(rng, TEMPLATES[d])
        names = list(pick(rng, _NAMES))
        expr = template
        if "w0" not in template:
            mapping = dict(zip("abcd", names, strict=True))
            expr = "".join(mapping.get(ch, ch) if ch in "abcd" and _standalone(template, i) else ch
                           for i, ch in enumerate(template))
        root = parse(expr, set(_placeholder_names(expr)))
        order = _variables(root)
        values = _values(rng, order, d)
        evaluate(root, values)
        if not _well_posed(root):
            continue
        wrt = order if d != 2 or len(order) <= 3 else order[:3]
        params = {"expression": expr, "values": values, "wrt": list(wrt)}
        return params
    raise RuntimeError("no well-posed graph drawn")  # pragma: no cover


def _standalone(text: str, i: int) -> bool:
    """Whether ``text[i]`` is a one-letter placeholder (not inside a function name)."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")


def _placeholder_names(expr: str) -> list[str]:
    tree = ast.parse(expr, mode="eval")
    return sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id not in FUNCS})


def make(rng: np.random.Generator, d: int) -> Draft:
    for _ in range(100):
        params = _draw(rng, d)
        answer = _answer(params)
        tol = None if _int_only(params) else TOL
        wrongs = (m.answer(params) for m in MISTAKES)
        if all(w is None or differs(w, answer, tol or 1e-9) for w in wrongs):
            break
    return _draft(params, answer)


def _draft(params: dict, answer: dict) -> Draft:
    values, wrt = params["values"], params["wrt"]
    root = parse(params["expression"], set(values))
    evaluate(root, values)
    gates = _label(root)
    integer = _int_only(params)
    given = ", ".join(f"{n} = {fmt(v)}" for n, v in values.items())
    ask = ", ".join(f"∂f/∂{n}" for n in wrt)
    how = "whole numbers" if integer else TOL_TEXT
    stem = (f"f = {params['expression']} with {given}.\n"
            f"Compute (1) the forward value f, then (2) {ask} by backpropagation (upstream gradient ∂f/∂f = 1). "
            f"{_glossary(params['expression'])}Answer the parts in order separated by |: "
            f"f | {' | '.join(f'∂f/∂{n}' for n in wrt)} ({how}).")
    fwd = [f"{g.label} = {_gate_text(g, False)} = {_gate_text(g, True)} = {fmt(_r(g.v))}" for g in gates]
    lines: list[str] = []
    backward(root, Flags(), None, lines)
    solution = ("Forward pass (each gate in turn):\n" + "\n".join(fwd)
                + f"\nf = {fmt(answer['value'])}\n\nBackward pass (∂f/∂f = 1; each gate multiplies the upstream "
                  f"gradient by its local gradient):\n" + "\n".join(lines)
                + "\n\nAnswer: " + " | ".join([f"f = {fmt(answer['value'])}"]
                                              + [f"∂f/∂{n} = {fmt(answer['grads'][n])}" for n in wrt]))
    return Draft(params=params, prompt=stem, answer=answer, solution=solution, answer_kind="parts",
                 tolerance=None if integer else TOL, stem=stem, parts=parts_of(params))


_GLOSSARY = {"sigmoid": "sigmoid(u) = 1/(1 + e^(−u))", "square": "square(u) = u²", "relu": "relu(u) = max(u, 0)",
             "log": "log is the natural log"}


def _glossary(expression: str) -> str:
    used = [text for name, text in _GLOSSARY.items() if f"{name}(" in expression]
    return ("; ".join(used) + ". ") if used else ""


# -- mistakes -----------------------------------------------------------------------------------
def _has(params: dict, op: str) -> bool:
    return op in _ops(params["expression"])


def _with(flag: str, applies: Any) -> Any:
    def answer(params: dict) -> Any:
        if not applies(params):
            return None
        return _answer(params, Flags(**{flag: True}))

    return answer


def _fanout(params: dict) -> bool:
    counts = _uses(params["expression"])
    return any(counts.get(n, 0) > 1 for n in params["wrt"])


MISTAKES: tuple[Mistake, ...] = (
    Mistake("fanout-not-summed", "gradients not summed at a fan-out (a variable used twice keeps one path's gradient)",
            "a name used in several places collects the sum of the gradients of all its uses; your answer keeps "
            "only the first use's (the others overwritten instead of added)", _with("first_only", _fanout)),
    Mistake("max-grad-to-both", "max gate routing the gradient to both inputs",
            "a max gate passes the upstream gradient only to the larger input; the smaller one gets 0",
            _with("max_both", lambda p: _has(p, "max"))),
    Mistake("derivative-at-input", "sigmoid/tanh derivative taken at the input instead of the output",
            "σ'(u) = σ(u)(1 − σ(u)) and tanh'(u) = 1 − tanh²(u) use the gate's output; your answer puts the "
            "input u in their place", _with("at_input", lambda p: _has(p, "sigmoid") or _has(p, "tanh"))),
    Mistake("mul-grad-own-input", "multiply gate giving each input its own value",
            "a multiply gate u·v sends upstream·v to u and upstream·u to v (the inputs swapped); your answer "
            "multiplies each input's gradient by its own value", _with("mul_own", lambda p: _has(p, "*"))),
    Mistake("sub-sign-dropped", "subtract gate's minus sign dropped",
            "u − v sends −upstream to v; your answer sends +upstream", _with("sub_sign", lambda p: _has(p, "-"))),
)

SPECS = {"graph-backprop": FamilySpec(make, MISTAKES)}
