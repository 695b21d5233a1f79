"""Platform rules: one declarative table of limits per platform and form, and the checker.

The table is data/platform_rules.toml, read at import into ``RULES``. Every value in it carries
its ``Source``: the platform's published documentation (title, URL, date when known) or, where
we found no published figure, ``assumption=True`` with a note saying what the value rests on.
``check_platform`` applies a form's rules to a draft and returns findings; text findings carry
the exact span of the characters past the limit.

How lengths are counted (``Counting``):

* ``graphemes``: one per user-perceived character (Unicode extended grapheme cluster): a
  Chinese character, an ASCII letter, an emoji such as 👨‍👩‍👧 or 🇨🇳 each count 1; links count as
  written.
* ``weibo``: in 汉字 units: a character outside ASCII counts 1, an ASCII character ½, a link
  counts 10 (Weibo turns every link into a t.cn short link of about 20 ASCII characters; our
  assumption); the total is rounded up.
* ``x``: X's weighted length (twitter-text v3): code points U+0000–U+10FF, U+2000–U+200D,
  U+2010–U+201F and U+2032–U+2037 weigh 1, everything else (CJK, most symbols) 2, an emoji
  sequence 2, a link 23 whatever its length; text is NFC-normalised first.
* ``mastodon``: graphemes, but a link counts 23 and a remote mention @user@domain counts as
  @user.
* ``utf16``: UTF-16 code units (Telegram counts entity offsets this way; an emoji outside the
  BMP counts 2). Our assumption for the length limit too.
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Literal

import regex

from .findings import Finding, Severity
from .links import find_urls

CHECK = "platform"

Counting = Literal["graphemes", "weibo", "x", "mastodon", "utf16"]
HashtagStyle = Literal["pair", "prefix", "plain"]
LinkPolicy = Literal["allowed", "not_clickable", "not_allowed", "restricted"]
VideoPolicy = Literal["required", "optional", "none"]

COUNTING_UNITS: dict[str, str] = {
    "graphemes": "characters",
    "weibo": "汉字 units",
    "x": "weighted characters",
    "mastodon": "characters",
    "utf16": "UTF-16 units",
}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value comes from."""

    title: str
    url: str | None = None
    date: str | None = None
    assumption: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Limit:
    """A number and its source."""

    value: float
    source: Source


@dataclass(frozen=True, slots=True)
class TextRule:
    """Length rule of one text field."""

    max: Limit | None = None
    min: Limit | None = None
    counting: Counting = "graphemes"
    required: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    """A value that is not a number (hashtag syntax, link policy, video policy) and its source."""

    value: str
    source: Source
    domains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FormRules:
    """Every limit of one platform and form. ``None`` for a text field = the form has no such field."""

    platform: str
    form: str
    label: str
    title: TextRule | None = None
    body: TextRule | None = None
    digest: TextRule | None = None
    author: TextRule | None = None
    max_images: Limit | None = None
    min_images: Limit | None = None
    max_image_bytes: Limit | None = None
    max_image_pixels: Limit | None = None
    max_image_side_sum: Limit | None = None
    max_image_ratio: Limit | None = None
    video: Rule | None = None
    max_video_bytes: Limit | None = None
    max_video_seconds: Limit | None = None
    min_video_seconds: Limit | None = None
    hashtags: Rule | None = None
    max_hashtags: Limit | None = None
    max_hashtag_length: Limit | None = None
    links: Rule | None = None
    notes: tuple[str, ...] = field(default=())


MB = 1024 * 1024

# ---------------------------------------------------------------------------------------------
# The table itself lives in data/platform_rules.toml: sources first, then one [[forms]] row per
# platform and form. It is read once at import into the frozen dataclasses above.

_LIMIT_FIELDS = (
    "max_images",
    "min_images",
    "max_image_bytes",
    "max_image_pixels",
    "max_image_side_sum",
    "max_image_ratio",
    "max_video_bytes",
    "max_video_seconds",
    "min_video_seconds",
    "max_hashtags",
    "max_hashtag_length",
)
_TEXT_FIELDS = ("title", "body", "digest", "author")
_RULE_FIELDS = ("video", "hashtags", "links")


