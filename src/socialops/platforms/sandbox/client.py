"""A small client of the sandbox's admin endpoints, for tests, the benchmark and the demo."""

from __future__ import annotations

import time
from typing import Any

import httpx


class SandboxAdmin:
    """Read the sandbox's record of posts and change its fault knobs at run time."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> SandboxAdmin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._client.request(method, path, **kwargs)
        response.raise_for_status()
        return response.json()

    def health(self) -> bool:
        try:
            return bool(self._call("GET", "/sandbox/health").get("ok"))
        except httpx.HTTPError:
            return False

    def wait_until_up(self, timeout: float = 10.0) -> bool:
        """Poll /sandbox/health until the sandbox answers (True) or ``timeout`` seconds pass (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.health():
                return True
            time.sleep(0.1)
        return False

    def posts(
        self, *, username: str = "", include_deleted: bool = False, summary: bool = False
    ) -> dict[str, Any]:
        """{"count", "by_account", "duplicate_texts", "idempotent_replays", "posts": [...]}"""
        params: dict[str, str] = {}
        if username:
            params["username"] = username
        if include_deleted:
            params["include_deleted"] = "1"
        if summary:
            params["summary"] = "1"
        return dict(self._call("GET", "/sandbox/posts", params=params))

    def faults(self) -> dict[str, Any]:
        return dict(self._call("GET", "/sandbox/faults"))

    def set_faults(self, **knobs: Any) -> dict[str, Any]:
        """Change knobs (see sandbox.server.Faults), e.g. set_faults(burst_429=3, retry_after_s=1)."""
        return dict(self._call("POST", "/sandbox/faults", json=knobs))

    def reset(self, *, faults: bool = True) -> None:
        """Forget every post and media (and restore the start-up fault knobs unless faults=False)."""
        self._call("POST", "/sandbox/reset", json={"faults": faults})

    def create_account(self, username: str, password: str = "sandbox") -> dict[str, Any]:
        """An account and its tokens in one call: {"account", "access_token", "refresh_token", ...}."""
        return dict(
            self._call("POST", "/sandbox/accounts", json={"username": username, "password": password})
        )

    def set_followers(self, username: str, followers: int) -> None:
        """Start the account's audience at ``followers`` (it then grows as simulated)."""
        self._call("POST", "/sandbox/accounts/followers", json={"username": username, "followers": followers})

    def post_history(self, username: str, posts: list[tuple[str, float]]) -> list[str]:
        """Posts the account made ``hours_ago`` before now, as (text, hours_ago); their ids."""
        body = {"username": username, "posts": [{"text": t, "hours_ago": h} for t, h in posts]}
        return list(self._call("POST", "/sandbox/accounts/history", json=body)["ids"])

    def revoke(self, username: str) -> int:
        return int(self._call("POST", "/sandbox/tokens/revoke", json={"username": username})["revoked"])

    def expire(self, username: str) -> int:
        return int(self._call("POST", "/sandbox/tokens/expire", json={"username": username})["expired"])

    def stats(self) -> dict[str, int]:
        return dict(self._call("GET", "/sandbox/stats"))

    # ---- Telegram group-chat mode (sandbox/telegram.py) ---------------------------------------

    def telegram_group(self, *, bot_token: str, title: str, members: int = 0, seed: int = 7) -> int:
        """A supergroup administered by the bot of ``bot_token``, with ``members`` simulated members; its chat id."""
        body = {"bot_token": bot_token, "title": title, "members": members, "seed": seed}
        return int(self._call("POST", "/sandbox/telegram/chats", json=body)["id"])

    def telegram_chat(self, chat_id: int | str) -> dict[str, Any]:
        """The group as the sandbox holds it: members and their status, messages (deleted or not)."""
        return dict(self._call("GET", f"/sandbox/telegram/chats/{chat_id}"))

    def telegram_simulate(
        self,
        chat_id: int | str,
        *,
        events: int,
        start: float,
        end: float,
        spam_rate: float = 0.1,
        seed: int = 1,
    ) -> int:
        """Members talk, join and leave: ``events`` spread from ``start`` to ``end`` (epoch seconds)."""
        body = {"events": events, "start": start, "end": end, "spam_rate": spam_rate, "seed": seed}
        return int(self._call("POST", f"/sandbox/telegram/chats/{chat_id}/simulate", json=body)["events"])

    def telegram_say(
        self, chat_id: int | str, text: str, *, user_id: int | str = "", first_name: str = ""
    ) -> dict[str, Any]:
        """One member's message (a new member joins first when ``user_id`` is blank)."""
        body = {"text": text, "user_id": str(user_id), "first_name": first_name}
        return dict(self._call("POST", f"/sandbox/telegram/chats/{chat_id}/say", json=body))

    def telegram_live(self, chat_id: int | str, *, per_minute: float, spam_rate: float = 0.1) -> None:
        """Keep the group talking at ``per_minute`` messages as getUpdates is called (0 stops it)."""
        body = {"per_minute": per_minute, "spam_rate": spam_rate}
        self._call("POST", f"/sandbox/telegram/chats/{chat_id}/live", json=body)

    def telegram_drop_writes(self, n: int) -> None:
        """Apply the next ``n`` Bot API writes, then never answer them (set hang_seconds to 0 first)."""
        self._call("POST", "/sandbox/telegram/faults", json={"drop_next_writes": n})
