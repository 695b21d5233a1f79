"""Check findings and word-list errors said in the user's language (code → sentence tables).

textkit keeps its messages as English templates (``textkit.findings.MESSAGES``, ``{name}``
placeholders); they are mirrored here as gettext strings so that makemessages finds them and
zh-Hans is complete (a test checks the two catalogues stay identical). Some params are words
too (a field name, a unit, a platform's label, a link error): they are translated before the
template is filled.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from socialops.accounts.models import Platform
from socialops.core.messages import MessageTable
from socialops.textkit.findings import severity_rank
from socialops.textkit.platform_rules import RULES

if TYPE_CHECKING:  # findings.py renders its messages with this module
    from .findings import CheckFinding
    from .models import Notification

#: message_code → template. Keep the English text identical to textkit.findings.MESSAGES.
MESSAGES: dict[str, Promise] = {
    "adlaw.superlative": _(
        "“{term}” is a superlative; the Advertising Law (Art. 9(3)) forbids “best/most” claims in ads."
    ),
    "adlaw.ranking": _(
        "“{term}” claims a first place or a No. 1 ranking, which the Advertising Law (Art. 9(3)) forbids."
    ),
    "adlaw.scope_superlative": _(
        "“{term}” claims to be the best or first across a whole market or region (Advertising Law Art. 9(3))."
    ),
    "adlaw.absolute_percent": _(
        # xgettext:no-python-format
        "“{term}” promises a 100% result; absolute guarantees are not allowed in ads."
    ),
    "adlaw.uniqueness": _("“{term}” claims to be unique or unrivalled (Advertising Law Art. 9(3))."),
    "adlaw.grade": _("“{term}” is an absolute grade word (top/ultimate/world-class) not allowed in ads."),
    "adlaw.first_claim": _(
        "“{term}” claims a first (first launch, first shop, first model); keep it only with proof of time and scope."
    ),
    "adlaw.exclusive": _("“{term}” claims exclusivity; keep it only if you can prove it."),
    "adlaw.state_endorsement": _(
        "“{term}” uses the name or image of state bodies or an official endorsement (Advertising Law Art. 9(2))."
    ),
    "adlaw.medical_claim": _(
        "“{term}” promises a cure or a guaranteed effect (Advertising Law Art. 16/17/28)."
    ),
    "adlaw.education_guarantee": _(
        "“{term}” guarantees an exam or training result (Advertising Law Art. 24)."
    ),
    "adlaw.investment_return": _("“{term}” promises a return or a rise in value (Advertising Law Art. 25)."),
    "adlaw.superstition": _("“{term}” is a superstitious claim (Advertising Law Art. 9(8))."),
    "adlaw.inducement": _("“{term}” reads like a lure or a prize scam; check the wording."),
    "adlaw.disparaging": _("“{term}” disparages competitors (Advertising Law Art. 13)."),
    "adlaw.context_word": _(
        "“{term}” is restricted in some ad categories (medical, food, cosmetics); check the context."
    ),
    "adlaw.custom_term": _("“{term}” is on this workspace's list of forbidden ad terms."),
    "adlaw.quoted": _(
        "“{term}” is inside a quoted user comment, so it is not counted as your own claim; make sure the quote is real."
    ),
    "adlaw.mentioned": _("“{term}” is quoted as a word being discussed, not used as a claim."),
    "sensitive.term": _("“{term}” is on the sensitive-word list “{list}”."),
    "brand.forbidden_variant": _("“{term}” is a wrong spelling of “{preferred}”."),
    "brand.inexact_spelling": _("Write “{preferred}” exactly (case, spaces and width matter)."),
    "brand.banned_slang": _("“{term}” is banned slang for this brand."),
    "platform.too_long": _(
        "The {field} is {count} {unit} long; {platform} allows at most {limit}. The part past the limit is marked."
    ),
    "platform.too_short": _("The {field} is {count} {unit} long; {platform} needs at least {limit}."),
    "platform.required": _("{platform} needs a {field}."),
    "platform.not_supported": _("{platform} ({form}) has no {field}; it will be dropped."),
    "platform.too_many_images": _("{count} images; {platform} allows at most {limit}."),
    "platform.too_few_images": _("{count} images; {platform} needs at least {limit}."),
    "platform.image_too_large": _("Image {index} is {size_mb} MB; {platform} allows at most {limit_mb} MB."),
    "platform.image_dimensions": _("Image {index} is {width}×{height} px; {platform} allows {rule}."),
    "platform.video_missing": _("{platform} ({form}) needs a video."),
    "platform.video_not_supported": _("{platform} ({form}) does not take a video."),
    "platform.video_too_large": _("The video is {size_mb} MB; {platform} allows at most {limit_mb} MB."),
    "platform.video_too_long": _("The video lasts {seconds} s; {platform} allows at most {limit} s."),
    "platform.video_too_short": _("The video lasts {seconds} s; {platform} needs at least {limit} s."),
    "platform.hashtag_malformed": _("“{tag}” is not a valid {platform} hashtag; write it as {example}."),
    "platform.hashtag_too_long": _("The hashtag “{tag}” is longer than {limit} characters."),
    "platform.too_many_hashtags": _("{count} hashtags; {platform} allows at most {limit}."),
    "platform.link_not_allowed": _("{platform} does not allow links in posts; the link will not work."),
    "platform.link_not_clickable": _("Links are not clickable on {platform}; readers must copy it."),
    "platform.link_domain_restricted": _("{platform} only allows links to {domains}."),
    "link.bad_scheme": _("“{url}” does not start with http:// or https://."),
    "link.dangerous_scheme": _("“{url}” uses the {scheme}: scheme, which must not be published."),
    "link.missing_slashes": _("“{url}” needs “://” after http or https."),
    "link.contains_space": _("The link “{url}” contains a space and will break there."),
    "link.fullwidth_chars": _("The link “{url}” contains full-width characters; use “{fixed}”."),
    "link.unbalanced_brackets": _("The link “{url}” has unbalanced brackets."),
    "link.bad_host": _("“{host}” is not a valid host name."),
    "link.bad_port": _("The port in “{url}” is not valid."),
    # xgettext:no-python-format
    "link.bad_percent_encoding": _("“{url}” has a broken %-escape."),
    "link.mixed_script_host": _(
        "The host “{host}” mixes Latin letters with look-alike letters of another script."
    ),
    "link.unreachable": _("“{url}” could not be reached ({reason})."),
    "link.http_error": _("“{url}” answered with HTTP {status}."),
    "disclosure.missing": _(
        "This item is marked as advertising: {platform} needs “{marker}” at the start or end of the text."
    ),
    "disclosure.not_prominent": _(
        "The ad marker “{term}” is in the middle of the text; put it at the start or end so readers see it."
    ),
    "disclosure.wrong_word": _("“{term}” is not the required marker; the rules ask for “{marker}”."),
    # Originality (review app)
    "originality.similar": _(
        # xgettext:no-python-format
        "The text is {percent}% similar to an earlier post of {account} ({date}); see the comparison."
    ),
    "originality.similar_competitor": _(
        # xgettext:no-python-format
        "The text is {percent}% similar to a post of the competitor {account} ({date}); write your own."
    ),
}

FIELD_LABELS: dict[str, Promise] = {
    "title": pgettext_lazy("check field", "title"),
    "body": pgettext_lazy("check field", "text"),
    "digest": pgettext_lazy("check field", "digest"),
    "author": pgettext_lazy("check field", "author"),
    "hashtags": pgettext_lazy("check field", "hashtags"),
    "images": pgettext_lazy("check field", "images"),
    "video": pgettext_lazy("check field", "video"),
    "live_outline": pgettext_lazy("check field", "topic outline"),
    "live_host": pgettext_lazy("check field", "host"),
    "short_title": pgettext_lazy("check field", "short title"),
}

UNIT_LABELS: dict[str, Promise] = {
    "characters": _("characters"),
    "汉字 units": _("汉字 units (two ASCII characters count as one)"),
    "weighted characters": _("weighted characters"),
    "UTF-16 units": _("UTF-16 units"),
}

#: The labels of textkit.platform_rules.RULES, translated.
PLATFORM_FORM_LABELS: dict[str, Promise] = {
    "WeChat Official Account article": pgettext_lazy("platform form", "WeChat Official Account article"),
    "Weibo post (API share)": pgettext_lazy("platform form", "Weibo post (API share)"),
    "Weibo long post (app)": pgettext_lazy("platform form", "Weibo long post (app)"),
    "Xiaohongshu note": pgettext_lazy("platform form", "Xiaohongshu note"),
    "Xiaohongshu video note": pgettext_lazy("platform form", "Xiaohongshu video note"),
    "Douyin image-text post": pgettext_lazy("platform form", "Douyin image-text post"),
    "Douyin video": pgettext_lazy("platform form", "Douyin video"),
    "WeChat Channels video": pgettext_lazy("platform form", "WeChat Channels video"),
    "Bilibili video": pgettext_lazy("platform form", "Bilibili video"),
    "Kuaishou video": pgettext_lazy("platform form", "Kuaishou video"),
    "Zhihu article": pgettext_lazy("platform form", "Zhihu article"),
    "Mastodon post": pgettext_lazy("platform form", "Mastodon post"),
    "Bluesky post": pgettext_lazy("platform form", "Bluesky post"),
    "Telegram message": pgettext_lazy("platform form", "Telegram message"),
    "Telegram photo/video with caption": pgettext_lazy("platform form", "Telegram photo/video with caption"),
    "X post": pgettext_lazy("platform form", "X post"),
}

#: The forms of textkit.platform_rules.RULES.
FORM_LABELS: dict[str, Promise] = {
    "article": _("article"),
    "post": _("post"),
    "long": _("long post"),
    "note": _("note"),
    "video": _("video"),
    "image_text": _("image-text post"),
    "message": _("message"),
    "media": _("photo/video with caption"),
}

#: LinkStatus.error values.
LINK_ERRORS: dict[str, Promise] = {
    "timeout": _("no answer in time"),
    "connect_error": _("could not connect"),
    "too_many_redirects": _("too many redirects"),
    "blocked_address": _("the address is inside a private network"),
    "invalid_url": _("not a valid address"),
    "http_error": _("HTTP error"),
    "error": _("network error"),
}

#: The label of ContentItem.is_advertising in the content editor (kept here with the disclosure messages).
ADVERTISING_LABEL = _("Advertising or sponsored (needs the platform's ad disclosure, e.g. 【广告】)")

#: Where the platform is unknown, the disclosure check applies the rule of the Chinese platforms.
GENERIC_PLATFORM = "cn"

_RULE_PATTERNS: tuple[tuple[re.Pattern[str], Promise], ...] = (
    (re.compile(r"^at most (?P<n>[\d.]+) pixels$"), _("at most {n} pixels")),
    (re.compile(r"^width \+ height ≤ (?P<n>[\d.]+)$"), _("width + height ≤ {n}")),
    (re.compile(r"^a side ratio of at most (?P<n>[\d.]+)$"), _("a side ratio of at most {n}")),
)


def platform_label(value: str) -> str:
    """A platform code (weibo) or a rules label (Weibo post (API share)) in the user's language."""
    if value in PLATFORM_FORM_LABELS:
        return str(PLATFORM_FORM_LABELS[value])
    if value == GENERIC_PLATFORM:
        return str(_("Chinese platforms"))
    if value in Platform.values:
        return str(Platform(value).label)
    return value