def _form_rules(row: dict[str, Any], sources: dict[str, Source]) -> FormRules:
    """One [[forms]] row of the data file as ``FormRules`` (sources named by their key)."""
    kwargs: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        if (text := row.get(name)) is not None:
            # max and min share the field's source; a field with neither names none.
            bounds = {k: Limit(text[k], sources[text["source"]]) for k in ("max", "min") if k in text}
            kwargs[name] = TextRule(
                bounds.get("max"),
                bounds.get("min"),
                text.get("counting", "graphemes"),
                text.get("required", False),
            )
    for name in _LIMIT_FIELDS:
        if (limit := row.get(name)) is not None:
            kwargs[name] = Limit(limit["value"], sources[limit["source"]])
    for name in _RULE_FIELDS:
        if (rule := row.get(name)) is not None:
            kwargs[name] = Rule(rule["value"], sources[rule["source"]], tuple(rule.get("domains", ())))
    return FormRules(row["platform"], row["form"], row["label"], notes=tuple(row.get("notes", ())), **kwargs)


def _load_table() -> tuple[dict[tuple[str, str], FormRules], dict[str, Source]]:
    """The rules and the source cited for each way of counting, from data/platform_rules.toml."""
    text = resources.files("socialops.textkit").joinpath("data", "platform_rules.toml").read_text("utf-8")
    data = tomllib.loads(text)
    sources = {key: Source(**fields) for key, fields in data["sources"].items()}
    rules = {(row["platform"], row["form"]): _form_rules(row, sources) for row in data["forms"]}
    counting = {unit: sources[key] for unit, key in data["counting_sources"].items()}
    return rules, counting


RULES: dict[tuple[str, str], FormRules]
SOURCES_FOR_COUNTING: dict[str, Source]
RULES, SOURCES_FOR_COUNTING = _load_table()
PLATFORMS: tuple[str, ...] = tuple(dict.fromkeys(p for p, _ in RULES))


def forms(platform: str) -> tuple[str, ...]:
    """The forms known for ``platform``."""
    return tuple(f for p, f in RULES if p == platform)


def get_rules(platform: str, form: str | None = None) -> FormRules:
    """The rules of a platform's form (the platform's first form when ``form`` is None)."""
    if form is None:
        known = forms(platform)
        if not known:
            raise KeyError(platform)
        form = known[0]
    return RULES[(platform, form)]


# ---------------------------------------------------------------------------------------------
# Counting

_X_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_REMOTE_MENTION = re.compile(r"(?<![\w@])@(\w+)@[\w.\-]+\.\w+")
_EMOJI_RE = regex.compile(r"^(?:\p{Extended_Pictographic}|\p{Regional_Indicator})|[\ufe0f\u20e3]")


@dataclass(frozen=True, slots=True)
class _Unit:
    start: int
    end: int
    weight: float


def _units(text: str, counting: Counting) -> list[_Unit]:
    """The text cut into counted units with their weights (offsets into ``text``)."""
    special: list[tuple[int, int, float]] = []
    if counting in ("weibo", "x", "mastodon"):
        url_weight = {"weibo": 10.0, "x": 23.0, "mastodon": 23.0}[counting]
        special = [(u.start, u.end, url_weight) for u in find_urls(text)]
    if counting == "mastodon":
        taken = [(a, b) for a, b, _ in special]
        for m in _REMOTE_MENTION.finditer(text):
            if not any(a < m.end() and m.start() < b for a, b in taken):
                special.append((m.start(), m.end(), float(len(m.group(1)) + 1)))
    special.sort()
    out: list[_Unit] = []
    pos = 0
    for a, b, w in special + [(len(text), len(text), 0.0)]:
        if a < pos:
            continue
        out.extend(_plain_units(text, pos, a, counting))
        if b > a:
            out.append(_Unit(a, b, w))
        pos = b
    return out


