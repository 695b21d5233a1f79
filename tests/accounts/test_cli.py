"""`socialops accounts --workspace SLUG [--json] [--competitors | --ours]`."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("accounts", *args, stdout=out)
    return out.getvalue()


def test_json_lists_ours_first_then_competitors(workspace: Any, other_workspace: Any) -> None:
    ours = make_account(workspace, "acme", platform="weibo", display_name="Acme 微博")
    rival = make_account(workspace, "rival", platform="douyin", display_name="Rival", is_competitor=True)
    make_account(other_workspace, "elsewhere")
    rows = json.loads(_run("--workspace", "acme", "--json"))
    assert rows == [
        {
            "id": ours.pk,
            "handle": "acme",
            "platform": "weibo",
            "display_name": "Acme 微博",
            "is_competitor": False,
        },
        {
            "id": rival.pk,
            "handle": "rival",
            "platform": "douyin",
            "display_name": "Rival",
            "is_competitor": True,
        },
    ]
    assert [r["handle"] for r in json.loads(_run("--workspace", "acme", "--json", "--competitors"))] == [
        "rival"
    ]
    assert [r["handle"] for r in json.loads(_run("--workspace", "acme", "--json", "--ours"))] == ["acme"]


def test_table_is_aligned(workspace: Any) -> None:
    make_account(workspace, "acme", platform="weibo", display_name="Acme 微博")
    make_account(workspace, "a_much_longer_handle", platform="bilibili", display_name="B")
    lines = _run("--workspace", "acme").splitlines()
    assert lines[0].split() == ["ID", "Handle", "Platform", "Display", "name", "Competitor"]
    # Each column starts at the same offset on every line.
    platform_col = lines[0].index("Platform")
    assert all(line[platform_col:].split()[0] in {"Platform", "weibo", "bilibili"} for line in lines)


def test_empty_workspace_and_unknown_workspace(workspace: Any) -> None:
    assert "No accounts" in _run("--workspace", "acme")
    assert json.loads(_run("--workspace", "acme", "--json")) == []
    with pytest.raises(CommandError, match="No workspace with the slug “nope”"):
        _run("--workspace", "nope")