def platform_form_label(platform: str, form: str | None) -> str:
    """The label of a platform's form (微博（API 分享）), or of the platform when the form is unknown."""
    rules = RULES.get((platform, form)) if form else None
    return platform_label(rules.label if rules is not None else platform)


def _word(table: Mapping[str, Promise]) -> Callable[[Any], Any]:
    """Translate a param that is one of the table's words; leave any other value as it is."""
    return lambda value: str(table[value]) if isinstance(value, str) and value in table else value


def _rule_word(value: Any) -> Any:
    if isinstance(value, str):
        for pattern, template in _RULE_PATTERNS:
            m = pattern.match(value)
            if m:
                return str(template).format(n=m.group("n"))
    return value


#: The check messages, with the params that are words translated before the template is filled.
CHECK_MESSAGES = MessageTable(
    MESSAGES,
    param_words={
        "field": _word(FIELD_LABELS),
        "unit": _word(UNIT_LABELS),
        "platform": lambda value: platform_label(value) if isinstance(value, str) else value,
        "form": _word(FORM_LABELS),
        "reason": _word(LINK_ERRORS),
        "rule": _rule_word,
    },
)


def localize_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The params of a finding with the words among them translated."""
    return CHECK_MESSAGES.localize(params)


def render_message(code: str, params: Mapping[str, Any]) -> str:
    """The message of a finding in the active language (the code itself when it is unknown)."""
    return CHECK_MESSAGES.render(code, params)


#: textkit.terms.TERM_FILE_MESSAGES (bad lines of an imported word list), translated.
TERM_FILE_MESSAGES: dict[str, Promise] = {
    "too_long": _("Line {line}: the term has {length} characters; at most {limit} are allowed."),
    "control_chars": _("Line {line}: the term contains control characters."),
    "not_utf8": _("The file is not UTF-8 text (first bad byte at offset {offset})."),
    "too_many": _("The file has more than {limit} terms."),
    "no_word": _("Line {line}: the term has no letter, digit or Chinese character."),
}


TERM_FILE_TABLE = MessageTable(
    TERM_FILE_MESSAGES, unknown=lambda code, params: f"{params.get('line')}: {code}"
)


def term_file_error(code: str, line: int, params: Mapping[str, Any]) -> str:
    """A bad line of an imported word list, in the user's language."""
    return TERM_FILE_TABLE.render(code, {**params, "line": line})