def _plain_units(text: str, start: int, end: int, counting: Counting) -> list[_Unit]:
    out = []
    if counting == "utf16":
        for i in range(start, end):
            out.append(_Unit(i, i + 1, 2.0 if ord(text[i]) > 0xFFFF else 1.0))
        return out
    for m in regex.finditer(r"\X", text[start:end]):
        g = m.group(0)
        a, b = start + m.start(), start + m.end()
        if counting == "weibo":
            w = 0.5 if g.isascii() else 1.0
        elif counting == "x":
            # An emoji sequence weighs 2 whatever its length; other text by code point.
            emoji = _EMOJI_RE.search(g) is not None
            w = 2.0 if emoji else sum(_x_weight(c) for c in unicodedata.normalize("NFC", g))
        else:
            w = 1.0
        out.append(_Unit(a, b, w))
    return out


def _x_weight(ch: str) -> float:
    o = ord(ch)
    return 1.0 if any(lo <= o <= hi for lo, hi in _X_LIGHT) else 2.0


def count_text(text: str, counting: Counting = "graphemes") -> float:
    """The length of ``text`` as the platform counts it (weibo rounds up to whole 汉字)."""
    total = sum(u.weight for u in _units(text, counting))
    return math.ceil(total) if counting == "weibo" else total


def overflow_start(text: str, limit: float, counting: Counting = "graphemes") -> int | None:
    """Offset of the first character past ``limit`` (None when the text fits)."""
    total = 0.0
    for u in _units(text, counting):
        total += u.weight
        if total > limit + 1e-9:
            return u.start
    return None


def grapheme_count(text: str) -> int:
    """Number of user-perceived characters (extended grapheme clusters)."""
    return len(regex.findall(r"\X", text))


# ---------------------------------------------------------------------------------------------
# Hashtags

_PREFIX_TAG_RE = regex.compile(r"#[\p{L}\p{N}_\p{M}]+")
_PAIR_TAG_RE = regex.compile(r"#[^#\n]{1,64}#")


def _hashtag_problem(tag: str, style: str) -> tuple[str, int, int] | None:
    """(fixed form, bad start, bad end) when ``tag`` is malformed for ``style``; else None."""
    inner = tag.strip().strip("#").strip()
    if style == "pair":
        if not inner:
            return ("#话题#", 0, len(tag))
        if _PAIR_TAG_RE.fullmatch(tag) and "#" not in tag[1:-1]:
            return None
        return (f"#{inner}#", 0, len(tag))
    if style == "plain":
        if tag and "#" not in tag and tag.strip() == tag and inner:
            return None
        return (inner.replace(" ", ""), 0, len(tag))
    # prefix
    if not inner:
        return ("#tag", 0, len(tag))
    if _PREFIX_TAG_RE.fullmatch(tag) and not tag[1:].isdigit():
        return None
    fixed = "#" + regex.sub(r"[^\p{L}\p{N}_\p{M}]", "", inner)
    bad = regex.search(r"[^\p{L}\p{N}_\p{M}]", tag[1:] if tag.startswith("#") else tag)
    if not tag.startswith("#"):
        return (fixed, 0, len(tag))
    if bad is not None:
        return (fixed, 1 + bad.start(), len(tag))
    return (fixed, 0, len(tag))  # digits only


def max_length(platform: str, field: str, form: str | None = None) -> int | None:
    """The table's maximum length of a text field (title, body, digest, author), or None when it has none.

    For other modules that need the number itself (e.g. to prefill a variant within the limit),
    so the value and its source stay in this one table.
    """
    try:
        rule = getattr(get_rules(platform, form), field)
    except KeyError:
        return None
    if rule is None or rule.max is None:
        return None
    return int(rule.max.value)


def as_platform_hashtag(platform: str, form: str | None, topic: str) -> str:
    """A bare topic name (as variants store them) written in the platform's hashtag syntax.

    A topic that already carries a mark is returned as it is, so its own syntax gets checked.
    """
    if "#" in topic or "＃" in topic:
        return topic
    try:
        rule = get_rules(platform, form).hashtags
    except KeyError:
        return topic
    style = rule.value if rule is not None else "plain"
    if style == "pair":
        return f"#{topic}#"
    if style == "prefix":
        return f"#{topic}"
    return topic


