"""Fixtures shared by every test: workspaces, members by role, web and API clients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from socialops.workspaces import services
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Role

# The sandbox platform's fixtures (sandbox, sandbox_admin, sandbox_credentials, mastodon).
pytest_plugins = ["tests.sandbox_fixtures"]


@pytest.fixture(autouse=True)
def _english_default(settings: Any) -> None:
    """Tests read English messages unless they ask for Chinese (the product default stays zh-Hans)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    counter = {"n": 0}

    def make(username: str | None = None, password: str = "s3cret-pass-word") -> Any:
        counter["n"] += 1
        return services.user_create(actor=None, username=username or f"user{counter['n']}", password=password)

    return make


@pytest.fixture
def workspace(db: Any) -> Workspace:
    return services.workspace_create(actor=None, name="Acme 科技", slug="acme")


@pytest.fixture
def other_workspace(db: Any) -> Workspace:
    return services.workspace_create(actor=None, name="Other Co", slug="other")


@pytest.fixture
def member(make_user: Callable[..., Any], workspace: Workspace) -> Callable[..., Any]:
    """member(role, workspace=...) → a user with that role in the workspace."""

    def make(role: str = Role.ADMIN, ws: Workspace | None = None, **kwargs: Any) -> Any:
        user = make_user(**kwargs)
        services.membership_add(workspace=ws or workspace, actor=None, user=user, role=role)
        return user

    return make


@pytest.fixture
def admin(member: Callable[..., Any]) -> Any:
    return member(Role.ADMIN, username="boss")


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
