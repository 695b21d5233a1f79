"""Hashtag checks leave Markdown headings alone; bare topic names are written in the platform's syntax."""

from __future__ import annotations

from socialops.textkit.platform_rules import as_platform_hashtag, check_platform


def _hashtag_findings(**kwargs: object) -> list[object]:
    return [f for f in check_platform(**kwargs) if f.message_code.startswith("platform.hashtag")]  # type: ignore[arg-type]


def test_markdown_headings_are_not_hashtags() -> None:
    body = "# 新品发布\n\n## 续航实测\n正文内容 #星曜X1Pro#\n"
    assert _hashtag_findings(platform="weibo", form="post", body=body) == []


def test_bare_topic_names_are_written_in_platform_syntax() -> None:
    assert as_platform_hashtag("weibo", "post", "新品首发") == "#新品首发#"
    assert as_platform_hashtag("mastodon", "post", "launch") == "#launch"
    assert as_platform_hashtag("weibo", "post", "#已有标记#") == "#已有标记#"
    tags = [as_platform_hashtag("weibo", "post", "新品首发")]
    assert _hashtag_findings(platform="weibo", form="post", body="正文", hashtags=tags) == []
    bad = [as_platform_hashtag("mastodon", "post", "two words")]
    assert len(_hashtag_findings(platform="mastodon", form="post", body="text", hashtags=bad)) == 1


def test_a_lone_mark_in_text_is_still_reported() -> None:
    assert len(_hashtag_findings(platform="weibo", form="post", body="参与话题 #新品首发 赢好礼")) == 1
