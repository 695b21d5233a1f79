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

Articles written in the rich-text editor (``body_format == "html"``, see docs/editor.md) skip
the Markdown step: their body is already HTML, sanitised by ``stored_html`` with the same
allow-list when it is saved, and sanitised again by the same pipeline when rendered.

Two outputs, one pipeline:

* ``article_html`` — what goes to the platform. Inline ``style`` is kept (limited to harmless
  typography and box properties), since 公众号 articles carry their layout that way.
* ``preview_html`` — what our own page shows, inline in the item page. It has no ``style``
  attributes at all, so the page keeps its strict Content-Security-Policy (no inline style
  needed) and the article's look comes from our stylesheet. A rich-text body keeps its allowed
  styles here too (its colours and alignment are the point of the editor); the policy's
  ``style-src-attr`` already allows style attributes, and the allow-list keeps them to typography. We chose this over a sandboxed
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

MARKDOWN = "markdown"
HTML = "html"

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
# The editor shows library images through our member-only file view; stored, they are asset:N.
_OWN_ASSET_URL = re.compile(
    r"""(<img\b[^>]*?\ssrc=)(["'])(?:https?://[^"'/\s]+)?/w/[\w-]+/assets/(\d{1,18})/(?:file|thumbnail)/\2""",
    re.IGNORECASE,
)
# Where blocks end in HTML: the plain text keeps them apart as lines.
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote|section|pre|tr|ul|ol|table)>|<br\s*/?>|<hr\s*/?>", re.I)

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


def _as_html(body: str, body_format: str) -> str:
    return (body or "") if body_format == HTML else markdown_to_html(body)


def stored_html(body: str, *, image_url: ImageUrl) -> str:
    """A rich-text body as we store it: sanitised by the article allow-list, images as ``asset:N``.

    ``image_url`` answers ``asset:N`` for the workspace's images (anything else is dropped);
    our own file-view URLs the editor displays are turned back into ``asset:N`` first.
    """
    body = _OWN_ASSET_URL.sub(lambda m: f"{m.group(1)}{m.group(2)}asset:{m.group(3)}{m.group(2)}", body or "")
    return _sanitise(body, image_url=image_url, keep_style=True)


def article_html(body: str, *, image_url: ImageUrl, body_format: str = MARKDOWN) -> str:
    """The HTML a 公众号 article accepts, with inline styles limited to typography and boxes."""
    return _sanitise(_as_html(body, body_format), image_url=image_url, keep_style=True)


def preview_html(body: str, *, image_url: ImageUrl, body_format: str = MARKDOWN) -> str:
    """The same article for our own pages: no style attributes for Markdown (as before); a
    rich-text body keeps its allowed styles (colours, alignment), which is what its author set."""
    return _sanitise(_as_html(body, body_format), image_url=image_url, keep_style=body_format == HTML)


def body_text(body: str, body_format: str = MARKDOWN) -> str:
    """The text the checks read: a Markdown body as written; a rich-text body as its words, one
    line a block (what the editor's text is, so findings point at the same characters)."""
    if body_format != HTML:
        return body or ""
    text = _BLOCK_END.sub("\n", body or "")
    text = nh3.clean(text, tags=set(), clean_content_tags={"script", "style"})
    return re.sub(r"\n{2,}", "\n", html.unescape(text)).strip("\n")


def plain_text(body: str, body_format: str = MARKDOWN) -> str:
    """The words of a body without markup (for teasers and excerpts), whitespace collapsed."""
    source = _BLOCK_END.sub(" ", body or "") if body_format == HTML else markdown_to_html(body)
    text = nh3.clean(source, tags=set(), clean_content_tags={"script", "style"})
    return re.sub(r"\s+", " ", html.unescape(text)).strip()