# Markdown heading marks ("## 小标题" at the start of a line) are not hashtags.
_HEADING_MARKS_RE = regex.compile(r"(?m)^[ \t]{0,3}(#{1,6})(?=[ \t])")


def _body_hashtag_findings(body: str, style: str, platform: str, example: str) -> list[Finding]:
    out: list[Finding] = []
    url_spans = [(u.start, u.end) for u in find_urls(body)]
    heading_spans = [(m.start(1), m.end(1)) for m in _HEADING_MARKS_RE.finditer(body)]
    skip = url_spans + heading_spans
    hashes = [i for i, c in enumerate(body) if c in "#＃" and not any(a <= i < b for a, b in skip)]
    if style == "pair":
        # Pair the marks line by line; a mark left alone is a malformed topic.
        by_line: dict[int, list[int]] = {}
        for i in hashes:
            by_line.setdefault(body.count("\n", 0, i), []).append(i)
        for marks in by_line.values():
            for k in range(0, len(marks) - 1, 2):
                a, b = marks[k], marks[k + 1]
                if b == a + 1 or body[a + 1 : b].strip() != body[a + 1 : b]:
                    out.append(
                        _tag_finding(body, a, b + 1, platform, example, f"#{body[a + 1 : b].strip()}#")
                    )
            if len(marks) % 2:
                a = marks[-1]
                m = regex.match(r"[\p{L}\p{N}_]*", body, pos=a + 1)
                end = m.end() if m else a + 1
                out.append(
                    _tag_finding(body, a, max(end, a + 1), platform, example, f"#{body[a + 1 : end]}#")
                )
        return out
    if style == "prefix":
        for m in regex.finditer(r"[#＃]([\p{L}\p{N}_\p{M}]+)[#＃]", body):
            out.append(_tag_finding(body, m.start(), m.end(), platform, example, f"#{m.group(1)}"))
        taken = [(f.start or 0, f.end or 0) for f in out]
        for i in hashes:
            if any(a <= i < b for a, b in taken):
                continue
            if body[i] == "＃" or (i + 1 < len(body) and body[i + 1] in " \u3000"):
                m = regex.match(r"[#＃][ \u3000]*([\p{L}\p{N}_]+)", body, pos=i)
                if m:
                    out.append(_tag_finding(body, i, m.end(), platform, example, f"#{m.group(1)}"))
    return out


def _tag_finding(body: str, start: int, end: int, platform: str, example: str, fixed: str) -> Finding:
    return Finding(
        CHECK,
        "warn",
        start,
        end,
        body[start:end],
        "platform.hashtag_malformed",
        {"tag": body[start:end], "platform": platform, "example": example},
        fixed,
        "body",
    )


def _count_body_hashtags(body: str, style: str) -> int:
    if style == "pair":
        return len(_PAIR_TAG_RE.findall(body))
    if style == "prefix":
        return len(_PREFIX_TAG_RE.findall(body))
    return 0


# ---------------------------------------------------------------------------------------------
# The checker

ImageSpec = tuple[int, int, int]  # (bytes, width, height)
VideoSpec = tuple[int, float]  # (bytes, seconds)


def check_platform(
    platform: str,
    form: str | None = None,
    *,
    title: str | None = None,
    body: str | None = None,
    digest: str | None = None,
    author: str | None = None,
    images: Sequence[ImageSpec] = (),
    video: VideoSpec | None = None,
    hashtags: Sequence[str] = (),
) -> list[Finding]:
    """Findings of ``platform``/``form``'s rules on a draft (see the module docstring)."""
    rules = get_rules(platform, form)
    label = rules.label
    out: list[Finding] = []
    for name, value, rule in (
        ("title", title, rules.title),
        ("digest", digest, rules.digest),
        ("author", author, rules.author),
        ("body", body, rules.body),
    ):
        out.extend(_text_findings(name, value, rule, label, rules.form))
    out.extend(_image_findings(images, rules))
    out.extend(_video_findings(video, rules))
    out.extend(_hashtag_findings(body or "", hashtags, rules))
    out.extend(_link_findings(body or "", rules))
    return out


