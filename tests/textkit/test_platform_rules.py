"""The platform rules table, the counting rules and check_platform."""

import pytest

from socialops.textkit.platform_rules import (
    PLATFORMS,
    RULES,
    Limit,
    Rule,
    Source,
    TextRule,
    check_platform,
    count_text,
    forms,
    get_rules,
    grapheme_count,
    overflow_start,
)

BRIEF_PLATFORMS = {
    "wechat_mp",
    "weibo",
    "douyin",
    "xiaohongshu",
    "channels",
    "bilibili",
    "kuaishou",
    "zhihu",
    "mastodon",
    "bluesky",
    "telegram",
    "x",
}


def _sources(rules):
    for name in rules.__dataclass_fields__:
        value = getattr(rules, name)
        if isinstance(value, TextRule):
            for lim in (value.max, value.min):
                if lim is not None:
                    yield f"{name}", lim.source
        elif isinstance(value, (Limit, Rule)):
            yield name, value.source


def test_every_platform_of_the_brief_is_in_the_table():
    assert set(PLATFORMS) == BRIEF_PLATFORMS
    for p in PLATFORMS:
        assert forms(p)


def test_every_value_has_a_source_and_assumptions_say_so():
    for key, rules in RULES.items():
        assert rules.links is not None and rules.hashtags is not None and rules.video is not None, key
        for name, src in _sources(rules):
            assert isinstance(src, Source) and src.title, (key, name)
            if src.assumption:
                assert src.note, (key, name)  # an assumption says what it rests on
            else:
                assert src.url and src.url.startswith("https://"), (key, name)


def test_starting_values_of_the_issue():
    wx = get_rules("wechat_mp", "article")
    assert (wx.title.max.value, wx.author.max.value, wx.digest.max.value, wx.body.max.value) == (
        32,
        16,
        128,
        19_999,
    )
    assert (
        get_rules("weibo", "post").body.max.value == 140 and get_rules("weibo", "long").body.max.value == 2000
    )
    xhs = get_rules("xiaohongshu", "note")
    assert (xhs.title.max.value, xhs.body.max.value) == (20, 1000)
    dy = get_rules("douyin", "image_text")
    assert (dy.title.max.value, dy.body.max.value, get_rules("douyin", "video").title.max.value) == (
        20,
        1000,
        30,
    )
    ch = get_rules("channels", "video")
    assert (ch.title.min.value, ch.title.max.value) == (6, 16)
    assert get_rules("mastodon").body.max.value == 500
    assert get_rules("bluesky").body.max.value == 300
    assert get_rules("x").body.max.value == 280
    assert get_rules("telegram", "message").body.max.value == 4096
    assert get_rules("telegram", "media").body.max.value == 1024
    with pytest.raises(KeyError):
        get_rules("myspace")


def test_grapheme_counting_of_cjk_ascii_and_emoji():
    assert grapheme_count("中文abc") == 5
    assert grapheme_count("👨‍👩‍👧") == 1  # a ZWJ family is one character
    assert grapheme_count("🇨🇳") == 1
    assert grapheme_count("é") == 1  # e + combining acute
    assert count_text("中文abc😀👨‍👩‍👧🇨🇳", "graphemes") == 8


def test_weibo_counting():
    assert count_text("中文", "weibo") == 2
    assert count_text("abc", "weibo") == 2  # 1.5 rounded up
    assert (
        count_text("看 https://example.com/a/very/long/path/that/is/long", "weibo") == 12
    )  # 1 + ½ + 10 → 12


def test_x_counting():
    assert count_text("hello", "x") == 5
    assert count_text("中文", "x") == 4
    assert count_text("😀", "x") == 2
    assert count_text("👨‍👩‍👧", "x") == 2
    assert count_text("a https://example.com/" + "p" * 100, "x") == 2 + 23
    assert count_text("café", "x") == 4


def test_mastodon_and_utf16_counting():
    assert count_text("hi @bob@mastodon.social", "mastodon") == 3 + 4
    assert count_text("https://example.com/" + "x" * 80, "mastodon") == 23
    assert count_text("😀a", "utf16") == 3
    assert count_text("中文", "utf16") == 2


def test_overflow_span_marks_the_characters_past_the_limit():
    text = "中" * 141
    (f,) = check_platform("x", "post", body=text)
    assert (f.field, f.severity, f.message_code) == ("body", "block", "platform.too_long")
    assert (f.start, f.end) == (140, 141)
    assert f.params["count"] == 282 and f.params["limit"] == 280
    # An emoji straddling the limit is marked whole.
    text = "a" * 299 + "👨‍👩‍👧" + "b"
    (f,) = check_platform("bluesky", "post", body=text)
    assert text[f.start : f.end] == "b"
    assert overflow_start("a" * 300, 300) is None


