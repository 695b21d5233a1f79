"""Markdown bodies rendered to the HTML a 公众号 article accepts, and to a safe preview for our pages.

Writers use Markdown, and may paste HTML snippets from 公众号 layout editors (``<section>``
blocks with inline styles), so raw HTML is parsed and then sanitised with nh3 down to what a
公众号 draft keeps: paragraphs, line breaks, emphasis, headings h1–h4, quotes, lists, images,
links, code, tables, ``<section>`` and ``<span>``. Scripts, iframes, forms, event handlers and
``javascript:`` links never survive.

Images come from our media library only: write ``![说明](asset:12)`` (or ``<img src="asset:12">``);
the caller maps asset ids to URLs (our member-only file view for the preview, the platform's
own uploaded-image URL when publishing). Any other image source is dropped, because a 公众号
article may not hot-link images and a preview must not fetch third-party trackers.

Two outputs, one pipeline:

* ``article_html`` — what goes to the platform. Inline ``style`` is kept (limited to harmless
  typography and box properties), since 公众号 articles carry their layout that way.
* ``preview_html`` — what our own page shows, inline in the item page. It has no ``style``
  attributes at all, so the page keeps its strict Content-Security-Policy (no inline style
  needed) and the article's look comes from our stylesheet. We chose this over a sandboxed
  iframe with its own CSP because the preview's purpose is reading the text and checking
  structure and images, and an inline fragment needs no second view, no frame-ancestors
  exception and works with the page's own fonts and width.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt

ImageUrl = Callable[[int], str | None]

ASSET_SRC = re.compile(r"^asset:(\d{1,18})$")
# Any image reference to our library in a body: Markdown ![..](asset:N) or HTML src="asset:N".
ASSET_REF = re.compile(r"asset:(\d{1,18})")

ARTICLE_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "blockquote",
    "ul",
    "ol",
    "li",
    "img",
    "a",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "section",
    "span",
    "hr",
}
LINK_SCHEMES = {"http", "https", "mailto"}
# Typography and box properties only: nothing that positions, overlays or loads a URL.
STYLE_PROPERTIES = {
    "color",
    "background-color",
    "font-size",
    "font-weight",
    "font-style",
    "font-family",
    "text-align",
    "text-indent",
    "text-decoration",
    "line-height",
    "letter-spacing",
    "word-break",
    "margin",
    "margin-top",
    "margin-bottom",
    "margin-left",
    "margin-right",
    "padding",
    "padding-top",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "border",
    "border-top",
    "border-bottom",
    "border-left",
    "border-right",
    "border-radius",
    "border-color",
    "border-style",
    "border-width",
    "width",
    "max-width",
    "height",
    "vertical-align",
    "display",
    "box-sizing",
}
_BASE_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"colspan", "rowspan", "align"},
    "td": {"colspan", "rowspan", "align"},
    "ol": {"start"},
}
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")

_markdown = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable("table")
# markdown-it leaves a link it distrusts as literal "[text](javascript:…)" text; let it make the
# link and have the sanitiser drop the address, so the reader sees just the words.
_markdown.validateLink = lambda url: True  # type: ignore[method-assign]


def markdown_to_html(body: str) -> str:
    """Markdown (with raw HTML allowed) to unsanitised HTML. Never show this: sanitise it first."""
    return _markdown.render(body or "")


def asset_ids_in(body: str) -> list[int]:
    """The ids of our images a body refers to, in order of first use (a publisher uploads these)."""
    seen: list[int] = []
    for match in ASSET_REF.finditer(body or ""):
        asset_id = int(match.group(1))
        if asset_id not in seen:
            seen.append(asset_id)
    return seen


def _sanitise(html: str, *, image_url: ImageUrl, keep_style: bool) -> str:
    resolved: set[str] = set()

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if tag == "img" and attr == "src":
            match = ASSET_SRC.match(value.strip())
            url = image_url(int(match.group(1))) if match else None
            if url is None:
                return None
            resolved.add(url)
            return url
        if tag == "a" and attr == "href" and value.strip().lower().startswith("asset:"):
            return None
        return value

    def relative_url(url: str) -> str | None:
        # Only our own resolved image URLs may be relative; a relative link means nothing on a platform.
        return url if url in resolved else None

    attributes = {tag: set(attrs) for tag, attrs in _BASE_ATTRIBUTES.items()}
    if keep_style:
        attributes["*"] = {"style"}
    cleaner = nh3.Cleaner(
        tags=ARTICLE_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "template"},
        attributes=attributes,
        attribute_filter=attribute_filter,
        # "asset" lets our image references reach the filter, which resolves or drops them.
        url_schemes=LINK_SCHEMES | {"asset"},
        url_relative=relative_url,
        filter_style_properties=STYLE_PROPERTIES if keep_style else None,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    cleaned = cleaner.clean(html)
    # An image whose source was dropped is an empty box; remove it rather than ship it.
    return _IMG_WITHOUT_SRC.sub("", cleaned).strip()


def article_html(body: str, *, image_url: ImageUrl) -> str:
    """The HTML a 公众号 article accepts, with inline styles limited to typography and boxes."""
    return _sanitise(markdown_to_html(body), image_url=image_url, keep_style=True)


def preview_html(body: str, *, image_url: ImageUrl) -> str:
    """The same article for our own pages: no style attributes, so it fits a strict CSP."""
    return _sanitise(markdown_to_html(body), image_url=image_url, keep_style=False)


def plain_text(body: str) -> str:
    """The words of a Markdown body without markup (for teasers and excerpts), whitespace collapsed."""
    text = nh3.clean(markdown_to_html(body), tags=set(), clean_content_tags={"script", "style"})
    return re.sub(r"\s+", " ", html.unescape(text)).strip()
