"""Delivery of a finished report: an email with the PDF and the workbook attached, and a short
summary with a link posted to group robots through their incoming webhooks.

Robot formats (each platform's documented custom-robot webhook):

- WeCom (企业微信 群机器人): POST ``{"msgtype": "markdown", "markdown": {"content": …}}``.
- DingTalk (钉钉 自定义机器人): POST ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``;
  with a signing secret the URL gets ``&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256(secret,
  "<ms>\\n<secret>")>``.
- Feishu (飞书 自定义机器人): POST ``{"msg_type": "text", "content": {"text": …}}``; with a signing
  secret the body also has ``"timestamp": "<s>"`` and ``"sign": base64 HMAC-SHA256(key="<s>\\n<secret>",
  message="")``.

Every request goes through the egress policy (``core.egress``): no private or loopback hosts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from collections.abc import Sequence
from typing import Any

import httpx
from django.conf import settings
from django.core.mail import EmailMessage

from socialops.core import egress

from ..models import RobotKind

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(10.0)
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_email(
    *, recipients: Sequence[str], subject: str, body: str, attachments: Sequence[tuple[str, bytes, str]]
) -> str:
    """One email to every recipient (each sees only their own address) with the files attached."""
    if not recipients:
        return "off"
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[], bcc=list(recipients)
    )
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send(fail_silently=False)
    return "sent"


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's signature: base64 HMAC-SHA256 of "<timestamp>\\n<secret>" keyed with the secret."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp: int) -> str:
    """Feishu's signature: base64 HMAC-SHA256 with key "<timestamp>\\n<secret>" over an empty message."""
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def robot_request(
    *, kind: str, url: str, secret: str, title: str, markdown: str, text: str
) -> tuple[str, dict[str, Any]]:
    """(URL, JSON body) of one robot message in its platform's format."""
    if kind == RobotKind.WECOM:
        return url, {"msgtype": "markdown", "markdown": {"content": markdown}}
    if kind == RobotKind.DINGTALK:
        if secret:
            ms = int(time.time() * 1000)
            sep = "&" if "?" in url else "?"
            url = f"{url}{sep}timestamp={ms}&sign={urllib.parse.quote_plus(dingtalk_sign(secret, ms))}"
        return url, {"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}
    if kind == RobotKind.FEISHU:
        body: dict[str, Any] = {"msg_type": "text", "content": {"text": text}}
        if secret:
            now = int(time.time())
            body = {"timestamp": str(now), "sign": feishu_sign(secret, now), **body}
        return url, body
    raise ValueError(kind)


def post_robot(
    *, kind: str, url: str, secret: str, title: str, markdown: str, text: str,
    transport: httpx.BaseTransport | None = None,
) -> str:  # fmt: skip
    """Post one summary; what happened ("sent", "refused", "failed: …"). Never raises: a robot that
    is down must not fail the report (its files are kept and the email is sent)."""
    target, body = robot_request(kind=kind, url=url, secret=secret, title=title, markdown=markdown, text=text)
    try:
        with egress.client(transport=transport, timeout=TIMEOUT, follow_redirects=False) as client:
            response = client.post(target, content=json.dumps(body, ensure_ascii=False).encode(),
                                   headers={"Content-Type": "application/json; charset=utf-8"})  # fmt: skip
    except egress.EgressRefused:
        return "refused"
    except httpx.HTTPError as exc:
        return f"failed: {exc.__class__.__name__}"
    if response.status_code >= 300:
        return f"failed: HTTP {response.status_code}"
    # The three answer 200 with an error code in the body when they refuse the message.
    try:
        answer = response.json()
    except ValueError:
        return "sent"
    code = answer.get("errcode", answer.get("code", 0)) if isinstance(answer, dict) else 0
    return "sent" if not code else f"failed: {code} {answer.get('errmsg') or answer.get('msg') or ''}".strip()
