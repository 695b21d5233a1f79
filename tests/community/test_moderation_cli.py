"""`socialops moderate --workspace W --json`: one verdict a line for the messages on standard input."""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from socialops.cli import main
from socialops.community.services.moderation import moderation_settings_update

pytestmark = pytest.mark.django_db


def _stdin(text: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8")


def run(monkeypatch: Any, text: str, **options: Any) -> list[str]:
    monkeypatch.setattr(sys, "stdin", _stdin(text))
    out = io.StringIO()
    call_command("moderate", stdout=out, **options)
    return out.getvalue().splitlines()


def test_one_json_verdict_a_line(monkeypatch: Any, workspace: Any) -> None:
    lines = [
        "加V：abc12345 了解详情",
        "请问R7的滤网多久换一次？",
        json.dumps({"text": "进群领福利", "has_image_qr": True}, ensure_ascii=False),
        "",
        "{not json, just a message with 13812345678}",
    ]
    out = run(monkeypatch, "\n".join(lines), workspace="acme", json=True, language="en")
    verdicts = [json.loads(line) for line in out]
    assert [v["rule"] for v in verdicts] == ["wechat_id", "", "qr_image", "phone"]
    assert [v["spam"] for v in verdicts] == [True, False, True, True]
    assert set(verdicts[0]) >= {"spam", "rule", "reason", "evidence"}
    assert verdicts[0]["evidence"] == "加V：abc12345"


def test_uses_the_workspace_policy_and_sees_repeats_across_lines(monkeypatch: Any, workspace: Any) -> None:
    moderation_settings_update(workspace=workspace, actor=None, enabled_rules=["repeat"], repeat_count=2)
    rows = [
        {"text": "加V：abc12345", "sender": "a", "sent_at": "2026-12-07T10:00:00+08:00"},
        {"text": "加V：abc12345", "sender": "a", "sent_at": "2026-12-07T10:01:00+08:00"},
    ]
    out = run(monkeypatch, "\n".join(json.dumps(r) for r in rows), workspace="acme", json=True)
    assert [json.loads(line)["rule"] for line in out] == ["", "repeat"]


def test_readable_output_in_the_workspace_language(monkeypatch: Any, workspace: Any) -> None:
    out = run(monkeypatch, "电话 13812345678\n你好", workspace="acme")
    assert out[0].startswith("1: phone · ") and "电话号码" in out[0]
    assert out[1] == "2: ok"


def test_unknown_workspace_and_bad_lines(
    monkeypatch: Any, workspace: Any, keep_db_connection: None, capsys: Any
) -> None:
    with pytest.raises(CommandError, match="nope"):
        run(monkeypatch, "hi", workspace="nope")
    with pytest.raises(CommandError, match="Line 1"):
        run(monkeypatch, json.dumps({"text": 5}), workspace="acme", language="en")
    monkeypatch.setattr(sys, "stdin", _stdin("兼职刷单日结\n"))
    try:
        main(["moderate", "--workspace", "acme", "--json"])
    except SystemExit as exc:  # pragma: no cover - only raised on errors
        assert exc.code in (0, None)
    assert json.loads(capsys.readouterr().out)["rule"] == "banned_word"