# Long on purpose: one pass over a text field's rule (required, length units, lines, forbidden
# characters), each finding built where its condition is checked.
def _text_findings(
    name: str, value: str | None, rule: TextRule | None, label: str, form: str
) -> list[Finding]:
    text = value or ""
    if rule is None:
        if text.strip():
            return [
                Finding(
                    CHECK,
                    "info",
                    None,
                    None,
                    "",
                    "platform.not_supported",
                    {"field": name, "platform": label, "form": form},
                    None,
                    name,
                )
            ]
        return []
    if not text.strip():
        if rule.required:
            return [
                Finding(
                    CHECK,
                    "block",
                    None,
                    None,
                    "",
                    "platform.required",
                    {"field": name, "platform": label},
                    None,
                    name,
                )
            ]
        return []
    out = []
    unit = COUNTING_UNITS[rule.counting]
    count = count_text(text, rule.counting)
    shown = int(count) if float(count).is_integer() else round(count, 1)
    if rule.max is not None and count > rule.max.value:
        start = overflow_start(text, rule.max.value, rule.counting)
        assert start is not None
        out.append(
            Finding(
                CHECK,
                "block",
                start,
                len(text),
                text[start:],
                "platform.too_long",
                {
                    "field": name,
                    "count": shown,
                    "limit": _num(rule.max.value),
                    "unit": unit,
                    "platform": label,
                },
                None,
                name,
            )
        )
    if rule.min is not None and count < rule.min.value:
        out.append(
            Finding(
                CHECK,
                "block",
                0,
                len(text),
                text,
                "platform.too_short",
                {
                    "field": name,
                    "count": shown,
                    "limit": _num(rule.min.value),
                    "unit": unit,
                    "platform": label,
                },
                None,
                name,
            )
        )
    return out


