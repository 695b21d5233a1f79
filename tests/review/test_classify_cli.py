"""`socialops classify --workspace W [--json]` reading one message a line on standard input."""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def _stdin(text: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8")


def run(monkeypatch: Any, text: str, **options: Any) -> str:
    monkeypatch.setattr(sys, "stdin", _stdin(text))
    out = io.StringIO()
    call_command("classify", stdout=out, **options)
    return out.getvalue()


def test_json_lines(monkeypatch: Any, workspace: Any) -> None:
    output = run(monkeypatch, "客服态度太差了，再也不买了\n\n求链接！\n", workspace="acme", json=True)
    rows = [json.loads(line) for line in output.splitlines()]
    assert len(rows) == 2
    assert set(rows[0]) == {"text", "sentiment", "score", "intent"}
    assert rows[0]["text"] == "客服态度太差了，再也不买了"
    assert (rows[0]["sentiment"], rows[0]["intent"]) == ("negative", "complaint")
    assert 0 <= rows[0]["score"] < 0.5
    assert rows[1]["intent"] == "purchase"


def test_readable_table_in_the_workspace_language(monkeypatch: Any, workspace: Any) -> None:
    output = run(monkeypatch, "客服态度太差了，再也不买了\n", workspace="acme")
    header, row = output.splitlines()
    assert header.split("\t") == ["情感", "得分", "意图", "消息"]
    assert row.startswith("负面\t") and "\t投诉\t" in row
    english = run(monkeypatch, "客服态度太差了，再也不买了\n", workspace="acme", language="en")
    assert english.splitlines()[1].startswith("negative\t")


def test_empty_input(monkeypatch: Any, workspace: Any) -> None:
    assert run(monkeypatch, "\n  \n", workspace="acme", json=True) == ""
    assert run(monkeypatch, "", workspace="acme", language="en").strip() == "No messages on standard input."


def test_unknown_workspace(monkeypatch: Any, workspace: Any) -> None:
    with pytest.raises(CommandError, match="nope"):
        run(monkeypatch, "你好\n", workspace="nope", json=True)
