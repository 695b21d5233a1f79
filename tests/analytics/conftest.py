"""Fixtures of the analytics tests: accounts, members, the Facebook data set, a saved preset."""

from __future__ import annotations

from typing import Any

import pytest

from socialops.accounts.models import Platform, SocialAccount
from socialops.analytics.models import ColumnMapping
from socialops.analytics.services import column_mapping_preset
from socialops.workspaces.roles import Role
from tests.factories import account_row
from tests.shared_data import SHARED_DATA, shared_file

FACEBOOK_CSV = SHARED_DATA / "dataset_Facebook.csv"


@pytest.fixture
def facebook_bytes() -> bytes:
    return shared_file(FACEBOOK_CSV.name).read_bytes()


@pytest.fixture
def fb_account(workspace: Any) -> SocialAccount:
    return account_row(workspace, "acme_fb", Platform.OTHER)


@pytest.fixture
def weibo(workspace: Any) -> SocialAccount:
    return account_row(workspace, "acme_weibo", Platform.WEIBO)


@pytest.fixture
def foreign_account(other_workspace: Any) -> SocialAccount:
    return account_row(other_workspace, "other_fb", Platform.OTHER)


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
