"""Two web processes, one database: a term added through one is flagged by the other at once.

Each process keeps compiled term-list checkers in memory (review.services.runner); the cache key
carries the workspace's ``CheckSettings.terms_version`` and token, read on every check, so a
write through another process is never missed (docs/scaling.md).
"""

from __future__ import annotations

import json

import httpx
import pytest

from socialops.review.services import terms as term_services
from socialops.workspaces import services as workspace_services
from tests import factories
from tests.ops.processes import free_port, serve, shared_database, stop, wait_until_up

__all__ = ["shared_database"]

TEXT = "新品发布会上我们会送出神秘大礼包，欢迎大家来现场。"


def _sensitive_terms(client: httpx.Client, port: int, request_id: str = "") -> list[str]:
    answer = client.post(
        f"http://127.0.0.1:{port}/api/v1/workspaces/acme/checks",
        json={"body": TEXT},
        headers={"X-Request-ID": request_id} if request_id else {},
        timeout=15,
    )
    assert answer.status_code == 200, answer.text
    if request_id:
        assert answer.headers["X-Request-ID"] == request_id
    return [f["matched"] for f in answer.json()["findings"] if f["check"] == "sensitive"]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_term_added_through_one_process_is_flagged_by_the_other(shared_database: str) -> None:
    workspace = factories.make_workspace("Acme 科技", "acme")
    user = factories.make_user("boss")
    factories.add_member(workspace, user)
    _token, raw = workspace_services.api_token_create(user=user)
    term_list = term_services.sensitive_list_create(
        workspace=workspace, actor=user, name="活动禁语", severity="block"
    )

    port_a, port_b = free_port(), free_port()
    # B writes JSON logs: its access line for the check must carry the id we sent.
    procs = [serve(shared_database, port_a), serve(shared_database, port_b, SOCIALOPS_LOG_FORMAT="json")]
    try:
        for proc, port in zip(procs, (port_a, port_b), strict=True):
            wait_until_up(proc, port)
        with httpx.Client(headers={"Authorization": f"Bearer {raw}"}) as client:
            # B builds and caches its checkers: nothing on the list yet.
            assert _sensitive_terms(client, port_b) == []
            added = client.post(
                f"http://127.0.0.1:{port_a}/api/v1/workspaces/acme/checks/sensitive-lists/{term_list.pk}/terms",
                json={"term": "神秘大礼包"},
                timeout=15,
            )
            assert added.status_code == 201, added.text
            # B's next check sees the new word.
            assert _sensitive_terms(client, port_b, request_id="two-processes-1") == ["神秘大礼包"]
    finally:
        for proc in procs:
            stop(proc)
    assert procs[1].stderr is not None
    lines = [
        json.loads(line) for line in procs[1].stderr.read().decode().splitlines() if line.startswith("{")
    ]
    access = [line for line in lines if line["logger"] == "socialops.access"]
    assert any(
        line["request_id"] == "two-processes-1" and line["message"].startswith("POST api/v1/")
        for line in access
    ), access
