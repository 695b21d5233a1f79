"""`socialops plan`: runs the generator and prints placements with explanations, empty slots, short themes."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from socialops.cli import main
from socialops.content.models import PlanRun
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.factories import make_account, make_backlog, make_themes

from .test_plan_support import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(at(2026, 2, 2, 8, 0), tick=False):
        yield


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("plan", *args, stdout=out)
    return out.getvalue()


def test_json_output(workspace: Any) -> None:
    one = make_account(workspace, "one")
    make_account(workspace, "two")
    themes = make_themes(workspace)
    make_backlog(workspace, themes[:3], per_theme=2, accounts=[one])
    data = json.loads(
        _run(
            "--workspace", "acme", "--from", "2026-03-02", "--to", "2026-03-08", "--accounts", "one", "--json"
        )
    )
    assert [a["handle"] for a in data["accounts"]] == ["one"]
    assert len(data["placements"]) == 6
    first = data["placements"][0]
    assert first["time"].startswith("2026-03-02") and first["explanation_text"]
    assert {e["code"] for e in first["explanation"]} & {"theme_under_target", "theme_on_target"}
    assert data["empty_slots"]["total"] == 12 - 6
    assert {s["theme_name"] for s in data["short_themes"]} == {"专家观点", "实用技巧"}
    assert PlanRun.objects.get(pk=data["run"]).created_by is None
    assert AuditEntry.objects.get(action="plan.generate").actor_name == "system"


def test_text_output_and_errors(workspace: Any, member: Any) -> None:
    account = make_account(workspace, "one")
    make_backlog(workspace, make_themes(workspace), per_theme=1)
    text = _run(
        "--workspace", "acme", "--from", "2026-03-02", "--to", "2026-03-03", "--accounts", str(account.pk)
    )
    assert "posts placed" in text and "    - " in text
    with pytest.raises(CommandError, match="No own account"):
        _run("--workspace", "acme", "--from", "2026-03-02", "--to", "2026-03-03", "--accounts", "nobody")
    with pytest.raises(CommandError, match="cannot be before"):
        _run("--workspace", "acme", "--from", "2026-03-05", "--to", "2026-03-03")
    with pytest.raises(CommandError, match="2026-02-14"):
        _run("--workspace", "acme", "--from", "yesterday", "--to", "2026-03-03")
    member(Role.ANALYST, username="reader")
    with pytest.raises(CommandError, match="does not allow"):
        _run("--workspace", "acme", "--from", "2026-03-02", "--to", "2026-03-03", "--actor", "reader")


def test_console_script(workspace: Any, keep_db_connection: Any, capsys: Any) -> None:
    make_account(workspace, "one")
    make_backlog(workspace, make_themes(workspace), per_theme=1)
    main(["plan", "--workspace", "acme", "--from", "2026-03-02", "--to", "2026-03-02", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert len(data["placements"]) == 3 and data["period"] == {"from": "2026-03-02", "to": "2026-03-02"}
