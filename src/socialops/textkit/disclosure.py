"""Ad disclosure: an item marked as advertising or sponsored must say so where readers see it.

China: 《互联网广告管理办法》 (SAMR Order No. 72, published 2023-02-25, in force 2023-05-01),
Art. 9: an internet ad must be recognisable as an ad; content that promotes goods through
knowledge, experience sharing or reviews with a way to buy must be marked "广告" prominently.
So on the Chinese platforms the word is 「广告」 itself (推广 / 赞助 / 合作 are not enough),
at the start or the end of the text, unless the platform's own commercial-order label is set
(星图, 蒲公英, 花火 …: the platform then shows its label).

Elsewhere (X, Mastodon, Bluesky, Telegram) we follow the FTC's "Disclosures 101 for Social Media
Influencers" (November 2019): "#ad", "#sponsored", "Ad:" or "Sponsored" where it is hard to
miss; X also has its own paid-partnership label. 「广告」 is accepted there too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .findings import Finding
from .normalize import normalize

CHECK = "disclosure"

#: How close to the start or the end (in characters, spaces ignored) a marker must stand.
EDGE = 12


@dataclass(frozen=True, slots=True)
class DisclosureRule:
    """What one platform requires of an ad."""

    platform: str
    marker: str  # the suggested marker
    accepted: str  # regex of accepted markers (on the normalised text)
    platform_flag: str | None  # name of the platform's own commercial label, if any
    source: str
    assumption_note: str = ""


_CN_MARKER = r"(?<![打做投非])(?<!不是)[【\[（(#「]?\s*广告\s*[】\]）)#」:：]?(?!法|位|费|牌|投放|主|商|语|词|业|片|公司)"
_INTL_MARKER = rf"(?:(?<![\w#])#(?:ad|ads|sponsored|advertisement|paidpartnership)(?![\w])|^\s*(?:ad|sponsored)\s*[:|-]|(?<![\w])sponsored(?![\w])|{_CN_MARKER})"
_WRONG_WORDS = r"推广|赞助|商务合作|品牌合作|商业合作|合作|恰饭|种草合作|广而告之"

_SRC_CN = "《互联网广告管理办法》(国家市场监督管理总局令第72号, 2023-02-25, 自2023-05-01施行) 第九条：显著标明“广告”"
_SRC_FTC = "FTC, Disclosures 101 for Social Media Influencers (Nov 2019), https://www.ftc.gov/business-guidance/resources/disclosures-101-social-media-influencers"

RULES: dict[str, DisclosureRule] = {
    "wechat_mp": DisclosureRule("wechat_mp", "【广告】", _CN_MARKER, None, _SRC_CN),
    "weibo": DisclosureRule(
        "weibo",
        "【广告】",
        _CN_MARKER,
        "微任务 commercial order",
        _SRC_CN,
        "Our assumption: 微任务 orders carry Weibo's own ad label.",
    ),
    "douyin": DisclosureRule(
        "douyin",
        "【广告】",
        _CN_MARKER,
        "巨量星图 order",
        _SRC_CN,
        "Our assumption: 星图 orders carry Douyin's own label.",
    ),
    "xiaohongshu": DisclosureRule(
        "xiaohongshu",
        "【广告】",
        _CN_MARKER,
        "蒲公英 cooperation label",
        _SRC_CN,
        "Our assumption: 蒲公英 notes carry Xiaohongshu's own label.",
    ),
    "channels": DisclosureRule(
        "channels",
        "【广告】",
        _CN_MARKER,
        "互选平台 order",
        _SRC_CN,
        "Our assumption: 互选 orders carry the platform's own label.",
    ),
    "bilibili": DisclosureRule(
        "bilibili",
        "【广告】",
        _CN_MARKER,
        "花火 order",
        _SRC_CN,
        "Our assumption: 花火 orders carry Bilibili's own label.",
    ),
    "kuaishou": DisclosureRule(
        "kuaishou",
        "【广告】",
        _CN_MARKER,
        "磁力聚星 order",
        _SRC_CN,
        "Our assumption: 磁力聚星 orders carry Kuaishou's own label.",
    ),
    "zhihu": DisclosureRule(
        "zhihu",
        "【广告】",
        _CN_MARKER,
        "知+ order",
        _SRC_CN,
        "Our assumption: 知+ content carries Zhihu's own label.",
    ),
    "x": DisclosureRule(
        "x",
        "#ad",
        _INTL_MARKER,
        "paid-partnership label",
        _SRC_FTC + "; X Help Center, Paid partnerships policy",
        "Our assumption: X's paid-partnership label counts as disclosure.",
    ),
    "mastodon": DisclosureRule("mastodon", "#ad", _INTL_MARKER, None, _SRC_FTC),
    "bluesky": DisclosureRule("bluesky", "#ad", _INTL_MARKER, None, _SRC_FTC),
    "telegram": DisclosureRule("telegram", "#ad", _INTL_MARKER, None, _SRC_FTC),
}


# Long on purpose: the disclosure rule is one decision list (flag, marker, position, title) whose
# order matters; each step is commented where it is decided.
def check_disclosure(
    platform: str,
    text: str,
    *,
    is_ad: bool,
    platform_flag: bool = False,
    title: str | None = None,
    field: str = "body",
) -> list[Finding]:
    """Findings when an ad lacks its disclosure.

    Nothing to say when ``is_ad`` is false, or when the platform has its own label and
    ``platform_flag`` is set. A marker within ``EDGE`` characters of the start or end of the
    text (or at the start of ``title``) satisfies the rule; a marker only in the middle is a
    warning; no marker is a block finding with a zero-length span at 0 (where to insert it) and
    the marker as the suggestion. On the Chinese platforms a near miss (推广, 赞助, 合作 …) is
    reported on its own span.
    """
    if not is_ad:
        return []
    rule = RULES.get(platform)
    if rule is None:
        raise KeyError(platform)
    if platform_flag and rule.platform_flag:
        return []
    rx = re.compile(rule.accepted, re.I | re.M)
    if title:
        nt_title = normalize(title, drop_spaces="cjk")
        m = rx.search(nt_title.text)
        if m and m.start() <= EDGE:
            return []
    nt = normalize(text, drop_spaces="cjk")
    s = nt.text
    middle = None
    for m in rx.finditer(s):
        if not m.group(0).strip():
            continue
        if m.start() <= EDGE or len(s) - m.end() <= EDGE:
            return []
        middle = middle or m
    if middle is not None:
        a, b = nt.span(middle.start(), middle.end())
        return [
            Finding(
                CHECK,
                "warn",
                a,
                b,
                text[a:b],
                "disclosure.not_prominent",
                {"term": text[a:b], "marker": rule.marker, "platform": platform},
                rule.marker,
                field,
            )
        ]
    out = []
    if rule.marker == "【广告】":
        for m in re.finditer(_WRONG_WORDS, s):
            a, b = nt.span(m.start(), m.end())
            out.append(
                Finding(
                    CHECK,
                    "block",
                    a,
                    b,
                    text[a:b],
                    "disclosure.wrong_word",
                    {"term": text[a:b], "marker": rule.marker, "platform": platform},
                    rule.marker,
                    field,
                )
            )
            break
    if not out:
        out.append(
            Finding(
                CHECK,
                "block",
                0,
                0,
                "",
                "disclosure.missing",
                {"marker": rule.marker, "platform": platform},
                rule.marker,
                field,
            )
        )
    return out
