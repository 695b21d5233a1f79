"""People of the review tests (the data builders are in tests/factories.py)."""

from __future__ import annotations

from typing import Any

import pytest

from socialops.workspaces.roles import Role


@pytest.fixture
def other_admin(member: Any, other_workspace: Any) -> Any:
    return member(Role.ADMIN, ws=other_workspace, username="olga")
