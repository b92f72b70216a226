"""render() quotes exactly the fields the Anki text format needs quoted (hypothesis against a naive
per-field rule written out here): a tab, a quote or a line break anywhere, '#' or whitespace first,
whitespace last."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cardcli.export_anki import HEADER, SIGNATURE, AnkiNote, render

TRICKY = st.text(alphabet=st.sampled_from(list('ab #"\t\n\r\x00\x1f\x85\xa0\u3000é')), max_size=6)


def naive_inert(field: str) -> str:
    """A field a spreadsheet would read as a formula starts with a character reference instead."""
    return f"&#{ord(field[0])};{field[1:]}" if field and field[0] in "=+-@" else field


def test_formula_prefixes_become_character_references():
    note = AnkiNote(guid="Ab3", deck="cardcli::D", front="=HYPERLINK(\"http://x\")", back="-log(1/N)",
                    tags=("cardcli",))
    row = render([note]).splitlines()[-1].split("\t")
    assert row[3] == '"&#61;HYPERLINK(""http://x"")"' and row[4] == "&#45;log(1/N)"
    for prefix in "+@":
        assert render([AnkiNote(guid="g", deck="d", front=prefix + "1", back="x", tags=())]).splitlines()[-1] \
            .split("\t")[3] == f"&#{ord(prefix)};1"


def naive_field(value: str) -> str:
    quote = (any(ch in value for ch in '\t"\n\r') or value.startswith("#")
             or (value != "" and (value[0].isspace() or value[-1].isspace())))
    return '"' + value.replace('"', '""') + '"' if quote else value


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(TRICKY, TRICKY, TRICKY, TRICKY, TRICKY, st.lists(TRICKY, max_size=3)), max_size=8))
def test_render_quotes_exactly_the_fields_that_need_it(rows):
    notes = [AnkiNote(guid=g, notetype=t, deck=d, front=f, back=b, tags=tuple(tags)) for g, t, d, f, b, tags in rows]
    expect = HEADER + SIGNATURE + "".join(
        "\t".join(naive_field(x) for x in (g, t, d, naive_inert(f), naive_inert(b), " ".join(tags))) + "\n"
        for g, t, d, f, b, tags in rows)
    assert render(notes) == expect


def test_plain_rows_are_written_as_they_are():
    note = AnkiNote(guid="Ab3", deck="cardcli::D", front="What is 2+2?", back="4", tags=("cardcli", "conv"))
    assert render([note]) == HEADER + SIGNATURE + "Ab3\tBasic\tcardcli::D\tWhat is 2+2?\t4\tcardcli conv\n"


def naive_guid(key: str) -> str:
    """64 bits of SHA-256("cardcli:" + key) in base 62, one digit at a time, 11 digits."""
    import hashlib

    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    n = int(hashlib.sha256(("cardcli:" + key).encode()).hexdigest()[:16], 16)
    out = ""
    for _ in range(11):
        out = alphabet[n % 62] + out
        n //= 62
    return out


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_guid_is_the_base62_of_the_hash(key):
    from cardcli.export_anki import guid_for

    assert guid_for(key) == naive_guid(key)
    assert len(guid_for(key)) == 11 and guid_for(key).isalnum()
