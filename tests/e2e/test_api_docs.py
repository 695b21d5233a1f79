"""The interactive API docs the README advertises render in the browser under our CSP."""

from __future__ import annotations

from typing import Any

import pytest

from socialops.workspaces import services
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_api_docs_render_under_the_csp(page: Any) -> None:
    services.user_create(actor=None, username="dev", password="pa55-word-ok")
    login(page, "dev", "pa55-word-ok")
    response = page.goto(page.base + "/api/v1/docs")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "socialops API" in page.locator(".swagger-ui .info .title").inner_text()
    # Every operation of the document is listed (one block per operation).
    assert page.locator(".opblock").count() > 50
    assert not [p for p in page.problems if "Content Security Policy" in p], page.problems
