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
GROUP_INVITE = "group_invite"
SCAM_PHRASE = "scam_phrase"
NEW_MEMBER_LINK = "new_member_link"

#: Every rule code, in the order the engine reports them when several hit.
RULES: tuple[str, ...] = (
    QR_IMAGE,
    LINK,
    WECHAT_ID,
    PHONE,
    GROUP_INVITE,
    BANNED_WORD,
    SCAM_PHRASE,
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
    GROUP_INVITE: _("Invitations to other groups (group numbers, 进群领…)"),
    SCAM_PHRASE: _(
        "Scam and ad pitches (loans, gambling, stock tips, fake followers, fake customer service…)"
    ),
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
    GROUP_INVITE: Severity.HIGH,
    SCAM_PHRASE: Severity.HIGH,
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
        GROUP_INVITE: _("The message invites members to another group ({evidence})."),
        SCAM_PHRASE: _("The message reads like a scam or an ad ({kind}: {evidence})."),
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
_HEARTS = "❤♥♡💗💖💚💕💛💙💜🧡✉"
_STRONG = re.compile(
    r"(?:加|\+|➕|＋|jia)\s*(?:我|wo|老师|客服|好友|助理|小助手)?\s*(?:v|微(?!信)|薇|威|徽|vx|wx|q|qq|卫星|🛰|wei\s?xin)(?![a-z])(?!\s*(?:认证|用户|博主))"
    rf"|(?<![a-z])v\s*(?:信|芯|[{_HEARTS}])|(?:薇|威|徽|微)\s*[{_HEARTS}]"
    r"|(?<![a-z])v\s?x(?=\s*(?:联系|私聊|详聊|了解|咨询|同号|[:：]))"
    r"|(?<![a-z])wxid_[a-z0-9]{4,}|(?<![a-z])(?:v|vx|wx|q|qq)\s*我(?!们)|微\s?xin|wei\s?信|v\s?xin"
    r"|薇信|威信|徽信|维信|微芯|薇芯|卫星号|vx号|wx号|威芯"
    r"|whats\s?app|telegram|(?<![a-z])tg\s*[:：@]|line\s?id\s*[:：]|add\s+(?:me\s+)?on\s+(?:wechat|qq)"
    r"|绿色软件|绿色app|绿泡泡|绿色聊天|(?:加|联系|➕|\+)\s*(?:我\s*)?(?:飞机|纸飞机|telegram|tg)(?![a-z])"
)
#: Words that announce a contact; with an ID after them they are one.
_TRIGGER = re.compile(
    r"(?:加\s*)?(?:微信|薇|威|徽|微(?=\s*[:：])|微\s?xin|vx|v\sx|wx|wei\s?xin|wechat|(?<![a-z])v(?![a-z])|加我|联系我|私我"
    r"|qq|扣扣|企鹅|(?<![a-z])q(?![a-z])|抖音号|快手号|小红书号|卫星|🛰|绿色软件|绿泡泡"
    rf"|[{_HEARTS}](?=\s*[:：]))"
    rf"\s*[{_HEARTS}]?\s*(?:[,，]\s*)?(?:号码|号是|号|是|id|账号|帐号|搜索|搜一搜|搜)?\s*[:：=]?\s*"
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
    if m2 and not talks_about_spam(views):
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
    if talks_about_spam(views):
        return None
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

#: Moving the talk out of the group: private messages, "reply 1", the profile (where the contact
#: is), another account to follow, a contact app named without an ID.
_OFF_GROUP = re.compile(
    r"私聊|私我|私信我|私信|私戳|扣1|扣个1|扣一|关注公众号|下载.{0,6}app|扫码下载|戳我|滴滴我|滴滴|滴我|嘀嘀|嘀我|(?<![a-z])dd(?![a-z])"
    r"|找我|加我|联系我|关注我的?(?:主页|账号|抖音|快手|小红书)"
    r"|看(?:我的?)?(?:头像|朋友圈|主页|空间|个签|签名|资料|昵称|名字)|戳(?:我的?)?(?:头像|主页)|点(?:我的?)?头像"
    r"|(?:联系|加|找)(?:我)?(?:vx|v|wx|微信|薇|威|qq|扣扣|q|企鹅)$|(?:需要|要|感兴趣|有意)的?(?:扣扣|qq|vx|私)$|私$"
)
#: What such an invitation is about: money, jobs, free things, low prices, goods for sale.
_MONEY = re.compile(
    r"赚|挣|收入|副业|项目|红包|免费|借款|贷款|奖金|福利|兼职|工资|佣金|返现|低价|便宜|优惠|招聘|代理|货源|领取|价格"
    r"|需要的|要的|有需要|感兴趣|有意者|有意的|批发|出售|转让|清仓|特价|代办|包过|全包|保真|一件代发|量大|从优|钱"
    r"|产品|效果|试听|试用|资料|额度|征信|下款|收益|陪|内部|利息|拿证|详聊|秒结算|价格高|只要\d"
    r"|见效|疗程|根治|包治|专利|名额有限|包教包会|全套|限时|假一赔|零门槛|提成|推广|一半|官方价|半价|打折|折扣"
)


def find_solicitation(views: Views) -> Hit | None:
    """An invitation to continue in private (私聊, 扣1, 关注公众号) about money, jobs or free offers."""
    text = views.compact.text
    if talks_about_spam(views):
        return None
    off = _OFF_GROUP.search(text)
    if off is not None and _MONEY.search(text) is not None:
        if _OFFICIAL_CUE.fullmatch(off.group(0)) and _QUESTION.search(views.norm.text):
            return None  # "扫码关注公众号之后在哪领取": a member asking about our own account
        a, b = views.compact.span(off.start(), off.end())
        return Hit(SOLICITATION, a, b, views.compact.original[a:b], {})
    norm = views.norm.text
    off2 = _OFF_GROUP_NORM.search(norm)
    if off2 is not None and (_MONEY.search(text) is not None or _MONEY_EN.search(norm) is not None):
        a, b = views.norm.span(off2.start(), off2.end())
        return Hit(SOLICITATION, a, b, views.norm.original[a:b], {})
    return None


#: Invitations that name our own channels: a question about them is not an invitation.
_OFFICIAL_CUE = re.compile(r"关注公众号|下载.{0,6}app|扫码下载")
_QUESTION = re.compile(r"在哪|哪里|怎么|如何|是不是|能不能|可以.{0,6}吗|吗[?？!！。～~]*$|呢[?？]*$")
#: Read on the normalised text (spaces and symbols kept): "+ 我", English invitations.
_OFF_GROUP_NORM = re.compile(
    r"(?:[+➕]|加)\s*我(?!们)|\b(?:dm|pm|message|contact|add|text|inbox)\s+me\b|\bhit\s+me\s+up\b"
)
#: English offer words.
_MONEY_EN = re.compile(
    r"\b(?:earn|cheap|discount|returns?|profit|guaranteed|selling|for\s+sale|invest\w*|income|free)\b|\$\s?\d|\d+\s?%\s?off"
)


# ---------------------------------------------------------------------------------------------
# Talk about spam: a member complaining about an ad quotes its words ("有人发加V的广告", "刷单是骗局").

#: Words of a member talking ABOUT spam or scams, not making one.
_META = re.compile(
    r"广告|骗子|骗局|诈骗|被骗|骗人|是骗|防骗|举报|上当|别信|小心|当心|管理员|管管|被踢|踢了|踢出|拉黑|冒充|是真的吗|是不是真的"
    r"|有人.{0,4}(?:私聊|私信|加|找)我|我没理|没理他|别理|有人(?:在)?发|删掉|删了|应该删"
)
#: What makes a message an offer even when it also says 骗 or 小心 ("被骗了？专业追回，加V").
_META_OVERRIDE = re.compile(r"专业追回|包追回|帮.{0,2}追回|追回.{0,6}(?:加|联系|私|找)|包回")


def talks_about_spam(views: Views) -> bool:
    """True when the message discusses spam or scams (a complaint, a warning, a question about one).

    Only the rules that read wording (disguise words without an ID, banned words, scam pitches,
    invitations) defer to it: a real ID, number or link is acted on whatever the words around it.
    """
    text = views.compact.text
    return bool(_META.search(text)) and not _META_OVERRIDE.search(text)


# ---------------------------------------------------------------------------------------------
# Invitations to other groups

#: A group number announced: 群号, 扣扣群, q群, 微信群 followed by 5-12 digits (read through separators).
_GROUP_NUMBER = re.compile(
    r"(?:群号|群号码|(?:qq|扣扣|企鹅|q|微信|vx|wx|福利|交流|内部|兼职|粉丝|官方)群|群)\s*(?:号|号码|id)?\s*[:：=]?\s*"
    r"(?:是\s*)?(?=\d)"
)
#: An invitation to join a group for some gain ("进群领", "拉你进群", "邀请三人进群送").
_GROUP_PITCH = re.compile(
    r"(?:进|加|入|拉你进|拉你入|扫码进|扫码入)(?:我们的?|我的|下面的?|这个)?.{0,4}群.{0,8}"
    r"(?:领|送|赚|福利|红包|免费|返|优惠券|内部价|带|荐|资料)"
    r"|(?:福利|返利|赚钱|兼职|红包|优惠券|外卖券|荐股|内部|特惠|团购|羊毛|薅羊毛)群|进群方式"
    r"|扫.{0,4}(?:下方|下面|图中|这个)?二维码.{0,6}(?:进|加|入).{0,3}群"
    r"|(?:群满|新群|群已满|换群|搬群|群已迁移|群迁移).{0,10}(?:扫|加|进)"
)


def find_group_invite(views: Views) -> Hit | None:
    """An invitation to another group: a group number, or joining a group to get money or free things."""
    text = views.digits.text
    for m in _GROUP_NUMBER.finditer(text):
        run = re.match(r"[\d\s\-.·*]{5,24}", text[m.end() :])
        if run and 5 <= len(re.sub(r"\D", "", run.group(0))) <= 12:
            a, b = views.digits.span(m.start(), m.end() + len(run.group(0).rstrip()))
            return Hit(GROUP_INVITE, a, b, views.digits.original[a:b], {})
    if talks_about_spam(views) or _QUESTION.search(views.norm.text):
        return None  # "官方福利群怎么进？" asks about a group, it does not invite to one
    m2 = _GROUP_PITCH.search(views.compact.text)
    if m2:
        a, b = views.compact.span(m2.start(), m2.end())
        return Hit(GROUP_INVITE, a, b, views.compact.original[a:b], {})
    return None


# ---------------------------------------------------------------------------------------------
# Scam and ad pitches that need no contact to be recognised

#: Each kind: its code, its label, the phrases that give it away on their own, and the weaker
#: phrases members also use honestly (代购, 外挂, 高仿, 副业): those count only in an offer (a
#: call to action or a price/offer word) that is not a question and not a report about spam.
SCAM_KINDS: tuple[tuple[str, Any, re.Pattern[str], re.Pattern[str] | None], ...] = (
    (
        "loan",
        _("a loan offer"),
        re.compile(
            r"黑户|秒批|不看征信|无视征信|征信不好也能|征信花也|当天下款|当天放款|秒下款|下款快|放款快|快速放款"
            r"|不查征信|免征信|停息挂账|代还信用卡|信用卡代还|代提额|快速提额|提额代办|逾期协商|撸口子|资金周转"
        ),
        re.compile(r"急用钱|额度\d*万?|利息低|低息|免息借"),
    ),
    (
        "gambling",
        _("gambling"),
        re.compile(
            r"棋牌|上下分|上分下分|百家乐|赌场|博彩|时时彩|六合彩|北京赛车|彩票(?:平台|计划|内部|包中|带)|包中|稳赢|必中"
            r"|真人在线|bc平台|福彩.{0,4}(?:内部|计划|数据)|体彩.{0,4}(?:内部|计划|数据)|一期一中|跟着买就?(?:行|赚|中)"
        ),
        None,
    ),
    (
        "investment",
        _("an investment or stock-tip pitch"),
        re.compile(
            r"荐股|内幕消息|必涨|牛股|收益翻倍|一周翻倍|本金翻倍|带单|合约带|保本保息|保本高收益|收益日结|稳赚|躺赚|日赚"
            r"|日入\d|零风险|高回报|导师.{0,4}带你|带你操作|月收益\d"
        ),
        re.compile(r"炒币|虚拟币|usdt|承兑|外汇|黄金投资|投资黄金|数字货币|数字人民币.{0,4}兑换"),
    ),
    (
        "followers",
        _("fake followers or engagement"),
        re.compile(
            r"涨粉|刷粉|买粉|刷赞|刷量|刷评|刷好评|包涨|刷播放|买播放|粉丝\d*元|\d+粉\d+元|僵尸粉|点赞员"
        ),
        re.compile(r"代运营"),
    ),
    (
        "resale",
        _("counterfeits or resale"),
        re.compile(r"一件代发|厂家直供|工厂直销|工厂直供|出厂价|一手货源|官换机.{0,6}内部|内部渠道"),
        re.compile(r"高仿|原单|a货|复刻|代购|微商|收购|回收|批发|转让|拼团"),
    ),
    (
        "adult",
        _("adult content or escorts"),
        re.compile(
            r"约炮|小姐姐(?:陪|上门|服务)|小姐姐.{0,8}上门|按摩.{0,8}上门|上门按摩|上门服务|裸聊|一夜情|特殊服务|看片|福利姬"
        ),
        re.compile(r"同城约|同城交友|寂寞|(?<!预)约吗|陪练|陪玩"),
    ),
    (
        "illicit",
        _("an illicit service"),
        re.compile(
            r"代写|代考|答案提前|包过|代消分|办证|代办驾照|代办.{0,4}证|包拿证|不用考试|代开发票|发票点数|精准客户"
            r"|客户资源出售|出售.{0,6}(?:账号|数据|信息)|破解版|辅助.{0,4}不封|低价充值|跑分|老号"
        ),
        re.compile(r"代充|代练|外挂|考试答案|客户数据|消分|繁殖|医美|玻尿酸|减肥药"),
    ),
    (
        "side_job",
        _("a side-job or easy-money pitch"),
        re.compile(
            r"手机操作|动动手指|在家.{0,4}赚|带娃.{0,4}赚|玩游戏.{0,4}赚|搬砖.{0,6}(?:提现|赚|收益)|打金工作室|打字员"
            r"|拉人头|拉新奖励|拉人.{0,4}奖|邀请.{0,3}人.{0,6}(?:送|奖|返)|每天.{0,6}\d{2,4}\+|每天.{0,4}提现|月入\d"
            r"|收入可观|轻松赚|赚钱的机会|一起赚钱|有偿招募|转发朋友圈.{0,6}(?:领|赚|工资)|日结"
            r"|月入[一二三四五六七八九十两]+万|带你.{0,3}(?:赚|月入|日入)|月薪过万|包就业|无需经验|零经验|出国劳务"
            r"|上不封顶|越多赚越多|拉.{0,3}(?:个)?(?:好友|人).{0,4}(?:就|即)?(?:回本|返现|奖励)|充\d+返\d+|earn\$?\d+|workingfromhome|workfromhome|noexperienceneeded"
            r"|guaranteed(?:returns|profit|income)|joinour(?:investment|trading|vip)group"
        ),
        re.compile(r"副业|兼职"),
    ),
    (
        "fake_service",
        _("a fake customer-service or refund notice"),
        re.compile(
            r"双倍赔付|三倍赔付|理赔代办|(?:添加|加)(?:售后|退款|理赔)?(?:专员|经理)"
            r"|(?:航班|订单|课程).{0,4}取消.{0,12}(?:退款|赔偿).{0,10}(?:登录|填写)"
            r"|账户.{0,4}(?:异常|冻结|风险).{0,10}(?:请|立即|尽快)|(?:清零|过期|到期).{0,12}(?:立即|点击|速)"
            r"|自动扣费.{0,12}(?:取消|关闭).{0,4}(?:请|加)|专业追回|包追回|帮.{0,2}追回|追回.{0,6}(?:加|联系|私|找)"
        ),
        None,
    ),
)

#: A question or a report: "这款是代购的吗？", "有人在卖高仿" (a weak phrase in it is not an offer).
_ASKS = re.compile(
    r"[?？]|吗|呢|多少|是不是|能不能|可不可以|怎么|什么|哪|区别|为什么|有人(?:在)?(?:卖|发|做|找)|别找|别买|打假|被封|误封"
)


def find_scam_phrase(views: Views) -> Hit | None:
    """A phrase that gives a scam or an ad away (黑户秒批, 荐股, 刷粉, 上下分…); the hit says its kind.

    Weaker phrases (代购, 外挂, 高仿…) count only in an offer: with a call to action or an offer
    word (see ``find_solicitation``), in a message that is neither a question nor a report.
    """
    if talks_about_spam(views):
        return None
    text = views.compact.text
    offer = _ASKS.search(views.norm.text) is None and (
        _OFF_GROUP.search(text) is not None or _MONEY.search(text) is not None
    )
    best: tuple[int, int, Any] | None = None
    for _code, label, strong, weak in SCAM_KINDS:
        m = strong.search(text) or (weak.search(text) if weak is not None and offer else None)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), m.end(), label)
    if best is None:
        return None
    a, b = views.compact.span(best[0], best[1])
    return Hit(SCAM_PHRASE, a, b, views.compact.original[a:b], {"kind": best[2]})
