"""The sandbox's Telegram group-chat mode: supergroups where simulated members talk, spam, join and leave.

A subset of the Bot API (core.telegram.org/bots/api) at ``/bot<token>/<method>``: getMe, getChat,
getUpdates (offset confirms, as on Telegram), sendMessage, deleteMessage, restrictChatMember,
banChatMember, unbanChatMember. Answers are Telegram's ``{"ok": true, "result": …}`` or
``{"ok": false, "error_code", "description"}``. A chat belongs to the bot whose id starts the
token; any token of the form ``<digits>:<secret>`` is accepted.

Admin (no auth): POST /sandbox/telegram/chats (create), GET /sandbox/telegram/chats/<id> (members,
messages with their deleted flag, the bot's messages), POST …/<id>/simulate (``events`` spread
between ``start`` and ``end``, ``spam_rate``, ``seed``), POST …/<id>/say (one member's message),
POST …/<id>/live (``per_minute``: members keep talking as getUpdates is called),
POST /sandbox/telegram/faults (``drop_next_writes``: the next N writes are applied, then never
answered). State is kept in a JSON file next to the sandbox's database.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from pathlib import Path
from typing import Any

TOKEN_RE = re.compile(r"^(\d+):[A-Za-z0-9_-]+$")
FIRST_NAMES = [
    "小雨", "阿杰", "晓琳", "大伟", "婷婷", "子涵", "浩然", "思琪", "一鸣", "佳怡",
    "俊熙", "雨桐", "明轩", "可欣", "志强", "欣妍", "宇航", "梓萱", "文博", "诗涵",
]  # fmt: skip
LAST_NAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"]
CHAT = [
    "今天的新品有人试过了吗？", "刚收到货，包装很用心👍", "请问会员积分怎么兑换呀？",
    "周末的线下活动还有名额吗", "求推荐一款适合干皮的", "客服回复好快，点赞", "上次的优惠券还能用吗？",
    "有没有人一起拼单", "这个颜色实物比图片好看", "早上好各位～", "发货一般要几天？",
    "群里的教程很实用，学到了", "想问下退换货流程", "哈哈哈同感", "晚安啦大家", "支持一下官方！",
    "请问直播是几点开始", "刚看到公众号的文章，写得不错", "新人报到，请多关照", "这个价格很划算了",
    "用了一周，效果还可以", "有没有售后群？", "下次活动能不能在周末", "收藏了，谢谢分享",
]  # fmt: skip
SPAM = [
    "兼职日结300+，加V：abc12345 详聊", "低价代购各种大牌，私聊我有惊喜 http://t.cn/xx",
    "点击领取红包 http://bit.ly/free-money 先到先得", "免费领手机！转发本群即可 加微信 qq888",
    "股票内幕消息，稳赚不赔，进群 http://spam.example/vip", "刷单返利，每单佣金20元，私我",
]  # fmt: skip
WRITES = {"sendMessage", "deleteMessage", "restrictChatMember", "banChatMember", "unbanChatMember"}


class DropAnswer(Exception):
    """The write was applied; the answer must never reach the client (a lost answer)."""


def _error(code: int, description: str) -> tuple[int, dict[str, Any]]:
    return code, {"ok": False, "error_code": code, "description": description}


def _ok(result: Any) -> tuple[int, dict[str, Any]]:
    return 200, {"ok": True, "result": result}


class TelegramGroups:
    """The sandbox's supergroups, their members and messages, and the bots' update queues."""

    def __init__(self, path: str | None = None) -> None:
        self.lock = threading.Lock()
        self.path = Path(path) if path else None
        self.state: dict[str, Any] = self._fresh()
        if self.path is not None and self.path.exists():
            try:
                self.state = json.loads(self.path.read_text("utf-8"))
            except (OSError, ValueError):
                self.state = self._fresh()
        self.drop_next_writes = 0

    @staticmethod
    def _fresh() -> dict[str, Any]:
        return {"next_update": 1, "next_chat": 1, "next_user": 700_000_001, "chats": {}, "updates": []}

    def _save(self) -> None:
        if self.path is not None:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.state, ensure_ascii=False), "utf-8")
            tmp.replace(self.path)

    def reset(self) -> None:
        with self.lock:
            self.state = self._fresh()
            self.drop_next_writes = 0
            self._save()

    # ---- state changes (under the lock) -----------------------------------------------------

    def _chat(self, chat_id: Any) -> dict[str, Any] | None:
        return self.state["chats"].get(str(chat_id))

    def _public_chat(self, chat: dict[str, Any]) -> dict[str, Any]:
        out = {"id": chat["id"], "type": "supergroup", "title": chat["title"]}
        if chat.get("username"):
            out["username"] = chat["username"]
        return out

    def _push(self, chat: dict[str, Any], message: dict[str, Any]) -> None:
        update_id = self.state["next_update"]
        self.state["next_update"] += 1
        self.state["updates"].append({"update_id": update_id, "bot": chat["bot"], "message": message})

    def _message(
        self, chat: dict[str, Any], user: dict[str, Any], at: float, **fields: Any
    ) -> dict[str, Any]:
        message_id = chat["next_message"]
        chat["next_message"] += 1
        message = {
            "message_id": message_id,
            "from": user,
            "chat": self._public_chat(chat),
            "date": int(at),
            **fields,
        }
        chat["messages"][str(message_id)] = {**message, "deleted": False}
        return message

    def _new_user(self, rng: random.Random) -> dict[str, Any]:
        user_id = self.state["next_user"]
        self.state["next_user"] += 1
        first = rng.choice(FIRST_NAMES)
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": first,
            "last_name": rng.choice(LAST_NAMES),
            "username": f"user{user_id % 100000}",
        }

    def _join(self, chat: dict[str, Any], user: dict[str, Any], at: float) -> None:
        chat["members"][str(user["id"])] = {"user": user, "status": "member", "until_date": 0}
        self._push(chat, self._message(chat, user, at, new_chat_members=[user]))

    def _leave(self, chat: dict[str, Any], user_id: str, at: float, by: dict[str, Any] | None = None) -> None:
        member = chat["members"][user_id]
        if member["status"] != "kicked":
            member["status"] = "left"
        self._push(chat, self._message(chat, by or member["user"], at, left_chat_member=member["user"]))

    def _say(self, chat: dict[str, Any], user_id: str, text: str, at: float) -> dict[str, Any] | None:
        member = chat["members"].get(user_id)
        if member is None or not self._may_write(member, at):
            return None
        message = self._message(chat, member["user"], at, text=text)
        self._push(chat, message)
        return message

    @staticmethod
    def _may_write(member: dict[str, Any], at: float) -> bool:
        if member["status"] in ("left", "kicked"):
            return False
        return not (
            member["status"] == "restricted" and (not member["until_date"] or member["until_date"] > at)
        )

    def _simulate(
        self, chat: dict[str, Any], events: int, start: float, end: float, spam_rate: float, seed: int
    ) -> int:
        rng = random.Random(seed)
        made = 0
        for index in range(events):
            at = start + (end - start) * (index + rng.random()) / max(1, events)
            present = [k for k, m in chat["members"].items() if self._may_write(m, at)]
            roll = rng.random()
            if roll < 0.06 or len(present) < 3:
                self._join(chat, self._new_user(rng), at)
            elif roll < 0.09:
                self._leave(chat, rng.choice(present), at)
            else:
                text = rng.choice(SPAM) if rng.random() < spam_rate else rng.choice(CHAT)
                self._say(chat, rng.choice(present), text, at)
            made += 1
        return made

    def _live(self, bot: str, now: float) -> None:
        """Members keep talking: the messages due since the last call, at each live chat's rate."""
        for chat in self.state["chats"].values():
            live = chat.get("live") or {}
            rate = float(live.get("per_minute") or 0)
            if chat["bot"] != bot or rate <= 0:
                continue
            due = int((now - float(live.get("last") or now)) / 60 * rate)
            if due > 0:
                seed = int(now) ^ chat["next_message"]
                self._simulate(
                    chat, min(due, 50), float(live["last"]), now, float(live.get("spam_rate", 0.1)), seed
                )
                live["last"] = now

    # ---- admin -----------------------------------------------------------------------------

    def admin(self, method: str, parts: list[str], data: dict[str, Any]) -> tuple[int, Any]:
        """The admin routes below /sandbox/telegram (``parts``: the path after it)."""
        with self.lock:
            status, body = self._admin(method, parts, data)
            self._save()
            return status, body

    def _admin(self, method: str, parts: list[str], data: dict[str, Any]) -> tuple[int, Any]:
        now = time.time()
        if parts == ["faults"] and method == "POST":
            self.drop_next_writes = int(data.get("drop_next_writes") or 0)
            return 200, {"drop_next_writes": self.drop_next_writes}
        if parts == ["chats"] and method == "POST":
            match = TOKEN_RE.match(str(data.get("bot_token") or ""))
            if not match:
                return 400, {"error": "bot_token must look like <digits>:<secret>"}
            chat_id = -1_000_000_000_000 - self.state["next_chat"]
            self.state["next_chat"] += 1
            chat = {
                "id": chat_id,
                "bot": match.group(1),
                "title": str(data.get("title") or "Sandbox group")[:128],
                "username": str(data.get("username") or ""),
                "members": {},
                "messages": {},
                "bot_messages": [],
                "next_message": 1,
                "live": {},
            }
            self.state["chats"][str(chat_id)] = chat
            rng = random.Random(int(data.get("seed") or 7))
            for _n in range(int(data.get("members") or 0)):
                user = self._new_user(rng)
                chat["members"][str(user["id"])] = {"user": user, "status": "member", "until_date": 0}
            return 201, {"id": chat_id, "members": len(chat["members"])}
        if len(parts) < 2 or parts[0] != "chats":
            return 404, {"error": "not found"}
        found = self._chat(parts[1])
        if found is None:
            return 404, {"error": "no such chat"}
        chat = found
        action = parts[2] if len(parts) > 2 else ""
        if method == "GET" and not action:
            return 200, chat
        if method == "POST" and action == "simulate":
            start = float(data.get("start") or now - 3600)
            end = float(data.get("end") or now)
            made = self._simulate(
                chat,
                int(data.get("events") or 20),
                start,
                end,
                float(data.get("spam_rate", 0.1)),
                int(data.get("seed") or 1),
            )
            return 200, {"events": made}
        if method == "POST" and action == "say":
            user_id = str(data.get("user_id") or "")
            if not user_id:
                user = self._new_user(random.Random(now))
                if data.get("first_name"):
                    user["first_name"] = str(data["first_name"])
                self._join(chat, user, float(data.get("at") or now) - 1)
                user_id = str(user["id"])
            message = self._say(chat, user_id, str(data.get("text") or ""), float(data.get("at") or now))
            if message is None:
                return 403, {"error": "this member cannot write"}
            return 200, message
        if method == "POST" and action == "live":
            chat["live"] = {
                "per_minute": float(data.get("per_minute") or 0),
                "spam_rate": float(data.get("spam_rate", 0.1)),
                "last": now,
            }
            return 200, chat["live"]
        return 404, {"error": "not found"}

    # ---- the Bot API -----------------------------------------------------------------------

    def bot_api(self, token: str, method: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """One Bot API call; DropAnswer after a write that is to be left unanswered."""
        match = TOKEN_RE.match(token)
        if not match:
            return _error(401, "Unauthorized")
        with self.lock:
            result = self._bot_api(match.group(1), method, body)
            if method in WRITES and result[0] == 200:
                self._save()
                if self.drop_next_writes > 0:
                    self.drop_next_writes -= 1
                    raise DropAnswer
            return result

    def _bot_api(self, bot: str, method: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        now = time.time()
        if method == "getMe":
            return _ok(
                {
                    "id": int(bot),
                    "is_bot": True,
                    "first_name": "socialops",
                    "username": "socialops_sandbox_bot",
                }
            )
        if method == "getUpdates":
            self._live(bot, now)
            offset = int(body.get("offset") or 0)
            limit = max(1, min(100, int(body.get("limit") or 100)))
            if offset:
                # As on Telegram: an offset confirms (forgets) every update of this bot below it.
                self.state["updates"] = [
                    u for u in self.state["updates"] if u["bot"] != bot or u["update_id"] >= offset
                ]
            mine = [u for u in self.state["updates"] if u["bot"] == bot][:limit]
            self._save()
            return _ok([{"update_id": u["update_id"], "message": u["message"]} for u in mine])
        chat = self._chat(body.get("chat_id"))
        if chat is None or chat["bot"] != bot:
            return _error(400, "Bad Request: chat not found")
        if method == "getChat":
            return _ok(self._public_chat(chat))
        if method == "sendMessage":
            text = str(body.get("text") or "")
            if not text:
                return _error(400, "Bad Request: message text is empty")
            me = {
                "id": int(bot),
                "is_bot": True,
                "first_name": "socialops",
                "username": "socialops_sandbox_bot",
            }
            message = self._message(chat, me, now, text=text)
            chat["bot_messages"].append(message["message_id"])
            return _ok(message)
        if method == "deleteMessage":
            stored = chat["messages"].get(str(body.get("message_id")))
            if stored is None or stored["deleted"]:
                return _error(400, "Bad Request: message to delete not found")
            stored["deleted"] = True
            return _ok(True)
        member = chat["members"].get(str(body.get("user_id")))
        if method in ("restrictChatMember", "banChatMember", "unbanChatMember") and member is None:
            return _error(400, "Bad Request: user not found")
        assert member is not None
        if method == "restrictChatMember":
            permissions = body.get("permissions") or {}
            if not isinstance(permissions, dict):
                return _error(400, "Bad Request: can't parse permissions")
            if permissions.get("can_send_messages") is False:
                member["status"] = "restricted"
                member["until_date"] = int(body.get("until_date") or 0)
            elif member["status"] == "restricted":
                member["status"] = "member"
                member["until_date"] = 0
            return _ok(True)
        if method == "banChatMember":
            was_present = member["status"] not in ("left", "kicked")
            member["status"] = "kicked"
            if was_present:
                me = {"id": int(bot), "is_bot": True, "first_name": "socialops"}
                self._leave(chat, str(member["user"]["id"]), now, by=me)
            return _ok(True)
        if method == "unbanChatMember":
            if member["status"] == "kicked":
                member["status"] = "left"  # may join again through an invite link
            return _ok(True)
        return _error(404, "Not Found: method not found")
