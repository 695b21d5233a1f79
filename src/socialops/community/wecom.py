"""A client of WeCom's customer-group APIs (企业微信 客户群, developer.work.weixin.qq.com), through core.egress.

- gettoken: GET /cgi-bin/gettoken?corpid=&corpsecret= (the secret of the 客户联系 app) →
  {"errcode": 0, "access_token", "expires_in"}; the token goes in every call's query string.
- groupchat/list: POST /cgi-bin/externalcontact/groupchat/list {"status_filter": 0, "cursor",
  "limit" ≤ 1000} → {"group_chat_list": [{"chat_id", "status"}], "next_cursor"}.
- groupchat/get: POST /cgi-bin/externalcontact/groupchat/get {"chat_id", "need_name": 1} →
  {"group_chat": {"chat_id", "name", "owner", "create_time", "notice", "member_list": [{"userid",
  "type" (1 staff, 2 external contact), "join_time", "join_scene", "name", "group_nickname",
  "unionid"}], "admin_list": [{"userid"}]}}.
- add_msg_template with chat_type "group": a group-send task the owner (sender) confirms in the
  WeCom app → {"msgid", "fail_list"}. group_welcome_template/add → {"template_id"}.
- Every answer carries errcode/errmsg; 42001 / 40014 (token expired or invalid) fetch a new token
  once. The APIs offer no way to delete a message, mute or remove a member of a customer group:
  those moderation steps are tasks for a person.
- add_msg_template is not idempotent: an answer lost after it is OutcomeUnknown, never re-sent.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from django.utils.translation import gettext as _

from socialops.core import egress
from socialops.platforms.connectors.base import AuthRevoked, OutcomeUnknown, PermanentError, RetryableError

API_BASE = "https://qyapi.weixin.qq.com"
TOKEN_ERRORS = {40014, 42001}
AUTH_ERRORS = {40001, 40013, 40056, 48002, 60020}
BUSY = {-1, 45009, 45033}
LIST_LIMIT = 1000


class WecomClient:
    """One corp's customer-group APIs, with its access token fetched when needed."""

    def __init__(
        self,
        *,
        corp_id: str,
        secret: str,
        base_url: str = "",
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        if not corp_id or not secret:
            raise AuthRevoked(_("The WeCom account has no corp id and secret; connect it again."))
        self.corp_id = corp_id
        self.secret = secret
        self._token = ""
        self.client = egress.client(transport=transport, base_url=base_url or API_BASE, timeout=timeout)

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> WecomClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _json(self, response: httpx.Response, *, mutating: bool) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict) or "errcode" not in data and "access_token" not in data:
            if mutating and response.status_code < 300:
                raise OutcomeUnknown(_("WeCom answered in a way that cannot be read; the task may exist."))
            raise RetryableError(
                _("WeCom answered in a way that cannot be read (HTTP %(s)d).") % {"s": response.status_code}
            )
        return data

    def _access_token(self, *, fresh: bool = False) -> str:
        if self._token and not fresh:
            return self._token
        try:
            response = self.client.get(
                "/cgi-bin/gettoken", params={"corpid": self.corp_id, "corpsecret": self.secret}
            )
        except httpx.HTTPError as exc:
            raise RetryableError(_("WeCom could not be reached: %(e)s") % {"e": type(exc).__name__}) from exc
        data = self._json(response, mutating=False)
        code = int(data.get("errcode") or 0)
        if code or not data.get("access_token"):
            raise AuthRevoked(str(data.get("errmsg") or code), platform_code=str(code))
        self._token = str(data["access_token"])
        return self._token

    def _post(self, path: str, body: dict[str, Any], *, mutating: bool) -> dict[str, Any]:
        for attempt in (0, 1):
            token = self._access_token(fresh=attempt == 1)
            try:
                response = self.client.post(path, params={"access_token": token}, json=body)
            except httpx.TimeoutException as exc:
                if mutating:
                    raise OutcomeUnknown(_("WeCom did not answer; the task may have been created.")) from exc
                raise RetryableError(_("WeCom did not answer in time.")) from exc
            except httpx.HTTPError as exc:
                if mutating and not isinstance(exc, httpx.ConnectError):
                    raise OutcomeUnknown(
                        _("The connection to WeCom broke; the task may have been created.")
                    ) from exc
                raise RetryableError(
                    _("WeCom could not be reached: %(e)s") % {"e": type(exc).__name__}
                ) from exc
            data = self._json(response, mutating=mutating)
            code = int(data.get("errcode") or 0)
            if code == 0:
                return data
            message = str(data.get("errmsg") or code)
            if code in TOKEN_ERRORS and attempt == 0:
                continue  # the token expired: nothing was done, ask again with a new one
            if code in AUTH_ERRORS or code in TOKEN_ERRORS:
                raise AuthRevoked(message, platform_code=str(code))
            if code in BUSY:
                raise RetryableError(message, platform_code=str(code))
            raise PermanentError(message, platform_code=str(code))
        raise AuthRevoked(_("WeCom refused the new access token."))  # pragma: no cover - loop always returns

    def group_chat_ids(self) -> list[str]:
        """Every customer group of the corp's members (groupchat/list, page by page)."""
        ids: list[str] = []
        cursor = ""
        for _page in range(100):
            body: dict[str, Any] = {"status_filter": 0, "limit": LIST_LIMIT}
            if cursor:
                body["cursor"] = cursor
            data = self._post("/cgi-bin/externalcontact/groupchat/list", body, mutating=False)
            ids += [
                str(g["chat_id"])
                for g in data.get("group_chat_list") or []
                if isinstance(g, dict) and g.get("chat_id")
            ]
            cursor = str(data.get("next_cursor") or "")
            if not cursor:
                break
        return ids

    def group_chat(self, chat_id: str) -> dict[str, Any]:
        """One customer group: name, owner, members (with join times) and admins (groupchat/get)."""
        data = self._post(
            "/cgi-bin/externalcontact/groupchat/get", {"chat_id": chat_id, "need_name": 1}, mutating=False
        )
        chat = data.get("group_chat")
        if not isinstance(chat, dict):
            raise RetryableError(_("WeCom did not return the group."))
        return chat

    def send_to_groups(self, *, sender: str, text: str, chat_ids: list[str] | None = None) -> str:
        """A group-send task (add_msg_template, chat_type group) the owner confirms in WeCom; its msgid."""
        body: dict[str, Any] = {"chat_type": "group", "sender": sender, "text": {"content": text}}
        if chat_ids:
            body["chat_id_list"] = chat_ids
        data = self._post("/cgi-bin/externalcontact/add_msg_template", body, mutating=True)
        msgid = str(data.get("msgid") or "")
        if not msgid:
            raise OutcomeUnknown(_("WeCom accepted the group-send task but did not return its id."))
        return msgid

    def add_group_welcome(self, text: str) -> str:
        """A welcome-message template for new group members (group_welcome_template/add); its id."""
        data = self._post(
            "/cgi-bin/externalcontact/group_welcome_template/add", {"text": {"content": text}}, mutating=True
        )
        return str(data.get("template_id") or "")


def join_time(member: dict[str, Any]) -> dt.datetime | None:
    """A groupchat/get member's join time (epoch seconds) as an aware datetime."""
    value = member.get("join_time")
    return dt.datetime.fromtimestamp(int(value), dt.UTC) if isinstance(value, int) and value > 0 else None