def test_wechat_fields():
    findings = check_platform(
        "wechat_mp", "article", title="标" * 33, author="作者" * 9, digest="摘" * 128, body="正文"
    )
    got = {(f.field, f.message_code, f.start, f.end) for f in findings}
    assert got == {("title", "platform.too_long", 32, 33), ("author", "platform.too_long", 16, 18)}
    missing = check_platform("wechat_mp", "article", body="正文")
    assert [(f.field, f.message_code, f.start) for f in missing] == [("title", "platform.required", None)]


def test_channels_short_title_minimum_and_video():
    findings = check_platform("channels", "video", title="新品来了")
    assert {(f.field, f.message_code) for f in findings} == {
        ("title", "platform.too_short"),
        ("video", "platform.video_missing"),
    }
    assert check_platform("channels", "video", title="六个字的标题", video=(10_000_000, 30)) == []


def test_unsupported_field_is_a_note():
    (f,) = check_platform("weibo", "post", body="你好", title="标题")
    assert (f.severity, f.message_code, f.field) == ("info", "platform.not_supported", "title")


def test_images_and_video_limits():
    findings = check_platform(
        "telegram",
        "media",
        body="hi",
        images=[(11 * 1024 * 1024, 9000, 2000), (100, 100, 2100)] + [(1, 1, 1)] * 9,
        video=(60 * 1024 * 1024, 10),
    )
    codes = sorted((f.field, f.message_code, f.params.get("index", 0)) for f in findings)
    assert codes == [
        ("images", "platform.image_dimensions", 1),
        ("images", "platform.image_dimensions", 2),
        ("images", "platform.image_too_large", 1),
        ("images", "platform.too_many_images", 0),
        ("video", "platform.video_too_large", 0),
    ]
    assert all(f.start is None for f in findings)
    x = check_platform("x", "post", body="hi", video=(1000, 200))
    assert [f.message_code for f in x] == ["platform.video_too_long"]
    xhs = check_platform("xiaohongshu", "note", body="正文")
    assert [f.message_code for f in xhs] == ["platform.too_few_images"]


def test_weibo_hashtags_are_pairs():
    body = "今天 #新品上市# 来了 #第二个话题 结尾 https://example.com/#anchor"
    (f,) = check_platform("weibo", "post", body=body)
    assert (f.message_code, body[f.start : f.end], f.suggestion) == (
        "platform.hashtag_malformed",
        "#第二个话题",
        "#第二个话题#",
    )
    findings = check_platform("weibo", "post", body="你好", hashtags=["#话题#", "#话题", "话题"])
    assert [(f.params["index"], f.suggestion) for f in findings] == [(1, "#话题#"), (2, "#话题#")]


def test_other_platforms_use_prefix_hashtags():
    body = "看 #话题# 和 ＃全角 还有 # 空格"
    findings = check_platform("douyin", "image_text", body=body, images=[(1, 1, 1)])
    got = [(body[f.start : f.end], f.suggestion) for f in findings]
    assert got == [("#话题#", "#话题"), ("＃全角", "#全角"), ("# 空格", "#空格")]
    bad = check_platform("x", "post", body="hi", hashtags=["#ok", "#not ok", "#2024", "tag"])
    assert [(f.params["index"], f.start, f.end, f.suggestion) for f in bad] == [
        (1, 4, 7, "#notok"),
        (2, 0, 5, "#2024"),
        (3, 0, 3, "#tag"),
    ]


def test_bilibili_tags_are_plain_and_limited():
    tags = [f"标签{i}" for i in range(11)] + ["#带井号"]
    findings = check_platform("bilibili", "video", title="标题", video=(1, 1), hashtags=tags)
    codes = [f.message_code for f in findings]
    assert codes.count("platform.hashtag_malformed") == 1
    assert "platform.too_many_hashtags" in codes
    long_tag = check_platform("bluesky", "post", body="hi", hashtags=["#" + "长" * 65])
    assert [f.message_code for f in long_tag] == ["platform.hashtag_too_long"]


def test_link_policies():
    body = "详情见 https://example.com/a 和 https://mp.weixin.qq.com/s/abc"
    (f,) = check_platform("wechat_mp", "article", title="t", body=body)
    assert (f.message_code, body[f.start : f.end]) == (
        "platform.link_domain_restricted",
        "https://example.com/a",
    )
    (f,) = check_platform("xiaohongshu", "note", body="看 www.example.com", images=[(1, 1, 1)])
    assert (f.severity, f.message_code, f.text) == ("warn", "platform.link_not_allowed", "www.example.com")
    (f,) = check_platform("douyin", "video", title="t", video=(1, 1), body=None) or [None]
    assert f is None
    assert check_platform("x", "post", body="see https://example.com") == []


def test_messages_render():
    (f,) = check_platform("x", "post", body="中" * 141)
    assert f.message() == (
        "The body is 282 weighted characters long; X post allows at most 280. The part past the limit is marked."
    )
