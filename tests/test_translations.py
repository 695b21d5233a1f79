"""Every user-visible string is translated: zh-Hans complete, no fuzzy entries, none missing.

For each app, makemessages runs on a copy of the app and the strings it extracts must all be in
the app's committed .po file with a translation.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "socialops"
# Every app, plus config/ and core/ (not apps, but they hold user-visible messages).
APPS = sorted(p.name for p in SRC.iterdir() if (p / "apps.py").exists() or p.name in ("config", "core"))


def _po(app_dir: Path) -> Path:
    return app_dir / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("app", APPS)
def test_app_strings_all_translated_to_chinese(app: str, tmp_path: Path) -> None:
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is missing: run `make system-deps`")
    copy = tmp_path / app
    shutil.copytree(SRC / app, copy, ignore=shutil.ignore_patterns("locale", "__pycache__", "static"))
    (copy / "locale").mkdir()
    subprocess.run(
        # django-admin, not `python -m django`: with the app dir as cwd, -m would let the app's
        # selectors.py shadow the standard library's selectors module.
        [
            str(Path(sys.executable).parent / "django-admin"),
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-obsolete",
            "-v",
            "0",
        ],
        cwd=copy,
        check=True,
        env={
            "DJANGO_SETTINGS_MODULE": "socialops.config.settings",
            "PATH": "/usr/bin:/bin",
            "SOCIALOPS_TESTING": "1",
        },
    )
    extracted_path = _po(copy)
    extracted = (
        {(e.msgctxt, e.msgid) for e in polib.pofile(str(extracted_path))}
        if extracted_path.exists()
        else set()
    )
    if not extracted:
        return
    assert _po(SRC / app).exists(), (
        f"{app}: no zh_Hans translation file; run makemessages in src/socialops/{app}"
    )
    committed = polib.pofile(str(_po(SRC / app)))
    translated = {(e.msgctxt, e.msgid) for e in committed if e.translated() and not e.obsolete}
    fuzzy = [e.msgid for e in committed if "fuzzy" in e.flags and not e.obsolete]
    missing = sorted(m for _c, m in extracted - translated)
    assert not fuzzy, f"{app}: fuzzy entries {fuzzy[:10]}"
    assert not missing, f"{app}: untranslated strings {missing[:20]}"
