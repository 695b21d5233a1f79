"""`socialops --version` prints our version from the package metadata, not Django's."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from socialops import cli


@pytest.mark.parametrize("arg", ["--version", "version"])
def test_version_from_package_metadata(arg: str, capsys: pytest.CaptureFixture[str]) -> None:
    cli.main([arg])
    assert capsys.readouterr().out == f"socialops {version('socialops')}\n"
