"""WeChat Official Account connector, part 2: the reading side (metrics, comments and replies, followers and tags)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from . import http
from .base import (
    AccountMetrics,
    Capability,
    Comment,
    CommentPage,
    Follower,
    FollowerPage,
    PermanentError,
    PostMetrics,
    PublishResult,
    utcnow,
)
from .wechat_client import MAX_COMMENT_PAGE, SHANGHAI, TAG_BATCH, WechatClient, shanghai_today


class WechatAudience(WechatClient):
    """Reads and follower actions: statistics, comments, replies, followers and tags."""

    # WeChat lists comments per article (comment/list needs its msg_data_id): a sync asks per
    # published article instead of once per account.
    comments_per_post = True

    # ---- metrics ---------------------------------------------------------------------------

    def fetch_account_metrics(self) -> AccountMetrics:
        """Yesterday's followers (getusercumulate) and gains/losses (getusersummary, all sources)."""
        self.require(Capability.ACCOUNT_METRICS)
        day = (shanghai_today() - dt.timedelta(days=1)).isoformat()
        span = {"begin_date": day, "end_date": day}
        summary = (
            self._request("POST", "/datacube/getusersummary", mutating=False, body=span).get("list") or []
        )
        cumulate = (
            self._request("POST", "/datacube/getusercumulate", mutating=False, body=span).get("list") or []
        )
        rows = [r for r in summary if r.get("ref_date") == day]
        totals = [r for r in cumulate if r.get("ref_date") == day]
        if not totals:
            # Yesterday's figures are not computed yet (WeChat advises asking after 08:00).
            return AccountMetrics(as_of=self._end_of(day), raw={"summary": summary, "cumulate": cumulate})
        return AccountMetrics(
            as_of=self._end_of(day),
            followers_total=http.as_int(totals[-1].get("cumulate_user")),
            # One row per user_source (search, QR code, …) that had any change: the day's
            # figure is their sum, and no row means nobody came or went.
            new_followers=sum(http.as_int(r.get("new_user")) for r in rows),
            lost_followers=sum(http.as_int(r.get("cancel_user")) for r in rows),
            raw={"summary": summary, "cumulate": cumulate},
        )

    @staticmethod
    def _end_of(day: str) -> dt.datetime:
        return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(23, 59, 59), SHANGHAI)

    def fetch_article_summary(self, day: dt.date) -> list[dict[str, Any]]:
        """getarticlesummary for one day: the day's reads of every mass-sent article read that day."""
        if day not in self._summaries:
            span = {"begin_date": day.isoformat(), "end_date": day.isoformat()}
            data = self._request("POST", "/datacube/getarticlesummary", mutating=False, body=span)
            self._summaries[day] = list(data.get("list") or [])
        return self._summaries[day]

    def fetch_article_read(self, day: dt.date) -> list[dict[str, Any]]:
        """getarticleread for one day: the readers of every published item (freepublished too) read that day."""
        if day not in self._reads:
            span = {"begin_date": day.isoformat(), "end_date": day.isoformat()}
            data = self._request("POST", "/datacube/getarticleread", mutating=False, body=span)
            self._reads[day] = list(data.get("list") or [])
        return self._reads[day]

    def fetch_post_metrics(self, external_id: str) -> PostMetrics:
        """A mass-sent article's reads, readers, shares and saves; a freepublished one's readers; over ``post_metrics_days``."""
        self.require(Capability.POST_METRICS)
        msg_data_id = self._msg_data_id(external_id)
        yesterday = shanghai_today() - dt.timedelta(days=1)
        as_of = self._end_of(yesterday.isoformat())
        if not msg_data_id:
            # A bare article_id (found by batchget or a push, not submitted by this worker):
            # the statistics know articles only by msg_data_id. Unknown, not zero.
            return PostMetrics(external_id=external_id, as_of=as_of, raw={"note": "no msg_data_id"})
        if not external_id.startswith("mass:"):
            return self._freepublished_metrics(external_id, msg_data_id, yesterday, as_of)
        rows: list[dict[str, Any]] = []
        for back in range(self.post_metrics_days):
            day = yesterday - dt.timedelta(days=back)
            rows += [
                r
                for r in self.fetch_article_summary(day)
                if str(r.get("msgid", "")).split("_")[0] == msg_data_id
            ]
        if not rows:
            return PostMetrics(external_id=external_id, as_of=as_of, raw={"rows": []})

        def total(field: str) -> int:
            return sum(http.as_int(r.get(field)) for r in rows)

        return PostMetrics(
            external_id=external_id,
            as_of=as_of,
            impressions=total("int_page_read_count"),
            # A sum of daily unique readers: a reader on two days counts twice.
            reach=total("int_page_read_user"),
            shares=total("share_count"),
            saves=total("add_to_fav_count"),
            raw={"rows": rows},
        )

    def _freepublished_metrics(
        self, external_id: str, msg_data_id: str, yesterday: dt.date, as_of: dt.datetime
    ) -> PostMetrics:
        # getarticlesummary lists mass sends only; getarticleread lists every published item.
        # It documents readers (read_user) per day, nothing else we store: the other figures
        # stay unknown rather than zero.
        rows: list[dict[str, Any]] = []
        for back in range(self.post_metrics_days):
            day = yesterday - dt.timedelta(days=back)
            rows += [
                r
                for r in self.fetch_article_read(day)
                if str(r.get("msgid", "")).split("_")[0] == msg_data_id
            ]
        if not rows:
            return PostMetrics(external_id=external_id, as_of=as_of, raw={"rows": []})
        return PostMetrics(
            external_id=external_id,
            as_of=as_of,
            # A sum of daily unique readers: a reader on two days counts twice.
            reach=sum(http.as_int((r.get("detail") or {}).get("read_user")) for r in rows),
            raw={"rows": rows},
        )

    @staticmethod
    def _msg_data_id(external_id: str) -> str:
        """The msg_data_id in "mass:<msg_id>:<msg_data_id>", "<article_id>:<msg_data_id>" or "<msg_data_id>[:<index>]" ('' if none)."""
        parts = external_id.split(":")
        if parts[0] == "mass":
            return parts[2] if len(parts) > 2 and parts[2].isdigit() else ""
        if parts[0].isdigit():
            return parts[0]
        return parts[1] if len(parts) > 1 and parts[1].isdigit() else ""

    # ---- comments --------------------------------------------------------------------------

    def fetch_comments(self, *, cursor: str = "", post_id: str = "", limit: int = 40) -> CommentPage:
        """Comments of one article (post_id = "<msg_data_id>[:<index>]" or a "mass:…" id); cursor = offset."""
        self.require(Capability.COMMENTS)
        msg_data_id = self._msg_data_id(post_id)
        if not msg_data_id:
            raise PermanentError(
                _("WeChat lists comments per article: give the article's msg_data_id (optionally “:index”).")
            )
        parts = post_id.split(":")
        # Only "<msg_data_id>:<index>" names an index; "<article_id>:<msg_data_id>" is the first article.
        index = http.as_int(parts[1]) if parts[0].isdigit() and len(parts) > 1 else 0
        begin = http.as_int(cursor)
        body = {
            "msg_data_id": http.as_int(msg_data_id),
            "index": index,
            "begin": begin,
            "count": max(1, min(limit, MAX_COMMENT_PAGE)),
            "type": 0,
        }
        data = self._request("POST", "/cgi-bin/comment/list", mutating=False, body=body)
        raw_items = data.get("comment") or []
        items = [
            Comment(
                external_id=f"{msg_data_id}:{index}:{c.get('user_comment_id')}",
                text=str(c.get("content") or ""),
                created_at=dt.datetime.fromtimestamp(http.as_int(c.get("create_time")), dt.UTC),
                author_id=str(c.get("openid") or ""),
                author_handle=str(c.get("openid") or ""),
                in_reply_to=f"{msg_data_id}:{index}",
                raw=c,
            )
            for c in raw_items
        ]
        items.sort(key=lambda c: c.created_at)
        return CommentPage(items=items, cursor=str(begin + len(raw_items)))

    def reply(
        self, *, in_reply_to: str, text: str, idempotency_key: str, recipient: str = "", private: bool = False
    ) -> PublishResult:
        """comment/reply/add to "<msg_data_id>:<index>:<user_comment_id>" (WeChat keeps one reply per
        comment); a private answer to a fan's message is a customer-service message to their openid."""
        self.require(Capability.REPLY)
        if private:
            return self._custom_message(openid=recipient, text=text, idempotency_key=idempotency_key)
        parts = in_reply_to.split(":")
        if len(parts) != 3 or not all(p.lstrip("-").isdigit() for p in parts):
            raise PermanentError(_("A WeChat comment id looks like “msg_data_id:index:user_comment_id”."))
        if not text.strip():
            raise PermanentError(_("A reply needs text."))
        body = {
            "msg_data_id": int(parts[0]),
            "index": int(parts[1]),
            "user_comment_id": int(parts[2]),
            "content": text.strip(),
        }
        self._request("POST", "/cgi-bin/comment/reply/add", mutating=True, body=body)
        return PublishResult(external_id=f"{in_reply_to}:reply", published_at=utcnow())

    def _custom_message(self, *, openid: str, text: str, idempotency_key: str) -> PublishResult:
        """message/custom/send: a text to a fan who wrote to the account in the last 48 hours.

        WeChat returns no message id and knows no idempotency key: a lost answer is an unknown
        outcome for a person to check, never a re-send (the base class makes it one).
        """
        if not openid:
            raise PermanentError(_("Say which fan (openid) to answer."))
        if not text.strip():
            raise PermanentError(_("A reply needs text."))
        body = {"touser": openid, "msgtype": "text", "text": {"content": text.strip()}}
        try:
            self._request("POST", "/cgi-bin/message/custom/send", mutating=True, body=body)
        except PermanentError as exc:
            if exc.platform_code == "45015":
                raise PermanentError(
                    _(
                        "WeChat lets an account answer a fan's message only within 48 hours of it "
                        "(or the fan unfollowed): answer in the next message they send."
                    ),
                    platform_code="45015",
                ) from exc
            raise
        return PublishResult(external_id=f"custom:{openid}:{idempotency_key}", published_at=utcnow())

    # ---- audience --------------------------------------------------------------------------

    def fetch_followers(self, *, cursor: str = "", limit: int = 80) -> FollowerPage:
        """A page of openids from user/get; the cursor is the last openid seen (WeChat's next_openid)."""
        self.require(Capability.FOLLOWERS)
        data = self._request("GET", "/cgi-bin/user/get", mutating=False, params={"next_openid": cursor})
        openids = [str(o) for o in ((data.get("data") or {}).get("openid") or []) if o]
        if len(openids) > limit:
            # WeChat hands out up to 10000 at once; next_openid means "after this one", so the
            # last one we return is the cursor for the rest.
            page = openids[:limit]
            next_cursor = page[-1]
        else:
            page = openids
            next_cursor = str(data.get("next_openid") or "") if http.as_int(data.get("count")) > 0 else ""
        return FollowerPage(items=[Follower(external_id=o, handle=o) for o in page], next_cursor=next_cursor)

    def _tag_id(self, tag: str, *, create: bool) -> int:
        tag = tag.strip()
        if tag.isdigit():
            return int(tag)
        tags = self._request("GET", "/cgi-bin/tags/get", mutating=False).get("tags") or []
        for item in tags:
            if str(item.get("name") or "") == tag:
                return http.as_int(item.get("id"))
        if not create:
            raise PermanentError(_("The account has no follower tag named “%(tag)s”.") % {"tag": tag})
        created = self._request("POST", "/cgi-bin/tags/create", mutating=True, body={"tag": {"name": tag}})
        return http.as_int((created.get("tag") or {}).get("id"))

    def tag_followers(self, *, tag: str, follower_ids: Sequence[str]) -> None:
        """Tag the followers (openids) with ``tag`` (an id, or a name created when missing), 50 a call."""
        self.require(Capability.TAG_FOLLOWERS)
        ids = [str(i) for i in follower_ids if str(i)]
        if not ids:
            return
        tag_id = self._tag_id(tag, create=True)
        for start in range(0, len(ids), TAG_BATCH):
            body = {"openid_list": ids[start : start + TAG_BATCH], "tagid": tag_id}
            # Tagging twice is harmless, so a lost answer may be retried.
            self._request("POST", "/cgi-bin/tags/members/batchtagging", mutating=False, body=body)
