"""Ad disclosure per platform."""

import pytest

from socialops.textkit.disclosure import RULES, check_disclosure
from socialops.textkit.platform_rules import PLATFORMS


def codes(findings):
    return [(f.severity, f.message_code, f.start, f.end, f.text, f.suggestion) for f in findings]


def test_every_platform_has_a_rule():
    assert set(PLATFORMS) == set(RULES)


def test_not_an_ad_means_nothing_to_check():
    assert check_disclosure("xiaohongshu", "今天分享一款面霜", is_ad=False) == []


@pytest.mark.parametrize(
    "text",
    [
        "【广告】今天分享一款面霜",
        "今天分享一款面霜，真的好用。#广告",
        "广告：今天分享一款面霜",
        "今天分享一款面霜 [广告]",
        "［广告］今天分享",
    ],
)
def test_marker_at_start_or_end(text):
    assert check_disclosure("xiaohongshu", text, is_ad=True) == []


def test_missing_marker_is_blocking_with_insertion_point():
    assert codes(check_disclosure("douyin", "今天分享一款面霜", is_ad=True)) == [
        ("block", "disclosure.missing", 0, 0, "", "【广告】")
    ]


def test_near_miss_words_are_not_enough_in_china():
    text = "今天分享一款面霜，本文为品牌合作"
    assert codes(check_disclosure("wechat_mp", text, is_ad=True)) == [
        ("block", "disclosure.wrong_word", 12, 16, "品牌合作", "【广告】")
    ]


def test_marker_in_the_middle_is_a_warning():
    text = "开头写了很长很长很长很长的一段话，中间写着广告两个字，后面又是很长很长很长很长很长的结尾"
    (f,) = check_disclosure("weibo", text, is_ad=True)
    assert (f.severity, f.message_code, text[f.start : f.end]) == ("warn", "disclosure.not_prominent", "广告")


def test_words_that_only_contain_guanggao_do_not_count():
    for text in (
        "根据广告法的规定我们今天来聊聊面霜这款产品到底好不好用",
        "我们不打广告，只做好产品，今天聊聊面霜这款产品好不好用",
    ):
        assert check_disclosure("bilibili", text, is_ad=True)[0].message_code == "disclosure.missing"


def test_title_marker_and_platform_flag():
    assert check_disclosure("wechat_mp", "正文没有标注", is_ad=True, title="【广告】新品介绍") == []
    assert check_disclosure("xiaohongshu", "正文没有标注", is_ad=True, platform_flag=True) == []
    # 公众号 has no platform label: the flag does not help there.
    assert check_disclosure("wechat_mp", "正文没有标注", is_ad=True, platform_flag=True)


def test_international_markers():
    assert check_disclosure("x", "Great shoes! #ad", is_ad=True) == []
    assert check_disclosure("mastodon", "Sponsored: our new app", is_ad=True) == []
    assert check_disclosure("bluesky", "#ＡＤ new shoes", is_ad=True) == []
    assert codes(check_disclosure("telegram", "Great shoes, love them #adidas", is_ad=True)) == [
        ("block", "disclosure.missing", 0, 0, "", "#ad")
    ]
    with pytest.raises(KeyError):
        check_disclosure("myspace", "x", is_ad=True)
