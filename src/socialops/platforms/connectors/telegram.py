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
- fans: getUpdates (short polling; the bot has no webhook, and Telegram refuses getUpdates while
  one is set). Messages in a private chat with the bot are direct messages; messages in the
  channel's linked discussion group that answer a channel post (or one of our replies there) are
  comments. The cursor is the next ``offset`` (last update_id + 1). Both streams read the one
  update queue, and an offset confirms (deletes) every update below it, so: fetch_comments
  returns the comments and the direct messages (``is_private``, which the inbox files as
  messages), and fetch_messages stops before the first comment it meets so that it never
  confirms one. External ids are ``<chat_id>:<message_id>``.
- reply: sendMessage to the fan's chat with ``reply_parameters`` {message_id}; not idempotent, so
  a lost answer is OutcomeUnknown (the base class's write rule).
- groups (a connection whose chat id is a supergroup the bot administers): fetch_group_updates
  reads the same update queue and returns the group's messages, joins (new_chat_members) and
  leaves (left_chat_member); it stops before the first update of another chat, leaving it
  unconfirmed for the channel's pulls (a bot of its own for the group is simpler); the comments and
  messages pulls, in turn, stop before a message of the connection's own group. Moderation:
  deleteMessage, restrictChatMember (mute until a time) and its undo, banChatMember /
  unbanChatMember, sendMessage (a warning). Every one is a write: a lost answer is OutcomeUnknown,
  never re-sent.
"""

from __future__ import annotations

import dataclasses
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
    Comment,
    CommentPage,
    Limits,
    OutcomeUnknown,
    PermanentError,
    PostRequest,
    PublishResult,
    RetryableError,
    compose_text,
    utcnow,
)

API_BASE = "https://api.telegram.org"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_MEDIA = 10
MAX_PHOTO_BYTES = 10 * 1024 * 1024
TOKEN_RE = re.compile(r"bot\d+:[A-Za-z0-9_-]+")
# getUpdates: at most 100 updates a call (the Bot API's maximum) and a few calls per pull.
UPDATES_LIMIT = 100
MAX_UPDATE_CALLS = 5
# What a message without text is shown as in the inbox (the first of these fields it has).
MEDIA_FIELDS = ("photo", "video", "animation", "sticker", "voice", "video_note", "audio", "document")


# restrictChatMember: what a muted member may not do, and what unmuting gives back.
MUTED = {
    "can_send_messages": False,
    "can_send_audios": False,
    "can_send_documents": False,
    "can_send_photos": False,
    "can_send_videos": False,
    "can_send_video_notes": False,
    "can_send_voice_notes": False,
    "can_send_polls": False,
    "can_send_other_messages": False,
    "can_add_web_page_previews": False,
}
UNMUTED = dict.fromkeys(MUTED, True)


@dataclasses.dataclass(frozen=True)
class GroupEvent:
    """One thing that happened in a group: a message, a member joining or leaving."""

    kind: str  # "message" | "join" | "leave"
    user_id: str
    handle: str
    name: str
    at: dt.datetime
    message_id: int = 0
    text: str = ""
    raw: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class GroupPage:
    """The group's events read from the update queue and the offset to read on from."""

    events: list[GroupEvent]
    cursor: str


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
    capabilities = frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGES,
            Capability.DELETE,
            Capability.COMMENTS,
            Capability.MESSAGES,
            Capability.REPLY,
        }
    )
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
        if code == 409:
            # "Conflict: can't use getUpdates method while webhook is active" / "terminated by other
            # getUpdates request": fetch_comments / fetch_messages say what it means.
            raise PermanentError(description, status_code=code, platform_code=str(code))
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

    def _message_url(self, message_id: int | str, chat: dict[str, Any], *, channel: bool = True) -> str:
        """The t.me link of a message in the channel (or, ``channel`` False, in another public or private supergroup)."""
        username = str(chat.get("username") or "")
        if not username and channel and self.chat_id.startswith("@"):
            username = self.chat_id[1:]
        if username:
            return f"https://t.me/{username}/{message_id}"
        chat_id = str(chat.get("id") or (self.chat_id if channel else ""))
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

    # ---- fans: comments, direct messages, replies ------------------------------------------

    def _bot_id(self) -> str:
        """The bot's user id: the part of its token before the colon."""
        return self.credentials.access_token.split(":", 1)[0]

    def _is_our_channel(self, chat: Any) -> bool:
        if not isinstance(chat, dict):
            return False
        ours = self.chat_id
        username = str(chat.get("username") or "")
        return str(chat.get("id") or "") == ours or (
            bool(username) and ours.startswith("@") and username.lower() == ours[1:].lower()
        )

    def _is_own_group(self, update: dict[str, Any]) -> bool:
        """Whether the update is a message in the connection's own chat and that chat is a group.

        A channel's own posts never arrive as "message" updates, so this only holds for a
        connection made for one of our groups; its updates are left for fetch_group_updates.
        """
        chat = http.as_dict(http.as_dict(update.get("message")).get("chat"))
        return chat.get("type") in ("group", "supergroup") and str(chat.get("id") or "") == str(self.chat_id)

    def _channel_post_of(self, message: dict[str, Any]) -> str:
        """The id of our channel post that ``message`` (in the discussion group) is the copy of, or ""."""
        if not message.get("is_automatic_forward"):
            return ""
        origin = http.as_dict(message.get("forward_origin"))
        if origin.get("type") == "channel" and self._is_our_channel(origin.get("chat")):
            return str(http.as_int(origin.get("message_id")) or "")
        # Bot API before 7.0.
        if self._is_our_channel(message.get("forward_from_chat")):
            return str(http.as_int(message.get("forward_from_message_id")) or "")
        return ""

    @staticmethod
    def _text_of(message: dict[str, Any]) -> str:
        text = message.get("text") or message.get("caption")
        if isinstance(text, str) and text:
            return text
        for field in MEDIA_FIELDS:
            if message.get(field):
                return f"[{field}]"
        return ""

    def _fan_item(self, update: dict[str, Any]) -> Comment | None:
        """The comment or direct message an update carries, or None when it is neither."""
        message = http.as_dict(update.get("message"))
        chat = http.as_dict(message.get("chat"))
        message_id = http.as_int(message.get("message_id"))
        if not message_id or not chat.get("id"):
            return None
        sender = http.as_dict(message.get("from"))
        in_reply_to = ""
        if chat.get("type") == "private":
            if sender.get("is_bot"):
                return None
        elif chat.get("type") in ("group", "supergroup"):
            if message.get("is_automatic_forward") or self._is_our_channel(message.get("sender_chat")):
                return None  # the channel's own post copied into its discussion group
            parent = http.as_dict(message.get("reply_to_message"))
            post_id = self._channel_post_of(parent)
            if post_id:
                in_reply_to = post_id
            elif parent and str(http.as_dict(parent.get("from")).get("id") or "") == self._bot_id():
                # An answer to one of our replies in the discussion.
                in_reply_to = f"{chat['id']}:{parent.get('message_id')}"
            else:
                return None
        else:
            return None
        # Someone writing as a channel (or an anonymous group admin) is that chat, not a person.
        author = http.as_dict(message.get("sender_chat")) or sender
        if not author.get("id"):
            return None
        name = str(
            author.get("title") or " ".join(str(author.get(k) or "") for k in ("first_name", "last_name"))
        ).strip()
        date = message.get("date")
        username = str(author.get("username") or "")
        return Comment(
            external_id=f"{chat['id']}:{message_id}",
            text=self._text_of(message),
            created_at=dt.datetime.fromtimestamp(int(date), dt.UTC) if isinstance(date, int) else utcnow(),
            author_id=str(author["id"]),
            author_handle=username,
            author_name=name,
            in_reply_to=in_reply_to,
            url=self._message_url(message_id, chat, channel=False) if chat.get("type") != "private" else "",
            is_private=chat.get("type") == "private",
            raw=message,
        )

    def _updates(self, *, cursor: str, limit: int, stop_at_comment: bool) -> CommentPage:
        cursor = cursor.strip()
        if cursor and not cursor.isdigit():
            raise PermanentError(_("The stored Telegram cursor is not an update offset."))
        offset = int(cursor or 0)
        wanted = max(1, limit)
        found: list[Comment] = []
        for _call in range(MAX_UPDATE_CALLS):
            # Never more updates than items wanted: everything read below the next offset is gone.
            size = min(UPDATES_LIMIT, wanted - len(found))
            body: dict[str, Any] = {"limit": size, "timeout": 0, "allowed_updates": ["message"]}
            if offset:
                body["offset"] = offset
            updates = self._poll(body)
            stop = False
            for update in sorted(updates, key=lambda u: http.as_int(u.get("update_id"))):
                update_id = http.as_int(update.get("update_id"))
                if update_id < offset:
                    continue
                if self._is_own_group(update):
                    stop = True  # the connection is a group's: fetch_group_updates reads these
                    break
                item = self._fan_item(update)
                if stop_at_comment and item is not None and not item.is_private:
                    stop = True  # left unconfirmed for fetch_comments
                    break
                offset = update_id + 1
                if item is not None:
                    found.append(item)
            if stop or len(updates) < size or len(found) >= wanted:
                break
        return CommentPage(items=found, cursor=str(offset) if offset else cursor)

    def _poll(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            result = self._call("getUpdates", mutating=False, json=body)
        except PermanentError as err:
            if err.status_code == 409:
                if "webhook" in err.message.lower():
                    raise PermanentError(
                        _(
                            "This bot has a webhook set, and Telegram does not allow reading its "
                            "messages another way while it has one. Remove the webhook (deleteWebhook) "
                            "or use a bot of its own for this channel."
                        ),
                        status_code=err.status_code,
                        platform_code=err.platform_code,
                    ) from None
                # Another getUpdates of the same bot at the same moment: ask again later.
                raise RetryableError(
                    err.message, status_code=err.status_code, platform_code=err.platform_code
                ) from None
            raise
        if not isinstance(result, list):
            raise RetryableError(_("Telegram did not return the bot's updates."))
        return [u for u in result if isinstance(u, dict)]

    def fetch_comments(self, *, cursor: str = "", post_id: str = "", limit: int = 40) -> CommentPage:
        """Comments in the discussion group, and the bot's direct messages (``is_private``) too.

        Both come from the one update queue, which an offset empties; returning the direct
        messages here as well means a comments pull never loses one (the inbox stores each
        message once, by its external id).
        """
        self.require(Capability.COMMENTS)
        if post_id:
            raise PermanentError(_("Telegram comments are read from the bot's updates, not per post."))
        return self._updates(cursor=cursor, limit=limit, stop_at_comment=False)

    def fetch_messages(self, *, cursor: str = "", limit: int = 40) -> CommentPage:
        """Direct messages to the bot; stops before the first comment so as never to confirm it."""
        self.require(Capability.MESSAGES)
        return self._updates(cursor=cursor, limit=limit, stop_at_comment=True)

    def reply(
        self, *, in_reply_to: str, text: str, idempotency_key: str, recipient: str = "", private: bool = False
    ) -> PublishResult:
        """sendMessage in the chat of ``in_reply_to`` (``<chat_id>:<message_id>``), quoting it.

        A direct message is answered in its private chat, a comment in the discussion group: the
        answer always goes to the chat the fan wrote in, so a private question stays private.
        """
        self.require(Capability.REPLY)
        chat, _sep, message = in_reply_to.rpartition(":")
        if not chat or not message.isdigit() or not chat.lstrip("-").isdigit():
            raise PermanentError(_("This is not a Telegram message to answer."))
        if private and chat.startswith("-"):
            raise PermanentError(_("This message was written in a group; it cannot be answered privately."))
        text = text.strip()
        if not text:
            raise PermanentError(_("A reply needs text."))
        if len(text) > MAX_TEXT:
            raise PermanentError(
                _("The text is %(n)d characters long; Telegram allows %(max)d.")
                % {"n": len(text), "max": MAX_TEXT}
            )
        body = {
            "chat_id": int(chat),
            "text": text,
            # Still sent if the fan deleted their message meanwhile.
            "reply_parameters": {"message_id": int(message), "allow_sending_without_reply": True},
        }
        sent = self._call("sendMessage", mutating=True, json=body)
        if not isinstance(sent, dict) or not sent.get("message_id"):
            raise OutcomeUnknown(
                _("Telegram accepted the reply but did not return the message; it may exist.")
            )
        sent_chat = http.as_dict(sent.get("chat"))
        date = sent.get("date")
        return PublishResult(
            external_id=f"{sent_chat.get('id') or chat}:{sent['message_id']}",
            url=self._message_url(sent["message_id"], sent_chat, channel=False) if not private else "",
            published_at=dt.datetime.fromtimestamp(int(date), dt.UTC) if isinstance(date, int) else None,
            raw={"message": sent},
        )

    # ---- groups: members, messages and moderation ------------------------------------------

    @staticmethod
    def _person(user: dict[str, Any]) -> tuple[str, str, str]:
        name = " ".join(str(user.get(k) or "") for k in ("first_name", "last_name")).strip()
        return str(user.get("id") or ""), str(user.get("username") or ""), name

    def _group_events(self, message: dict[str, Any]) -> list[GroupEvent]:
        date = message.get("date")
        at = dt.datetime.fromtimestamp(int(date), dt.UTC) if isinstance(date, int) else utcnow()
        events: list[GroupEvent] = []
        for user in message.get("new_chat_members") or []:
            if isinstance(user, dict) and user.get("id") and not user.get("is_bot"):
                user_id, handle, name = self._person(user)
                events.append(GroupEvent("join", user_id, handle, name, at))
        left = http.as_dict(message.get("left_chat_member"))
        if left.get("id") and not left.get("is_bot"):
            user_id, handle, name = self._person(left)
            events.append(GroupEvent("leave", user_id, handle, name, at))
        if events:
            return events
        sender = http.as_dict(message.get("from"))
        message_id = http.as_int(message.get("message_id"))
        text = self._text_of(message)
        if sender.get("id") and not sender.get("is_bot") and message_id and text:
            user_id, handle, name = self._person(sender)
            events.append(GroupEvent("message", user_id, handle, name, at, message_id, text, message))
        return events

    def fetch_group_updates(self, *, cursor: str = "", limit: int = 100) -> GroupPage:
        """The group's messages, joins and leaves since ``cursor``; stops before another chat's update."""
        cursor = cursor.strip()
        if cursor and not cursor.isdigit():
            raise PermanentError(_("The stored Telegram cursor is not an update offset."))
        offset = int(cursor or 0)
        wanted = max(1, limit)
        events: list[GroupEvent] = []
        read = 0
        for _call in range(MAX_UPDATE_CALLS):
            size = min(UPDATES_LIMIT, wanted - read)
            body: dict[str, Any] = {"limit": size, "timeout": 0, "allowed_updates": ["message"]}
            if offset:
                body["offset"] = offset
            updates = self._poll(body)
            stop = False
            for update in sorted(updates, key=lambda u: http.as_int(u.get("update_id"))):
                update_id = http.as_int(update.get("update_id"))
                if update_id < offset:
                    continue
                message = http.as_dict(update.get("message"))
                chat = http.as_dict(message.get("chat"))
                if message and str(chat.get("id") or "") != str(self.chat_id):
                    stop = True  # another chat's: left unconfirmed for the pulls that read it
                    break
                offset = update_id + 1
                read += 1
                events.extend(self._group_events(message))
            if stop or len(updates) < size or read >= wanted:
                break
        return GroupPage(events=events, cursor=str(offset) if offset else cursor)

    def _group_write(self, method: str, body: dict[str, Any], ok_descriptions: tuple[str, ...] = ()) -> Any:
        return self._call(
            method, mutating=True, ok_descriptions=ok_descriptions, json={"chat_id": self.chat_id, **body}
        )

    def delete_group_message(self, message_id: int) -> None:
        """deleteMessage in the group (already gone counts as done)."""
        self._group_write(
            "deleteMessage", {"message_id": int(message_id)}, ok_descriptions=("message to delete not found",)
        )

    def send_group_message(self, text: str, *, reply_to: int = 0) -> int:
        """sendMessage in the group (a warning, a welcome); the new message's id."""
        body: dict[str, Any] = {"text": text[:MAX_TEXT]}
        if reply_to:
            body["reply_parameters"] = {"message_id": int(reply_to), "allow_sending_without_reply": True}
        sent = self._group_write("sendMessage", body)
        if not isinstance(sent, dict) or not sent.get("message_id"):
            raise OutcomeUnknown(_("Telegram accepted the message but did not return it; it may exist."))
        return int(sent["message_id"])

    def mute_member(self, user_id: str, *, until: dt.datetime) -> None:
        """restrictChatMember: the member may read but not write until ``until``."""
        self._group_write(
            "restrictChatMember",
            {
                "user_id": int(user_id),
                "permissions": MUTED,
                "use_independent_chat_permissions": True,
                "until_date": int(until.timestamp()),
            },
        )

    def unmute_member(self, user_id: str) -> None:
        """restrictChatMember with every sending permission given back."""
        self._group_write(
            "restrictChatMember",
            {"user_id": int(user_id), "permissions": UNMUTED, "use_independent_chat_permissions": True},
        )

    def ban_member(self, user_id: str) -> None:
        """banChatMember: removed from the group and unable to come back until unbanned."""
        self._group_write("banChatMember", {"user_id": int(user_id), "revoke_messages": False})

    def unban_member(self, user_id: str) -> None:
        """unbanChatMember (only_if_banned: a member who is back is left alone); they may rejoin."""
        self._group_write("unbanChatMember", {"user_id": int(user_id), "only_if_banned": True})
