"""Logging in through the browser, in Chinese, with the CSP satisfied."""

from __future__ import annotations

from typing import Any

import pytest

from socialops.workspaces import services
from socialops.workspaces.roles import Role
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_page_is_chinese_and_csp_clean(page: Any) -> None:
    response = page.goto(page.base + "/login/")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "登录 socialops"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert not [p for p in page.problems if "Content Security Policy" in p], page.problems


def test_wrong_password_then_right_one_reaches_workspace(page: Any) -> None:
    user = services.user_create(actor=None, username="lin", password="pa55-word-ok")
    workspace = services.workspace_create(actor=None, name="星曜科技", slug="xy")
    services.membership_add(workspace=workspace, actor=None, user=user, role=Role.OPERATOR)
    login(page, "lin", "wrong")
    assert "/login/" in page.url
    login(page, "lin", "pa55-word-ok")
    assert page.url.endswith("/w/xy/")
    assert "星曜科技" in page.locator("nav").inner_text()
    assert not [p for p in page.problems if "Content Security Policy" in p], page.problems
