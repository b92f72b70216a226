"""Hostile deck files (issue 10): each is a ``file:line`` issue or loads as plain data; never a
crash, a hang or gigabytes. Time and memory bounds are generous upper limits to stop a hang."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from cardcli.deckparse import MAX_CELLS, MAX_SIDE, load_file, parse_text
from cardcli.paths import bundled_decks_dir
from cardcli.safetext import clean, excerpt, one_line
from cardcli.safeyaml import MAX_ALIAS_NODES, MAX_DEPTH, DeckLoader, compose

sys.path.insert(0, str(Path(__file__).parent))
from hostile import ESCAPES_DECK, HOSTILE, write  # noqa: E402

UNSAFE = {chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), 0x202E]}


def run(*args: str, home: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "CARDCLI_HOME": str(home), "COLUMNS": "300", "NO_COLOR": "1"}
    env.pop("CARDCLI_DECKS", None)
    return subprocess.run([sys.executable, "-m", "cardcli", *args], capture_output=True, env=env, timeout=timeout)


# -- the sanitiser -------------------------------------------------------------------------------

def test_clean_makes_every_control_character_visible():
    assert clean("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert clean("\x1b]52;c;aGk=\x1b\\") == "\\x1b]52;c;aGk=\\x1b\\"
    assert clean("x\x9b31m\x07\x00\x7f") == "x\\x9b31m\\x07\\x00\\x7f"
    assert clean("rtl \u202eevil") == "rtl \\u202eevil"
    assert clean("line one\n\ttab, é, 漢字, →") == "line one\n\ttab, é, 漢字, →"  # kept as they are
    assert one_line("two\nlines\r") == "two\\nlines\\r"
    for code in [*range(0x3000), *range(0xFE00, 0x10000), 0x1F600, 0xE0001]:
        ch = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        out = clean(ch)
        assert not (set(out) & UNSAFE), hex(code)


def test_excerpt_is_short_and_never_builds_a_huge_repr():
    big = [[1.5] * 1000 for _ in range(1000)]  # 10^6 cells: a full repr would be ~5 MB
    text = excerpt(big)
    assert len(text) <= 200 and text.startswith("[[1.5, 1.5") and text.endswith("…")
    assert excerpt(10**5000).startswith("<integer of about 5000 digits")  # int > 4300 digits cannot be repr'd
    assert excerpt("short") == "short"


# -- the bounded composer gives what PyYAML gives ---------------------------------------------------

SAMPLE = """\
base: &base {a: 1, b: [x, y]}
merged: {<<: *base, c: 3}
list: [*base, *base]
block:
  - one
  - two: 2
    three: |
      multi
      line
