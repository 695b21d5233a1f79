"""The production profile (docs/deploy.md): the documented environment passes Django's deploy
checks with no warning, secrets come from files, and the client's address survives the proxy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.test import RequestFactory

from socialops.core.proxy import ProxyClientAddressMiddleware

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / "deploy" / "socialops.env.example"
PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "secret": s.SECRET_KEY, "credentials": s.CREDENTIALS_KEYS, "db": s.DATABASES["default"]["ENGINE"],
    "db_password": s.DATABASES["default"]["PASSWORD"], "huey": s.HUEY["huey_class"],
    "proxy": list(s.SECURE_PROXY_SSL_HEADER), "hsts": s.SECURE_HSTS_SECONDS,
    "cookies": [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE], "debug": s.DEBUG,
    "static": s.STORAGES["staticfiles"]["BACKEND"], "email": s.EMAIL_BACKEND,
    "email_password": s.EMAIL_HOST_PASSWORD, "middleware": s.MIDDLEWARE[0],
}))
"""


def _production_env(tmp_path: Path) -> dict[str, str]:
    """deploy/socialops.env.example as systemd reads it, each *_FILE pointing at a file made here."""
    env = {
        k: v
        for k, v in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests in this process; never in production.
        if not k.startswith("SOCIALOPS_")
        and k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    secrets = {
        "secret_key": "k" * 20 + "production-secret-key-from-a-file-0123456789",
        "credentials_key": "ZmVybmV0LWtleS1mb3ItdGhlLWRlcGxveS10ZXN0LTA=",
        "database_url": "postgres://socialops:db-pass@127.0.0.1:5432/socialops",
        "redis_url": "redis://127.0.0.1:6379/0",
        "email_password": "mail-pass",
    }
    for line in ENV_EXAMPLE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        if name.endswith("_FILE"):
            path = tmp_path / Path(value).name
            path.write_text(secrets[Path(value).name] + "\n")
            value = str(path)
        env[name] = value
    env["SOCIALOPS_DATA_DIR"] = str(tmp_path / "data")
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_the_documented_production_environment_passes_the_deploy_checks(tmp_path: Path) -> None:
    env = _production_env(tmp_path)
    result = _run(["-m", "socialops.cli", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout

    settings = json.loads(
        _run(["-c", PROBE], {**env, "DJANGO_SETTINGS_MODULE": "socialops.config.settings"}).stdout
    )
    assert settings["secret"] == "k" * 20 + "production-secret-key-from-a-file-0123456789"
    assert settings["credentials"] == ["ZmVybmV0LWtleS1mb3ItdGhlLWRlcGxveS10ZXN0LTA="]
    assert settings["db"] == "django.db.backends.postgresql"
    assert settings["db_password"] == "db-pass"
    assert settings["huey"] == "huey.PriorityRedisHuey"
    assert settings["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert settings["hsts"] >= 31536000
    assert settings["cookies"] == [True, True]
    assert settings["debug"] is False
    assert settings["static"] == "socialops.web.storage.ManifestStaticStorage"
    assert settings["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert settings["email_password"] == "mail-pass"
    assert settings["middleware"] == "socialops.core.proxy.ProxyClientAddressMiddleware"
    # Nothing secret was generated into the data dir: the files above are the only keys.
    assert not (tmp_path / "data" / "secret_key").exists()


def test_a_missing_secret_file_stops_the_start_naming_it(tmp_path: Path) -> None:
    env = {**_production_env(tmp_path), "SOCIALOPS_SECRET_KEY_FILE": str(tmp_path / "absent")}
    result = _run(["-m", "socialops.cli", "check"], env)
    assert result.returncode != 0
    assert "SOCIALOPS_SECRET_KEY_FILE" in result.stderr


def _remote_addr(meta: dict[str, str]) -> str:
    seen: dict[str, str] = {}

    def view(request):  # type: ignore[no-untyped-def]
        seen["addr"] = request.META["REMOTE_ADDR"]
        return None

    request = RequestFactory().get("/", **meta)
    ProxyClientAddressMiddleware(view)(request)
    return seen["addr"]


def test_behind_the_proxy_the_client_address_is_the_one_the_proxy_appended() -> None:
    # A client may send its own X-Forwarded-For: only the proxy's last entry counts.
    forwarded = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.0.0.9, 203.0.113.7"}
    assert _remote_addr(forwarded) == "203.0.113.7"
    # A request that did not come through a trusted proxy keeps its own address.
    assert (
        _remote_addr({"REMOTE_ADDR": "198.51.100.2", "HTTP_X_FORWARDED_FOR": "127.0.0.1"}) == "198.51.100.2"
    )
    assert _remote_addr({"REMOTE_ADDR": "127.0.0.1"}) == "127.0.0.1"
