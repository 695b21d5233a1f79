"""Property tests: no input crashes a check, and every span points at its text."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialops.textkit.adlaw import AdLawChecker
from socialops.textkit.disclosure import check_disclosure
from socialops.textkit.links import check_urls
from socialops.textkit.platform_rules import PLATFORMS, check_platform, forms
from socialops.textkit.terms import BrandChecker, BrandRule, SensitiveChecker, TermList

PIECES = [
    "最",
    "好",
    "第一",
    "次",
    "全网",
    "最低价",
    "NO.1",
    "ＴＯＰ１",
    "100%",
    "有效",
    "「",
    "」",
    "“",
    "”",
    '"',
    "网友说：",
    "#",
    "＃",
    "话题",
    " ",
    "\u3000",
    "\u200b",
    "\n",
    "https://",
    "www.",
    "example.com",
    "/a(b",
    "%",
    "😀",
    "👨‍👩‍👧",
    "🇨🇳",
    "é",
    "广告",
    "【广告】",
    "星曜 X1 Pro",
    "敏感词",
    "。",
    "，",
    "：",
    "x",
    "1",
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=30).map("".join)

ADLAW = AdLawChecker(allowed_names=["最美时光"])
SENSITIVE = SensitiveChecker([TermList("l", ("敏感词", "bad word"), "block")])
BRAND = BrandChecker([BrandRule("星曜 X1 Pro", ("星耀X1pro",))], ["yyds"])


def _spans_ok(text, findings):
    for f in findings:
        if f.start is None:
            continue
        assert 0 <= f.start <= f.end <= len(text)
        if f.field == "body":
            assert text[f.start : f.end] == f.text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_text_checks_never_crash_and_spans_match(text):
    _spans_ok(text, ADLAW.check(text))
    _spans_ok(text, SENSITIVE.check(text))
    _spans_ok(text, BRAND.check(text))
    _spans_ok(text, check_urls(text))
    _spans_ok(text, check_disclosure("weibo", text, is_ad=True))


@settings(max_examples=150, deadline=None)
@given(texts, texts, st.sampled_from([(p, f) for p in PLATFORMS for f in forms(p)]))
def test_platform_check_never_crashes(title, body, pf):
    findings = check_platform(pf[0], pf[1], title=title, body=body, hashtags=[title[:10]])
    for f in findings:
        if f.field == "body" and f.start is not None:
            assert body[f.start : f.end] == f.text
        if f.field == "title" and f.start is not None:
            assert title[f.start : f.end] == f.text
