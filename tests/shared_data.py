"""Where the tests find the real data sets: ``../shared/data`` beside the checkout (as CI lays it
out), or the folder ``SOCIALOPS_SHARED_DATA`` names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get("SOCIALOPS_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
)


def shared_file(relative: str) -> Path:
    """A data set's path; the test fails with where it looked when the file is not there."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.fail(
            f"shared data set not found: {path} (put shared/ beside the checkout or set SOCIALOPS_SHARED_DATA)"
        )
    return path
