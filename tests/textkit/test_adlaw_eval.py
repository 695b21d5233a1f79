"""Precision and recall of the Advertising-Law checker on the labelled and held-out sets."""

from pathlib import Path

from socialops.textkit.evaluation import baseline_predict, checker_for, load_labelled, score

DATA = Path(__file__).parent / "data"


def _run(name):
    data = load_labelled(DATA / name)
    ours, errors = score(data.rows, checker_for(data).is_flagged)
    base, _ = score(data.rows, baseline_predict)
    print(f"\n{name}: ours {ours.line()}\n{name}: baseline {base.line()}")
    for label, text in errors:
        print(f"  missed (label {label}): {text}")
    return data, ours, base


def test_labelled_set_is_big_and_balanced():
    data = load_labelled(DATA / "adlaw_labelled.tsv")
    positives = sum(label for label, _ in data.rows)
    assert len(data.rows) >= 300
    assert 0.4 <= positives / len(data.rows) <= 0.6
    assert len({text for _, text in data.rows}) == len(data.rows)


def test_precision_and_recall_on_the_labelled_set():
    _, ours, base = _run("adlaw_labelled.tsv")
    assert ours.precision > 0.95, ours.line()
    assert ours.recall > 0.95, ours.line()
    assert ours.f1 > base.f1


def test_precision_and_recall_on_the_held_out_set():
    data, ours, base = _run("adlaw_heldout.tsv")
    assert len(data.rows) >= 60
    assert ours.precision > 0.85, ours.line()
    assert ours.recall > 0.85, ours.line()
    assert ours.f1 > base.f1


def test_held_out_sentences_are_not_in_the_labelled_set():
    a = {t for _, t in load_labelled(DATA / "adlaw_labelled.tsv").rows}
    b = {t for _, t in load_labelled(DATA / "adlaw_heldout.tsv").rows}
    assert not a & b


def test_benchmark_script_prints_ours_and_the_baseline(capsys):
    import runpy

    root = Path(__file__).resolve().parents[2]
    module = runpy.run_path(str(root / "benchmarks" / "adlaw_eval.py"), run_name="adlaw_eval")
    assert module["main"](["--errors"]) == 0
    out = capsys.readouterr().out
    assert out.count("ours      precision") == 2 and out.count("baseline  precision") == 2
    assert "held-out" in out
