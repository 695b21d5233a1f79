"""Backups of an installation: the database, the media files and the keys, in one archive.

An archive (``.tar.gz``) holds ``manifest.json`` and the files it lists with their SHA-256:

- ``database/socialops.sqlite3`` (SQLite, copied with SQLite's online backup API, consistent while
  the product runs) or ``database/socialops.pgdump`` (PostgreSQL, ``pg_dump --format=custom``);
- ``media/…``, every uploaded file;
- ``keys/secret_key`` and ``keys/credentials_key`` when they are files in the data directory: the
  secret key signs sessions and keys the phone-number hashes, the credentials key decrypts the
  platform tokens and people's contact details. Keys given in the environment are not copied; the
  manifest records their fingerprints so a restore can say they are missing.

``restore`` checks every checksum first, refuses an archive from another version of socialops,
and refuses a database that already holds workspaces or users unless ``force`` is given. What
was published stays published (its rows say so), and scheduled posts are re-driven by the
sweeper, so nothing is sent twice after a restore.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils.translation import gettext as _

import socialops

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024
# Tables whose rows make a database "not empty" for restore (a migrated, unused database has none).
PEOPLE_TABLES = ("auth_user", "workspaces_workspace")

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for a person."""


@dataclass
class Manifest:
    """What an archive holds: versions, the database kind and every file with its checksum."""

    version: str
    created_at: str
    vendor: str
    database: str
    files: dict[str, str] = field(default_factory=dict)
    env_key_fingerprints: list[str] = field(default_factory=list)
    format: int = FORMAT

    def to_json(self) -> bytes:
        """The manifest as UTF-8 JSON."""
        return json.dumps(self.__dict__, ensure_ascii=False, indent=2, sort_keys=True).encode()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fingerprint(key: str) -> str:
    return hashlib.sha256(key.strip().encode()).hexdigest()[:16]


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump / pg_restore from Django's settings."""
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _media_files() -> Iterator[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path, "media/" + path.relative_to(root).as_posix()


def _key_files() -> list[tuple[Path, str]]:
    found = []
    for path, name in (
        (Path(settings.DATA_DIR) / "secret_key", "keys/secret_key"),
        (Path(settings.CREDENTIALS_KEY_FILE), "keys/credentials_key"),
    ):
        if path.is_file():
            found.append((path, name))
    return found


def _dump_database(work: Path) -> tuple[str, Path]:
    """The database as one file in ``work``: (vendor, path)."""
    vendor = connection.vendor
    if vendor == "sqlite":
        target = work / "socialops.sqlite3"
        connection.ensure_connection()
        raw = connection.connection
        with sqlite3.connect(target) as copy:
            raw.backup(copy)
        copy.close()
        return vendor, target
    if vendor == "postgresql":
        target = work / "socialops.pgdump"
        args, env = _pg_env(connection.settings_dict)
        run = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), *args],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            raise BackupError(_("pg_dump failed: %(error)s") % {"error": run.stderr.strip()[:500]})
        return vendor, target
    raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.") % {"vendor": vendor})


def backup_create(out: Path, *, progress: Progress | None = None) -> Manifest:
    """Write a backup archive to ``out`` (atomically: a failed backup leaves no archive)."""
    say = progress or (lambda _msg: None)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="socialops-backup-") as tmp:
        work = Path(tmp)
        say(_("Copying the database…"))
        vendor, dump = _dump_database(work)
        manifest = Manifest(
            version=socialops.__version__,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            vendor=vendor,
            database="database/" + dump.name,
            env_key_fingerprints=[_fingerprint(k) for k in getattr(settings, "CREDENTIALS_KEYS", [])],
        )
        entries: list[tuple[Path, str]] = [(dump, manifest.database)]
        entries += _key_files()
        media = list(_media_files())
        say(_("Adding %(n)d media files…") % {"n": len(media)})
        entries += media
        for path, name in entries:
            manifest.files[name] = _sha256(path)
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = manifest.to_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
            archive.addfile(info, io.BytesIO(data))
            for path, name in entries:
                archive.add(path, arcname=name, recursive=False)
        partial.replace(out)
    say(_("Backup written: %(path)s") % {"path": out})
    return manifest


