"""Fixtures of the analytics tests: accounts, members, the Facebook data set, a saved preset."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from socialops.accounts.models import Platform, SocialAccount
from socialops.analytics.models import ColumnMapping
from socialops.analytics.services import column_mapping_preset
from socialops.workspaces.roles import Role

# The shared data sets sit next to the checkout (../shared/data), or where SOCIALOPS_SHARED_DATA says.
SHARED_DATA = Path(
    os.environ.get("SOCIALOPS_SHARED_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data"
)
FACEBOOK_CSV = SHARED_DATA / "dataset_Facebook.csv"


def make_account(workspace: Any, handle: str, platform: str = Platform.OTHER, **extra: Any) -> SocialAccount:
    # Test setup: the accounts app's own services are exercised by its tests.
    return SocialAccount.objects.create(
        workspace=workspace,
        platform=platform,
        handle=handle,
        display_name=handle.replace("_", " ").title(),
        **extra,
    )


@pytest.fixture
def facebook_bytes() -> bytes:
    return FACEBOOK_CSV.read_bytes()


@pytest.fixture
def fb_account(workspace: Any) -> SocialAccount:
    return make_account(workspace, "acme_fb")


@pytest.fixture
def weibo(workspace: Any) -> SocialAccount:
    return make_account(workspace, "acme_weibo", Platform.WEIBO)


@pytest.fixture
def foreign_account(other_workspace: Any) -> SocialAccount:
    return make_account(other_workspace, "other_fb")


@pytest.fixture
def operator(member: Any) -> Any:
    return member(Role.OPERATOR, username="olivia")


@pytest.fixture
def analyst(member: Any) -> Any:
    return member(Role.ANALYST, username="andy")


@pytest.fixture
def outsider(member: Any, other_workspace: Any) -> Any:
    """An operator of the other workspace (the 404 case from their side is covered by foreign URLs)."""
    return member(Role.OPERATOR, ws=other_workspace, username="otto")


@pytest.fixture
def preset(workspace: Any) -> ColumnMapping:
    return column_mapping_preset(workspace=workspace, actor=None, preset="facebook-page-export")


@pytest.fixture
def foreign_mapping(other_workspace: Any) -> ColumnMapping:
    return column_mapping_preset(workspace=other_workspace, actor=None, preset="facebook-page-export")
