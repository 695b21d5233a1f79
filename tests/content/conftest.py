"""Fixtures of the content tests (the data builders are in tests/factories.py)."""

from __future__ import annotations

from typing import Any

import pytest

from socialops.content.models import Theme
from tests.factories import make_theme


@pytest.fixture
def media_root(settings: Any, tmp_path: Any) -> None:
    """Uploaded files go to the test's own directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def theme(workspace: Any) -> Theme:
    return make_theme(workspace, "产品介绍")
