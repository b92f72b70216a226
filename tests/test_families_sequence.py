"""optimizer-step, rnn-step, lstm-step, gru-step, attention: every answer against PyTorch
(torch.optim with gradients set by hand, autograd, nn.LSTMCell, nn.GRUCell,
F.scaled_dot_product_attention) over 200 draws per difficulty, the independent loops of
``sequence_wrong`` against the same answers, and the draws' well-posedness."""

from __future__ import annotations

import numpy as np
import pytest
from sequence_wrong import WRONG, lstm_loop, lstm_wrong, optimizer_loop

from cardcli.answers import grade
from generators.families import generate

DRAWS = 200


def _draws(family, d):
    return generate(family, DRAWS, 11, d)


def _differs(wrong, right, tol):
    """The grader's rule (relative ``tol`` per cell, 1e-9 absolute at 0) tells ``wrong`` from ``right``."""
    if isinstance(right, dict):
        return any(_differs(wrong[k], right[k], tol) for k in right)
    return not grade(wrong, right, "matrix", tol).correct


def _vector(answer):
    assert isinstance(answer, list) and len(answer) == 1
    return np.asarray(answer[0], dtype=float)


# -- optimizer-step -----------------------------------------------------------------------------
def _torch_optimizer(P, param):
    torch = pytest.importorskip("torch")
    o, wd = P["optimizer"], P.get("weight_decay", 0.0)
    if o == "sgd":
        return torch.optim.SGD([param], lr=P["lr"], weight_decay=wd)
    if o in ("momentum", "nesterov"):
        return torch.optim.SGD([param], lr=P["lr"], momentum=P["momentum"], nesterov=o == "nesterov",
                               weight_decay=wd)
    if o == "adagrad":
        return torch.optim.Adagrad([param], lr=P["lr"], eps=P["eps"], weight_decay=wd)
    if o == "rmsprop":
        return torch.optim.RMSprop([param], lr=P["lr"], alpha=P["alpha"], eps=P["eps"], weight_decay=wd)
    return torch.optim.Adam([param], lr=P["lr"], betas=tuple(P["betas"]), eps=P["eps"], weight_decay=wd)


