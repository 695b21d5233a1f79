"""The sandbox's HTTP handler: request plumbing, fault injection, the Mastodon API routes and the admin routes."""

from __future__ import annotations

import dataclasses
import email.parser
import email.policy
import json
import logging
import re
import time
import urllib.parse
from collections import Counter
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any

from .faults import Hang, HttpError
from .platform import (
    EXPIRED,
    FOLLOWER_ID_BASE,
    INVALID,
    REVOKED,
    SYNTHETIC_BIT,
    VISIBILITIES,
    SandboxPlatform,
    counted_length,
    iso,
)
from .telegram import DropAnswer

if TYPE_CHECKING:
    from .server import SandboxHTTPServer

log = logging.getLogger("socialops.sandbox")


def _page(items: list[dict[str, Any]], params: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """Mastodon paging by max_id / since_id / min_id on items with an integer `_sort`."""

    def num(name: str) -> int | None:
        value = params.get(name)
        return int(value) if isinstance(value, str) and value.isdigit() else None

    max_id, since_id, min_id = num("max_id"), num("since_id"), num("min_id")
    chosen = [
        i
        for i in items
        if (max_id is None or i["_sort"] < max_id)
        and (since_id is None or i["_sort"] > since_id)
        and (min_id is None or i["_sort"] > min_id)
    ]
    chosen.sort(key=lambda i: i["_sort"], reverse=min_id is None)
    chosen = chosen[:limit]
    chosen.sort(key=lambda i: i["_sort"], reverse=True)
    return chosen


def _limit(params: dict[str, Any], default: int, maximum: int) -> int:
    value = params.get("limit")
    if isinstance(value, str) and value.isdigit():
        return max(1, min(int(value), maximum))
    return default


class SandboxHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "socialops-sandbox/1"
    # An idle keep-alive connection is closed after this many seconds.
    timeout = 60
    server: SandboxHTTPServer

    # ---- plumbing --------------------------------------------------------------------------

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s " + format, self.address_string(), *args)

    @property
    def platform(self) -> SandboxPlatform:
        return self.server.platform

    @property
    def host(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{self.headers.get('Host') or f'{host!s}:{port}'}"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _parse(self, raw: bytes) -> tuple[dict[str, Any], dict[str, tuple[str, str, bytes]]]:
        """Form fields (``name[]`` as lists) and uploaded files of a JSON, urlencoded or multipart body."""
        ctype = self.headers.get("Content-Type", "")
        fields: dict[str, Any] = {}
        files: dict[str, tuple[str, str, bytes]] = {}
        if not raw:
            return fields, files
        if ctype.startswith("application/json"):
            try:
                data = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                raise HttpError(400, "invalid JSON") from exc
            if not isinstance(data, dict):
                raise HttpError(400, "expected a JSON object")
            return data, files
        if ctype.startswith("multipart/form-data"):
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                f"Content-Type: {ctype}\r\n\r\n".encode() + raw
            )
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if not name:
                    continue
                filename = part.get_filename()
                decoded = part.get_payload(decode=True)
                payload = decoded if isinstance(decoded, bytes) else b""
                if filename is not None:
                    files[str(name)] = (filename, part.get_content_type(), payload)
                else:
                    self._add_field(fields, str(name), payload.decode("utf-8", "replace"))
            return fields, files
        for name, value in urllib.parse.parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
            self._add_field(fields, name, value)
        return fields, files

    @staticmethod
    def _add_field(fields: dict[str, Any], name: str, value: str) -> None:
        if name.endswith("[]"):
            fields.setdefault(name[:-2], []).append(value)
        else:
            fields[name] = value

    def _query(self) -> tuple[str, dict[str, Any]]:
        parts = urllib.parse.urlsplit(self.path)
        params: dict[str, Any] = {}
        for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
            self._add_field(params, name, value)
        return parts.path.rstrip("/") or "/", params

    # ---- dispatch --------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        path, params = self._query()
        raw = self._read_body()
        platform = self.platform
        platform.count("requests")
        try:
            if path.startswith("/sandbox/telegram/"):
                self._telegram_admin(method, path, raw)
                return
            if path.startswith("/sandbox/"):
                self._admin(method, path, params, raw)
                return
            if path.startswith("/bot"):
                self._telegram(path, raw)
                return
            self._inject_faults()
            fields, files = self._parse(raw)
            self._api(method, path, params, fields, files)
        except Hang:
            platform.count("timeouts_after_accept")
            hang = platform.faults.hang_seconds
            if hang > 0:
                platform.stopping.wait(hang)
            # Drop the connection without an answer.
            self.close_connection = True
        except HttpError as exc:
            self._send(exc.status, {"error": exc.error}, exc.headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception:  # pragma: no cover - a bug in the sandbox must not kill its thread silently
            log.exception("sandbox error on %s %s", method, path)
            self._send(500, {"error": "sandbox internal error"})

    def _telegram(self, path: str, raw: bytes) -> None:
        """The Telegram Bot API of the group-chat mode (sandbox/telegram.py)."""
        token, _sep, method = path[len("/bot") :].partition("/")
        fields, _files = self._parse(raw)
        for name in ("permissions", "reply_parameters"):
            if isinstance(fields.get(name), str):
                try:
                    fields[name] = json.loads(fields[name])
                except ValueError:
                    fields[name] = None
        try:
            status, body = self.platform.telegram.bot_api(token, method, fields)
        except DropAnswer:
            raise Hang from None
        self._send(status, body)

    def _telegram_admin(self, method: str, path: str, raw: bytes) -> None:
        try:
            data = json.loads(raw) if raw else {}
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise HttpError(400, "invalid JSON") from exc
        if not isinstance(data, dict):
            raise HttpError(400, "expected a JSON object")
        parts = [p for p in path[len("/sandbox/telegram/") :].split("/") if p]
        status, body = self.platform.telegram.admin(method, parts, data)
        self._send(status, body)

    def _inject_faults(self) -> None:
        platform = self.platform
        faults = platform.faults
        delay = faults.latency_ms + (
            platform.random.randint(0, faults.latency_jitter_ms) if faults.latency_jitter_ms else 0
        )
        if delay:
            platform.stopping.wait(delay / 1000)
        if platform.take("burst_429"):
            platform.count("injected_429")
            reset = iso(time.time() + faults.retry_after_s)
            raise HttpError(
                429,
                "Too many requests",
                {
                    "Retry-After": str(faults.retry_after_s),
                    "X-RateLimit-Limit": str(faults.rate_limit or 300),
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": reset,
                },
            )
        if platform.take("error_next") or platform.chance(faults.error_rate):
            platform.count("injected_errors")
            status = faults.error_status if 500 <= faults.error_status <= 599 else 503
            raise HttpError(
                status, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
            )

    def _auth(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
        """The token row, its account and the rate-limit headers; 401 / 429 otherwise."""
        platform = self.platform
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            raise HttpError(401, INVALID)
        value = header[len("Bearer ") :].strip()
        token = platform.store.token(value)
        if token is None or token["kind"] != "access":
            raise HttpError(401, INVALID)
        if token["revoked"]:
            raise HttpError(401, REVOKED)
        if token["expires_at"] is not None and platform.now() >= token["expires_at"]:
            platform.count("expired_token_rejections")
            raise HttpError(401, EXPIRED)
        headers: dict[str, str] = {}
        faults = platform.faults
        if faults.rate_limit:
            wall = time.time()
            with platform.lock:
                window = platform.windows.get(value)
                if window is None or wall >= window[0] + faults.rate_window_s:
                    window = [wall, 0.0]
                    platform.windows[value] = window
                window[1] += 1
                used, started = int(window[1]), window[0]
            # Wall-clock time: the client compares it with its own clock.
            reset = iso(started + faults.rate_window_s)
            headers = {
                "X-RateLimit-Limit": str(faults.rate_limit),
                "X-RateLimit-Remaining": str(max(0, faults.rate_limit - used)),
                "X-RateLimit-Reset": reset,
            }
            if used > faults.rate_limit:
                platform.count("rate_limited")
                raise HttpError(429, "Too many requests", headers)
        account = platform.store.account(token["account_id"]) if token["account_id"] is not None else None
        if account is None:
            raise HttpError(422, "This method requires an authenticated user", headers)
        return token, account, headers

    # ---- the Mastodon API ------------------------------------------------------------------

    # Long on purpose: the sandbox's route table, one short branch per Mastodon endpoint, read top
    # to bottom like the API reference it imitates.
    def _api(
        self,
        method: str,
        path: str,
        params: dict[str, Any],
        fields: dict[str, Any],
        files: dict[str, tuple[str, str, bytes]],
    ) -> None:
        platform = self.platform
        store = platform.store
        host = self.host
        if method == "POST" and path == "/api/v1/apps":
            app = store.create_app(str(fields.get("client_name") or "app")[:100], platform.now())
            self._send(
                200,
                {
                    "id": str(app["id"]),
                    "name": app["name"],
                    "website": None,
                    "redirect_uri": str(fields.get("redirect_uris") or "urn:ietf:wg:oauth:2.0:oob"),
                    "client_id": app["client_id"],
                    "client_secret": app["client_secret"],
                },
            )
            return
        if method == "POST" and path == "/oauth/token":
            self._token(fields)
            return
        if method == "POST" and path == "/oauth/revoke":
            client = store.app_by_client(
                str(fields.get("client_id", "")), str(fields.get("client_secret", ""))
            )
            if client is None:
                raise HttpError(403, "unauthorized_client")
            store.revoke_token(str(fields.get("token", "")))
            self._send(200, {})
            return
        if method == "GET" and path == "/api/v2/instance":
            self._send(
                200,
                {
                    "domain": urllib.parse.urlsplit(host).netloc,
                    "title": "socialops sandbox",
                    "version": "4.3.0 (compatible; socialops sandbox)",
                    "configuration": {
                        "statuses": {
                            "max_characters": platform.faults.max_characters,
                            "max_media_attachments": platform.faults.max_media,
                            "characters_reserved_per_url": 23,
                        },
                        "media_attachments": {
                            "image_size_limit": 16 * 1024 * 1024,
                            "video_size_limit": 99 * 1024 * 1024,
                        },
                    },
                },
            )
            return

        _token, account, headers = self._auth()
        m = re.fullmatch(r"/api/v1/accounts/(\d+)(/statuses|/followers)?", path)
        if method == "GET" and path == "/api/v1/accounts/verify_credentials":
            self._send(200, platform.account_json(account, host), headers)
        elif method == "GET" and m:
            target = store.account(int(m.group(1)))
            if target is None:
                raise HttpError(404, "Record not found", headers)
            if m.group(2) == "/statuses":
                rows = store.account_statuses(
                    target["id"],
                    limit=_limit(params, 20, 40),
                    max_id=int(params["max_id"]) if str(params.get("max_id", "")).isdigit() else None,
                    since_id=int(params["since_id"]) if str(params.get("since_id", "")).isdigit() else None,
                    min_id=int(params["min_id"]) if str(params.get("min_id", "")).isdigit() else None,
                    exclude_replies=params.get("exclude_replies") in ("true", "1"),
                )
                self._send(200, [platform.status_json(r, host, account=target) for r in rows], headers)
            elif m.group(2) == "/followers":
                self._followers(target, params, headers)
            else:
                self._send(200, platform.account_json(target, host), headers)
        elif method == "POST" and path == "/api/v1/statuses":
            self._post_status(account, fields, headers)
        elif (sm := re.fullmatch(r"/api/v1/statuses/(\d+)(/context)?", path)) and method in ("GET", "DELETE"):
            status_id = int(sm.group(1))
            row = store.status(status_id) if not status_id & SYNTHETIC_BIT else None
            if row is None:
                raise HttpError(404, "Record not found", headers)
            if method == "DELETE":
                if row["account_id"] != account["id"]:
                    raise HttpError(403, "This action is not allowed", headers)
                body = platform.status_json(row, host) | {"text": row["text"]}
                store.delete_status(status_id, platform.now())
                platform.count("deleted")
                self._send(200, body, headers)
            elif sm.group(2):
                self._context(row, headers)
            else:
                self._send(200, platform.status_json(row, host), headers)
        elif method == "POST" and path in ("/api/v2/media", "/api/v1/media"):
            self._media(account, fields, files, headers, sync=path == "/api/v1/media")
        elif method == "GET" and (mm := re.fullmatch(r"/api/v1/media/(\d+)", path)):
            media = store.media(int(mm.group(1)))
            if media is None or media["account_id"] != account["id"]:
                raise HttpError(404, "Record not found", headers)
            ready = platform.now() >= media["ready_at"]
            self._send(200 if ready else 206, platform.media_json(media, host), headers)
        elif method == "GET" and path == "/api/v1/notifications":
            self._notifications(account, params, headers)
        else:
            raise HttpError(404, "Not found", headers)

    def _token(self, fields: dict[str, Any]) -> None:
        platform = self.platform
        store = platform.store
        app = store.app_by_client(str(fields.get("client_id", "")), str(fields.get("client_secret", "")))
        if app is None:
            raise HttpError(401, "invalid_client")
        grant = fields.get("grant_type")
        now = platform.now()
        ttl = platform.faults.token_ttl
        if grant == "password":
            username = str(fields.get("username", "")).strip()
            if not re.fullmatch(r"[A-Za-z0-9_.-]{1,60}", username):
                raise HttpError(400, "invalid_grant")
            account = store.login(username, str(fields.get("password", "")), now)
            if account is None:
                raise HttpError(400, "invalid_grant")
            tokens = store.issue_tokens(account_id=account["id"], app_id=app["id"], ttl=ttl, now=now)
        elif grant == "refresh_token":
            tokens_or_none = store.rotate_refresh(str(fields.get("refresh_token", "")), app["id"], ttl, now)
            if tokens_or_none is None:
                platform.count("refresh_refused")
                self._send(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "The provided authorization grant is invalid, expired, revoked, "
                        "does not match the redirection URI used in the authorization request, or was issued to "
                        "another client.",
                    },
                )
                return
            tokens = tokens_or_none
            platform.count("refreshed")
        elif grant == "client_credentials":
            tokens = store.issue_tokens(account_id=None, app_id=app["id"], ttl=ttl, now=now)
        else:
            raise HttpError(400, "unsupported_grant_type")
        body: dict[str, Any] = {
            "access_token": tokens["access_token"],
            "token_type": "Bearer",
            "scope": "read write",
            "created_at": int(tokens["created_at"]),
        }
        if tokens["refresh_token"]:
            body["refresh_token"] = tokens["refresh_token"]
        if tokens["expires_at"] is not None:
            body["expires_in"] = int(tokens["expires_at"] - now)
        self._send(200, body)

    def _post_status(self, account: dict[str, Any], fields: dict[str, Any], headers: dict[str, str]) -> None:
        platform = self.platform
        store = platform.store
        faults = platform.faults
        text = fields.get("status", "")
        if not isinstance(text, str):
            raise HttpError(422, "Validation failed: Text must be a string", headers)
        media_ids = fields.get("media_ids") or []
        if isinstance(media_ids, str):
            media_ids = [media_ids]
        if not isinstance(media_ids, list) or not all(isinstance(m, str | int) for m in media_ids):
            raise HttpError(422, "Validation failed: media_ids must be a list of ids", headers)
        media_ids = [str(m) for m in media_ids]
        if not text.strip() and not media_ids:
            raise HttpError(422, "Validation failed: Text can't be blank", headers)
        if counted_length(text) > faults.max_characters:
            raise HttpError(
                422, f"Validation failed: Text character limit of {faults.max_characters} exceeded", headers
            )
        if len(media_ids) > faults.max_media:
            raise HttpError(422, f"Cannot attach more than {faults.max_media} files", headers)
        now = platform.now()
        kinds = []
        for media_id in media_ids:
            media = store.media(int(media_id)) if media_id.isdigit() else None
            if media is None or media["account_id"] != account["id"]:
                raise HttpError(422, "Validation failed: Media attachments are invalid", headers)
            if now < media["ready_at"]:
                raise HttpError(
                    422,
                    "Cannot attach files that have not finished processing. Try again in a moment!",
                    headers,
                )
            kinds.append(media["content_type"].split("/")[0])
        if "video" in kinds and len(kinds) > 1:
            raise HttpError(422, "Cannot attach a video to a post that already contains images", headers)
        visibility = fields.get("visibility") or "public"
        if visibility not in VISIBILITIES:
            raise HttpError(422, "Validation failed: Visibility is not included in the list", headers)
        in_reply_to = fields.get("in_reply_to_id")
        in_reply_to = str(in_reply_to) if in_reply_to not in (None, "") else None
        if in_reply_to is not None:
            if not in_reply_to.isdigit():
                raise HttpError(404, "Record not found", headers)
            if not int(in_reply_to) & SYNTHETIC_BIT and store.status(int(in_reply_to)) is None:
                raise HttpError(404, "Record not found", headers)
        key = (self.headers.get("Idempotency-Key") or "").strip()[:255]
        row, replay = store.create_status(
            account_id=account["id"],
            fields={
                "text": text,
                "visibility": visibility,
                "spoiler_text": str(fields.get("spoiler_text") or "")[:500],
                "sensitive": fields.get("sensitive") in (True, "true", "1"),
                "language": str(fields.get("language"))[:5] if fields.get("language") else None,
                "in_reply_to_id": in_reply_to,
                "media_ids": [int(m) for m in media_ids],
            },
            idempotency_key=key,
            now=now,
        )
        platform.count("idempotent_replays" if replay else "posts_created")
        if not replay and (
            platform.take("timeout_next") or platform.chance(faults.timeout_after_accept_rate)
        ):
            raise Hang()
        self._send(200, platform.status_json(row, self.host, account=account), headers)

    def _context(self, row: dict[str, Any], headers: dict[str, str]) -> None:
        platform = self.platform
        account = platform.store.account(row["account_id"]) or {}
        host = self.host
        fan = [s for s in platform.fan_statuses(account, host) if s["in_reply_to_id"] == str(row["id"])]
        thread_ids = {str(row["id"])} | {s["id"] for s in fan}
        ours = [
            platform.status_json(r, host, account=account) | {"_sort": r["id"]}
            for r in platform.store.all(
                "SELECT * FROM statuses WHERE account_id = ? AND in_reply_to_id IS NOT NULL AND deleted_at IS NULL",
                (row["account_id"],),
            )
            if r["in_reply_to_id"] in thread_ids
        ]
        descendants = sorted(fan + ours, key=lambda s: s["created_at"])
        for item in descendants:
            item.pop("_sort", None)
        self._send(200, {"ancestors": [], "descendants": descendants}, headers)

    def _notifications(
        self, account: dict[str, Any], params: dict[str, Any], headers: dict[str, str]
    ) -> None:
        platform = self.platform
        types = params.get("types") or []
        if isinstance(types, str):
            types = [types]
        exclude = params.get("exclude_types") or []
        if (types and "mention" not in types) or "mention" in exclude:
            self._send(200, [], headers)
            return
        items = [
            {
                "id": s["id"],
                "type": "mention",
                "created_at": s["created_at"],
                "account": s["account"],
                "status": {k: v for k, v in s.items() if k != "_sort"},
                "_sort": s["_sort"],
            }
            for s in platform.fan_statuses(account, self.host)
        ]
        page = _page(items, params, _limit(params, 40, 80))
        for item in page:
            item.pop("_sort", None)
        self._send(200, page, headers)

    def _followers(self, target: dict[str, Any], params: dict[str, Any], headers: dict[str, str]) -> None:
        platform = self.platform
        total = platform.account_json(target, self.host)["followers_count"]
        limit = _limit(params, 40, 80)
        max_id = params.get("max_id")
        top = total
        if isinstance(max_id, str) and max_id.isdigit():
            top = min(total, int(max_id) - FOLLOWER_ID_BASE - 1)
        numbers = list(range(top, max(0, top - limit), -1))
        page = [platform.fan_json(n, self.host) for n in numbers]
        links = dict(headers)
        if numbers and numbers[-1] > 1:
            links["Link"] = (
                f"<{self.host}/api/v1/accounts/{target['id']}/followers?limit={limit}"
                f'&max_id={FOLLOWER_ID_BASE + numbers[-1]}>; rel="next"'
            )
        self._send(200, page, links)

    def _media(
        self,
        account: dict[str, Any],
        fields: dict[str, Any],
        files: dict[str, tuple[str, str, bytes]],
        headers: dict[str, str],
        *,
        sync: bool,
    ) -> None:
        platform = self.platform
        upload = files.get("file")
        if upload is None:
            raise HttpError(422, "Validation failed: File can't be blank", headers)
        filename, content_type, data = upload
        kind = content_type.split("/")[0]
        if kind not in ("image", "video"):
            raise HttpError(422, "Validation failed: File content type is invalid", headers)
        cap = 16 * 1024 * 1024 if kind == "image" else 99 * 1024 * 1024
        if len(data) > cap:
            raise HttpError(
                422, f"Validation failed: File file size must be less than {cap // (1024 * 1024)} MB", headers
            )
        now = platform.now()
        delay = 0.0 if sync else platform.faults.media_processing_ms / 1000
        media = platform.store.create_media(
            account_id=account["id"],
            filename=filename[:255],
            content_type=content_type,
            size=len(data),
            description=str(fields.get("description") or "")[:1500],
            now=now,
            ready_at=now + delay,
        )
        platform.count("media_uploaded")
        self._send(202 if delay > 0 else 200, platform.media_json(media, self.host), headers)

    # ---- admin -----------------------------------------------------------------------------

    # Long on purpose: the route table of the sandbox's own control endpoints, one short branch each.
    def _admin(self, method: str, path: str, params: dict[str, Any], raw: bytes) -> None:
        platform = self.platform
        store = platform.store
        try:
            data = json.loads(raw) if raw else {}
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise HttpError(400, "invalid JSON") from exc
        if not isinstance(data, dict):
            raise HttpError(400, "expected a JSON object")
        if method == "GET" and path == "/sandbox/health":
            self._send(200, {"ok": True})
        elif method == "GET" and path == "/sandbox/posts":
            include_deleted = params.get("include_deleted") in ("1", "true")
            rows = store.posts(username=str(params.get("username", "")), include_deleted=include_deleted)
            by_account = Counter(r["username"] for r in rows)
            texts = Counter(
                (r["username"], r["text"], r["in_reply_to_id"]) for r in rows if r["deleted_at"] is None
            )
            body: dict[str, Any] = {
                "count": len(rows),
                "by_account": dict(sorted(by_account.items())),
                "duplicate_texts": sum(n - 1 for n in texts.values() if n > 1),
                "idempotent_replays": platform.stats["idempotent_replays"],
            }
            if params.get("summary") not in ("1", "true"):
                body["posts"] = [
                    {
                        "id": str(r["id"]),
                        "username": r["username"],
                        "text": r["text"],
                        "visibility": r["visibility"],
                        "in_reply_to_id": r["in_reply_to_id"],
                        "media_count": len(json.loads(r["media_ids"] or "[]")),
                        "idempotency_key": r["idempotency_key"],
                        "created_at": iso(r["created_at"]),
                        "deleted": r["deleted_at"] is not None,
                    }
                    for r in rows
                ]
            self._send(200, body)
        elif path == "/sandbox/faults" and method in ("GET", "POST"):
            if method == "POST":
                with platform.lock:
                    errors = platform.faults.update(data)
                    if not errors and "seed" in data:
                        platform.random.seed(platform.faults.seed)
                if errors:
                    raise HttpError(400, "; ".join(errors))
            self._send(200, platform.faults.as_dict())
        elif method == "POST" and path == "/sandbox/reset":
            store.reset()
            platform.telegram.reset()
            with platform.lock:
                platform.stats.clear()
                platform.windows.clear()
                if data.get("faults", True):
                    platform.faults.__dict__.update(dataclasses.asdict(platform.initial_faults))
                    platform.random.seed(platform.faults.seed)
            self._send(200, {"ok": True})
        elif method == "POST" and path == "/sandbox/accounts":
            username = str(data.get("username", "")).strip()
            if not re.fullmatch(r"[A-Za-z0-9_.-]{1,60}", username):
                raise HttpError(400, "username: 1–60 letters, digits, _ . -")
            now = platform.now()
            app = store.create_app("sandbox-admin", now)
            account = store.login(username, str(data.get("password", "sandbox")), now)
            if account is None:
                raise HttpError(400, "this username exists with another password")
            tokens = store.issue_tokens(
                account_id=account["id"], app_id=app["id"], ttl=platform.faults.token_ttl, now=now
            )
            self._send(
                200,
                {
                    "account": {"id": str(account["id"]), "username": account["username"]},
                    "access_token": tokens["access_token"],
                    "refresh_token": tokens["refresh_token"],
                    "expires_in": int(tokens["expires_at"] - now) if tokens["expires_at"] else None,
                    "client_id": app["client_id"],
                    "client_secret": app["client_secret"],
                },
            )
        elif method == "POST" and path == "/sandbox/accounts/followers":
            followers = data.get("followers")
            if not isinstance(followers, int) or isinstance(followers, bool) or not 0 <= followers <= 10**9:
                raise HttpError(400, "followers: a whole number from 0 to 1,000,000,000")
            if not store.set_followers_base(str(data.get("username", "")), followers):
                raise HttpError(404, "no such account")
            self._send(200, {"ok": True})
        elif method == "POST" and path == "/sandbox/accounts/history":
            # Posts the account made before it was connected (a demo's recent history), so fans
            # have already commented on them and written: created at now − hours_ago, no key.
            account = store.account_by_username(str(data.get("username", "")))
            if account is None:
                raise HttpError(404, "no such account")
            posts = data.get("posts")
            if not isinstance(posts, list) or not 1 <= len(posts) <= 200:
                raise HttpError(400, "posts: a list of 1–200 {text, hours_ago}")
            made = []
            for post in posts:
                text = post.get("text") if isinstance(post, dict) else None
                hours = post.get("hours_ago") if isinstance(post, dict) else None
                if not isinstance(text, str) or not text.strip() or len(text) > 5000:
                    raise HttpError(400, "posts[].text: 1–5,000 characters")
                if (
                    isinstance(hours, bool)
                    or not isinstance(hours, int | float)
                    or not 0 <= hours <= 24 * 365
                ):
                    raise HttpError(400, "posts[].hours_ago: a number from 0 to 8,760")
                row, _replay = store.create_status(
                    account_id=account["id"],
                    fields={"text": text, "language": "zh"},
                    idempotency_key="",
                    now=platform.now() - float(hours) * 3600,
                )
                made.append(str(row["id"]))
            platform.count("history_posts", len(made))
            self._send(200, {"ids": made})
        elif method == "POST" and path in ("/sandbox/tokens/revoke", "/sandbox/tokens/expire"):
            account = store.account_by_username(str(data.get("username", "")))
            if account is None:
                raise HttpError(404, "no such account")
            if path.endswith("revoke"):
                self._send(200, {"revoked": store.revoke_account(account["id"])})
            else:
                self._send(200, {"expired": store.expire_account(account["id"], platform.now())})
        elif method == "GET" and path == "/sandbox/stats":
            with platform.lock:
                stats = dict(platform.stats)
            self._send(200, stats)
        else:
            raise HttpError(404, "Not found")
