"""Fixtures shared by every test: workspaces, members by role, web and API clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from socialops.workspaces import services
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Role
from tests import factories

# The sandbox platform's fixtures (sandbox, sandbox_admin, sandbox_credentials, mastodon).
pytest_plugins = ["tests.sandbox_fixtures"]


@pytest.fixture(autouse=True)
def _english_default(settings: Any) -> None:
    """Tests read English messages unless they ask for Chinese (the product default stays zh-Hans)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    counter = {"n": 0}

    def make(username: str | None = None, password: str = factories.PASSWORD) -> Any:
        counter["n"] += 1
        return factories.make_user(username or f"user{counter['n']}", password)

    return make


@pytest.fixture
def workspace(db: Any) -> Workspace:
    return factories.make_workspace("Acme 科技", "acme")


@pytest.fixture
def other_workspace(db: Any) -> Workspace:
    return factories.make_workspace("Other Co", "other")


@pytest.fixture
def member(make_user: Callable[..., Any], workspace: Workspace) -> Callable[..., Any]:
    """member(role, workspace=...) → a user with that role in the workspace."""

    def make(role: str = Role.ADMIN, ws: Workspace | None = None, **kwargs: Any) -> Any:
        user = make_user(**kwargs)
        factories.add_member(ws or workspace, user, role)
        return user

    return make


@pytest.fixture
def admin(member: Callable[..., Any]) -> Any:
    return member(Role.ADMIN, username="boss")


@pytest.fixture
def operator(member: Callable[..., Any]) -> Any:
    return member(Role.OPERATOR, username="olivia")


@pytest.fixture
def analyst(member: Callable[..., Any]) -> Any:
    return member(Role.ANALYST, username="andy")


@pytest.fixture
def reviewer(member: Callable[..., Any]) -> Any:
    return member(Role.REVIEWER, username="rita")


@pytest.fixture
def web(db: Any) -> Callable[[Any], Client]:
    """web(user) → a logged-in page client (web(None) is anonymous)."""

    def make(user: Any) -> Client:
        client = Client()
        # English unless a test asks otherwise; the product default (zh-Hans) has its own tests.
        client.cookies["django_language"] = "en"
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    make.is_api = False  # type: ignore[attr-defined]  # read by tests.access.assert_four_cases
    return make


@pytest.fixture
def api(db: Any) -> Callable[[Any], Client]:
    """api(user) → a client sending that user's bearer token (api(None) sends none)."""

    def make(user: Any) -> Client:
        if user is None:
            return Client()
        _token, raw = services.api_token_create(user=user)
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


@pytest.fixture
def keep_db_connection(monkeypatch: Any) -> None:
    """Run the `socialops` entry point in-process without losing the test's transaction.

    run_from_argv() closes every database connection when a command ends, which on PostgreSQL
    would close the connection holding the test's transaction.
    """
    from django.core.management import base

    monkeypatch.setattr(base.connections, "close_all", lambda: None)