def _num(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v


def _image_findings(images: Sequence[ImageSpec], rules: FormRules) -> list[Finding]:
    out: list[Finding] = []
    label = rules.label

    def f(severity: Severity, code: str, params: dict[str, str | int | float]) -> Finding:
        return Finding(CHECK, severity, None, None, "", code, {"platform": label, **params}, None, "images")

    n = len(images)
    if rules.max_images is not None and n > rules.max_images.value:
        out.append(
            f("block", "platform.too_many_images", {"count": n, "limit": _num(rules.max_images.value)})
        )
    if rules.min_images is not None and n < rules.min_images.value:
        out.append(f("block", "platform.too_few_images", {"count": n, "limit": _num(rules.min_images.value)}))
    for index, (size, width, height) in enumerate(images, start=1):
        if rules.max_image_bytes is not None and size > rules.max_image_bytes.value:
            out.append(
                f(
                    "block",
                    "platform.image_too_large",
                    {
                        "index": index,
                        "size_mb": round(size / MB, 2),
                        "limit_mb": round(rules.max_image_bytes.value / MB, 2),
                    },
                )
            )
        dims = {"index": index, "width": width, "height": height}
        if rules.max_image_pixels is not None and width * height > rules.max_image_pixels.value:
            out.append(
                f(
                    "block",
                    "platform.image_dimensions",
                    {**dims, "rule": f"at most {_num(rules.max_image_pixels.value)} pixels"},
                )
            )
        if rules.max_image_side_sum is not None and width + height > rules.max_image_side_sum.value:
            out.append(
                f(
                    "block",
                    "platform.image_dimensions",
                    {**dims, "rule": f"width + height ≤ {_num(rules.max_image_side_sum.value)}"},
                )
            )
        ratio = max(width, height) / min(width, height) if min(width, height) > 0 else 0.0
        if rules.max_image_ratio is not None and ratio > rules.max_image_ratio.value:
            out.append(
                f(
                    "block",
                    "platform.image_dimensions",
                    {**dims, "rule": f"a side ratio of at most {_num(rules.max_image_ratio.value)}"},
                )
            )
    return out


def _video_findings(video: VideoSpec | None, rules: FormRules) -> list[Finding]:
    label = rules.label
    policy = rules.video.value if rules.video else "optional"

    def f(code: str, params: dict[str, str | int | float]) -> Finding:
        return Finding(
            CHECK,
            "block",
            None,
            None,
            "",
            code,
            {"platform": label, "form": rules.form, **params},
            None,
            "video",
        )

    if video is None:
        return [f("platform.video_missing", {})] if policy == "required" else []
    if policy == "none":
        return [f("platform.video_not_supported", {})]
    size, seconds = video
    out = []
    if rules.max_video_bytes is not None and size > rules.max_video_bytes.value:
        out.append(
            f(
                "platform.video_too_large",
                {"size_mb": round(size / MB, 1), "limit_mb": round(rules.max_video_bytes.value / MB, 1)},
            )
        )
    if rules.max_video_seconds is not None and seconds > rules.max_video_seconds.value:
        out.append(
            f(
                "platform.video_too_long",
                {"seconds": round(seconds, 1), "limit": _num(rules.max_video_seconds.value)},
            )
        )
    if rules.min_video_seconds is not None and seconds < rules.min_video_seconds.value:
        out.append(
            f(
                "platform.video_too_short",
                {"seconds": round(seconds, 1), "limit": _num(rules.min_video_seconds.value)},
            )
        )
    return out


_EXAMPLES = {"pair": "#话题#", "prefix": "#话题", "plain": "话题"}


def _hashtag_findings(body: str, hashtags: Sequence[str], rules: FormRules) -> list[Finding]:
    if rules.hashtags is None:
        return []
    style = rules.hashtags.value
    example = _EXAMPLES[style]
    label = rules.label
    out = _body_hashtag_findings(body, style, label, example)
    for index, tag in enumerate(hashtags):
        problem = _hashtag_problem(tag, style)
        if problem is not None:
            fixed, a, b = problem
            out.append(
                Finding(
                    CHECK,
                    "warn",
                    a,
                    b,
                    tag[a:b],
                    "platform.hashtag_malformed",
                    {"tag": tag, "platform": label, "example": example, "index": index},
                    fixed,
                    "hashtags",
                )
            )
        if rules.max_hashtag_length is not None:
            inner = tag.strip("#")
            if grapheme_count(inner) > rules.max_hashtag_length.value:
                out.append(
                    Finding(
                        CHECK,
                        "warn",
                        0,
                        len(tag),
                        tag,
                        "platform.hashtag_too_long",
                        {"tag": tag, "limit": _num(rules.max_hashtag_length.value), "index": index},
                        None,
                        "hashtags",
                    )
                )
    total = len(hashtags) + _count_body_hashtags(body, style)
    if rules.max_hashtags is not None and total > rules.max_hashtags.value:
        out.append(
            Finding(
                CHECK,
                "warn",
                None,
                None,
                "",
                "platform.too_many_hashtags",
                {"count": total, "limit": _num(rules.max_hashtags.value), "platform": label},
                None,
                "hashtags",
            )
        )
    return out


def _link_findings(body: str, rules: FormRules) -> list[Finding]:
    if rules.links is None or rules.links.value == "allowed":
        return []
    policy = rules.links.value
    out = []
    for u in find_urls(body):
        params: dict[str, str | int | float] = {"url": u.raw, "platform": rules.label}
        if policy == "restricted":
            host = re.sub(r"^(?:[a-z]+:/*)?", "", u.url.lower()).split("/")[0].split(":")[0]
            if any(host == d or host.endswith("." + d) for d in rules.links.domains):
                continue
            code, severity = "platform.link_domain_restricted", "warn"
            params["domains"] = ", ".join(rules.links.domains)
        elif policy == "not_allowed":
            code, severity = "platform.link_not_allowed", "warn"
        else:
            code, severity = "platform.link_not_clickable", "info"
        out.append(Finding(CHECK, severity, u.start, u.end, u.raw, code, params, None, "body"))  # type: ignore[arg-type]
    return out