@pytest.mark.parametrize("d", [1, 2, 3])
def test_optimizer_step_against_torch_optim(d):
    torch = pytest.importorskip("torch")
    seen = set()
    for pr in _draws("optimizer-step", d):
        P = pr.params
        seen.add(P["optimizer"])
        param = torch.nn.Parameter(torch.tensor(P["w0"], dtype=torch.float64))
        opt = _torch_optimizer(P, param)
        for g in P["grads"]:
            param.grad = torch.tensor(g, dtype=torch.float64)
            opt.step()
        np.testing.assert_allclose(_vector(pr.answer), param.detach().numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(_vector(pr.answer), optimizer_loop(P), rtol=1e-9, atol=1e-12)
        assert pr.answer_kind == "matrix" and pr.tolerance == 2e-3
        n = len(P["w0"])
        if d == 1:
            assert n == 2 and len(P["grads"]) <= 2 and P["weight_decay"] == 0
        else:
            assert len(P["grads"]) >= 2 and n >= 3
        assert all(len(g) == n for g in P["grads"])
        assert "PyTorch" in pr.prompt
    assert seen == {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"}


def test_optimizer_step_solution_substitutes_every_step():
    for pr in generate("optimizer-step", 30, 2, 2):
        for t in range(1, len(pr.params["grads"]) + 1):
            assert f"Step {t}: w = [" in pr.solution
        assert pr.solution.rstrip().endswith("]")


# -- rnn-step -----------------------------------------------------------------------------------
def _torch_rnn(P):
    torch = pytest.importorskip("torch")
    t = {k: torch.tensor(P[k], dtype=torch.float64, requires_grad=True) for k in ("h0", "w_xh", "w_hh", "b")}
    x = torch.tensor(P["x"], dtype=torch.float64)
    h = t["h0"]
    for step in range(x.shape[0]):
        h = torch.tanh(t["w_xh"] @ x[step] + t["w_hh"] @ h + t["b"])
    if P["wrt"] == "forward":
        return h.detach().numpy()[None, :]
    (h * torch.tensor(P["grad_output"], dtype=torch.float64)).sum().backward()
    g = t[P["wrt"]].grad.numpy()
    return g[None, :] if g.ndim == 1 else g


@pytest.mark.parametrize("d", [1, 2, 3])
def test_rnn_step_against_autograd(d):
    seen = set()
    for pr in _draws("rnn-step", d):
        P = pr.params
        seen.add(P["wrt"])
        np.testing.assert_allclose(np.asarray(pr.answer, dtype=float), _torch_rnn(P), rtol=1e-9, atol=1e-12)
        T, D = np.asarray(P["x"]).shape
        H = len(P["h0"])
        assert np.asarray(P["w_xh"]).shape == (H, D) and np.asarray(P["w_hh"]).shape == (H, H)
        if d == 1:
            assert T == 2 and H <= 2 and D <= 2 and (H == 1 or P["wrt"] == "forward")
        else:
            assert T >= 2 and H >= 2
        assert ("grad_output" in P) == (P["wrt"] != "forward")
    assert seen == {"forward", "h0", "w_hh", "w_xh", "b"}


# -- gru-step -----------------------------------------------------------------------------------
def _cell(torch_cls, P):
    torch = pytest.importorskip("torch")
    H, D = len(P["h"]), len(P["x"])
    cell = torch_cls(D, H, dtype=torch.float64)
    with torch.no_grad():
        for name in ("w_ih", "w_hh", "b_ih", "b_hh"):
            getattr(cell, name.replace("w_", "weight_").replace("b_", "bias_")).copy_(
                torch.tensor(P[name], dtype=torch.float64))
    x = torch.tensor([P["x"]], dtype=torch.float64)
    h = torch.tensor([P["h"]], dtype=torch.float64)
    return cell, x, h


@pytest.mark.parametrize("d", [1, 2, 3])
def test_gru_step_against_nn_grucell(d):
    torch = pytest.importorskip("torch")
    from sequence_wrong import gru_loop

    for pr in _draws("gru-step", d):
        P = pr.params
        cell, x, h = _cell(torch.nn.GRUCell, P)
        with torch.no_grad():
            expected = cell(x, h).numpy()
        np.testing.assert_allclose(np.asarray(pr.answer, dtype=float), expected, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(np.asarray(pr.answer, dtype=float), gru_loop(P), rtol=1e-9, atol=1e-12)
        H, D = len(P["h"]), len(P["x"])
        assert np.asarray(P["w_ih"]).shape == (3 * H, D) and np.asarray(P["w_hh"]).shape == (3 * H, H)
        assert len(P["b_ih"]) == len(P["b_hh"]) == 3 * H
        assert (H == 1) == (d == 1) and pr.tolerance == 5e-3


# -- attention ----------------------------------------------------------------------------------
@pytest.mark.parametrize("d", [1, 2, 3])
def test_attention_against_scaled_dot_product_attention(d):
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F
    from sequence_wrong import attention_loop

    kinds = set()
    for pr in _draws("attention", d):
        P = pr.params
        q, k, v = (torch.tensor(P[n], dtype=torch.float64) for n in ("q", "k", "v"))
        mask = torch.tensor(P["mask"], dtype=torch.bool) if P.get("mask") is not None else None
        expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=P["causal"]).numpy()
        np.testing.assert_allclose(np.asarray(pr.answer, dtype=float), expected, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(np.asarray(pr.answer, dtype=float), attention_loop(P), rtol=1e-9, atol=1e-12)
        kinds.add("causal" if P["causal"] else "mask" if mask is not None else "none")
        if d == 1:
            assert len(P["q"]) <= 2 and len(P["k"]) == 2 and mask is None and not P["causal"]
    assert kinds == ({"none"} if d == 1 else {"none", "causal", "mask"})


# -- lstm-step ----------------------------------------------------------------------------------
@pytest.mark.parametrize("d", [1, 2, 3])
def test_lstm_step_against_nn_lstmcell(d):
    torch = pytest.importorskip("torch")
    for pr in _draws("lstm-step", d):
        P = pr.params
        cell, x, h = _cell(torch.nn.LSTMCell, P)
        c = torch.tensor([P["c"]], dtype=torch.float64)
        with torch.no_grad():
            h1, c1 = cell(x, (h, c))
        assert pr.answer_kind == "parts" and set(pr.answer) == {"h", "c"}
        np.testing.assert_allclose(np.asarray(pr.answer["h"], dtype=float), h1.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(np.asarray(pr.answer["c"], dtype=float), c1.numpy(), rtol=1e-9, atol=1e-12)
        loop = lstm_loop(P)
        np.testing.assert_allclose(np.asarray(pr.answer["h"], dtype=float), loop["h"], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(np.asarray(pr.answer["c"], dtype=float), loop["c"], rtol=1e-9, atol=1e-12)
        H, D = len(P["h"]), len(P["x"])
        assert np.asarray(P["w_ih"]).shape == (4 * H, D) and np.asarray(P["w_hh"]).shape == (4 * H, H)
        assert (H == 1) == (d == 1)
        assert [p.name for p in pr.parts] == ["c", "h"] and pr.parts[0].follow is None
        assert all(p.kind == "matrix" and p.tolerance == 5e-3 for p in pr.parts)


def test_lstm_follow_through_gives_h_from_the_students_own_c():
    """h′'s follow function: o ⊙ tanh(c′) with the c′ the student typed (recomputed here with the
    output gate from nn.LSTMCell's own weights), right c′ → the key's h′."""
    torch = pytest.importorskip("torch")
    for pr in generate("lstm-step", 60, 4, 2):
        P = pr.params
        follow = pr.parts[1].follow
        np.testing.assert_allclose(follow(P, {"c": pr.answer["c"]}), pr.answer["h"], rtol=1e-12)
        wrong_c = (np.asarray(pr.answer["c"], dtype=float) + 0.3).tolist()
        H = len(P["h"])
        t = {k: torch.tensor(P[k], dtype=torch.float64) for k in ("w_ih", "x", "b_ih", "w_hh", "h", "b_hh")}
        gates = t["w_ih"] @ t["x"] + t["b_ih"] + t["w_hh"] @ t["h"] + t["b_hh"]
        o = torch.sigmoid(gates[3 * H:]).numpy()
        np.testing.assert_allclose(follow(P, {"c": wrong_c}), [o * np.tanh(np.asarray(wrong_c[0]))], rtol=1e-9)
        assert follow(P, {"c": [[1.0] * (H + 1)]}) is None  # a c′ of the wrong length gives nothing to follow


def test_lstm_mistakes_match_independent_recomputation():
    """Each catalogued mistake's {h, c} equals the independent loop of the same wrong procedure, and
    differs from the right answer (some part outside the tolerance) in every draw."""
    from generators.families import FAMILIES

    mistakes = {m.id: m for m in FAMILIES["lstm-step"].mistakes}
    for d in (1, 2, 3):
        for pr in generate("lstm-step", 100, 5, d):
            for mid, wrong in lstm_wrong(pr.params).items():
                mine = mistakes[mid].answer(pr.params)
                for part in ("h", "c"):
                    np.testing.assert_allclose(mine[part], wrong[part], rtol=1e-9, atol=1e-12)
                assert _differs(wrong, pr.answer, pr.tolerance), (pr.id, mid)


def test_lstm_mistakes_are_diagnosed_by_name():
    from cardcli.diagnosis import diagnose_problem

    for d in (1, 2, 3):
        for pr in generate("lstm-step", 20, 6, d):
            for mid, wrong in lstm_wrong(pr.params).items():
                found = diagnose_problem(pr, wrong)
                assert found is not None and mid in found.ids, (pr.id, mid)


# -- every catalogued mistake is told apart from the right answer in every draw -----------------
@pytest.mark.parametrize("family", sorted(WRONG))
def test_every_mistake_distinguishable_in_every_draw(family):
    """Over 200 draws per difficulty, each wrong procedure (recomputed independently) that can happen
    gives an answer the grader marks wrong; and every one of them comes up somewhere."""
    from generators.families import FAMILIES

    seen = set()
    for d in (1, 2, 3):
        for pr in _draws(family, d):
            for mid, wrong in WRONG[family](pr.params).items():
                if wrong is None:
                    continue
                seen.add(mid)
                assert _differs(wrong, pr.answer, pr.tolerance), (pr.id, mid)
    assert seen == {m.id for m in FAMILIES[family].mistakes}
    assert len(seen) >= 4


# -- worked solutions and where the families appear ---------------------------------------------
FIVE = ("optimizer-step", "rnn-step", "lstm-step", "gru-step", "attention")


def _fmt_rows(answer):
    from generators.render import fmt

    return ["[" + ", ".join(fmt(round(float(v), 12)) for v in row) + "]" for row in answer]


@pytest.mark.parametrize("family", FIVE)
def test_worked_solution_ends_with_the_answer_substituted(family):
    for d in (1, 2, 3):
        for pr in generate(family, 10, 8, d):
            last = pr.solution.strip().splitlines()[-1]
            assert last.startswith("Answer: ")
            rows = _fmt_rows(pr.answer["c"]) + _fmt_rows(pr.answer["h"]) if family == "lstm-step" \
                else _fmt_rows(pr.answer)
            for r in rows:
                assert r in last, (pr.id, r, last)
            assert "{" not in pr.solution and "nan" not in pr.solution.lower()
            assert pr.prompt.rstrip().endswith(".") or "\n" in pr.prompt


def test_the_families_are_in_generate_quiz_study_and_export():
    from cardcli.commands.export import _generated_families
    from cardcli.session import generated_cards
    from cardcli.topics import TOPICS
    from generators.catalog import CATALOG, resolve

    assert set(FIVE) <= set(CATALOG)
    assert resolve(["optimization"]) == ["optimizer-step"]
    assert resolve(["attention"]) == ["attention"]
    assert {"rnn-step", "lstm-step", "gru-step", "spectral-radius"} <= set(resolve(["rnn"]))
    assert "rnn-step" in resolve(["backprop"])
    for family in FIVE:
        assert all(t in TOPICS for t in CATALOG[family][0])
        ids = {c.id for c in generated_cards([family])}
        assert ids == {f"gen:{family}:d{d}" for d in (1, 2, 3)}
    assert set(FIVE) <= set(_generated_families([]))


@pytest.mark.parametrize("family", [f for f in FIVE if f != "lstm-step"])
def test_quiz_accepts_the_answer_to_4_significant_figures_and_names_a_mistake(family):
    """End to end: the key rounded to 4 significant figures is graded correct; a catalogued mistake's
    answer (also rounded) is wrong and diagnosed by name."""
    from typer.testing import CliRunner

    from cardcli.cli import app
    from generators.families import mistake_answers

    pr = generate(family, 1, 5, 2)[0]

    def typed(rows):
        return "; ".join(" ".join(f"{float(v):.4g}" for v in r) for r in rows)

    wrong_m, wrong = next((m, w) for m, w in mistake_answers(family, pr.params) if _differs(w, pr.answer, pr.tolerance))
    args = ["quiz", "--topic", family, "-n", "1", "-d", "2", "--seed", "5"]
    right = CliRunner().invoke(app, args, input=typed(pr.answer) + "\n")
    assert right.exit_code == 0 and "Score: 1/1" in right.stdout, right.output
    r = CliRunner().invoke(app, args, input=typed(wrong) + "\n")
    out = " ".join(r.stdout.split())
    assert r.exit_code == 0 and "Score: 0/1" in out, r.output
    assert f"Likely mistake: {wrong_m.name}" in out or f"or {wrong_m.name}" in out, out


def test_lstm_marking_follows_c_through_to_h():
    """Marked as a person marks (issue 25's cardcli.partmarks): the forget gate applied to h gives a
    wrong c′, and h′ = o ⊙ tanh(that c′) earns its point by follow-through; the diagnosis names the
    mistake. A right c′ with tanh left off h′ earns c′ only."""
    import cardcli.partmarks as partmarks
    from cardcli.diagnosis import diagnose_problem

    def typed(ans):
        return " | ".join(" ".join(f"{v:.6g}" for v in ans[k][0]) for k in ("c", "h"))

    for pr in generate("lstm-step", 20, 7, 2):
        slip = lstm_wrong(pr.params)["forget-gate-on-h"]
        g = partmarks.mark_problem(pr, partmarks.read_problem(pr, typed(slip)))
        assert not g.correct and g.share == pytest.approx(0.5) and g.followed == ("h",), pr.id
        assert "forget-gate-on-h" in diagnose_problem(pr, partmarks.read_problem(pr, typed(slip))).ids
        half = {"c": pr.answer["c"], "h": lstm_wrong(pr.params)["cell-tanh-forgotten"]["h"]}
        g = partmarks.mark_problem(pr, partmarks.read_problem(pr, typed(half)))
        assert g.share == pytest.approx(0.5) and g.followed == (), pr.id
        right = partmarks.mark_problem(pr, partmarks.read_problem(pr, typed(pr.answer)))
        assert right.correct and right.share == 1.0
