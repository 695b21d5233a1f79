"""`socialops backup` and `socialops restore`: a round trip gives the same rows and files, nothing
published is sent again, and a damaged, foreign-version or unwanted restore changes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

import socialops
from socialops.content.models import ContentItem
from socialops.publishing import engine
from socialops.publishing.models import Publication
from socialops.workspaces.models import AuditEntry, Workspace
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

MODELS = (get_user_model(), Workspace, ContentItem, Publication, AuditEntry)


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def _media() -> dict[str, str]:
    root = Path(settings.MEDIA_ROOT)
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def installation(tmp_path: Path, settings: Any) -> dict[str, Any]:
    """A small installation: a workspace with an account, a published and a scheduled post, a media file."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    media = Path(settings.MEDIA_ROOT) / "assets" / "2026" / "cover.png"
    media.parent.mkdir(parents=True)
    media.write_bytes(factories.image_bytes())
    workspace = factories.make_workspace("星曜科技", "xingyao")
    factories.add_member(workspace, factories.make_user("lead"), "admin")
    account = factories.make_account(workspace, handle="xy_weibo", platform="mastodon")
    factories.connect(account, "manual")
    published = factories.make_publication(workspace, factories.approved_item(workspace, "已发布"), account)
    Publication.objects.filter(pk=published.pk).update(
        state="published", external_id="109", published_at=timezone.now()
    )
    later = timezone.now() + dt.timedelta(hours=2)
    scheduled = factories.make_publication(
        workspace, factories.approved_item(workspace, "排期中"), account, later
    )
    return {"published": published.pk, "scheduled": scheduled.pk}


def test_round_trip_gives_the_same_rows_and_files_and_sends_nothing_twice(
    installation: dict[str, Any], tmp_path: Path
) -> None:
    before_rows, before_files = _counts(), _media()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", "--out", str(archive))
    with tarfile.open(archive) as opened:
        names = opened.getnames()
    assert "manifest.json" in names and any(n.startswith("database/") for n in names)

    call_command("flush", interactive=False)  # the machine is lost
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if path.is_file():
            path.unlink()
    assert Workspace.objects.count() == 0 and _media() == {}

    call_command("restore", str(archive))

    assert _counts() == before_rows
    assert _media() == before_files
    published = Publication.objects.get(pk=installation["published"])
    assert (published.state, published.external_id) == ("published", "109")
    # The sweeper re-drives what is due; the published post is not among it, now or later.
    assert installation["published"] not in engine.sweep_due(timezone.now() + dt.timedelta(days=1))
    assert installation["scheduled"] in engine.sweep_due(timezone.now() + dt.timedelta(days=1))


def test_a_database_in_use_is_not_replaced_without_force(
    installation: dict[str, Any], tmp_path: Path
) -> None:
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "--out", str(archive))
    factories.make_workspace("新来的", "newcomer")
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(archive))
    assert Workspace.objects.filter(slug="newcomer").exists()
    call_command("restore", str(archive), "--force")
    assert not Workspace.objects.filter(slug="newcomer").exists()


def test_another_versions_or_a_damaged_archive_is_refused(
    installation: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "b.tar.gz"
    call_command("backup", "--out", str(archive))
    call_command("flush", interactive=False)

    monkeypatch.setattr(socialops, "__version__", "9.9.9")
    with pytest.raises(CommandError, match="0.1.0"):
        call_command("restore", str(archive))
    monkeypatch.undo()

    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member)
            if member.name.startswith("media/") and data is not None:
                body = data.read()[:-1] + b"!"
                member.size = len(body)
                target.addfile(member, io.BytesIO(body))
            else:
                target.addfile(member, data)
    with pytest.raises(CommandError, match="checksum"):
        call_command("restore", str(damaged))
    assert Workspace.objects.count() == 0  # nothing was restored
