"""`socialops check --workspace W [--platform P] [--form F] [--advertising] [--json]` reading standard input."""

from __future__ import annotations

import io
import json
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from socialops.cli import main
from socialops.review.services import terms as term_services

pytestmark = pytest.mark.django_db


def _stdin(text: str) -> io.TextIOWrapper:
    """Standard input as a pipe gives it: bytes underneath (the command reads them as UTF-8)."""
    return io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8")


def run(monkeypatch: Any, text: str, *args: str, **options: Any) -> str:
    monkeypatch.setattr(sys, "stdin", _stdin(text))
    out = io.StringIO()
    call_command("check", *args, stdout=out, **options)
    return out.getvalue()


def test_json_findings_from_stdin(monkeypatch: Any, workspace: Any) -> None:
    term_services.brand_term_create(
        workspace=workspace, actor=None, preferred="星曜 X1 Pro", forbidden=["星耀X1pro"]
    )
    text = "全网最低价！星耀X1pro 今天上市 #新品\n" + "微" * 130
    output = run(monkeypatch, text, workspace="acme", platform="weibo", json=True, language="en")
    data = json.loads(output)
    assert data["workspace"] == "acme" and data["platform"] == "weibo"
    assert data["count"] == len(data["findings"]) and data["blocking"] is True
    first = data["findings"][0]
    assert set(first) == {"check", "severity", "field", "start", "end", "matched", "message", "suggestion"}
    by_check = {(f["check"], f["matched"]) for f in data["findings"]}
    assert ("adlaw", "全网最低价") in by_check and ("brand", "星耀X1pro") in by_check
    adlaw = next(f for f in data["findings"] if f["check"] == "adlaw")
    assert (adlaw["start"], adlaw["end"], adlaw["severity"]) == (0, 5, "block")
    assert adlaw["message"].startswith("“全网最低价” claims")
    platform = [f for f in data["findings"] if f["check"] == "platform"]
    assert any(f["start"] is not None and f["severity"] == "block" for f in platform)  # past 140 汉字


def test_advertising_and_form(monkeypatch: Any, workspace: Any) -> None:
    data = json.loads(
        run(
            monkeypatch,
            "好物分享，" + "字" * 300,
            workspace="acme",
            platform="weibo",
            form="long",
            advertising=True,
            json=True,
        )
    )
    codes = [f["check"] for f in data["findings"]]
    assert "disclosure" in codes
    assert not any(
        f["check"] == "platform" and f["start"] is not None for f in data["findings"]
    )  # 2,000 for long


def test_messages_in_the_workspace_language_by_default(monkeypatch: Any, workspace: Any) -> None:
    data = json.loads(run(monkeypatch, "国内首款手机", workspace="acme", json=True))
    assert "《广告法》" in data["findings"][0]["message"]


def test_readable_list_and_clean_text(monkeypatch: Any, workspace: Any) -> None:
    output = run(monkeypatch, "史上最强的一次发布会", workspace="acme", language="en")
    assert "[block] adlaw body 0–4 “史上最强”:" in output
    assert output.splitlines()[-1] == "1 finding, 1 blocking."
    assert run(monkeypatch, "今天天气不错。", workspace="acme", language="en").strip() == "No findings."


def test_errors_and_exit_status(
    monkeypatch: Any, workspace: Any, keep_db_connection: None, capsys: Any
) -> None:
    with pytest.raises(CommandError):
        run(monkeypatch, "x", workspace="nope")
    with pytest.raises(CommandError):
        run(monkeypatch, "x", workspace="acme", form="long")
    # Through the console script: exit status 0 whatever the findings.
    monkeypatch.setattr(sys, "stdin", _stdin("全网最低价"))
    try:
        main(["check", "--workspace", "acme", "--json"])
    except SystemExit as exc:  # pragma: no cover - only raised on errors
        assert exc.code in (0, None)
    assert json.loads(capsys.readouterr().out)["count"] >= 1


def test_without_workspace_it_is_djangos_system_check() -> None:
    out = io.StringIO()
    call_command("check", stdout=out)
    assert "System check identified no issues" in out.getvalue()
