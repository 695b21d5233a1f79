"""The endpoint WeChat pushes an Official Account's messages and events to (服务器配置 / 消息推送).

One URL per connection: ``hooks/wechat/<connection_id>/`` (URL name ``wechat-push``); the admin
enters it in 微信开发者平台 → 公众号 → 消息与事件推送 with the same Token (stored as the
connection's ``signing_secret``) and EncodingAESKey (``encoding_aes_key``). The AppID is the
connection's ``client_id``.

- GET is WeChat's server verification: answer ``echostr`` as is when ``signature`` checks out.
  The 公众号 verification is plain even in the encrypted mode (only 企业微信 encrypts echostr).
  https://developers.weixin.qq.com/doc/oplatform/developers/dev/push (第二步：验证消息的确来自微信服务器)
- POST is a message or event. ``encrypt_type=aes`` (安全/兼容模式): check ``msg_signature`` over
  the <Encrypt> value — never ``signature`` — then decrypt and check the AppID; otherwise
  (明文模式) check ``signature``. See wechat_crypto.py for the algorithms and doc links.
  https://developers.weixin.qq.com/doc/subscription/guide/dev/push/encryption.html
- WeChat waits five seconds, then retries up to three times; "success" is the documented answer
  for "no reply", and retries are de-duplicated by MsgId, or by FromUserName + CreateTime for
  events. We store the message and answer "success" in the request.
  https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html
- Events the publishing side reads: PUBLISHJOBFINISH (freepublish result; PublishEventInfo with
  publish_id, publish_status, article_id, article_detail/item) and MASSSENDJOBFINISH (mass send
  result; MsgID, Status, TotalCount, FilterCount, SentCount, ErrorCount).
  https://developers.weixin.qq.com/doc/offiaccount/Publish/Callback_on_finish.html
  https://developers.weixin.qq.com/doc/service/guide/product/message/Batch_Sends.html (事件推送群发结果)
  (The publish doc's sample once said FREEPUBLISHJOBFINISH; WeChat sends PUBLISHJOBFINISH.)

Our own limits (our assumption, no WeChat doc): a body over 1 MB is refused (413); timestamps
more than five minutes from our clock are refused as replays (403).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import credentials as creds
from . import hooks
from . import wechat_crypto as wc
from .models import ConnectorKind, PlatformConnection, PushEvent

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
MAX_DEDUPE_KEY = 200

# Model field lengths, so an odd push is stored truncated instead of failing.
_MSG_TYPE_LEN = 40
_EVENT_LEN = 60
_FROM_USER_LEN = 100


def _now() -> float:
    """Current Unix time (a function so tests can set the clock)."""
    return time.time()


def _text(status: int, message: str) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _field(message: dict[str, Any], name: str) -> str:
    value = message.get(name)
    return value.strip() if isinstance(value, str) else ""


# ---- storing --------------------------------------------------------------------------------


def dedupe_key_for(message: dict[str, Any]) -> str:
    """The key that makes WeChat's re-push of ``message`` a no-op.

    MsgId for messages; FromUserName + CreateTime + Event for events, as WeChat recommends, with
    the event's own job id (MsgID / publish_id) appended when it has one, so two results in the
    same second stay apart. Falls back to a hash of the whole message.
    """
    msg_id = _field(message, "MsgId")
    if msg_id and _field(message, "MsgType") != "event":
        key = f"msg:{msg_id}"
    else:
        from_user, created, event = (_field(message, n) for n in ("FromUserName", "CreateTime", "Event"))
        if from_user and created:
            job = _field(message, "MsgID") or _field(message, "MsgId")
            info = message.get("PublishEventInfo")
            if not job and isinstance(info, dict):
                job = _field(info, "publish_id")
            key = ":".join(part for part in ("event", from_user, created, event, job) if part)
        else:
            canonical = json.dumps(message, sort_keys=True, ensure_ascii=False)
            key = "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    if len(key) > MAX_DEDUPE_KEY:
        key = "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()
    return key


def _created_at(message: dict[str, Any]) -> dt.datetime | None:
    created = _field(message, "CreateTime")
    if not created.isascii() or not created.isdigit() or len(created) > 12:
        return None
    try:
        return dt.datetime.fromtimestamp(int(created), tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def push_event_record(*, connection: PlatformConnection, message: dict[str, Any]) -> tuple[PushEvent, bool]:
    """Store a pushed message once per dedupe key; (event, created). A re-push returns the stored one.

    A newly stored event is sent to ``hooks.push_event_stored`` (fans records the fan and interaction).
    """
    key = dedupe_key_for(message)
    defaults = {
        "workspace_id": connection.workspace_id,
        "msg_type": _field(message, "MsgType")[:_MSG_TYPE_LEN],
        "event": _field(message, "Event")[:_EVENT_LEN],
        "from_user": _field(message, "FromUserName")[:_FROM_USER_LEN],
        "created_at": _created_at(message),
        "payload": message,
    }
    try:
        with transaction.atomic():
            event, created = PushEvent.objects.get_or_create(
                connection=connection, dedupe_key=key, defaults=defaults
            )
    except IntegrityError:
        # Two deliveries of the same push raced; the other one stored it.
        return PushEvent.objects.get(connection=connection, dedupe_key=key), False
    if created:
        hooks.push_event_stored.send(event=event)
    return event, created


# ---- the endpoint ---------------------------------------------------------------------------


def _read_body(request: HttpRequest) -> bytes | None:
    """The body, or None when it is over MAX_BODY_BYTES (also when the header lies about it)."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES:
        return None
    body = request.read(MAX_BODY_BYTES + 1)
    return None if len(body) > MAX_BODY_BYTES else body


