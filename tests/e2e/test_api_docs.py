"""The interactive API docs the README advertises render in the browser under our CSP."""

from __future__ import annotations

from typing import Any

import pytest

from socialops.config.api import api
from socialops.workspaces import services
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def _operation_blocks() -> set[str]:
    """The element id Swagger UI gives each operation of the document: operations-<tag>-<operationId>."""
    document = api.get_openapi_schema()
    return {
        f"operations-{operation['tags'][0]}-{operation['operationId']}"
        for operations in document["paths"].values()
        for operation in operations.values()
    }


def test_api_docs_render_under_the_csp(page: Any) -> None:
    services.user_create(actor=None, username="dev", password="pa55-word-ok")
    login(page, "dev", "pa55-word-ok")
    scripts: list[str] = []
    page.on(
        "request", lambda r: scripts.append(r.url) if r.resource_type in ("script", "stylesheet") else None
    )
    response = page.goto(page.base + "/api/v1/docs")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "socialops API" in page.locator(".swagger-ui .info .title").inner_text()
    # Swagger UI keeps only the operations near the viewport in the page: scroll through it and
    # collect every operation block that appears; each operation of the document must show up.
    expected = _operation_blocks()
    seen: set[str] = set()
    for _ in range(200):
        seen.update(page.eval_on_selector_all(".opblock", "blocks => blocks.map(b => b.id)"))
        at_end = page.evaluate("window.innerHeight + window.scrollY >= document.body.scrollHeight - 2")
        if at_end and seen >= expected:
            break
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(50)
    assert seen == expected, sorted(expected - seen)[:10]
    # Scripts and styles came from this server's own static files.
    assert scripts and all(url.startswith(page.base + "/static/") for url in scripts), scripts
    assert not page.problems, page.problems
