"""Command line: `socialops import posts` and `socialops analytics best-time`."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from socialops.analytics.models import ColumnMapping, PostImport, PostRecord
from socialops.cli import main as socialops_main

from .conftest import FACEBOOK_CSV
from .test_import import _independent_table

pytestmark = pytest.mark.django_db


def _import_posts(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_data", "posts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_posts_with_a_preset_name_then_again(workspace: Any, fb_account: Any, operator: Any) -> None:
    out, err = _import_posts(
        str(FACEBOOK_CSV),
        "--workspace",
        "acme",
        "--account",
        "acme_fb",
        "--mapping",
        "facebook-page-export",
        "--actor",
        "olivia",
    )
    assert "Imported dataset_Facebook.csv: 500 rows — 500 new, 0 updated, 0 unchanged." in out
    assert "writing" in err and "500/500" in err  # the progress bar
    # The preset was saved on first use, by the actor.
    mapping = ColumnMapping.objects.get(workspace=workspace, name="facebook-page-export")
    assert mapping.created_by == operator and PostImport.objects.get().created_by == operator

    out, _err = _import_posts(
        str(FACEBOOK_CSV),
        "--workspace",
        "acme",
        "--account",
        str(fb_account.pk),
        "--mapping",
        str(mapping.pk),
    )
    assert "0 new, 0 updated, 500 unchanged" in out
    assert PostRecord.objects.count() == 500


def test_rejected_file_prints_every_problem_and_exits_1(
    workspace: Any, fb_account: Any, preset: Any, tmp_path: Path, capsys: Any, keep_db_connection: None
) -> None:
    lines = FACEBOOK_CSV.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(";")
    cells[4] = "9"  # Post Weekday
    cells[5] = "25"  # Post Hour
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([lines[0], lines[2], ";".join(cells)]) + "\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        socialops_main(
            [
                "import",
                "posts",
                str(path),
                "--workspace",
                "acme",
                "--account",
                "acme_fb",
                "--mapping",
                "facebook-page-export",
                "--no-progress",
            ]
        )
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "line 3, Post Weekday: must be between 1 and 7" in err
    assert "line 3, Post Hour: must be between 0 and 23" in err
    assert "bad.csv was not imported: 2 problems; nothing was changed." in err
    assert not PostRecord.objects.exists()


def test_import_posts_argument_errors(workspace: Any, fb_account: Any, analyst: Any, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(b"weekday,hour,engagements\n1,9,5\n")
    with pytest.raises(CommandError, match="No column mapping “nope”"):
        _import_posts(str(path), "--workspace", "acme", "--account", "acme_fb", "--mapping", "nope")
    with pytest.raises(CommandError, match="unknown account"):
        _import_posts(str(path), "--workspace", "acme", "--account", "ghost", "--mapping", "nope")
    with pytest.raises(CommandError, match="may not import posts"):
        _import_posts(
            str(path),
            "--workspace",
            "acme",
            "--account",
            "acme_fb",
            "--mapping",
            "facebook-page-export",
            "--actor",
            "andy",
        )
    with pytest.raises(CommandError):  # --account and --mapping are required for posts
        call_command("import_data", "posts", str(path), "--workspace", "acme")
    assert not PostRecord.objects.exists() and not ColumnMapping.objects.exists()


def test_best_time_json_is_the_heatmap_table(
    workspace: Any, fb_account: Any, preset: Any, capsys: Any, keep_db_connection: None
) -> None:
    _import_posts(
        str(FACEBOOK_CSV), "--workspace", "acme", "--account", "acme_fb", "--mapping", "facebook-page-export"
    )
    capsys.readouterr()
    socialops_main(["analytics", "best-time", "--workspace", "acme", "--account", "acme_fb", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert data["source"] == "learned" and data["posts"] == 500
    assert data["account"]["handle"] == "acme_fb"
    assert len(data["cells"]) == 168
    expected = _independent_table()
    for cell in data["cells"]:
        key = (cell["weekday"], cell["hour"])
        posts, mean, rate = expected.get(key, (0, None, None))
        assert cell["posts"] == posts, key
        if posts:
            assert cell["mean_engagement"] == pytest.approx(mean, rel=1e-9)
            assert cell["mean_engagement_rate"] == pytest.approx(rate, rel=1e-9)
        else:
            assert cell["mean_engagement"] is None and cell["mean_engagement_rate"] is None
    assert set(data["cells"][0]) == {
        "weekday",
        "hour",
        "posts",
        "mean_engagement",
        "mean_engagement_rate",
        "score",
    }


def test_best_time_table_output_and_errors(workspace: Any, weibo: Any) -> None:
    out = io.StringIO()
    call_command("analytics", "best-time", "--workspace", "acme", "--account", "acme_weibo", stdout=out)
    text = out.getvalue()
    assert "best hours platform default; 0 posts in the history." in text
    assert "Top hours: Mon 22:00 ×1.40" in text
    with pytest.raises(CommandError, match="No workspace"):
        call_command("analytics", "best-time", "--workspace", "nope", "--account", "x")
    with pytest.raises(CommandError, match="unknown account"):
        call_command("analytics", "best-time", "--workspace", "acme", "--account", "ghost")