def _verify(request: HttpRequest, token: str) -> HttpResponse:
    params = request.GET
    timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
    if not wc.check_signature(token, params.get("signature"), timestamp, nonce):
        return _text(403, _("Signature does not match: check the Token set for this connection."))
    if not wc.timestamp_is_fresh(timestamp, now=_now()):
        return _text(403, _("The request's timestamp is more than five minutes off; refused as a replay."))
    echostr = params.get("echostr")
    if echostr is None:
        return _text(400, _("The verification request has no echostr."))
    return _text(200, echostr)


def _message(
    request: HttpRequest, body: bytes, credentials: creds.Credentials
) -> dict[str, Any] | HttpResponse:
    """The pushed message's fields, or the refusal to answer with."""
    params = request.GET
    token = credentials.signing_secret
    timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
    encrypt_type = params.get("encrypt_type", "raw") or "raw"
    if encrypt_type not in ("aes", "raw"):
        return _text(400, _("Unknown encrypt_type: %(type)s.") % {"type": encrypt_type[:20]})
    # Plain mode's signature does not cover the body: check it before parsing anything.
    if encrypt_type == "raw" and not wc.check_signature(token, params.get("signature"), timestamp, nonce):
        return _text(403, _("Signature does not match: check the Token set for this connection."))
    try:
        outer = wc.parse_xml(body)
    except wc.PushXMLError:
        return _text(400, _("The body is not a WeChat XML message."))
    encrypted = outer.get("Encrypt")
    if encrypt_type == "aes":
        if not isinstance(encrypted, str) or not encrypted.strip():
            return _text(400, _("An encrypted push must carry an Encrypt element."))
        if not wc.check_msg_signature(token, params.get("msg_signature"), timestamp, nonce, encrypted):
            return _text(403, _("Signature does not match: check the Token set for this connection."))
    # After the signature, so a bad signature is reported as such; both are covered by it.
    if not wc.timestamp_is_fresh(timestamp, now=_now()):
        return _text(403, _("The request's timestamp is more than five minutes off; refused as a replay."))
    if encrypt_type == "raw" or not isinstance(encrypted, str):
        return outer
    if not credentials.encoding_aes_key:
        return _text(403, _("This connection has no EncodingAESKey set, so encrypted pushes cannot be read."))
    try:
        inner = wc.decrypt(credentials.encoding_aes_key, encrypted, credentials.client_id)
    except wc.PushAppIdMismatch:
        return _text(403, _("The message was encrypted for another AppID than this connection's."))
    except wc.PushCryptoError:
        return _text(403, _("The message cannot be decrypted with this connection's EncodingAESKey."))
    try:
        return wc.parse_xml(inner)
    except wc.PushXMLError:
        return _text(400, _("The decrypted message is not a WeChat XML message."))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def wechat_push(request: HttpRequest, connection_id: int) -> HttpResponse:
    """WeChat's server verification (GET) and message/event pushes (POST) for one connection."""
    connection = (
        PlatformConnection.objects.filter(pk=connection_id, kind=ConnectorKind.WECHAT_MP)
        .select_related("workspace")
        .first()
    )
    if connection is None:
        return _text(404, _("No WeChat Official Account connection here."))
    try:
        credentials = connection.get_credentials()
    except creds.CredentialsUnreadable:
        logger.error("wechat push %s: stored credentials cannot be decrypted", connection.pk)
        return _text(503, _("This connection's credentials cannot be read; ask an administrator."))
    if not credentials.signing_secret:
        return _text(403, _("This connection has no push Token set."))

    if request.method == "GET":
        response = _verify(request, credentials.signing_secret)
        if response.status_code != 200:
            logger.warning("wechat push %s: verification refused (%s)", connection.pk, response.status_code)
        return response

    body = _read_body(request)
    if body is None:
        return _text(413, _("The body is larger than 1 MB."))
    result = _message(request, body, credentials)
    if isinstance(result, HttpResponse):
        logger.warning("wechat push %s: push refused (%s)", connection.pk, result.status_code)
        return result
    event, created = push_event_record(connection=connection, message=result)
    logger.info(
        "wechat push %s: %s %s %s",
        connection.pk,
        event.msg_type,
        event.event,
        "stored" if created else "already stored",
    )
    reply = None
    if created and event.msg_type in wc.PASSIVE_REPLY_TYPES and event.from_user:
        try:
            reply = hooks.push_passive_reply.first(default=None, event=event)
        except Exception:  # noqa: BLE001 — the push is stored; a failed reply must not refuse it
            logger.exception("wechat push %s: passive reply failed", connection.pk)
    if reply:
        return _passive_reply(request, credentials, result, str(reply))
    # WeChat's documented "no reply" answer; anything else must be an (encrypted) reply message.
    return _text(200, "success")


def _passive_reply(
    request: HttpRequest, credentials: creds.Credentials, message: dict[str, Any], text: str
) -> HttpResponse:
    """A text reply inside the push's answer (被动回复用户消息), encrypted when the push was."""
    xml = wc.text_reply_xml(
        to_user=_field(message, "FromUserName"),
        from_user=_field(message, "ToUserName"),
        text=text,
        now=int(_now()),
    )
    if request.GET.get("encrypt_type") == "aes" and credentials.encoding_aes_key:
        body = wc.build_encrypted_reply(
            token=credentials.signing_secret,
            encoding_aes_key=credentials.encoding_aes_key,
            app_id=credentials.client_id,
            xml_bytes=xml.encode("utf-8"),
            timestamp=str(int(_now())),
        )
    else:
        body = xml
    return HttpResponse(body, status=200, content_type="application/xml; charset=utf-8")