# ---- findings on a page --------------------------------------------------------------------


def highlight(text: str, findings: Sequence[CheckFinding]) -> list[dict[str, Any]]:
    """``text`` cut into pieces for display: each piece with the findings covering it.

    A piece covered by findings becomes a <mark> with the most serious severity as its class
    and the messages as its title; a zero-length finding (where a missing ad marker goes) is an
    insertion mark before the piece.
    """
    spans = [f for f in findings if f.start is not None and f.end is not None and f.end <= len(text)]
    points = {0, len(text)}
    for f in spans:
        points.update((f.start, f.end))  # type: ignore[arg-type]
    cuts = sorted(points)
    pieces: list[dict[str, Any]] = []
    for a, b in zip(cuts, cuts[1:] + [None], strict=False):
        inserts = [f for f in spans if f.start == f.end == a]
        if inserts:
            pieces.append(_mark("", inserts, insert=True))
        if b is None:
            break
        if a == b:
            continue
        covering = [
            f
            for f in spans
            if f.start is not None and f.start <= a and f.end is not None and f.end >= b and f.start < f.end
        ]
        if covering:
            pieces.append(_mark(text[a:b], covering))
        else:
            pieces.append({"text": text[a:b], "severity": None})
    return pieces


def _mark(text: str, findings: Sequence[CheckFinding], *, insert: bool = False) -> dict[str, Any]:
    """A highlighted piece: the most serious severity as its class, the messages as its title."""
    worst = min(findings, key=lambda f: severity_rank(f.severity)).severity
    return {
        "text": text,
        "severity": worst,
        "insert": insert,
        "title": " · ".join(dict.fromkeys(f.message for f in findings)),
    }


