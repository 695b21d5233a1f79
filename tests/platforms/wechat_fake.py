"""A respx fake of the WeChat Official Account API that enforces its documented request shapes.

Every answer is JSON; errors are {"errcode": N, "errmsg": …} as WeChat sends them (HTTP 200).
What it checks (the doc URLs are in socialops/platforms/connectors/wechat.py):

- stable_token: POST JSON {grant_type: client_credential, appid, secret, force_refresh: bool};
  40013 bad appid, 40125 bad secret, 40164 IP not whitelisted. Normal mode returns the same
  token while it is valid. The old /cgi-bin/token is not served.
- every other call: access_token in the query (41001 missing, 40001 unknown, 42001 expired);
  GET/POST as documented (43001/43002); JSON bodies must not carry \\uXXXX escapes (40033).
- add_material?type=image: multipart ``media``, bmp/png/jpeg/jpg/gif ≤ 10 MB (40005/40009);
  uploadimg: jpg/png < 1 MB.
- draft/add: title required ≤ 32, author ≤ 16, digest ≤ 128, content present < 20,000 characters,
  thumb_media_id issued by add_material (40007).
- freepublish: submit (draft media_id) → publish_id; get answers "publishing" for
  ``publishing_polls`` polls, then ``final_status``; batchget count 1–20; delete.
- mass/sendall: filter/mpnews/msgtype/clientmsgid ≤ 64 bytes; 45065 with the earlier msg_id on a
  repeated clientmsgid; 45028 after the account type's quota (subscription 1/day, service
  4/month); 48001 when ``verified`` is False.
- user/get paging by next_openid; tags get/create; batchtagging ≤ 50 openids (40032).
- comment/list count < 50; comment/reply/add; message/custom/send within 48 h of the fan's last
  message (45015 after); datacube spans (7 days, 1 day for
  getarticlesummary; yesterday at the latest: 61501). getarticleread answers {list: [{ref_date,
  msgid, detail: {read_user, read_user_source}}], is_delay} from ``article_read`` rows; its doc
  states no span limit, so the fake enforces none beyond "yesterday at the latest".

Where WeChat documents no code for a case, the fake's choice is marked "our assumption".
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from typing import Any

import httpx
import respx

API = "https://api.weixin.qq.com"
APPID = "wx1234567890abcdef"
SECRET = "s3cr3t-app-secret-0123456789abcd"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))

GET_PATHS = {"/cgi-bin/user/get", "/cgi-bin/tags/get", "/cgi-bin/get_api_domain_ip"}


def err(code: int, msg: str, **extra: Any) -> dict[str, Any]:
    """A WeChat error body."""
    return {"errcode": code, "errmsg": f"{msg} rid: 6650-abc", **extra}


def ok(**fields: Any) -> dict[str, Any]:
    """A WeChat success body."""
    return {"errcode": 0, "errmsg": "ok", **fields}


def multipart(request: httpx.Request) -> dict[str, tuple[str, bytes]]:
    """The parts of a multipart body: name → (filename, bytes)."""
    ctype = request.headers.get("content-type", "")
    if not ctype.startswith("multipart/form-data"):
        return {}
    boundary = ctype.split("boundary=")[1].encode()
    parts: dict[str, tuple[str, bytes]] = {}
    for part in request.content.split(b"--" + boundary):
        if b"\r\n\r\n" not in part:
            continue
        head, _sep, value = part.partition(b"\r\n\r\n")
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        filename = head.split(b'filename="')[1].split(b'"')[0].decode() if b"filename=" in head else ""
        parts[name] = (filename, value.removesuffix(b"\r\n"))
    return parts


class FakeWeChat:
    """One official account on WeChat's servers."""

    def __init__(self, router: respx.MockRouter) -> None:
        self.calls: list[str] = []
        self.bodies: list[tuple[str, Any]] = []
        self.queued: dict[str, list[dict[str, Any] | Exception]] = {}
        self.ids = itertools.count(1000)
        self.token = ""
        self.token_expires: dt.datetime | None = None
        self.whitelisted = True
        self.verified = True
        self.account_type = "subscription"
        self.materials: set[str] = set()
        self.image_urls: list[str] = []
        self.drafts: dict[str, dict[str, Any]] = {}
        self.publishing_polls = 1
        self.final_status = 0
        self.jobs: dict[str, dict[str, Any]] = {}
        self.published: list[dict[str, Any]] = []
        self.mass: dict[str, dict[str, Any]] = {}
        self.followers: list[str] = []
        self.page_size = 10000
        self.tags: dict[int, str] = {2: "星标组"}
        self.tagged: dict[int, set[str]] = {}
        self.comments: dict[tuple[int, int], list[dict[str, Any]]] = {}
        self.user_summary: list[dict[str, Any]] = []
        self.user_cumulate: list[dict[str, Any]] = []
        # openid → when the fan last wrote to the account (customer-service messages need < 48 h).
        self.last_written: dict[str, dt.datetime] = {}
        self.custom_messages: list[dict[str, Any]] = []
        self.article_summary: dict[str, list[dict[str, Any]]] = {}
        self.article_read: list[dict[str, Any]] = []
        router.route(url__startswith=API).mock(side_effect=self._handle)

    # ---- knobs -----------------------------------------------------------------------------

    def fail(self, path: str, code: int, msg: str = "injected", **extra: Any) -> None:
        """Answer the next call to ``path`` with this error."""
        self.queued.setdefault(path, []).append(err(code, msg, **extra))

    def raise_on(self, path: str, exc: Exception) -> None:
        """Raise ``exc`` (a transport failure) on the next call to ``path``."""
        self.queued.setdefault(path, []).append(exc)

    def issue_token(self, *, expired: bool = False) -> str:
        """A token as stable_token would hand out (for tests that start already connected)."""
        self.token = f"TOKEN_{next(self.ids)}_abcdefghijklmnopqrstuvwxyz"
        now = dt.datetime.now(dt.UTC)
        self.token_expires = now - dt.timedelta(seconds=1) if expired else now + dt.timedelta(seconds=7200)
        return self.token

    def finish_pending(self) -> None:
        """The platform completes every publish still running (as it does in the background)."""
        for publish_id, job in self.jobs.items():
            if job["status"] == 1:
                self._complete(publish_id, job)

    def by_path(self, path: str) -> list[Any]:
        """The JSON bodies sent to ``path``."""
        return [body for p, body in self.bodies if p == path]

    # ---- dispatch --------------------------------------------------------------------------

    def _handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.calls.append(path)
        queued = self.queued.get(path)
        if queued:
            item = queued.pop(0)
            if isinstance(item, Exception):
                raise item
            return httpx.Response(200, json=item)
        body: Any = None
        if request.headers.get("content-type", "").startswith("application/json"):
            if re.search(rb"\\u[0-9a-fA-F]{4}", request.content):
                return httpx.Response(
                    200,
                    json=err(
                        40033,
                        "invalid charset. please check your request, if include \\uxxxx will create fail!",
                    ),
                )
            body = json.loads(request.content)
            self.bodies.append((path, body))
        if path == "/cgi-bin/stable_token":
            return httpx.Response(200, json=self._stable_token(request, body))
        token = request.url.params.get("access_token")
        if not token:
            return httpx.Response(200, json=err(41001, "access_token missing"))
        if token != self.token:
            return httpx.Response(
                200, json=err(40001, "invalid credential, access_token is invalid or not latest")
            )
        if self.token_expires and self.token_expires <= dt.datetime.now(dt.UTC):
            return httpx.Response(200, json=err(42001, "access_token expired"))
        if not self.whitelisted:
            return httpx.Response(
                200, json=err(40164, "invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist")
            )
        wants_get = path in GET_PATHS
        if wants_get and request.method != "GET":
            return httpx.Response(200, json=err(43001, "require GET method"))
        if not wants_get and request.method != "POST":
            return httpx.Response(200, json=err(43002, "require POST method"))
        handler = getattr(self, "_" + path.strip("/").replace("/", "_").replace("-", "_"), None)
        if handler is None:
            return httpx.Response(200, json=err(40066, "invalid url"))
        return httpx.Response(200, json=handler(request, body))

    def _stable_token(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        if request.method != "POST" or not isinstance(body, dict):
            return err(47001, "data format error")
        if body.get("grant_type") != "client_credential":
            return err(40002, "invalid grant_type")
        if not isinstance(body.get("force_refresh", False), bool):
            return err(47001, "data format error")
        if body.get("appid") != APPID:
            return err(40013, "invalid appid")
        if body.get("secret") != SECRET:
            return err(40125, "invalid appsecret")
        if not self.whitelisted:
            return err(40164, "invalid ip 203.0.113.7 ipv6 ::ffff:203.0.113.7, not in whitelist")
        valid = self.token and self.token_expires and self.token_expires > dt.datetime.now(dt.UTC)
        if body.get("force_refresh") or not valid:
            self.issue_token()
        left = (
            int((self.token_expires - dt.datetime.now(dt.UTC)).total_seconds()) if self.token_expires else 0
        )
        return {"access_token": self.token, "expires_in": left}

    # ---- media and drafts ------------------------------------------------------------------

    def _cgi_bin_material_add_material(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        if request.url.params.get("type") != "image":
            return err(40004, "invalid media type")
        filename, data = multipart(request).get("media", ("", b""))
        if not filename:
            return err(41005, "media data missing")
        if filename.rsplit(".", 1)[-1].lower() not in {"bmp", "png", "jpeg", "jpg", "gif"}:
            return err(40005, "invalid file type")
        if len(data) > 10 * 1024 * 1024:
            return err(40009, "invalid image size")
        media_id = f"MEDIA_{next(self.ids)}"
        self.materials.add(media_id)
        return {"media_id": media_id, "url": f"http://mmbiz.qpic.cn/mmbiz_png/{media_id}/0", "item": []}

    def _cgi_bin_media_uploadimg(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        filename, data = multipart(request).get("media", ("", b""))
        if filename.rsplit(".", 1)[-1].lower() not in {"png", "jpeg", "jpg"}:
            return err(40005, "invalid file type")
        if len(data) >= 1024 * 1024:
            return err(40009, "invalid image size")
        url = f"http://mmbiz.qpic.cn/mmbiz_jpg/IMG{next(self.ids)}/0"
        self.image_urls.append(url)
        return ok(url=url)

    def _cgi_bin_draft_add(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        articles = (body or {}).get("articles") or []
        if not articles:
            return err(44003, "empty news data")
        for article in articles:
            if not article.get("title"):
                return err(44003, "empty news data")  # our assumption
            if len(article["title"]) > 32:
                return err(45003, "title size out of limit")
            if len(article.get("author", "")) > 16:
                return err(45110, "author size out of limit")
            if len(article.get("digest", "")) > 128:
                return err(45004, "description size out of limit")
            if not article.get("content"):
                return err(44004, "empty content")
            if len(article["content"]) >= 20000:
                return err(45002, "content size out of limit")
            if article.get("thumb_media_id") not in self.materials:
                return err(40007, "invalid media_id")
        media_id = f"DRAFT_{next(self.ids)}"
        self.drafts[media_id] = {"articles": articles, "created": int(dt.datetime.now(dt.UTC).timestamp())}
        return {"media_id": media_id}

    def _cgi_bin_draft_delete(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        if self.drafts.pop(body.get("media_id"), None) is None:
            return err(40007, "invalid media_id")
        return ok()

    # ---- freepublish -----------------------------------------------------------------------

    def _cgi_bin_freepublish_submit(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        draft = self.drafts.pop(body.get("media_id"), None)
        if draft is None:
            return err(40007, "invalid media_id")
        publish_id = str(next(self.ids))
        self.jobs[publish_id] = {"draft": draft, "polls": 0, "status": 1, "msg_data_id": next(self.ids)}
        return ok(publish_id=publish_id, msg_data_id=self.jobs[publish_id]["msg_data_id"])

    def _complete(self, publish_id: str, job: dict[str, Any]) -> None:
        job["status"] = self.final_status
        if self.final_status != 0:
            return
        job["article_id"] = f"ART_{publish_id}"
        job["url"] = f"https://mp.weixin.qq.com/s/{publish_id}"
        now = int(dt.datetime.now(dt.UTC).timestamp())
        news = [{**a, "url": job["url"], "is_deleted": False} for a in job["draft"]["articles"]]
        self.published.insert(
            0,
            {
                "article_id": job["article_id"],
                "content": {"news_item": news, "create_time": now, "update_time": now},
                "update_time": now,
            },
        )

    def _cgi_bin_freepublish_get(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        job = self.jobs.get(str(body.get("publish_id")))
        if job is None:
            return err(40007, "invalid publish_id")  # our assumption
        if job["status"] == 1:
            job["polls"] += 1
            if job["polls"] > self.publishing_polls:
                self._complete(str(body["publish_id"]), job)
        answer: dict[str, Any] = {
            "publish_id": body["publish_id"],
            "publish_status": job["status"],
            "fail_idx": [],
        }
        if job["status"] == 0:
            answer["article_id"] = job["article_id"]
            answer["article_detail"] = {"count": 1, "item": [{"idx": 1, "article_url": job["url"]}]}
        elif job["status"] in (2, 4):
            answer["fail_idx"] = [1]
        return answer

    def _cgi_bin_freepublish_batchget(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        offset, count = body.get("offset"), body.get("count")
        if not isinstance(offset, int) or not isinstance(count, int) or not 1 <= count <= 20:
            return err(40035, "invalid args")
        items = self.published[offset : offset + count]
        if body.get("no_content") != 1:
            return err(40035, "invalid args")  # the connector must not download whole articles
        stripped = [
            {
                **i,
                "content": {
                    **i["content"],
                    "news_item": [
                        {k: v for k, v in n.items() if k != "content"} for n in i["content"]["news_item"]
                    ],
                },
            }
            for i in items
        ]
        return {"total_count": len(self.published), "item_count": len(items), "item": stripped}

    def _cgi_bin_freepublish_delete(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        before = len(self.published)
        self.published = [p for p in self.published if p["article_id"] != body.get("article_id")]
        if len(self.published) == before:
            return err(53600, "Article ID 无效")
        return ok()

    # ---- mass send -------------------------------------------------------------------------

    def _mass_used(self) -> int:
        now = dt.datetime.now(SHANGHAI)
        if self.account_type == "service":
            return sum(
                1 for m in self.mass.values() if (m["at"].year, m["at"].month) == (now.year, now.month)
            )
        return sum(1 for m in self.mass.values() if m["at"].date() == now.date())

    def _cgi_bin_message_mass_sendall(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        if not self.verified:
            return err(48001, "api unauthorized")
        flt = body.get("filter")
        if not isinstance(flt, dict) or not isinstance(flt.get("is_to_all"), bool):
            return err(40035, "invalid args")
        if not flt["is_to_all"] and flt.get("tag_id") not in self.tags:
            return err(40050, "invalid tag id")  # our assumption
        if body.get("msgtype") != "mpnews" or body.get("send_ignore_reprint") not in (0, 1):
            return err(40008, "invalid message type")
        clientmsgid = body.get("clientmsgid") or ""
        if len(clientmsgid.encode()) > 64:
            return err(40035, "invalid args")  # our assumption
        if clientmsgid in self.mass:
            return err(45065, "clientmsgid exist", msg_id=self.mass[clientmsgid]["msg_id"])
        if self._mass_used() >= {"subscription": 1, "service": 4}[self.account_type]:
            return err(45028, "has no masssend quota")
        draft = self.drafts.pop((body.get("mpnews") or {}).get("media_id"), None)
        if draft is None:
            return err(40007, "invalid media_id")
        msg_id, msg_data_id = next(self.ids), next(self.ids)
        self.mass[clientmsgid] = {
            "msg_id": msg_id,
            "msg_data_id": msg_data_id,
            "filter": flt,
            "draft": draft,
            "at": dt.datetime.now(SHANGHAI),
        }
        return {
            "errcode": 0,
            "errmsg": "send job submission success",
            "msg_id": msg_id,
            "msg_data_id": msg_data_id,
        }

    def _cgi_bin_message_mass_delete(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        for message in self.mass.values():
            if message["msg_id"] == body.get("msg_id"):
                message["deleted"] = True
                return ok()
        return err(40059, "invalid msg id")

    # ---- audience --------------------------------------------------------------------------

    def _cgi_bin_user_get(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        after = request.url.params.get("next_openid", "")
        start = self.followers.index(after) + 1 if after else 0
        page = self.followers[start : start + self.page_size]
        answer: dict[str, Any] = {"total": len(self.followers), "count": len(page)}
        if page:
            answer["data"] = {"openid": page}
        answer["next_openid"] = page[-1] if page else ""
        return answer

    def _cgi_bin_tags_get(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        return {
            "tags": [{"id": i, "name": n, "count": len(self.tagged.get(i, ()))} for i, n in self.tags.items()]
        }

    def _cgi_bin_tags_create(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        name = ((body or {}).get("tag") or {}).get("name") or ""
        if len(name.encode()) > 30:
            return err(45158, "tag name too long")
        if name in self.tags.values():
            return err(45157, "invalid tag name")
        tag_id = max(self.tags) + 98
        self.tags[tag_id] = name
        return {"tag": {"id": tag_id, "name": name}}

    def _cgi_bin_tags_members_batchtagging(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        openids = body.get("openid_list") or []
        if not openids or len(openids) > 50:
            return err(40032, "invalid openid list size")
        if body.get("tagid") not in self.tags:
            return err(45159, "invalid tag id")
        if any(o not in self.followers for o in openids):
            return err(40003, "invalid openid")
        self.tagged.setdefault(body["tagid"], set()).update(openids)
        return ok()

    # ---- comments --------------------------------------------------------------------------

    def _cgi_bin_comment_list(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        key = (body.get("msg_data_id"), body.get("index", 0))
        if (
            not isinstance(body.get("begin"), int)
            or not isinstance(body.get("count"), int)
            or body.get("type") not in (0, 1, 2)
        ):
            return err(40035, "invalid args")
        if body["count"] >= 50:
            return err(40035, "invalid args")  # the doc: count >= 50 is refused
        if key not in self.comments:
            return err(88000, "without comment privilege")  # our assumption
        items = self.comments[key][body["begin"] : body["begin"] + body["count"]]
        return ok(total=len(self.comments[key]), comment=items)

    def _cgi_bin_comment_reply_add(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        for comment in self.comments.get((body.get("msg_data_id"), body.get("index", 0)), []):
            if comment["user_comment_id"] == body.get("user_comment_id"):
                if not body.get("content"):
                    return err(44004, "empty content")
                comment["reply"] = {"content": body["content"], "create_time": 1767225600}
                return ok()
        return err(88004, "comment not exists")  # our assumption

    def _cgi_bin_message_custom_send(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        # 客服消息: text {"touser", "msgtype": "text", "text": {"content"}}; only to a fan who wrote
        # in the last 48 hours (45015 "response out of time limit or subscription is canceled").
        if not isinstance(body, dict) or body.get("msgtype") != "text":
            return err(40008, "invalid message type")
        content = (body.get("text") or {}).get("content")
        if not content:
            return err(44004, "empty content")
        wrote = self.last_written.get(str(body.get("touser")))
        if wrote is None:
            return err(40003, "invalid openid")
        if dt.datetime.now(dt.UTC) - wrote > dt.timedelta(hours=48):
            return err(45015, "response out of time limit or subscription is canceled")
        self.custom_messages.append(body)
        return ok()

    # ---- datacube and misc -----------------------------------------------------------------

    def _span(self, body: Any, max_days: int) -> tuple[dt.date, dt.date] | dict[str, Any]:
        try:
            begin = dt.date.fromisoformat(body["begin_date"])
            end = dt.date.fromisoformat(body["end_date"])
        except (KeyError, TypeError, ValueError):
            return err(61500, "date format error")
        yesterday = dt.datetime.now(SHANGHAI).date() - dt.timedelta(days=1)
        if end < begin or (end - begin).days >= max_days or end > yesterday:
            return err(61501, "date range error")
        return begin, end

    def _rows(self, rows: list[dict[str, Any]], body: Any, max_days: int) -> dict[str, Any]:
        span = self._span(body, max_days)
        if isinstance(span, dict):
            return span
        begin, end = span
        return {"list": [r for r in rows if begin.isoformat() <= r["ref_date"] <= end.isoformat()]}

    def _datacube_getusersummary(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        return self._rows(self.user_summary, body, 7)

    def _datacube_getusercumulate(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        return self._rows(self.user_cumulate, body, 7)

    def _datacube_getarticlesummary(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        span = self._span(body, 1)
        if isinstance(span, dict):
            return span
        return {"list": self.article_summary.get(span[0].isoformat(), [])}

    def _datacube_getarticleread(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        answer = self._rows(self.article_read, body, 10**6)
        if "list" in answer:
            answer["is_delay"] = False
        return answer

    def _cgi_bin_get_api_domain_ip(self, request: httpx.Request, body: Any) -> dict[str, Any]:
        return {"ip_list": ["101.89.47.18", "101.91.34.103"]}
