"""WeChat Official Account (微信公众号) connector: articles through the 公众号 server API.

Everything goes to https://api.weixin.qq.com with the access token in the query string
(``?access_token=…``); every answer is JSON and an error is ``{"errcode": N, "errmsg": …}`` with
N ≠ 0, whatever the HTTP status. Endpoints and limits, with their documentation:

- token: ``POST /cgi-bin/stable_token`` {grant_type: client_credential, appid, secret,
  force_refresh: false} → {access_token, expires_in} (7200 s; normal mode returns the same token
  while it is valid). https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/getStableAccessToken.html
  (also /doc/service/api/base/api_getstableaccesstoken). The stable token and the old
  ``/cgi-bin/token`` are isolated from each other (getting one does not invalidate the other, as
  the stable-token doc says); we use only the stable one because ``/cgi-bin/token`` invalidates
  its own previous token after five minutes, so two workers asking for one would cut each other
  off, while the stable token's normal mode answers every worker with the same token. AppID is
  ``client_id``, AppSecret ``client_secret``; the token is cached in ``access_token`` /
  ``expires_at``.
- common error codes (-1 busy, 40001/40014/42001 bad or expired token, 45009 daily quota,
  45011 per-minute limit, 48001 api unauthorized, 40164 IP not whitelisted):
  https://developers.weixin.qq.com/doc/channels/API/basics/commErrCode.html,
  https://developers.weixin.qq.com/doc/oplatform/developers/troubleshooting (48001).
- cover image: ``POST /cgi-bin/material/add_material?type=image`` (multipart ``media``; ≤ 10 MB,
  bmp/png/jpeg/jpg/gif) → media_id. https://developers.weixin.qq.com/doc/service/api/material/permanent/api_addmaterial
- in-article images: ``POST /cgi-bin/media/uploadimg`` (multipart ``media``; jpg/png, < 1 MB) →
  url; other image URLs are filtered out of articles.
  https://developers.weixin.qq.com/doc/service/api/material/permanent/api_uploadimage
- draft: ``POST /cgi-bin/draft/add`` {articles: [{title ≤ 32, author ≤ 16, digest ≤ 128,
  content (HTML, < 20,000 characters, < 1 MB), content_source_url (≤ 1 KB), thumb_media_id
  (required in practice), need_open_comment, only_fans_can_comment}]} → media_id. The text must
  be sent as UTF-8, never as \\uXXXX escapes (WeChat would store the escapes).
  https://developers.weixin.qq.com/doc/service/api/draftbox/draftmanage/api_draft_add
- publish: ``POST /cgi-bin/freepublish/submit`` {media_id} → publish_id, msg_data_id;
  https://developers.weixin.qq.com/doc/subscription/api/public/api_freepublish_submit.html
  then ``POST /cgi-bin/freepublish/get`` {publish_id} → publish_status (0 success with article_id
  and article_detail.item[].article_url, 1 publishing, 2 originality check failed, 3 failed,
  4 rejected by review, 5 deleted by the user, 6 blocked by the platform; fail_idx).
  https://developers.weixin.qq.com/doc/service/api/public/api_freepublish_get
- reconcile: ``POST /cgi-bin/freepublish/batchget`` {offset, count 1–20, no_content: 1} → item[]
  {article_id, content.news_item[].title/url, update_time}. Mass-sent messages are not listed.
  https://developers.weixin.qq.com/doc/service/api/public/api_freepublish_batchget.html
- delete: ``POST /cgi-bin/freepublish/delete`` {article_id, index: 0 = all articles}.
  https://developers.weixin.qq.com/doc/service/api/public/api_freepublishdelete
- mass send (options["send_mode"] == "mass", and ``send_to_tag``): ``POST
  /cgi-bin/message/mass/sendall`` {filter: {is_to_all, tag_id}, mpnews: {media_id},
  msgtype: mpnews, send_ignore_reprint, clientmsgid ≤ 64 bytes} → msg_id, msg_data_id.
  https://developers.weixin.qq.com/doc/service/api/notify/message/api_sendall ; WeChat refuses a
  clientmsgid it has seen in the last 24 hours with 45065 and the earlier msg_id
  (https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Batch_Sends_and_Originality_Checks.html).
  Deleting one: ``POST /cgi-bin/message/mass/delete`` {msg_id, article_idx: 0}.
  https://developers.weixin.qq.com/doc/service/api/notify/message/api_deletemassmsg
- followers: ``GET /cgi-bin/user/get?next_openid=`` → total, count (≤ 10000), data.openid[],
  next_openid. https://developers.weixin.qq.com/doc/service/User_Management/Getting_a_User_List.html
- tags: ``GET /cgi-bin/tags/get``, ``POST /cgi-bin/tags/create`` {tag: {name ≤ 30 bytes}},
  ``POST /cgi-bin/tags/members/batchtagging`` {openid_list ≤ 50, tagid}.
  https://developers.weixin.qq.com/doc/offiaccount/User_Management/User_Tag_Management.html,
  https://developers.weixin.qq.com/doc/subscription/api/usermanage/tag/api_batchtagging.md
- comments: ``POST /cgi-bin/comment/list`` {msg_data_id, index, begin, count (≥ 50 is refused),
  type 0}; ``POST /cgi-bin/comment/reply/add`` {msg_data_id, index, user_comment_id, content}.
  https://developers.weixin.qq.com/doc/service/api/leaving/api_listcomment,
  https://developers.weixin.qq.com/doc/offiaccount/Comments_management/Manage_comments.html
- statistics: ``POST /datacube/getusersummary`` and ``/datacube/getusercumulate`` {begin_date,
  end_date} (YYYY-MM-DD, span ≤ 7 days, yesterday at the latest);
  https://developers.weixin.qq.com/doc/service/en/Analytics/User_Analysis_Data_Interface.html
  ``POST /datacube/getarticlesummary`` (one day per call; msgid = "<msg_data_id>_<index>";
  mass-sent articles only). https://developers.weixin.qq.com/doc/service/api/wedata/news/api_getarticlesummary.html
  ``POST /datacube/getarticleread`` {begin_date, end_date (yesterday at the latest)} → list[]
  {ref_date, msgid ("<msg_data_id>_<index>", the msg_data_id that the mass-send or freepublish
  submit returned), detail {read_user, read_user_source[]}}, is_delay: every published item read
  that day, freepublished ones included (one day per call, like getarticlesummary).
  https://developers.weixin.qq.com/doc/service/api/wedata/news/api_getarticleread
- polling budget: freepublish/get calls per account per day are capped by the setting
  ``WECHAT_FREEPUBLISH_POLLS_PER_DAY`` (counted in the database, ``platforms.budget``); once it is
  spent the publish ends as OutcomeUnknown with the publish_id, and the PUBLISHJOBFINISH push
  settles it.
- verify: ``GET /cgi-bin/get_api_domain_ip`` → ip_list.
  https://developers.weixin.qq.com/doc/service/api/base/api_getapidomainip

Idempotency. Freepublish has no idempotency key: a submit whose answer is lost, or a publish
still running after ``max_wait``, raises OutcomeUnknown and the engine reconciles through
``find_published`` (batchget, matching the title). Mass send is idempotent by itself for 24 hours:
``clientmsgid`` is derived from the idempotency key, so re-sending with the same key is answered
with 45065 and reported as ``duplicate=True``. Neither is a guarantee the engine may rely on
after an unknown outcome (batchget cannot see mass sends), so ``dedupe_window`` is None.

The access token rides in every URL, so it must never reach a log or an error message: every
message we raise goes through ``redact`` and a filter on the ``httpx`` / ``httpcore`` loggers
(which log request URLs) masks the ``access_token`` query parameter.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import html
import time
from typing import Any

from django.utils.translation import gettext as _

from . import http
from .base import (
    KIND_CAPABILITY,
    Capability,
    ConnectorError,
    Limits,
    MediaFile,
    OutcomeUnknown,
    PermanentError,
    PostKind,
    PostRequest,
    PublishResult,
    QuotaExceeded,
    RetryableError,
    utcnow,
)
from .wechat_audience import WechatAudience
from .wechat_client import (
    BATCHGET_PAGE,
    COVER_TYPES,
    FIND_MAX_PAGES,
    FIND_SKEW,
    GONE_CODES,
    INLINE_TYPES,
    MASS_SEND_QUOTAS,
    MAX_AUTHOR,
    MAX_CONTENT_BYTES,
    MAX_CONTENT_CHARS,
    MAX_COVER_BYTES,
    MAX_DIGEST,
    MAX_INLINE_IMAGE_BYTES,
    MAX_SOURCE_URL_BYTES,
    MAX_TITLE,
    UNRESOLVED_ASSET_IMG,
    clientmsgid_for,
    image_type,
    mass_quota_reset,
    normalise,
    publish_failure,
    shanghai_today,
    text_to_html,
)

# The endpoint whose calls count against WECHAT_FREEPUBLISH_POLLS_PER_DAY.
POLL_ENDPOINT = "freepublish/get"


@dataclasses.dataclass(frozen=True)
class _Article:
    """The pieces of one article, ready for draft/add once the images are uploaded."""

    title: str
    author: str
    digest: str
    content: str
    source_url: str
    need_open_comment: int
    only_fans_can_comment: int


class WechatConnector(WechatAudience):
    """A WeChat Official Account (订阅号 or 服务号), acting through its AppID / AppSecret."""

    kind = "wechat_mp"
    capabilities = frozenset(
        {
            Capability.PUBLISH_ARTICLE,
            Capability.POST_METRICS,
            Capability.ACCOUNT_METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
            Capability.FOLLOWERS,
            Capability.TAG_FOLLOWERS,
            Capability.SEND_TO_TAG,
            Capability.FIND_PUBLISHED,
            Capability.DELETE,
            Capability.REFRESH,
        }
    )
    limits = Limits(max_text_chars=MAX_CONTENT_CHARS, max_title_chars=MAX_TITLE, max_videos=0)
    # Freepublish has no idempotency key and mass sends are invisible to batchget (see the
    # module docstring): after an unknown outcome the engine must not re-send blindly. A
    # re-send of a mass send with the same key is still safe: clientmsgid makes it a duplicate.
    dedupe_window = None
    needs_base_url = False
    # Publishing is asynchronous: poll freepublish/get this often, for at most this long.
    # freepublish runs in the background (原创 checks, review): an article submitted before a
    # timeout can take minutes to appear in batchget. Our assumption: 30 minutes covers it.
    reconcile_grace = dt.timedelta(minutes=30)

    # ---- checks ----------------------------------------------------------------------------

    def _article(self, post: PostRequest) -> _Article:
        options = post.options
        content = (getattr(post, "body_html", "") or "").strip() or text_to_html(post.text)
        return _Article(
            title=post.title.strip(),
            author=str(options.get("author") or "").strip(),
            digest=str(options.get("digest") or "").strip(),
            content=content,
            source_url=str(options.get("content_source_url") or post.link_url or "").strip(),
            need_open_comment=1 if options.get("need_open_comment") else 0,
            only_fans_can_comment=1 if options.get("only_fans_can_comment") else 0,
        )

    def check(self, post: PostRequest) -> list[str]:
        problems: list[str] = []
        if post.effective_kind != PostKind.ARTICLE:
            problems.append(_("WeChat Official Accounts publish articles only (kind “article”)."))
        article = self._article(post)
        if not article.title:
            problems.append(_("A WeChat article needs a title."))
        elif len(article.title) > MAX_TITLE:
            problems.append(
                _("The title is %(n)d characters long; WeChat allows %(max)d.")
                % {"n": len(article.title), "max": MAX_TITLE}
            )
        if len(article.author) > MAX_AUTHOR:
            problems.append(
                _("The author is %(n)d characters long; WeChat allows %(max)d.")
                % {"n": len(article.author), "max": MAX_AUTHOR}
            )
        if len(article.digest) > MAX_DIGEST:
            problems.append(
                _("The digest is %(n)d characters long; WeChat allows %(max)d.")
                % {"n": len(article.digest), "max": MAX_DIGEST}
            )
        if not article.content:
            problems.append(_("A WeChat article needs a body."))
        elif len(article.content) >= MAX_CONTENT_CHARS or len(article.content.encode()) >= MAX_CONTENT_BYTES:
            problems.append(
                _(
                    "The article body is %(n)d characters long; WeChat takes fewer than %(max)d (and under 1 MB)."
                )
                % {"n": len(article.content), "max": MAX_CONTENT_CHARS}
            )
        if len(article.source_url.encode()) > MAX_SOURCE_URL_BYTES:
            problems.append(_("The “read more” link is longer than WeChat's 1 KB."))
        images = [m for m in post.media if m.is_image]
        if any(not m.is_image for m in post.media):
            problems.append(_("WeChat articles here take images only, not video."))
        if not images:
            problems.append(
                _("A WeChat article needs a cover image: add at least one image (the first is the cover).")
            )
        for index, media in enumerate(images):
            name = media.filename[:80]
            kind = image_type(media)
            if not media.data:
                problems.append(_("“%(name)s” has no file to upload.") % {"name": name})
                continue
            if index == 0:
                if kind not in COVER_TYPES:
                    problems.append(
                        _("The cover “%(name)s” must be BMP, PNG, JPEG or GIF for WeChat.") % {"name": name}
                    )
                if len(media.data) > MAX_COVER_BYTES:
                    problems.append(
                        _("The cover “%(name)s” is %(mb).1f MB; WeChat takes up to 10 MB.")
                        % {"name": name, "mb": len(media.data) / 1e6}
                    )
            else:
                if kind not in INLINE_TYPES:
                    problems.append(
                        _("“%(name)s” must be JPEG or PNG to appear inside a WeChat article.")
                        % {"name": name}
                    )
                if len(media.data) >= MAX_INLINE_IMAGE_BYTES:
                    problems.append(
                        _("“%(name)s” is %(mb).2f MB; images inside a WeChat article must be under 1 MB.")
                        % {"name": name, "mb": len(media.data) / 1e6}
                    )
        account_type = str(post.options.get("account_type") or self.account_type)
        if post.options.get("send_mode") == "mass" and account_type not in MASS_SEND_QUOTAS:
            problems.append(_("The account type must be “subscription” or “service”."))
        return problems

    # ---- publishing ------------------------------------------------------------------------

    def _upload(self, path: str, media: MediaFile, params: dict[str, Any] | None = None) -> dict[str, Any]:
        # Not "mutating": an upload that is not attached to an article yet is invisible to
        # readers, so a lost answer is safe to retry (at worst an unused image stays behind).
        files = {"media": (media.filename or "image", media.data or b"", media.content_type)}
        return self._request("POST", path, mutating=False, params=params, files=files)

    def _draft(self, post: PostRequest) -> str:
        """Upload the images, add the draft; its media_id."""
        problems = self.check(post)
        if problems:
            raise PermanentError(" ".join(problems))
        article = self._article(post)
        images = [m for m in post.media if m.is_image]
        cover = self._upload("/cgi-bin/material/add_material", images[0], params={"type": "image"})
        thumb_media_id = str(cover.get("media_id") or "")
        if not thumb_media_id:
            raise RetryableError(_("WeChat did not return the cover image's media_id."))
        content = article.content
        for index, media in enumerate(images):
            # The body shows our images as src="asset:<id>" (see publishing.engine.build_post):
            # those are uploaded and put in their place; other images after the cover are appended.
            ref = f'src="asset:{media.asset_id}"' if media.asset_id is not None else ""
            in_body = bool(ref) and ref in content
            if index == 0 and not in_body:
                continue
            url = str(self._upload("/cgi-bin/media/uploadimg", media).get("url") or "")
            if not url:
                raise RetryableError(_("WeChat did not return the image's URL."))
            if in_body:
                content = content.replace(ref, f'src="{html.escape(url, quote=True)}"')
            else:
                content += f'<p><img src="{html.escape(url, quote=True)}"/></p>'
        # An image of ours that did not come with the post cannot be shown: leave it out.
        content = UNRESOLVED_ASSET_IMG.sub("", content)
        if len(content) >= MAX_CONTENT_CHARS or len(content.encode()) >= MAX_CONTENT_BYTES:
            raise PermanentError(
                _(
                    "With its images the article body is %(n)d characters long; WeChat takes fewer than %(max)d."
                )
                % {"n": len(content), "max": MAX_CONTENT_CHARS}
            )
        item: dict[str, Any] = {
            "title": article.title,
            "content": content,
            "thumb_media_id": thumb_media_id,
            "need_open_comment": article.need_open_comment,
            "only_fans_can_comment": article.only_fans_can_comment,
        }
        if article.author:
            item["author"] = article.author
        if article.digest:
            item["digest"] = article.digest
        if article.source_url:
            item["content_source_url"] = article.source_url
        # Not "mutating" for the post: a draft nobody publishes is invisible to readers, so a
        # lost answer may be retried (an unused draft can stay behind in the 草稿箱).
        data = self._request("POST", "/cgi-bin/draft/add", mutating=False, body={"articles": [item]})
        media_id = str(data.get("media_id") or "")
        if not media_id:
            raise RetryableError(_("WeChat did not return the draft's media_id."))
        return media_id

    def publish(self, post: PostRequest, *, idempotency_key: str) -> PublishResult:
        """Draft, then freepublish (default) or mass send (options["send_mode"] == "mass")."""
        self.require(KIND_CAPABILITY[post.effective_kind])
        if post.options.get("send_mode") == "mass":
            tag = post.options.get("tag_id")
            return self._mass_send(
                post, idempotency_key, tag_id=http.as_int(tag) if tag not in (None, "") else None
            )
        media_id = self._draft(post)
        submitted = self._request(
            "POST", "/cgi-bin/freepublish/submit", mutating=True, body={"media_id": media_id}
        )
        publish_id = str(submitted.get("publish_id") or "")
        if not publish_id:
            raise OutcomeUnknown(_("WeChat accepted the article but returned no publish_id."), raw=submitted)
        return self._await_publish(publish_id, submitted)

    def _poll_allowed(self) -> bool:
        """Spend one freepublish/get call of the account's daily budget (always allowed without a connection)."""
        if self.connection is None:
            return True
        from django.conf import settings

        from ..budget import api_call_spend

        return api_call_spend(
            connection=self.connection,
            endpoint=POLL_ENDPOINT,
            day=shanghai_today(),
            limit=settings.WECHAT_FREEPUBLISH_POLLS_PER_DAY,
        )

    def _await_publish(self, publish_id: str, submitted: dict[str, Any]) -> PublishResult:
        deadline = time.monotonic() + self.max_wait
        while True:
            if not self._poll_allowed():
                # Today's polls are spent: the job's result comes with WeChat's PUBLISHJOBFINISH
                # push (or the reconcile's batchget); polling resumes tomorrow (Beijing time).
                raise OutcomeUnknown(
                    _(
                        "submitted; today's status checks for this account are used up, so the "
                        "result will come with WeChat's push"
                    ),
                    platform_code="poll_budget",
                    raw={"publish_id": publish_id},
                    pending_ref=publish_id,
                )
            try:
                data = self._request(
                    "POST", "/cgi-bin/freepublish/get", mutating=False, body={"publish_id": publish_id}
                )
            except ConnectorError as err:
                # The article is submitted: whatever goes wrong now (even an expired token), a
                # retry of publish() would make a second article. Reconcile instead.
                raise OutcomeUnknown(
                    _("The article was submitted but its status could not be read: %(msg)s")
                    % {"msg": err.message},
                    platform_code=err.platform_code,
                    raw={"publish_id": publish_id},
                    pending_ref=publish_id,
                ) from None
            status = http.as_int(data.get("publish_status"))
            if status == 0:
                return self._published(data, submitted)
            reason = publish_failure(status)
            if reason:
                failed = ", ".join(str(i) for i in data.get("fail_idx") or []) or "-"
                raise PermanentError(
                    _("WeChat did not publish the article: %(reason)s (failed articles: %(idx)s).")
                    % {"reason": reason, "idx": failed},
                    platform_code=f"publish_status_{status}",
                    raw=data,
                )
            if time.monotonic() >= deadline:
                raise OutcomeUnknown(
                    _("submitted, still being published"),
                    platform_code="publish_status_1",
                    raw={"publish_id": publish_id},
                    pending_ref=publish_id,
                )
            self._sleep(self.poll_interval)

    def _published(self, data: dict[str, Any], submitted: dict[str, Any]) -> PublishResult:
        items = (data.get("article_detail") or {}).get("item") or []
        url = str(items[0].get("article_url") or "") if items else ""
        article_id = str(data.get("article_id") or "")
        msg_data_id = str(submitted.get("msg_data_id") or "")
        # "<article_id>:<msg_data_id>": the article_id deletes it; the msg_data_id (submit's answer)
        # is what the statistics (getarticleread's msgid) and comments know the article by.
        external_id = f"{article_id}:{msg_data_id}" if article_id and msg_data_id.isdigit() else article_id
        return PublishResult(
            external_id=external_id,
            url=url,
            published_at=utcnow(),
            raw={**data, "msg_data_id": submitted.get("msg_data_id")},
        )

    def _mass_send(self, post: PostRequest, idempotency_key: str, *, tag_id: int | None) -> PublishResult:
        media_id = self._draft(post)
        account_type = str(post.options.get("account_type") or self.account_type)
        body: dict[str, Any] = {
            "filter": {"is_to_all": tag_id is None, **({"tag_id": tag_id} if tag_id is not None else {})},
            "mpnews": {"media_id": media_id},
            "msgtype": "mpnews",
            "send_ignore_reprint": 1 if post.options.get("send_ignore_reprint") else 0,
            "clientmsgid": clientmsgid_for(idempotency_key),
        }
        try:
            data = self._request(
                "POST", "/cgi-bin/message/mass/sendall", mutating=True, body=body, ok_codes=(45065,)
            )
        except QuotaExceeded as err:
            if err.platform_code == "45028":
                err.reset_at = mass_quota_reset(account_type)
                err.message = _(
                    "The account's mass-send quota is used up (%(msg)s): a subscription account may "
                    "mass-send once a day, a service account four times a month. It comes back at "
                    "%(when)s Beijing time."
                ) % {"msg": err.message, "when": err.reset_at.strftime("%Y-%m-%d %H:%M")}
                err.args = (err.message,)
            raise
        except PermanentError as err:
            if err.platform_code == "45066":
                # "same clientmsgid retry too fast": the first send arrived; asking again in a
                # minute answers 45065 with its msg_id (our assumption, from the 45066 text).
                raise RetryableError(err.message, retry_after=60.0, platform_code="45066") from None
            raise
        msg_id = str(data.get("msg_id") or "")
        msg_data_id = str(data.get("msg_data_id") or "")
        # The msg_data_id rides in the id: comments and article figures are asked for by it.
        external_id = f"mass:{msg_id}:{msg_data_id}" if msg_data_id else f"mass:{msg_id}"
        if http.as_int(data.get("errcode")) == 45065:
            # The key was sent before: the draft we just made is a spare copy. The earlier send's
            # ids (msg_id, and msg_data_id when WeChat gives it) are kept like a first send's.
            self._discard_draft(media_id)
            return PublishResult(external_id=external_id, duplicate=True, raw=data)
        return PublishResult(external_id=external_id, published_at=utcnow(), raw=data)

    def _discard_draft(self, media_id: str) -> None:
        # Tidying up only: a leftover draft harms nobody, so any failure is ignored.
        with contextlib.suppress(ConnectorError):
            self._request("POST", "/cgi-bin/draft/delete", mutating=False, body={"media_id": media_id})

    def send_to_tag(self, *, tag: str, post: PostRequest, idempotency_key: str) -> PublishResult:
        """Mass-send the article to the followers with ``tag`` (a tag id or name)."""
        self.require(Capability.SEND_TO_TAG)
        self.require(KIND_CAPABILITY[post.effective_kind])
        tag_id = self._tag_id(tag, create=False)
        return self._mass_send(post, idempotency_key, tag_id=tag_id)

    def find_published(
        self, *, idempotency_key: str, since: dt.datetime, post: PostRequest
    ) -> PublishResult | None:
        """The freepublished article titled like ``post`` updated since ``since`` (None for mass sends)."""
        self.require(Capability.FIND_PUBLISHED)
        if post.options.get("send_mode") == "mass":
            # batchget does not list mass sends; clientmsgid, not lookup, protects those.
            return None
        title = normalise(post.title)
        floor = int((since - FIND_SKEW).timestamp())
        offset = 0
        for _page in range(FIND_MAX_PAGES):
            data = self._request(
                "POST",
                "/cgi-bin/freepublish/batchget",
                mutating=False,
                body={"offset": offset, "count": BATCHGET_PAGE, "no_content": 1},
            )
            items = data.get("item") or []
            for item in items:
                updated = http.as_int(
                    item.get("update_time") or (item.get("content") or {}).get("update_time")
                )
                if updated < floor:
                    continue
                for news in (item.get("content") or {}).get("news_item") or []:
                    if normalise(str(news.get("title") or "")) == title and not news.get("is_deleted"):
                        return PublishResult(
                            external_id=str(item.get("article_id") or ""),
                            url=str(news.get("url") or ""),
                            published_at=dt.datetime.fromtimestamp(updated, dt.UTC),
                            raw=item,
                        )
            offset += len(items)
            if not items or offset >= http.as_int(data.get("total_count")):
                break
        return None

    def delete(self, external_id: str) -> None:
        """freepublish/delete (all articles) or, for "mass:…", mass/delete; already gone is fine."""
        self.require(Capability.DELETE)
        if external_id.startswith("mass:"):
            msg_id = external_id.split(":")[1]
            body: dict[str, Any] = {"msg_id": http.as_int(msg_id), "article_idx": 0}
            self._request(
                "POST", "/cgi-bin/message/mass/delete", mutating=True, body=body, ok_codes=tuple(GONE_CODES)
            )
            return
        self._request(
            "POST",
            "/cgi-bin/freepublish/delete",
            mutating=True,
            body={"article_id": external_id.split(":")[0], "index": 0},
            ok_codes=tuple(GONE_CODES),
        )
