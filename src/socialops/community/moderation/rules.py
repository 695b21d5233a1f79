"""The moderation rules: what each one looks for in one message, and the sentence that explains it.

Every detector takes the normalised views of one message (see ``normalise.py``) and returns the
first ``Hit`` it finds (the rule's code, the original span as evidence, params for the sentence)
or ``None``. The engine (``engine.py``) decides which rules are on and which hit wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext_lazy as _

from socialops.core.messages import MessageTable
from socialops.textkit.links import find_urls

from .normalise import Normalised, compact, digit_runs, digits_view, key, link_view, normalise

LINK = "link"
QR_IMAGE = "qr_image"
PHONE = "phone"
WECHAT_ID = "wechat_id"
REPEAT = "repeat"
FLOOD = "flood"
BANNED_WORD = "banned_word"
SOLICITATION = "solicitation"
NEW_MEMBER_LINK = "new_member_link"

#: Every rule code, in the order the engine reports them when several hit.
RULES: tuple[str, ...] = (
    QR_IMAGE,
    LINK,
    WECHAT_ID,
    PHONE,
    BANNED_WORD,
    SOLICITATION,
    NEW_MEMBER_LINK,
    REPEAT,
    FLOOD,
)

#: What a new member may not post within the restriction window (the contact kinds).
CONTACT_RULES = frozenset({LINK, QR_IMAGE, PHONE, WECHAT_ID})

RULE_LABELS = {
    LINK: _("Links (also bare domains, 点com and short links)"),
    QR_IMAGE: _("QR-code images"),
    PHONE: _("Phone numbers (also split or written in Chinese numerals)"),
    WECHAT_ID: _("WeChat, QQ and other contact IDs and their disguises (加V, vx, 薇信…)"),
    REPEAT: _("The same message repeated"),
    FLOOD: _("Too many messages per minute"),
    BANNED_WORD: _("Banned words"),
    SOLICITATION: _("Invitations to talk in private about money, jobs or free offers"),
    NEW_MEMBER_LINK: _("New members: no links or contacts"),
}


class Severity(StrEnum):
    """What the engine suggests doing with a message (the strike ladder decides the rest)."""

    #: Nothing: the message is fine.
    NONE = "none"
    #: Delete the message and remind the sender; no strike (repeats, flooding).
    LOW = "low"
    #: Delete the message and add a strike on the workspace's ladder (ads, contacts, banned words).
    HIGH = "high"


RULE_SEVERITY = {
    LINK: Severity.HIGH,
    QR_IMAGE: Severity.HIGH,
    PHONE: Severity.HIGH,
    WECHAT_ID: Severity.HIGH,
    BANNED_WORD: Severity.HIGH,
    SOLICITATION: Severity.HIGH,
    NEW_MEMBER_LINK: Severity.HIGH,
    REPEAT: Severity.LOW,
    FLOOD: Severity.LOW,
}

REASONS = MessageTable(
    {
        LINK: _("The message contains a link ({evidence})."),
        QR_IMAGE: _("The message contains a QR-code image."),
        PHONE: _("The message contains a phone number ({evidence})."),
        WECHAT_ID: _("The message contains a WeChat, QQ or other contact ID ({evidence})."),
        REPEAT: _("The same message was sent {count} times within {minutes} minutes."),
        FLOOD: _("{count} messages within one minute (the limit is {limit})."),
        BANNED_WORD: _("The message contains a banned word ({evidence})."),
        SOLICITATION: _("The message asks members to talk in private about money or offers ({evidence})."),
        NEW_MEMBER_LINK: _("Members who joined less than {hours} hours ago may not post links or contacts."),
        "ok": _("Nothing to act on."),
    }
)

#: The ad phrases a new workspace starts with (editable in the settings): scams and ads that
#: seldom need a link to be recognised. Compound phrases only: a bare 兼职 or 返利 would hit
#: members asking about the company's own jobs or cash-back offers.
DEFAULT_BANNED_WORDS: tuple[str, ...] = (
    "刷单",
    "刷信誉",
    "日赚",
    "日结",
    "躺赚",
    "轻松月入",
    "月入过万",
    "兼职日结",
    "手机兼职",
    "宝妈兼职",
    "在家兼职",
    "招代理",
    "诚招代理",
    "招募代理",
    "零投资",
    "无需押金",
    "免费领取",
    "秒下款",
    "秒到账",
    "低息贷款",
    "无抵押",
    "网贷",
    "黑户可下",
    "征信花",
    "信用卡套现",
    "套现",
    "代开发票",
    "博彩",
    "彩票计划",
    "带单",
    "稳赚",
    "内部渠道",
    "一手货源",
    "微商",
    "扫码进群",
    "二维码进群",
    "进群领",
    "裸聊",
    "招商加盟",
    "返利群",
    "高额返利",
    "点赞员",
    "淘宝客",
)


@dataclass(frozen=True, slots=True)
class Hit:
    """One rule matched: its code, the original [start, end), the quoted span, sentence params."""

    rule: str
    start: int = 0
    end: int = 0
    evidence: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Views:
    """The views of one message every detector reads (built once per message)."""

    norm: Normalised
    compact: Normalised
    links: Normalised
    #: ``norm`` with numbers in Chinese numerals written as digits (for IDs after a trigger).
    digits: Normalised

    @classmethod
    def of(cls, text: str) -> Views:
        """Build the views of ``text``."""
        norm = normalise(text)
        return cls(norm, compact(norm), link_view(norm), digits_view(norm))


# ---------------------------------------------------------------------------------------------
# Links

#: Link shorteners: always a link, never one of our domains.
SHORTENERS = frozenset(
    [
        "t.cn",
        "dwz.cn",
        "url.cn",
        "suo.im",
        "suo.nz",
        "bit.ly",
        "tinyurl.com",
        "is.gd",
        "t.co",
        "goo.gl",
        "ow.ly",
        "w.url.cn",
        "c7.gg",
        "sohu.gg",
        "u.nu",
        "mrw.so",
        "6du.in",
        "rrd.me",
        "tb.cn",
        "m.tb.cn",
        "s.click.taobao.com",
    ]
)
#: Words that look like bare domains in tech talk and are not links.
_NOT_DOMAINS = frozenset({"asp.net", "vb.net", "ado.net", "node.js", "vue.js", "next.js", "socket.io"})
#: A Taobao-style share code: ￥AbCd1234XyZ￥ (opens a shop page when copied into the app).
_SHARE_CODE = re.compile(r"[￥$€¥₤(（]\s?[a-z0-9]{8,14}\s?[￥$€¥₤)）]")


def _host(url: str) -> str:
    """The lower-case host of a found URL ('' when none can be read)."""
    rest = re.sub(r"(?i)^[a-z]+\s?:\s?/{0,3}", "", url)
    host = re.split(r"[/?#:\s]", rest, maxsplit=1)[0].lower().rstrip(".")
    return host


def _allowed_host(host: str, allowed_domains: Iterable[str]) -> bool:
    """True when ``host`` is one of the allowed domains or under one (shorteners never are)."""
    if host in SHORTENERS:
        return False
    host = host.removeprefix("www.")
    for domain in allowed_domains:
        d = domain.lower().strip().removeprefix("www.")
        if d and (host == d or host.endswith("." + d)):
            return True
    return False


def find_link(views: Views, allowed_domains: Sequence[str] = ()) -> Hit | None:
    """A link that is not on one of the allowed domains (schemes, www., bare domains, 点com, short links)."""
    lv = views.links
    for u in find_urls(lv.text):
        host = _host(u.url)
        if not host or host in _NOT_DOMAINS or _allowed_host(host, allowed_domains):
            continue
        if "." not in host:
            continue
        a, b = lv.span(u.start, u.end)
        return Hit(LINK, a, b, lv.original[a:b], {"host": host})
    m = _SHARE_CODE.search(views.norm.text)
    if m and re.search(r"[a-z]", m.group(0)) and re.search(r"\d", m.group(0)):
        a, b = views.norm.span(m.start(), m.end())
        return Hit(LINK, a, b, views.norm.original[a:b], {"host": ""})
    return None


# ---------------------------------------------------------------------------------------------
# Phone numbers

_MOBILE = re.compile(r"^(?:0{0,2}86)?(1[3-9]\d{9})$")


def find_phone(views: Views, allowed_contacts: Sequence[str] = ()) -> Hit | None:
    """A mainland mobile number, also split by spaces/symbols, full-width, circled or in Chinese numerals."""
    allowed = {re.sub(r"\D", "", c) for c in allowed_contacts}
    for run in digit_runs(views.norm):
        m = _MOBILE.match(run.digits)
        if not m or m.group(1) in allowed:
            continue
        if run.listed and run.groups not in ((3, 4, 4), (1,) * 11):
            # "1599/1899/999" is a price list; "138/1234/5678" is a phone number.
            continue
        return Hit(PHONE, run.start, run.end, views.norm.original[run.start : run.end], {})
    return None


# ---------------------------------------------------------------------------------------------
# WeChat / QQ IDs

#: Disguises only spammers use: they are a contact offer even without the ID next to them.
_STRONG = re.compile(
    r"(?:加|\+|➕|＋|jia)\s*(?:我\s*)?(?:v|微(?!信)|薇|威|徽|vx|wx|q)(?![a-z])"
    r"|(?<![a-z])v\s*(?:信|芯|❤|♥|♡|💗|💖|💚|💕|💛|💙|💜|🧡|✉)"
    r"|(?<![a-z])vx(?=\s*(?:联系|私聊|详聊|了解|咨询|同号|[:：]))"
    r"|(?<![a-z])wxid_[a-z0-9]{4,}"
    r"|薇信|威信|徽信|维信|微芯|薇芯|卫星号|vx号|wx号|威芯"
)
#: Words that announce a contact; with an ID after them they are one.
_TRIGGER = re.compile(
    r"(?:加\s*)?(?:微信|薇|威|徽|微(?=\s*[:：])|vx|wx|weixin|wechat|(?<![a-z])v(?![a-z])|加我|联系我|私我"
    r"|qq|扣扣|企鹅|(?<![a-z])q(?![a-z])|抖音号|快手号|小红书号)"
    r"\s*(?:[,，]\s*)?(?:号码|号是|号|是|id|账号|帐号|搜索|搜一搜|搜)?\s*[:：=]?\s*"
)
#: An ID as written after a trigger: letters, digits and the separators inside it.
_ID = re.compile(r"[a-z0-9][a-z0-9_\-.*·\s]{3,40}")


def _id_token(text: str) -> str | None:
    """The WeChat/QQ ID at the start of ``text`` (separators dropped), or None."""
    m = _ID.match(text)
    if not m:
        return None
    raw = m.group(0)
    token = re.sub(r"[_\-.*·\s]", "", raw)
    if re.fullmatch(r"\d{5,12}", token):
        return token  # a QQ number (or a phone number, which the phone rule also sees)
    if re.fullmatch(r"[a-z][a-z0-9]{5,19}", token) and re.search(r"\d", token):
        return token  # a WeChat ID: starts with a letter, 6-20 characters
    if re.fullmatch(r"[a-z][a-z0-9]{5,19}", re.sub(r"[^a-z0-9]", "", raw)) and re.search(r"[_\-]", raw):
        return token  # letters only but with the _ or - WeChat IDs use (abc_def)
    return None


def find_wechat(views: Views, allowed_contacts: Sequence[str] = ()) -> Hit | None:
    """A WeChat/QQ contact: a disguise spammers use (加V, vx, 薇信, v❤), or a trigger word followed by an ID."""
    allowed = {key(c) for c in allowed_contacts}
    text = views.digits.text
    # Spaces inside the trigger ("微 信", "加 V") are read through on a copy without them.
    squeezed = re.sub(r"(?<=[\u4e00-\u9fff+a-z])\s+(?=[\u4e00-\u9fff])", "", text)
    offsets = _squeeze_map(text, squeezed)
    for m in _TRIGGER.finditer(squeezed):
        token = _id_token(squeezed[m.end() :])
        if token and token not in allowed:
            id_end = m.end() + len(_ID.match(squeezed[m.end() :]).group(0).rstrip())  # type: ignore[union-attr]
            a, b = views.norm.span(offsets[m.start()], offsets[id_end - 1] + 1)
            return Hit(WECHAT_ID, a, b, views.norm.original[a:b], {})
    m2 = _STRONG.search(squeezed)
    if m2:
        a, b = views.norm.span(offsets[m2.start()], offsets[m2.end() - 1] + 1)
        return Hit(WECHAT_ID, a, b, views.norm.original[a:b], {})
    return None


def _squeeze_map(text: str, squeezed: str) -> list[int]:
    """For each character of ``squeezed`` (``text`` minus some spaces), its index in ``text``."""
    out: list[int] = []
    j = 0
    for ch in squeezed:
        while text[j] != ch:
            j += 1
        out.append(j)
        j += 1
    return out


# ---------------------------------------------------------------------------------------------
# Banned words


def find_banned(views: Views, words: Sequence[str]) -> Hit | None:
    """The first banned word in the message, compared without spaces, symbols, case or width."""
    text = views.compact.text
    best: tuple[int, int] | None = None
    for word in words:
        k = key(word)
        if not k:
            continue
        pos = text.find(k)
        if pos == -1:
            continue
        if k.isascii() and k.isalnum():
            # An English word only at a word boundary ("ad" is not in "add").
            before = text[pos - 1] if pos else ""
            after = text[pos + len(k)] if pos + len(k) < len(text) else ""
            if (before.isascii() and before.isalnum()) or (after.isascii() and after.isalnum()):
                continue
        if best is None or pos < best[0]:
            best = (pos, pos + len(k))
    if best is None:
        return None
    a, b = views.compact.span(*best)
    return Hit(BANNED_WORD, a, b, views.compact.original[a:b], {})


# ---------------------------------------------------------------------------------------------
# Solicitation: "interested? message me" about money, without any contact in the message

#: Moving the talk out of the group: private messages, "reply 1", another account to follow.
_OFF_GROUP = re.compile(r"私聊|私我|私信|扣1|扣个1|扣一|关注公众号|下载app|扫码下载|戳我|滴滴我")
#: What such an invitation is about: money, jobs, free things, low prices.
_MONEY = re.compile(
    r"赚|挣|收入|副业|项目|红包|免费|借款|贷款|奖金|福利|兼职|工资|佣金|返现|低价|便宜|优惠|招聘|代理|货源|领取|价格"
)


def find_solicitation(views: Views) -> Hit | None:
    """An invitation to continue in private (私聊, 扣1, 关注公众号) about money, jobs or free offers."""
    text = views.compact.text
    off = _OFF_GROUP.search(text)
    if off is None or _MONEY.search(text) is None:
        return None
    a, b = views.compact.span(off.start(), off.end())
    return Hit(SOLICITATION, a, b, views.compact.original[a:b], {})
