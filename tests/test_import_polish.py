"""Import polish: multi-line Quizlet definitions, HTML in CSV files, Anki tags choosing the topic.

Expected cards are written out by hand from the input text.
"""

from __future__ import annotations

from pathlib import Path

from cardcli.importing import import_file
from cardcli.importing.build import tag_topic


def imported(tmp_path: Path, name: str, text: str, **kw):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return import_file(p, **kw)


def test_quizlet_definition_over_several_lines_is_kept_whole(tmp_path):
    text = ("Sigmoid problems\tSaturated neurons kill gradients\nNot zero-centred\nexp() is expensive\n"
            "ReLU\tmax(0, x)\n"
            "Dropout\tZero activations at random\n\nScale by 1/p at training time\n")
    got = imported(tmp_path, "set.txt", text, fmt="quizlet")
    assert [(c["front"], c["back"]) for c in got.cards] == [
        ("Sigmoid problems", "Saturated neurons kill gradients\nNot zero-centred\nexp() is expensive"),
        ("ReLU", "max(0, x)"),
        ("Dropout", "Zero activations at random\n\nScale by 1/p at training time"),
    ]
    assert got.warnings == []


def test_quizlet_line_before_any_card_is_still_a_warning(tmp_path):
    got = imported(tmp_path, "set.txt", "stray words\nReLU\tmax(0, x)\nTanh\tzero-centred\n", fmt="quizlet")
    assert [c["front"] for c in got.cards] == ["ReLU", "Tanh"]
    assert [(w.line, "separator" in w.message) for w in got.warnings] == [(1, True)]


def test_html_in_csv_becomes_text_as_in_anki_imports(tmp_path):
    text = ('question,answer\n'
            '"What is <b>ReLU</b>?","max(0, x)<br>piecewise linear &amp; cheap"\n'
            '"Is x < 0 &lt; 1?","yes: 0 < 1"\n'
            '"<div>Stride</div><div>of a conv?</div>",step &gt; 1 shrinks\n')
    got = imported(tmp_path, "cards.csv", text, fmt="csv")
    pairs = [(c["front"], c["back"]) for c in got.cards]
    assert ("What is ReLU?", "max(0, x)\npiecewise linear & cheap") in pairs
    assert ("Is x < 0 < 1?", "yes: 0 < 1") in pairs
    assert ("Stride\nof a conv?", "step > 1 shrinks") in pairs
    plain = imported(tmp_path, "plain.csv", 'q,a\n"Is x < 0 and y > 2?",both\n', fmt="csv")
    assert [(c["front"], c["back"]) for c in plain.cards][-1] == ("Is x < 0 and y > 2?", "both")  # no markup: as is


def test_anki_tags_that_name_a_topic_choose_it(tmp_path):
    text = ("#separator:tab\n#html:true\n#tags column:3\n"
            "What does max pooling keep?\tThe largest value.\tlecture5 pooling\n"  # the words say pooling too
            "Why use momentum?\tIt damps oscillation.\tcourse::RNN\n"          # the tag wins over the words
            "What is a conv filter?\tLearned weights.\tmy_tag\n")              # no topic tag: guessed
    got = imported(tmp_path, "notes.txt", text, fmt="anki")
    topics = {c["front"]: c["topic"] for c in got.cards}
    assert topics == {"What does max pooling keep?": "pooling", "Why use momentum?": "rnn",
                      "What is a conv filter?": "conv"}
    assert got.guessed == 1
    forced = imported(tmp_path, "notes2.txt", text, fmt="anki", topic="training")
    assert {c["topic"] for c in forced.cards} == {"training"}  # --topic still decides for every card


def test_tag_topic_forms():
    assert tag_topic(("Output_Size",)) == "output-size"
    assert tag_topic(("x", "dl::transfer_learning")) == "transfer-learning"
    assert tag_topic(("lecture5", "misc-notes")) is None
