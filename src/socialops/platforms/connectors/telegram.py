"""Telegram connector: channel posts through the Telegram Bot API (core.telegram.org/bots/api).

- auth: the bot token (stored as ``access_token``) goes in the URL path,
  ``https://api.telegram.org/bot<token>/<method>``. It must never reach a log or an error
  message: every message we raise is passed through ``redact`` and a filter on the ``httpx`` /
  ``httpcore`` loggers (which log request URLs) masks ``/bot<token>/``. The channel (``@name`` or
  ``-100…``) is stored as ``client_id``.
- publish: sendMessage (text ≤ 4096), sendPhoto (one image, caption ≤ 1024), sendMediaGroup
  (2–10 images, the caption on the first). delete: deleteMessage for every message of the post.
- answers are ``{"ok": false, "error_code", "description", "parameters": {"retry_after"}}``:
  429 is RetryableError after ``retry_after``; 400 PermanentError with the description; 401/403
  (bad token, bot removed from the channel) AuthRevoked.
- Telegram has no idempotency key and no way to look a message up by one, so there is no
  FIND_PUBLISHED and ``dedupe_window`` is zero: after OutcomeUnknown the engine never re-sends,
  it hands the publication to a person to check the channel.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

import httpx
from django.utils.translation import gettext as _

from . import http
from .base import (
    KIND_CAPABILITY,
    AccountInfo,
    AuthRevoked,
    Capability,
    Limits,
    OutcomeUnknown,
    PermanentError,
    PostRequest,
    PublishResult,
    RetryableError,
    compose_text,
)

API_BASE = "https://api.telegram.org"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_MEDIA = 10
MAX_PHOTO_BYTES = 10 * 1024 * 1024
TOKEN_RE = re.compile(r"bot\d+:[A-Za-z0-9_-]+")


def redact(text: str, token: str = "") -> str:
    """The text with any bot token in it masked."""
    if token:
        text = text.replace(token, "***")
    return TOKEN_RE.sub("bot***", text)


class RedactTokenFilter(logging.Filter):
    """Masks bot tokens in log records (httpx logs every request's full URL at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "bot" in message and TOKEN_RE.search(message):
            record.msg = redact(message)
            record.args = ()
        return True


_FILTER = RedactTokenFilter()
for _name in ("httpx", "httpcore"):
    _logger = logging.getLogger(_name)
    if not any(isinstance(f, RedactTokenFilter) for f in _logger.filters):
        _logger.addFilter(_FILTER)


class TelegramConnector(http.HttpConnector):
    """A Telegram channel the bot is an administrator of."""

    kind = "telegram"
    capabilities = frozenset({Capability.PUBLISH_TEXT, Capability.PUBLISH_IMAGES, Capability.DELETE})
    limits = Limits(max_text_chars=MAX_TEXT, max_images=MAX_MEDIA, max_videos=0, mixed_media=False)
    # No idempotency on Telegram's side: re-sending is never safe (see the module docstring).
    dedupe_window = dt.timedelta(0)
    needs_base_url = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Tests may point it at a fake; the connection form has no URL for Telegram.
        if not self.base_url:
            self.base_url = API_BASE

    def __repr__(self) -> str:
        return f"<TelegramConnector {self.chat_id or '?'}>"

    @property
    def chat_id(self) -> str:
        return self.credentials.client_id or self.account_ref

    def _call(
        self, method: str, *, mutating: bool, ok_descriptions: tuple[str, ...] = (), **kwargs: Any
    ) -> Any:
        token = self.credentials.access_token
        if not token:
            raise AuthRevoked(_("No bot token is stored for this channel; connect it again."))
        if not self.chat_id:
            raise PermanentError(_("No channel is set for this connection; enter the channel's @name or id."))
        request = self.client.build_request("POST", f"/bot{token}/{method}", **kwargs)
        with http.secrets_redacted(token):
            response = http.send(self.client, request, mutating=mutating)
            return self._answer(response, mutating=mutating, ok_descriptions=ok_descriptions)

    def _answer(self, response: httpx.Response, *, mutating: bool, ok_descriptions: tuple[str, ...]) -> Any:
        data = http.body_json(response)
        if isinstance(data, dict) and data.get("ok") is True:
            return data.get("result")
        if not isinstance(data, dict) or (data.get("ok") is not False and response.status_code < 300):
            # Not JSON, or a 2xx without Telegram's "ok": after a send, the message may be there.
            http.raise_for_common(response, mutating=mutating)
            raise http.unreadable_answer(response, mutating=mutating, platform="Telegram")
        code = http.as_int(data.get("error_code")) or response.status_code
        description = str(data.get("description") or f"HTTP {code}")[:1000]
        if any(text in description.lower() for text in ok_descriptions):
            return None
        parameters = data.get("parameters") or {}
        if code == 429:
            retry_after = parameters.get("retry_after")
            raise RetryableError(
                description,
                retry_after=float(retry_after) if isinstance(retry_after, int | float) else None,
                status_code=code,
                platform_code=str(code),
            )
        if code in (401, 403):
            raise AuthRevoked(description, status_code=code, platform_code=str(code))
        if code == 400:
            raise PermanentError(description, status_code=code, platform_code=str(code), raw=data)
        http.raise_for_common(response, mutating=mutating)
        raise PermanentError(description, status_code=code, platform_code=str(code))

    # ---- auth ------------------------------------------------------------------------------

    def verify(self) -> AccountInfo:
        """getMe (the token works), then getChat (the channel exists and the bot sees it)."""
        bot = self._call("getMe", mutating=False) or {}
        chat = self._call("getChat", mutating=False, json={"chat_id": self.chat_id}) or {}
        username = str(chat.get("username") or "")
        return AccountInfo(
            external_id=str(chat.get("id") or self.chat_id),
            handle=f"@{username}" if username else str(chat.get("title") or self.chat_id),
            display_name=str(chat.get("title") or ""),
            url=f"https://t.me/{username}" if username else "",
            raw={"bot": bot.get("username", ""), "chat": chat},
        )

    # ---- publishing ------------------------------------------------------------------------

    def check(self, post: PostRequest) -> list[str]:
        problems: list[str] = []
        text = compose_text(post)
        if not text and not post.media:
            problems.append(_("A post needs text or images."))
        if any(not m.is_image for m in post.media):
            problems.append(_("This Telegram connector posts text and images only, not video."))
        if post.media:
            if len(text) > MAX_CAPTION:
                problems.append(
                    _("The caption is %(n)d characters long; Telegram allows %(max)d with images.")
                    % {"n": len(text), "max": MAX_CAPTION}
                )
            if len(post.media) > MAX_MEDIA:
                problems.append(
                    _("Telegram takes at most %(max)d images per post (got %(n)d).")
                    % {"max": MAX_MEDIA, "n": len(post.media)}
                )
        elif len(text) > MAX_TEXT:
            problems.append(
                _("The text is %(n)d characters long; Telegram allows %(max)d.")
                % {"n": len(text), "max": MAX_TEXT}
            )
        for media in post.media:
            if not media.data and not media.url:
                problems.append(_("“%(name)s” has no file to upload.") % {"name": media.filename[:80]})
            elif media.data and len(media.data) > MAX_PHOTO_BYTES:
                problems.append(
                    _("“%(name)s” is %(mb).1f MB; Telegram takes photos up to 10 MB.")
                    % {"name": media.filename[:80], "mb": len(media.data) / 1e6}
                )
        return problems

    def _message_url(self, message_id: int | str, chat: dict[str, Any]) -> str:
        username = str(chat.get("username") or "")
        if not username and self.chat_id.startswith("@"):
            username = self.chat_id[1:]
        if username:
            return f"https://t.me/{username}/{message_id}"
        chat_id = str(chat.get("id") or self.chat_id)
        if chat_id.startswith("-100"):
            return f"https://t.me/c/{chat_id[4:]}/{message_id}"
        return ""

    def _result(self, messages: list[Any]) -> PublishResult:
        if not messages or not all(isinstance(m, dict) and m.get("message_id") for m in messages):
            # "ok": true with an empty result: Telegram said it sent, but not what.
            raise OutcomeUnknown(
                _("Telegram accepted the post but did not return the message; it may exist.")
            )
        first = messages[0]
        ids = [str(m.get("message_id", "")) for m in messages]
        date = first.get("date")
        return PublishResult(
            # Every message of an album, so delete can remove them all.
            external_id=",".join(ids),
            url=self._message_url(ids[0], first.get("chat") or {}),
            published_at=dt.datetime.fromtimestamp(int(date), dt.UTC) if isinstance(date, int) else None,
            raw={"messages": messages},
        )

    def publish(self, post: PostRequest, *, idempotency_key: str) -> PublishResult:
        self.require(KIND_CAPABILITY[post.effective_kind])
        problems = self.check(post)
        if problems:
            raise PermanentError(" ".join(problems))
        text = compose_text(post)
        chat = self.chat_id
        reply: dict[str, Any] = {}
        if post.in_reply_to:
            reply = {"reply_parameters": json.dumps({"message_id": int(post.in_reply_to.split(",")[0])})}
        if not post.media:
            body: dict[str, Any] = {"chat_id": chat, "text": text}
            if reply:
                body["reply_parameters"] = json.loads(reply["reply_parameters"])
            return self._result([self._call("sendMessage", mutating=True, json=body)])
        if len(post.media) == 1:
            media = post.media[0]
            data: dict[str, Any] = {"chat_id": chat, **reply}
            if text:
                data["caption"] = text
            if media.data:
                files = {"photo": (media.filename, media.data, media.content_type)}
                message = self._call("sendPhoto", mutating=True, data=data, files=files)
            else:
                # A URL Telegram fetches itself.
                message = self._call("sendPhoto", mutating=True, data={**data, "photo": media.url})
            return self._result([message])
        items: list[dict[str, Any]] = []
        uploads: dict[str, tuple[str, bytes, str]] = {}
        for index, media in enumerate(post.media):
            item: dict[str, Any] = {"type": "photo"}
            if media.data:
                uploads[f"file{index}"] = (media.filename, media.data, media.content_type)
                item["media"] = f"attach://file{index}"
            else:
                item["media"] = media.url
            if index == 0 and text:
                item["caption"] = text
            items.append(item)
        group_data = {"chat_id": chat, "media": json.dumps(items), **reply}
        messages = self._call("sendMediaGroup", mutating=True, data=group_data, files=uploads or None)
        return self._result(messages if isinstance(messages, list) else [])

    def delete(self, external_id: str) -> None:
        self.require(Capability.DELETE)
        for message_id in [p for p in external_id.split(",") if p.strip()]:
            # Already gone is what the caller wanted.
            self._call(
                "deleteMessage",
                mutating=True,
                ok_descriptions=("message to delete not found",),
                json={"chat_id": self.chat_id, "message_id": int(message_id)},
            )
