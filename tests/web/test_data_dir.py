"""The product never keeps its data (secret key, databases) inside the installed package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import socialops

PACKAGE_DIR = Path(socialops.__file__).resolve().parent


def _start_settings(cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SOCIALOPS_")}
    return subprocess.run(
        [sys.executable, "-c", "import socialops.config.settings"],
        cwd=cwd,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_command_started_inside_the_package_refuses_its_default_data_dir() -> None:
    result = _start_settings(PACKAGE_DIR)
    assert result.returncode != 0
    assert "inside the socialops package" in result.stderr
    assert not (PACKAGE_DIR / "var").exists()


def test_an_explicit_data_dir_elsewhere_is_used(tmp_path: Path) -> None:
    result = _start_settings(PACKAGE_DIR, SOCIALOPS_DATA_DIR=str(tmp_path / "data"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "secret_key").exists()
