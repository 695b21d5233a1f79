"""Markdown to 公众号 article HTML and to our page's preview: structure kept, anything dangerous gone."""

from __future__ import annotations

from typing import Any

import pytest

from socialops.content.rendering import article_html, asset_ids_in, plain_text, preview_html
from socialops.content.selectors import items as selectors
from tests.factories import image_bytes, make_item, make_theme, mp4_bytes, upload

BODY = """# 秋季新品发布

三款新品，**一次看个够**。*限时*优惠见文末。
第二行紧跟着第一行。

## 亮点

- 续航 **14 天**
- 支持 NFC 支付

1. 打开小程序
2. 领取优惠券

![新品海报](asset:7)
![外链图](https://tracker.example.com/pixel.png)

> 用户说：好用！

访问[官网](https://acme.cn/new)，或者[点这里](javascript:alert(1))。
<a href="javascript:alert(2)" onclick="steal()">再点这里</a>

<script>alert("xss")</script>
<iframe src="https://evil.example.com"></iframe>
<section style="color: #ff6600; text-align: center; position: fixed; background-image: url(https://x/y.png)"><span style="font-size: 18px" onmouseover="x()">居中橙色</span></section>
<img src="asset:8" onerror="alert(3)">

| 型号 | 价格 |
| --- | --- |
| S1 | ¥999 |

`code` and

```
pre block
```
"""


def _urls(asset_id: int) -> str | None:
    return {7: "/w/acme/assets/7/file/", 8: "https://cdn.acme.cn/8.jpg"}.get(asset_id)


def test_article_html_keeps_structure() -> None:
    html = article_html(BODY, image_url=_urls)
    for fragment in (
        "<h1>秋季新品发布</h1>",
        "<h2>亮点</h2>",
        "<strong>一次看个够</strong>",
        "<em>限时</em>",
        "<br>",  # a single line break is a line break, as writers expect in Chinese text
        "<li>支持 NFC 支付</li>",
        "<ol>",
        "<blockquote>",
        '<a href="https://acme.cn/new" rel="noopener noreferrer">官网</a>',
        "<table>",
        "<td>¥999</td>",
        "<code>code</code>",
        "<pre><code>pre block",
        '<img src="/w/acme/assets/7/file/" alt="新品海报">',
        '<img src="https://cdn.acme.cn/8.jpg">',
    ):
        assert fragment in html, fragment


def test_article_html_drops_everything_dangerous() -> None:
    html = article_html(BODY, image_url=_urls)
    lowered = html.lower()
    for bad in (
        "<script",
        'alert("xss")',
        "<iframe",
        "evil.example.com",
        "javascript:",
        "onclick",
        "onerror",
        "onmouseover",
        "steal()",
        "tracker.example.com",
        "position",
        "url(",
    ):
        assert bad not in lowered, bad
    # The text of a neutralised link stays; only the link goes.
    assert "再点这里" in html


def test_article_html_keeps_safe_inline_style() -> None:
    html = article_html(BODY, image_url=_urls)
    assert '<section style="color:#ff6600;text-align:center">' in html.replace("; ", ";")
    assert 'style="font-size:18px"' in html.replace(": ", ":")


def test_preview_has_no_style_attributes_at_all() -> None:
    html = preview_html(BODY, image_url=_urls)
    assert "style=" not in html
    assert "<section><span>居中橙色</span></section>" in html
    assert "<script" not in html and "javascript:" not in html


def test_unknown_assets_and_links_to_assets_are_dropped() -> None:
    html = article_html(
        "![a](asset:99) [file](asset:7) <img src='/relative.png'> [rel](/w/other/)", image_url=_urls
    )
    assert "<img" not in html and "asset:" not in html and "href" not in html
    assert "file" in html and "rel" in html


def test_asset_ids_and_plain_text() -> None:
    assert asset_ids_in(BODY) == [7, 8]
    assert asset_ids_in("![a](asset:12) ![b](asset:3) ![c](asset:12)") == [12, 3]
    text = plain_text("# 标题\n\n**正文** &amp; <script>bad()</script>[链接](https://x.cn)")
    assert text == "标题 正文 & 链接"


@pytest.mark.django_db
def test_rendered_item_resolves_only_its_workspaces_images(
    workspace: Any, other_workspace: Any, admin: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    theme = make_theme(workspace)
    ours = upload(workspace, image_bytes())
    clip = upload(workspace, mp4_bytes())
    theirs = upload(other_workspace, image_bytes(color=(5, 5, 5)))
    item = make_item(
        workspace,
        theme,
        body=f"![ours](asset:{ours.pk}) ![video](asset:{clip.pk}) ![theirs](asset:{theirs.pk})",
    )
    rendered = selectors.content_item_rendered(workspace=workspace, user=admin, item=item)
    assert rendered["asset_ids"] == [ours.pk]
    assert f'src="/w/acme/assets/{ours.pk}/file/"' in rendered["preview_html"]
    assert rendered["preview_html"].count("<img") == 1