def _safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts and name != ""


def backup_read_manifest(archive_path: Path) -> Manifest:
    """The manifest of an archive (nothing else is read)."""
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            data = json.loads(member.read().decode())
    except (OSError, KeyError, tarfile.TarError, ValueError) as exc:
        raise BackupError(
            _("%(path)s is not a socialops backup: %(error)s") % {"path": archive_path, "error": exc}
        ) from exc
    known = set(Manifest.__dataclass_fields__)
    return Manifest(**{k: v for k, v in data.items() if k in known})


def _database_has_people() -> bool:
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in PEOPLE_TABLES:
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return True
    return False


def _restore_database(vendor: str, dump: Path) -> None:
    if vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        with sqlite3.connect(dump) as source:
            source.backup(raw)
        source.close()
        return
    args, env = _pg_env(connection.settings_dict)
    connections.close_all()
    run = subprocess.run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            *args,
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode != 0:
        raise BackupError(_("pg_restore failed: %(error)s") % {"error": run.stderr.strip()[:500]})


def backup_restore(archive_path: Path, *, force: bool = False, progress: Progress | None = None) -> Manifest:
    """Restore an archive made by ``backup_create`` over this installation's database and files."""
    say = progress or (lambda _msg: None)
    manifest = backup_read_manifest(archive_path)
    if manifest.format != FORMAT or manifest.version != socialops.__version__:
        raise BackupError(
            _(
                "This backup was made by socialops %(theirs)s; this is %(ours)s. Restore it with %(theirs)s, then upgrade."
            )
            % {"theirs": manifest.version, "ours": socialops.__version__}
        )
    if manifest.vendor != connection.vendor:
        raise BackupError(
            _("This backup holds a %(theirs)s database; this installation uses %(ours)s.")
            % {"theirs": manifest.vendor, "ours": connection.vendor}
        )
    if not force and _database_has_people():
        raise BackupError(
            _(
                "The database already holds workspaces or users; restoring would replace them. Use --force to do so."
            )
        )
    with tempfile.TemporaryDirectory(prefix="socialops-restore-") as tmp:
        work = Path(tmp)
        say(_("Checking the archive…"))
        with tarfile.open(archive_path, "r:gz") as archive:
            for member in archive.getmembers():
                if member.name == MANIFEST:
                    continue
                if member.name not in manifest.files or not member.isfile() or not _safe_name(member.name):
                    raise BackupError(_("Unexpected entry in the archive: %(name)s") % {"name": member.name})
                archive.extract(member, work, filter="data")
        for name, digest in manifest.files.items():
            path = work / name
            if not path.is_file() or _sha256(path) != digest:
                raise BackupError(
                    _("The archive is damaged: %(name)s does not match its checksum.") % {"name": name}
                )
        missing = [
            f
            for f in manifest.env_key_fingerprints
            if f not in {_fingerprint(k) for k in settings.CREDENTIALS_KEYS}
        ]
        if missing:
            raise BackupError(
                _(
                    "The backed-up installation read its credentials key from SOCIALOPS_CREDENTIALS_KEY; "
                    "set the same key here before restoring, or stored tokens cannot be read."
                )
            )
        say(_("Restoring the database…"))
        _restore_database(manifest.vendor, work / manifest.database)
        say(_("Restoring media files and keys…"))
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.exists():
            shutil.rmtree(media_root)
        for name in manifest.files:
            source = work / name
            if name.startswith("media/"):
                target = media_root / name.removeprefix("media/")
            elif name == "keys/secret_key":
                target = Path(settings.DATA_DIR) / "secret_key"
            elif name == "keys/credentials_key":
                target = Path(settings.CREDENTIALS_KEY_FILE)
            else:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            if name.startswith("keys/"):
                target.chmod(0o600)
    say(_("Restored from %(path)s.") % {"path": archive_path})
    return manifest
