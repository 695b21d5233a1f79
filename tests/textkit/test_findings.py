"""The Finding type and the message catalogue."""

import dataclasses
import re

import pytest

from socialops.textkit.findings import MESSAGES, Finding, render_message, sort_findings


def test_finding_is_frozen_and_params_are_read_only():
    f = Finding("adlaw", "block", 0, 2, "最好", "adlaw.superlative", {"term": "最好"}, "很好")
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.start = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        f.params["term"] = "x"  # type: ignore[index]
    assert hash(f) == hash(
        Finding("adlaw", "block", 0, 2, "最好", "adlaw.superlative", {"term": "最好"}, "很好")
    )


def test_finding_validates_severity_and_span():
    with pytest.raises(ValueError):
        Finding("adlaw", "fatal", 0, 1, "x", "c")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Finding("adlaw", "warn", 3, 1, "x", "c")
    with pytest.raises(ValueError):
        Finding("adlaw", "warn", 3, None, "x", "c")
    assert Finding("platform", "block", None, None, "", "platform.video_missing").start is None


def test_to_dict_renders_the_english_message():
    f = Finding("adlaw", "block", 0, 2, "最好", "adlaw.superlative", {"term": "最好"}, "很好")
    d = f.to_dict()
    assert d["message"].startswith("“最好” is a superlative")
    assert d["params"] == {"term": "最好"} and d["start"] == 0 and d["end"] == 2 and d["suggestion"] == "很好"
    assert f.flagged and not Finding("adlaw", "info", 0, 1, "x", "adlaw.quoted", {"term": "x"}).flagged


def test_render_message_uses_given_templates_and_survives_bad_ones():
    assert (
        render_message("adlaw.superlative", {"term": "最"}, {"adlaw.superlative": "「{term}」是极限词"})
        == "「最」是极限词"
    )
    assert render_message("unknown.code", {}) == "unknown.code"
    assert render_message("adlaw.superlative", {}) == MESSAGES["adlaw.superlative"]


def test_every_template_names_only_simple_placeholders():
    for code, template in MESSAGES.items():
        assert re.fullmatch(r"[a-z]+\.[a-z_0-9]+", code)
        for name in re.findall(r"\{([^}]*)\}", template):
            assert re.fullmatch(r"[a-z_]+", name), (code, name)


def test_sort_findings_reading_order():
    a = Finding("x", "warn", 5, 6, "a", "c")
    b = Finding("x", "block", 5, 7, "b", "c")
    c = Finding("x", "info", 1, 2, "c", "c")
    assert sort_findings([a, b, c]) == [c, b, a]


def test_every_code_the_checks_emit_has_a_template():
    from pathlib import Path

    from socialops.textkit.adlaw import CATEGORIES

    for category in CATEGORIES:
        assert f"adlaw.{category}" in MESSAGES
    src = Path(__file__).resolve().parents[2] / "src" / "socialops" / "textkit"
    for name in ("adlaw.py", "terms.py", "platform_rules.py", "links.py", "disclosure.py"):
        for code in re.findall(
            r'"((?:adlaw|sensitive|brand|platform|link|disclosure)\.[a-z_]+)"', (src / name).read_text()
        ):
            assert code in MESSAGES, (name, code)
