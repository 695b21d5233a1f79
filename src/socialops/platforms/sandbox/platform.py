"""The sandbox platform's behaviour and state: counters, fault draws, and the Mastodon JSON of its entities."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import html
import json
import random
import re
import threading
import time
import urllib.parse
from collections import Counter
from typing import Any

from . import engagement
from .faults import Faults
from .store import Store
from .telegram import TelegramGroups

URL_RE = re.compile(r"https?://[^\s<>\"']+")
HASHTAG_RE = re.compile(r"(?<![\w/&#])#(\w+)")
MENTION_RE = re.compile(r"(@[\w.]+)@[\w.-]+\w")
VISIBILITIES = {"public", "unlisted", "private", "direct"}
FOLLOWER_ID_BASE = 10**9
SYNTHETIC_BIT = 0x8000
EXPIRED = "The access token expired"
REVOKED = "The access token was revoked"
INVALID = "The access token is invalid"


def iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def counted_length(text: str) -> int:
    return len(MENTION_RE.sub(r"\1", URL_RE.sub("x" * 23, text)))


def render_html(text: str, host: str) -> str:
    """Plain text as Mastodon-style HTML: paragraphs, line breaks, linked URLs and hashtags."""

    def inline(segment: str) -> str:
        out = []
        pos = 0
        for match in URL_RE.finditer(segment):
            out.append(_tags(html.escape(segment[pos : match.start()], quote=False), host))
            url = html.escape(match.group(0))
            out.append(f'<a href="{url}" rel="nofollow noopener noreferrer" target="_blank">{url}</a>')
            pos = match.end()
        out.append(_tags(html.escape(segment[pos:], quote=False), host))
        return "".join(out)

    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join("<p>" + "<br />".join(inline(line) for line in p.split("\n")) + "</p>" for p in paragraphs)


def _tags(escaped: str, host: str) -> str:
    return HASHTAG_RE.sub(
        lambda m: (
            f'<a href="{host}/tags/{m.group(1)}" class="mention hashtag" rel="tag">#<span>{m.group(1)}</span></a>'
        ),
        escaped,
    )


def synthetic_id(ts: float, status_id: int, index: int) -> int:
    low = int.from_bytes(hashlib.blake2b(f"{status_id}:{index}".encode(), digest_size=2).digest(), "big")
    return (int(ts * 1000) << 16) | SYNTHETIC_BIT | (low & 0x7FFF)


class SandboxPlatform:
    """The platform's behaviour, separate from the HTTP plumbing."""

    def __init__(self, store: Store, faults: Faults) -> None:
        self.store = store
        self.faults = faults
        self.initial_faults = dataclasses.replace(faults)
        self.lock = threading.Lock()
        self.random = random.Random(faults.seed)
        self.stats: Counter[str] = Counter()
        self.windows: dict[str, list[float]] = {}
        self.stopping = threading.Event()
        # Telegram group-chat mode: its state in a JSON file next to the database.
        path = getattr(store, "path", "")
        self.telegram = TelegramGroups(
            str(path) + ".telegram.json" if path and not getattr(store, "_temp", None) else None
        )

    def now(self) -> float:
        return time.time() + self.faults.time_offset_s

    def count(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.stats[name] += n

    def chance(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self.lock:
            return self.random.random() < rate

    def take(self, name: str) -> bool:
        """Use up one of a counted fault (burst_429, error_next, timeout_next)."""
        with self.lock:
            left = getattr(self.faults, name)
            if left > 0:
                setattr(self.faults, name, left - 1)
                return True
            return False

    # ---- entities --------------------------------------------------------------------------

    def account_json(self, account: dict[str, Any], host: str) -> dict[str, Any]:
        now = self.now()
        statuses = self.store.all_statuses(account["id"])
        favourites = sum(
            engagement.counts(self.faults.seed, s["id"], now - s["created_at"])[0] for s in statuses
        )
        followers = engagement.followers(
            self.faults.seed,
            account["id"],
            now - account["created_at"],
            favourites,
            account.get("followers_base"),
        )
        return {
            "id": str(account["id"]),
            "username": account["username"],
            "acct": account["username"],
            "display_name": account["display_name"],
            "locked": False,
            "bot": False,
            "created_at": iso(account["created_at"]),
            "note": "",
            "url": f"{host}/@{account['username']}",
            "avatar": f"{host}/avatars/original/missing.png",
            "followers_count": followers,
            "following_count": 10 + account["id"] % 90,
            "statuses_count": len(statuses),
            "last_status_at": iso(statuses[-1]["created_at"])[:10] if statuses else None,
        }

    def fan_json(self, number: int, host: str) -> dict[str, Any]:
        username = f"fan{number}"
        return {
            "id": str(FOLLOWER_ID_BASE + number),
            "username": username,
            "acct": f"{username}@fans.example",
            "display_name": engagement.fan_name(number),
            "url": f"https://fans.example/@{username}",
            "followers_count": number % 300,
            "following_count": 50 + number % 200,
            "statuses_count": number % 1000,
        }

    def media_json(self, media: dict[str, Any], host: str) -> dict[str, Any]:
        ready = self.now() >= media["ready_at"]
        kind = media["content_type"].split("/")[0]
        url = f"{host}/media/{media['id']}/{urllib.parse.quote(media['filename'])}"
        return {
            "id": str(media["id"]),
            "type": kind if kind in ("image", "video") else "unknown",
            "url": url if ready else None,
            "preview_url": url if ready else None,
            "description": media["description"] or None,
            "meta": {},
            "blurhash": None,
        }

    def replies_to(self, status_id: int) -> list[dict[str, Any]]:
        return self.store.all(
            "SELECT * FROM statuses WHERE in_reply_to_id = ? AND deleted_at IS NULL", (str(status_id),)
        )

    def status_json(
        self, row: dict[str, Any], host: str, *, account: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        account = account or self.store.account(row["account_id"]) or {}
        now = self.now()
        age = now - row["created_at"]
        favourites, reblogs, _messages = engagement.counts(self.faults.seed, row["id"], age)
        public_fans = sum(
            1 for m in engagement.fan_messages(self.faults.seed, row["id"], age) if not m.direct
        )
        media = [self.store.media(int(m)) for m in json.loads(row["media_ids"] or "[]")]
        tags = sorted(set(HASHTAG_RE.findall(row["text"])))
        return {
            "id": str(row["id"]),
            "created_at": iso(row["created_at"]),
            "in_reply_to_id": row["in_reply_to_id"],
            "in_reply_to_account_id": None,
            "sensitive": bool(row["sensitive"]),
            "spoiler_text": row["spoiler_text"],
            "visibility": row["visibility"],
            "language": row["language"],
            "uri": f"{host}/users/{account.get('username', '')}/statuses/{row['id']}",
            "url": f"{host}/@{account.get('username', '')}/{row['id']}",
            "replies_count": public_fans + len(self.replies_to(row["id"])),
            "reblogs_count": reblogs,
            "favourites_count": favourites,
            "edited_at": None,
            "content": render_html(row["text"], host),
            "reblog": None,
            "application": {"name": "socialops", "website": None},
            "account": self.account_json(account, host) if account else None,
            "media_attachments": [self.media_json(m, host) for m in media if m],
            "mentions": [],
            "tags": [{"name": t, "url": f"{host}/tags/{t}"} for t in tags],
            "emojis": [],
            "card": None,
            "poll": None,
        }

    def fan_statuses(self, account: dict[str, Any], host: str) -> list[dict[str, Any]]:
        """Every fan reply / direct message that has arrived for the account's top-level posts."""
        now = self.now()
        out = []
        for row in self.store.all_statuses(account["id"]):
            if row["in_reply_to_id"]:
                continue
            for message in engagement.fan_messages(self.faults.seed, row["id"], now - row["created_at"]):
                at = row["created_at"] + message.arrives_after_seconds
                sid = synthetic_id(at, row["id"], message.index)
                text = f"@{account['username']} {message.text}"
                out.append(
                    {
                        "id": str(sid),
                        "created_at": iso(at),
                        "in_reply_to_id": None if message.direct else str(row["id"]),
                        "in_reply_to_account_id": None if message.direct else str(account["id"]),
                        "sensitive": False,
                        "spoiler_text": "",
                        "visibility": "direct" if message.direct else "public",
                        "language": "zh",
                        "uri": f"https://fans.example/statuses/{sid}",
                        "url": f"https://fans.example/@fan{message.fan_number}/{sid}",
                        "replies_count": 0,
                        "reblogs_count": 0,
                        "favourites_count": 0,
                        "content": f"<p>{html.escape(text, quote=False)}</p>",
                        "reblog": None,
                        "account": self.fan_json(message.fan_number, host),
                        "media_attachments": [],
                        "mentions": [
                            {
                                "id": str(account["id"]),
                                "username": account["username"],
                                "acct": account["username"],
                            }
                        ],
                        "tags": [],
                        "emojis": [],
                        "_sort": sid,
                    }
                )
        return out
