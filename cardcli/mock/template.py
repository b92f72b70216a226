"""Mock-exam templates: a small YAML file naming the sections, their questions, points and time.

::

    title: Midterm II (mock)
    minutes: 75
    total: 100                      # optional; when given it must equal the sum of the points
    difficulty: 2                   # optional: every question's default (1-3; default 2, exam difficulty)
    sections:
      - title: Open problems
        questions:                  # generated problems
          - family: conv-forward    # a problem family (`cardcli generate --list`)
            difficulty: 2           # 1-3 (default: the template's 'difficulty', else 2)
            answer: matrix          # optional: only problems asking for this answer kind
            points: 20
      - title: True/false and multiple choice
        draw:                       # deck cards, weakest topics first
          types: [truefalse, choice]   # card types (truefalse, choice, numeric)
          count: 4
          points: 5                 # per card
          topics: [rnn, backprop]   # optional: only these topics
          decks: [Midterm II Review]   # optional: only these decks

Every problem is reported at once as ``file:line: message`` (:class:`TemplateError`), like a deck.
YAML is read as decks are (:mod:`cardcli.safeyaml`: the safe loader, bounded nesting and aliases,
no duplicate keys, strings made terminal-safe); the file is at most :data:`MAX_BYTES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cardcli.errors import DeckError, DeckIssue, did_you_mean
from cardcli.limits import TEMPLATE_MAX_BYTES

__all__ = ["TemplateError", "ProblemSpec", "DrawSpec", "Section", "Template", "load_template", "parse_template",
           "default_template_path", "shipped_template_path", "shipped_templates", "template_source", "SHIPPED",
           "DEFAULT", "ANSWER_KINDS", "CARD_TYPES", "DEFAULT_DIFFICULTY", "MAX_BYTES", "MAX_QUESTIONS", "MAX_MINUTES"]

MAX_BYTES = TEMPLATE_MAX_BYTES  # see cardcli.limits
MAX_QUESTIONS = 100
MAX_MINUTES = 600
MAX_POINTS = 1000
#: the answer kinds a problem question may ask for (see generators.problem)
ANSWER_KINDS = ("int", "float", "matrix", "shape", "memory", "verdict", "radius-verdict")
CARD_TYPES = ("truefalse", "choice", "numeric")

_TOP_KEYS = ("title", "minutes", "total", "difficulty", "sections")
#: the difficulty of an open problem when neither the question nor the template sets one (the exam's)
DEFAULT_DIFFICULTY = 2
_SECTION_KEYS = ("title", "questions", "draw")
_QUESTION_KEYS = ("family", "difficulty", "answer", "points")
_DRAW_KEYS = ("types", "count", "points", "topics", "decks")


class TemplateError(DeckError):
    """One or more problems in a mock-exam template, each ``file:line: message``."""


@dataclass(frozen=True)
class ProblemSpec:
    """One generated problem of ``family`` at ``difficulty`` (of answer kind ``answer`` if set)."""

    family: str
    difficulty: int
    points: int
    answer: str | None = None
    line: int = 0


@dataclass(frozen=True)
class DrawSpec:
    """``count`` deck cards of ``types`` (optionally only ``topics`` / ``decks``), ``points`` each."""

    types: tuple[str, ...]
    count: int
    points: int
    topics: tuple[str, ...] = ()
    decks: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Section:
    title: str
    problems: tuple[ProblemSpec, ...] = ()
    draw: DrawSpec | None = None
    line: int = 0

    @property
    def points(self) -> int:
        return sum(p.points for p in self.problems) + (self.draw.points * self.draw.count if self.draw else 0)


@dataclass(frozen=True)
class Template:
    title: str
    minutes: int
    sections: tuple[Section, ...]
    file: str = ""
    name: str = ""

    @property
    def total(self) -> int:
        return sum(s.points for s in self.sections)


#: the templates shipped with the package, by name (``cardcli/data/<name>.yaml``); the first is the default
SHIPPED: dict[str, str] = {
    "midterm": "a mock Midterm II (the course's review document): conv, VGG-16 dimensions, RNN gradients, "
               "and the graduate section's network question",
    "cs231n": "a mock CS231N-style midterm: kNN, optimizers, softmax, backprop, CNN sizes and costs, RNN, "
              "attention",
}
DEFAULT = "midterm"


def default_template_path() -> Path:
    """The template shipped with the package (``cardcli/data/midterm.yaml``)."""
    return shipped_template_path(DEFAULT)


def shipped_template_path(name: str) -> Path:
    """The file of the shipped template ``name`` (one of :data:`SHIPPED`)."""
    return Path(__file__).resolve().parent.parent / "data" / f"{name}.yaml"


def _looks_like_path(value: str) -> bool:
    return any(sep in value for sep in ("/", "\\")) or value.lower().endswith((".yaml", ".yml")) \
        or value.startswith((".", "~"))


def template_source(value: str | Path | None) -> tuple[Path, str, str]:
    """``(file, name shown in messages, template name)`` for a ``--template`` value: a shipped
    template's name (``midterm``, ``cs231n``), or the path of a YAML file (anything with a ``/``,
    a ``.yaml``/``.yml`` suffix, or a leading dot — ``./midterm`` is the file); None = the default."""
    if value is None:
        value = DEFAULT
    if isinstance(value, Path):
        return value, str(value), value.stem
    if value in SHIPPED:
        return shipped_template_path(value), f"{value}.yaml", value
    if _looks_like_path(value) or Path(value).expanduser().is_file():
        path = Path(value).expanduser()
        return path, value, path.stem
    from cardcli.errors import UsageError

    raise UsageError(f"no shipped template {value!r}{did_you_mean(value, list(SHIPPED))} and no such file; "
                     f"shipped templates: {', '.join(SHIPPED)} (`cardcli exam templates`), or give the path "
                     f"of a YAML file")


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _Reader:
    def __init__(self, file: str, loader: Any):
        self.file = file
        self.loader = loader
        self.issues: list[DeckIssue] = []

    def err(self, line: int, message: str) -> None:
        self.issues.append(DeckIssue(self.file, line, message))

    def mapping(self, node: yaml.Node, keys: tuple[str, ...], what: str) -> dict[str, tuple[int, yaml.Node]] | None:
        if not isinstance(node, yaml.MappingNode):
            self.err(_line(node), f"{what} must be a mapping with the keys {', '.join(keys)}")
            return None
        out: dict[str, tuple[int, yaml.Node]] = {}
        for knode, vnode in node.value:
            key = str(knode.value)
            if key not in keys:
                self.err(_line(knode), f"unknown key '{key}' in {what}{did_you_mean(key, keys)}; "
                                       f"expected {', '.join(keys)}")
                continue
            out[key] = (_line(knode), vnode)
        return out

    def value(self, node: yaml.Node) -> Any:
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as e:
            problem = getattr(e, "problem", None) or str(e)
            self.err(_line(node), f"unsafe or unreadable YAML value: {problem}")
            return None

    def integer(self, fields: dict, key: str, lo: int, hi: int, default: int | None, at: int) -> int | None:
        if key not in fields:
            if default is None:
                self.err(at, f"missing '{key}' (a whole number from {lo} to {hi})")
            return default
        line, node = fields[key]
        v = self.value(node)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            self.err(_line(node), f"'{key}' must be a whole number from {lo} to {hi}, got {v!r}")
            return None
        return v

    def text(self, fields: dict, key: str, at: int) -> str | None:
        if key not in fields:
            self.err(at, f"missing '{key}'")
            return None
        v = self.value(fields[key][1])
        if not isinstance(v, str) or not v.strip() or len(v) > 200:
            self.err(_line(fields[key][1]), f"'{key}' must be text (1 to 200 characters)")
            return None
        return " ".join(v.split())

    def words(self, fields: dict, key: str, allowed: list[str] | None, what: str) -> tuple[str, ...] | None:
        if key not in fields:
            return ()
        node = fields[key][1]
        v = self.value(node)
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not v or not all(isinstance(w, str) and w.strip() for w in v):
            self.err(_line(node), f"'{key}' must be a list of {what}")
            return None
        ok = True
        if allowed is not None:
            for i, w in enumerate(v):
                if w not in allowed:
                    item = node.value[i] if isinstance(node, yaml.SequenceNode) else node
                    self.err(_line(item), f"unknown {what[:-1] if what.endswith('s') else what} {w!r}"
                                          f"{did_you_mean(w, allowed)}; expected one of {', '.join(allowed)}")
                    ok = False
        return tuple(v) if ok else None


def parse_template(text: str, file: str) -> Template:
    """The template in ``text`` (named ``file`` in messages); raises :class:`TemplateError`."""
    from cardcli.safeyaml import DeckLoader, YamlLimitError, compose
    from cardcli.topics import TOPICS
    from generators.catalog import CATALOG

    loader = DeckLoader(text)  # the safe loader, strings made terminal-safe
    r = _Reader(file, loader)
    try:
        try:
            root = compose(loader)  # bounded: nesting depth, alias expansion, duplicate keys
        except YamlLimitError as e:
            raise TemplateError([DeckIssue(file, e.line, e.message)]) from None
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            raise TemplateError([DeckIssue(file, mark.line + 1 if mark else 1,
                                           f"YAML syntax error: {e.problem or e.context}")]) from None
        except yaml.YAMLError as e:
            raise TemplateError([DeckIssue(file, 1, f"YAML error: {e}")]) from None
        if root is None:
            raise TemplateError([DeckIssue(file, 1, "empty template: expected 'title', 'minutes' and 'sections'")])
        top = r.mapping(root, _TOP_KEYS, "a template")
        if top is None:
            raise TemplateError(r.issues)
        title = r.text(top, "title", 1)
        minutes = r.integer(top, "minutes", 1, MAX_MINUTES, None, 1)
        total = r.integer(top, "total", 1, 100 * MAX_POINTS, 0, 1)
        default = r.integer(top, "difficulty", 1, 3, DEFAULT_DIFFICULTY, 1) or DEFAULT_DIFFICULTY
        sections: list[Section] = []
        if "sections" not in top:
            r.err(1, "missing 'sections' (a list of sections)")
        else:
            snode = top["sections"][1]
            if not isinstance(snode, yaml.SequenceNode) or not snode.value:
                r.err(_line(snode), "'sections' must be a non-empty list")
            else:
                for node in snode.value:
                    sec = _section(r, node, list(CATALOG), list(TOPICS), default)
                    if sec is not None:
                        sections.append(sec)
        count = sum(len(s.problems) + (s.draw.count if s.draw else 0) for s in sections)
        if count > MAX_QUESTIONS:
            r.err(_line(top["sections"][1]), f"at most {MAX_QUESTIONS} questions, got {count}")
        if total and not r.issues:
            added = sum(s.points for s in sections)
            if added != total:
                parts = " + ".join(
                    [str(p.points) for s in sections for p in s.problems]
                    + [f"{s.draw.count}×{s.draw.points}" for s in sections if s.draw])
                r.err(_line(top["total"][1]), f"'total' is {total} but the questions add up to {added} "
                                              f"points ({parts})")
        if r.issues or title is None or minutes is None:
            raise TemplateError(r.issues or [DeckIssue(file, 1, "incomplete template")])
        return Template(title=title, minutes=minutes, sections=tuple(sections), file=file,
                        name=Path(file).stem)
    finally:
        loader.dispose()


def _section(r: _Reader, node: yaml.Node, families: list[str], topics: list[str],
             difficulty: int = DEFAULT_DIFFICULTY) -> Section | None:
    fields = r.mapping(node, _SECTION_KEYS, "a section")
    if fields is None:
        return None
    at = _line(node)
    title = r.text(fields, "title", at)
    if ("questions" in fields) == ("draw" in fields):
        r.err(at, "a section needs exactly one of 'questions' (generated problems) or 'draw' (deck cards)")
        return None
    problems: list[ProblemSpec] = []
    draw = None
    if "questions" in fields:
        qnode = fields["questions"][1]
        if not isinstance(qnode, yaml.SequenceNode) or not qnode.value:
            r.err(_line(qnode), "'questions' must be a non-empty list")
            return None
        for item in qnode.value:
            spec = _problem(r, item, families, difficulty)
            if spec is not None:
                problems.append(spec)
    else:
        draw = _draw(r, fields["draw"][1], topics)
    if title is None or (draw is None and not problems):
        return None
    return Section(title=title, problems=tuple(problems), draw=draw, line=at)


def _problem(r: _Reader, node: yaml.Node, families: list[str],
             default: int = DEFAULT_DIFFICULTY) -> ProblemSpec | None:
    fields = r.mapping(node, _QUESTION_KEYS, "a question")
    if fields is None:
        return None
    at = _line(node)
    family = None
    if "family" not in fields:
        r.err(at, "a question needs 'family' (a problem family, see `cardcli generate --list`)")
    else:
        fnode = fields["family"][1]
        v = r.value(fnode)
        if not isinstance(v, str) or v not in families:
            r.err(_line(fnode), f"unknown problem family {v!r}{did_you_mean(str(v), families)}; "
                                f"families: {', '.join(sorted(families))}")
        else:
            family = v
    difficulty = r.integer(fields, "difficulty", 1, 3, default, at)
    points = r.integer(fields, "points", 1, MAX_POINTS, None, at)
    answer = None
    if "answer" in fields:
        anode = fields["answer"][1]
        answer = r.value(anode)
        if answer not in ANSWER_KINDS:
            r.err(_line(anode), f"unknown answer kind {answer!r}{did_you_mean(str(answer), ANSWER_KINDS)}; "
                                f"expected one of {', '.join(ANSWER_KINDS)}")
            return None
    if family is None or difficulty is None or points is None:
        return None
    return ProblemSpec(family=family, difficulty=difficulty, points=points, answer=answer, line=at)


def _draw(r: _Reader, node: yaml.Node, topics: list[str]) -> DrawSpec | None:
    fields = r.mapping(node, _DRAW_KEYS, "'draw'")
    if fields is None:
        return None
    at = _line(node)
    types = r.words(fields, "types", list(CARD_TYPES), "card types") if "types" in fields else ("truefalse", "choice")
    count = r.integer(fields, "count", 1, MAX_QUESTIONS, None, at)
    points = r.integer(fields, "points", 1, MAX_POINTS, None, at)
    chosen = r.words(fields, "topics", topics, "topics")
    decks = r.words(fields, "decks", None, "deck names")
    if types is None or count is None or points is None or chosen is None or decks is None:
        return None
    return DrawSpec(types=types, count=count, points=points, topics=chosen, decks=decks, line=at)


def load_template(path: Path | str | None = None) -> Template:
    """The template named or at ``path`` (a shipped name such as ``"cs231n"``, a file path, or None for
    the shipped Midterm II one); raises :class:`TemplateError` (or a usage error for an unknown name)."""
    p, name, stem = template_source(path)
    from cardcli.fileout import NotRegular, TooBig, read_regular

    try:
        data = read_regular(p, MAX_BYTES)
    except TooBig:
        try:
            size = f"{p.stat().st_size:,} bytes"
        except OSError:
            size = f"larger than {MAX_BYTES:,} bytes"
        raise TemplateError([DeckIssue(name, 1, f"template is {size}; at most {MAX_BYTES:,}")]) from None
    except NotRegular:
        raise TemplateError([DeckIssue(name, 1, "not a regular file (a pipe, FIFO or device); give a template "
                                                "file")]) from None
    except OSError as e:
        raise TemplateError([DeckIssue(name, 1, f"cannot read the template: {e.strerror or e}")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise TemplateError([DeckIssue(name, 1, f"not UTF-8 text (byte {e.start})")]) from None
    t = parse_template(text, name)
    return Template(t.title, t.minutes, t.sections, name, stem)


def shipped_templates() -> list[Template]:
    """Every shipped template, parsed (the default first)."""
    return [load_template(name) for name in SHIPPED]