def highlighted_fields(texts: dict[str, str], findings: Sequence[CheckFinding]) -> list[dict[str, Any]]:
    """The highlighted copy of each text field that has findings with a span."""
    out = []
    for name, text in texts.items():
        own = [f for f in findings if f.field == name and f.start is not None]
        if text and own:
            out.append({"name": name, "label": FIELD_LABELS.get(name, name), "pieces": highlight(text, own)})
    return out


def diff_columns(text: str, related: dict[str, Any]) -> dict[str, Any]:
    """The two columns of an originality finding's side-by-side diff."""
    post_text = related.get("post_text") or ""

    def pieces(source: str, segments: list[list[Any]]) -> list[dict[str, str]]:
        out = []
        for seg in segments or []:
            try:
                kind, a, b = str(seg[0]), int(seg[1]), int(seg[2])
            except (TypeError, ValueError, IndexError):
                continue
            out.append({"kind": kind, "text": source[a:b]})
        return out or [{"kind": "equal", "text": source}]

    return {
        "left": pieces(text, related.get("segments_a") or []),
        "right": pieces(post_text, related.get("segments_b") or []),
    }


def finding_rows(findings: Sequence[CheckFinding], texts: dict[str, str]) -> list[dict[str, Any]]:
    """The findings as list rows: each with its field's label, and an originality finding with its diff."""
    rows = []
    for f in findings:
        row: dict[str, Any] = {"f": f, "field_label": FIELD_LABELS.get(f.field, f.field)}
        if f.check == "originality" and f.related:
            row["diff"] = diff_columns(texts.get(f.field, ""), dict(f.related))
        rows.append(row)
    return rows


def severity_counts(findings: Sequence[CheckFinding]) -> dict[str, int]:
    """How many findings of each severity."""
    return {s: sum(1 for f in findings if f.severity == s) for s in ("block", "warn", "info")}


# ---- notifications --------------------------------------------------------------------------

#: Notification.kind → sentence; an unknown kind reads as a comment.
NOTIFICATION_MESSAGES = MessageTable(
    {
        "assigned": _("“%(title)s” waits for your review (step “%(detail)s”)."),
        "approved": _("%(actor)s approved “%(title)s”."),
        "changes_requested": _("%(actor)s requested changes to “%(title)s”: %(detail)s"),
        "commented": _("%(actor)s commented on “%(title)s”: %(detail)s"),
    }
)


def notification_text(notification: Notification) -> str:
    """The notification as a sentence in the reader's language."""
    kind = notification.kind if notification.kind in NOTIFICATION_MESSAGES else "commented"
    values = {
        "title": notification.item.title,
        "actor": notification.actor_name,
        "detail": notification.detail,
    }
    return NOTIFICATION_MESSAGES.render(kind, values)