? explicit key
: value
tagged: !!str 12
floats: [.inf, -.inf, 1e3, 0x1F, 0o17, ~, null, yes, "quoted"]
"""


@pytest.mark.parametrize("text", [SAMPLE] + sorted(p.read_text() for p in bundled_decks_dir().glob("*.yaml")))
def test_compose_builds_the_same_data_as_pyyaml(text):
    loader = DeckLoader(text)
    try:
        ours = loader.construct_document(compose(loader))
    finally:
        loader.dispose()
    assert ours == yaml.load(text, Loader=yaml.SafeLoader)


def test_dates_stay_text_and_strings_are_clean():
    loader = DeckLoader('a: 2024-02-30\nb: 2024-02-28\nc: "\\e[2J"\n')
    data = loader.construct_document(compose(loader))
    assert data == {"a": "2024-02-30", "b": "2024-02-28", "c": "\\x1b[2J"}


def test_depth_limit_is_exact():
    ok = "x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)  # the root mapping is level 1
    too_deep = "x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert compose(DeckLoader(ok)) is not None
    with pytest.raises(Exception, match="nested more than 64"):
        compose(DeckLoader(too_deep))


def test_aliases_may_add_a_million_values_not_more():
    # 1000 aliases to a list of 999 values (+ the list itself): 1000 * 1000 = 10^6 extra nodes
    fits = "a: &a [" + ", ".join(["0"] * 999) + "]\nb: [" + ", ".join(["*a"] * 1000) + "]\n"
    loader = DeckLoader(fits)
    data = loader.construct_document(compose(loader))
    assert len(data["b"]) == 1000 and data["b"][0] is data["a"]  # shared, not copied
    over = "a: &a [" + ", ".join(["0"] * 999) + "]\nb: [" + ", ".join(["*a"] * 1001) + "]\n"
    with pytest.raises(Exception, match="aliases expand to more than"):
        compose(DeckLoader(over))
    assert MAX_ALIAS_NODES == 1_000_000


# -- each hostile deck -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [n for n, (_, expect) in HOSTILE.items() if "line" in expect or "alias" in
                                  expect or "recursive" in expect or "finite" in expect])
def test_hostile_deck_is_a_file_line_issue(name, tmp_path):
    text, expect = HOSTILE[name]
    path = write(tmp_path, name)
    deck, issues = load_file(path)
    assert len(issues) == 1, issues
    issue = issues[0]
    assert issue.file == str(path)
    message = str(issue)
    assert "\n" not in message and "\x00" not in message and len(message) < 400
    if expect.startswith("line"):
        line, words = expect.split(": ", 1)
        assert issue.line == int(line.split()[1]) and words in message
    else:
        assert expect in message
    if "bomb" in name or "recursive" in name or "nested" in name:
        assert deck is None  # the structure itself is refused: nothing was constructed


def test_loads_as_plain_text(tmp_path):
    deck, issues = load_file(write(tmp_path, "impossible date"))
    assert issues == [] and deck.cards[0].back == "2024-02-30"
    deck, issues = load_file(write(tmp_path, "markup deck name"))
    assert issues == [] and deck.name == "Lists [/]"


def test_escapes_deck_every_field_is_clean(tmp_path):
    deck, issues = parse_text(ESCAPES_DECK, "evil.yaml")
    assert issues == []
    card, matrix_card = deck.cards
    # the expected texts written out by hand: ESC -> \x1b, BEL -> \x07, CSI -> \x9b
    shown = r"\x1b]52;c;aGVsbG8=\x1b\ \x1b]0;owned\x07 \x1b[2J \x9b31m"
    assert card.front == f"front {shown} [bold]B[/bold] [link=file:///etc/passwd]L[/link]"
    assert deck.name == f"Evil {shown} [link=file:///etc/passwd]x[/link] CS231N [draft] Lists [/]"
    assert card.options == (f"opt {shown} [red]", "plain")
    assert card.tags == (r"tag\x1b[2J", "[bold]")
    assert matrix_card.back == [f"item {shown}", "two"]
    assert list(matrix_card.matrices) == [f"[bold]caption {shown} [/]"]
    assert matrix_card.matrices[f"[bold]caption {shown} [/]"] == [[1, r"\x1b[2J"], [3, 4]]
    texts = [deck.name, deck.source, deck.description, card.front, card.back, card.erratum, *card.options,
             *card.tags, *matrix_card.back]
    for text in texts:
        assert not set(text) & UNSAFE, text


def test_duplicate_keys_anywhere_name_both_lines():
    card_dup = textwrap.dedent("""\
        deck: D
        source: s
        cards:
          - id: one
            topic: conv
            front: first
            back: b
            front: second
        """)
    _, issues = parse_text(card_dup, "d.yaml")
    assert [(i.line, i.message) for i in issues] == [
        (8, "duplicate key 'front' (first at line 6; YAML would silently keep only the last one)")]
    nested = ("deck: D\nsource: s\ncards:\n  - {id: n, topic: conv, type: numeric, front: f, back: b, answer: 1,\n"
              "     check: {fn: conv2d, args: {input: [[1]], input: [[2]], weight: [[1]]}}}\n")
    _, issues = parse_text(nested, "n.yaml")
    assert [(i.line, i.message[:30]) for i in issues] == [(5, "duplicate key 'input' (first a")]


def test_side_limit_per_array():
    wide = "[[" + ", ".join(["1"] * (MAX_SIDE + 1)) + "]]"
    text = f"deck: W\nsource: s\ncards:\n  - {{id: w, topic: conv, front: f, back: b, matrices: {{M: {wide}}}}}\n"
    _, issues = parse_text(text, "w.yaml")
    assert [(i.line, i.message) for i in issues] == [
        (4, "'matrices': a list of 4,097 entries (at most 4,096 per side)")]
    assert (MAX_CELLS, MAX_SIDE) == (1_000_000, 4096)  # as README documents


def test_cell_limit_per_array(monkeypatch):
    import cardcli.deckparse as deckparse

    monkeypatch.setattr(deckparse, "MAX_CELLS", 1000)  # the real 10^6 would need 4 MB of YAML here
    rows = ", ".join(["[" + ", ".join(["0"] * 100) + "]"] * 11)  # 1,100 values, sides within the limit
    text = (f"deck: W\nsource: s\ncards:\n  - {{id: w, topic: conv, type: numeric, front: f, back: b, "
            f"answer: [{rows}], check: {{fn: conv2d, args: {{input: [[1]], weight: [[1]]}}}}}}\n")
    _, issues = deckparse.parse_text(text, "w.yaml")
    assert [(i.line, i.message) for i in issues] == [(4, "'answer': more than 1,000 values (the limit)")]


def test_file_size_limit(tmp_path, monkeypatch):
    import cardcli.deckparse as deckparse

    monkeypatch.setattr(deckparse, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.yaml"
    path.write_text("deck: B\nsource: s\ncards:\n" + "#" * 2000 + "\n")
    deck, issues = deckparse.load_file(path)
    assert deck is None and [(i.line, i.message[:40]) for i in issues] == [
        (1, "deck file is larger than 0 MB (the limit")]


# -- whole commands: check exits 2 with file:line, the others warn and go on --------------------------

MEASURE = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "sys.stderr.buffer.write(r.stderr)\n"
    "print(r.returncode, peak)\n"
)


def measured_check(path: Path, home: Path) -> tuple[int, float, str]:
    """``cardcli check path`` in a child: exit code, peak RSS in MB, stderr (its time: bench --hostile)."""
    env = {**os.environ, "CARDCLI_HOME": str(home), "NO_COLOR": "1"}
    r = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "cardcli", "check", str(path)],
                       capture_output=True, text=True, env=env, timeout=60)
    code, peak_kb = r.stdout.split()
    return int(code), int(peak_kb) / 1024, r.stderr


@pytest.mark.parametrize("name", ["conv2d padding 20000", "alias bomb in answer", "alias bomb in check.args",
                                  "alias bomb in matrices", "tags nested 40,000 deep", "5,000-digit integer"])
def test_check_rejects_in_little_memory(name, tmp_path, cardcli_home):
    path = write(tmp_path, name)
    code, peak_mb, stderr = measured_check(path, cardcli_home)
    assert code == 2, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}:") and "Traceback" not in stderr
    assert peak_mb < 200, peak_mb


def test_a_broken_deck_is_a_warning_for_the_other_commands(tmp_path, cardcli_home):
    folder = tmp_path / "decks"
    folder.mkdir()
    for name in ("tags nested 40,000 deep", "markup deck name", "!!int abc", "duplicate cards key", "NUL byte"):
        write(folder, name)
    for command in (["decks"], ["due", "-n", "3"], ["stats"]):
        r = run(*command, "--decks", str(folder), home=cardcli_home)
        err = r.stderr.decode()
        assert r.returncode == 0, err
        warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
        assert len(warnings) == 4 and all(str(folder) in w for w in warnings), err
        assert "Traceback" not in err and "\x00" not in err
    r = run("decks", "--decks", str(folder), home=cardcli_home)
    assert "Lists [/]" in r.stdout.decode()


def test_big_answer_disagreeing_is_reported_in_a_short_line(tmp_path, cardcli_home):
    rows = ", ".join(["[" + ", ".join(["7"] * 100) + "]"] * 100)  # 10,000 values (a 30 kB repr), all wrong
    path = tmp_path / "big.yaml"
    path.write_text("deck: B\nsource: s\ncards:\n  - {id: b, topic: conv, type: numeric, front: f, back: b, "
                    f"answer: [{rows}], check: {{fn: conv2d, args: {{input: [{rows}], weight: [[0]]}}}}}}\n")
    r = run("check", str(path), home=cardcli_home)
    err = r.stderr.decode()
    assert r.returncode == 2 and len(err.splitlines()) == 1 and len(err) < 600, err[:1000]
    assert "disagrees with the solver" in err


def test_huge_integer_answer_is_compared_without_overflow(tmp_path, cardcli_home):
    path = tmp_path / "int.yaml"
    path.write_text("deck: I\nsource: s\ncards:\n  - {id: i, topic: params, type: numeric, front: f, back: b, "
                    "answer: 1" + "0" * 400 + ", tolerance: 0.1, check: {fn: linear_params, "
                    "args: {in_features: 2, out_features: 3}}}\n")
    r = run("check", str(path), home=cardcli_home)
    err = r.stderr.decode()
    assert r.returncode == 2 and "disagrees with the solver (9)" in err and len(err) < 400, err


def test_text_length_limits():
    from cardcli.deckparse import MAX_NAME_CHARS, MAX_TEXT_CHARS

    assert (MAX_TEXT_CHARS, MAX_NAME_CHARS) == (20_000, 1_000)  # as README documents

    def deck(front: str, name: str = "N") -> list[tuple[int, str]]:
        text = (f'deck: "{name}"\nsource: s\ncards:\n'
                f'  - {{id: t, topic: conv, front: "{front}", back: [b, "{front}"]}}\n')
        return [(i.line, i.message) for i in parse_text(text, "t.yaml")[1]]

    assert deck("x" * 20_000) == []
    assert deck("x" * 20_001) == [(4, "'front' has a text of 20,001 characters (at most 20,000)"),
                                  (4, "'back' has a text of 20,001 characters (at most 20,000)")]
    assert deck("f", name="n" * 1001) == [(1, "'deck' is 1,001 characters long (at most 1,000)")]
    many = ("deck: M\nsource: s\ncards:\n  - {id: m, topic: conv, front: f, back: ["
            + ", ".join(["y" * 10_000] * 10) + "]}\n")
    assert [(i.line, i.message) for i in parse_text(many, "m.yaml")[1]] == [
        (4, "the card's texts add up to 100,002 characters (at most 100,000)")]  # 10 x 10,000 + 'm' + 'f'


def test_long_strings_inside_arrays_are_refused():
    cell = "z" * 1001
    text = (f"deck: S\nsource: s\ncards:\n  - {{id: s, topic: conv, front: f, back: b, "
            f"matrices: {{M: [[1, {cell}]]}}}}\n")
    assert [(i.line, i.message) for i in parse_text(text, "s.yaml")[1]] == [
        (4, "'matrices': a text of 1,001 characters (at most 1,000 here)")]
