"""The finding type every text check returns, and its message catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

Severity = Literal["block", "warn", "info"]

#: Severities from the most to the least serious; a sentence is "flagged" when it has a
#: finding of the first two.
SEVERITIES: tuple[Severity, ...] = ("block", "warn", "info")
_RANK = {"block": 0, "warn": 1, "info": 2}

ParamValue = str | int | float


def severity_rank(severity: str) -> int:
    """0 for block, 1 for warn, 2 for info (lower is more serious)."""
    return _RANK[severity]


def most_severe(a: Severity, b: Severity) -> Severity:
    """The more serious of two severities."""
    return a if _RANK[a] <= _RANK[b] else b


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found in a text.

    ``start``/``end`` are offsets into the checked string (Python ``str`` indices, end
    exclusive); both are ``None`` when the finding has no span (an image too large, a video
    too long). A zero-length span (start == end) marks an insertion point, e.g. where a missing
    ad disclosure should go. ``message_code`` and ``params`` let the Django layer render the
    message in the user's language (see ``MESSAGES`` for the English templates).
    """

    check: str
    severity: Severity
    start: int | None
    end: int | None
    text: str
    message_code: str
    params: Mapping[str, ParamValue] = field(default_factory=dict, hash=False)
    suggestion: str | None = None
    #: Which input field the span refers to (title, body, digest, author, hashtags, images, video).
    field: str = "body"

    def __post_init__(self) -> None:
        if self.severity not in _RANK:
            raise ValueError(f"unknown severity {self.severity!r}")
        if (self.start is None) != (self.end is None):
            raise ValueError("start and end are both set or both None")
        if self.start is not None and self.end is not None and not 0 <= self.start <= self.end:
            raise ValueError("span must satisfy 0 <= start <= end")
        # Frozen means frozen: nobody may change the params after the check returned them.
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @property
    def flagged(self) -> bool:
        """True for block and warn findings (info findings are notes)."""
        return self.severity != "info"

    def message(self, templates: Mapping[str, str] | None = None) -> str:
        """The message rendered from ``templates`` (default: the English catalogue)."""
        return render_message(self.message_code, self.params, templates)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the English message included)."""
        return {
            "check": self.check,
            "severity": self.severity,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "message_code": self.message_code,
            "params": dict(self.params),
            "message": self.message(),
            "suggestion": self.suggestion,
        }


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Findings in reading order: by field, then start, then the most serious first."""
    return sorted(
        findings,
        key=lambda f: (
            f.field,
            -1 if f.start is None else f.start,
            _RANK[f.severity],
            -1 if f.end is None else -f.end,
            f.message_code,
        ),
    )


def gettext_noop(message: str) -> str:
    """Mark a string for translation without translating it (xgettext's default keyword)."""
    return message


#: English message templates by message_code; ``{name}`` placeholders come from ``params``.
#: The Django layer translates these (they are marked with gettext_noop so that xgettext finds
#: them) and formats them with the finding's params.
MESSAGES: dict[str, str] = {
    # Advertising Law
    "adlaw.superlative": gettext_noop(
        "“{term}” is a superlative; the Advertising Law (Art. 9(3)) forbids “best/most” claims in ads."
    ),
    "adlaw.ranking": gettext_noop(
        "“{term}” claims a first place or a No. 1 ranking, which the Advertising Law (Art. 9(3)) forbids."
    ),
    "adlaw.scope_superlative": gettext_noop(
        "“{term}” claims to be the best or first across a whole market or region (Advertising Law Art. 9(3))."
    ),
    "adlaw.absolute_percent": gettext_noop(
        "“{term}” promises a 100% result; absolute guarantees are not allowed in ads."
    ),
    "adlaw.uniqueness": gettext_noop(
        "“{term}” claims to be unique or unrivalled (Advertising Law Art. 9(3))."
    ),
    "adlaw.grade": gettext_noop(
        "“{term}” is an absolute grade word (top/ultimate/world-class) not allowed in ads."
    ),
    "adlaw.first_claim": gettext_noop(
        "“{term}” claims a first (first launch, first shop, first model); keep it only with proof of time and scope."
    ),
    "adlaw.exclusive": gettext_noop("“{term}” claims exclusivity; keep it only if you can prove it."),
    "adlaw.state_endorsement": gettext_noop(
        "“{term}” uses the name or image of state bodies or an official endorsement (Advertising Law Art. 9(2))."
    ),
    "adlaw.medical_claim": gettext_noop(
        "“{term}” promises a cure or a guaranteed effect (Advertising Law Art. 16/17/28)."
    ),
    "adlaw.education_guarantee": gettext_noop(
        "“{term}” guarantees an exam or training result (Advertising Law Art. 24)."
    ),
    "adlaw.investment_return": gettext_noop(
        "“{term}” promises a return or a rise in value (Advertising Law Art. 25)."
    ),
    "adlaw.superstition": gettext_noop("“{term}” is a superstitious claim (Advertising Law Art. 9(8))."),
    "adlaw.inducement": gettext_noop("“{term}” reads like a lure or a prize scam; check the wording."),
    "adlaw.disparaging": gettext_noop("“{term}” disparages competitors (Advertising Law Art. 13)."),
    "adlaw.context_word": gettext_noop(
        "“{term}” is restricted in some ad categories (medical, food, cosmetics); check the context."
    ),
    "adlaw.custom_term": gettext_noop("“{term}” is on this workspace's list of forbidden ad terms."),
    "adlaw.quoted": gettext_noop(
        "“{term}” is inside a quoted user comment, so it is not counted as your own claim; make sure the quote is real."
    ),
    "adlaw.mentioned": gettext_noop("“{term}” is quoted as a word being discussed, not used as a claim."),
    # Term lists
    "sensitive.term": gettext_noop("“{term}” is on the sensitive-word list “{list}”."),
    "brand.forbidden_variant": gettext_noop("“{term}” is a wrong spelling of “{preferred}”."),
    "brand.inexact_spelling": gettext_noop("Write “{preferred}” exactly (case, spaces and width matter)."),
    "brand.banned_slang": gettext_noop("“{term}” is banned slang for this brand."),
    # Platform rules
    "platform.too_long": gettext_noop(
        "The {field} is {count} {unit} long; {platform} allows at most {limit}. The part past the limit is marked."
    ),
    "platform.too_short": gettext_noop(
        "The {field} is {count} {unit} long; {platform} needs at least {limit}."
    ),
    "platform.required": gettext_noop("{platform} needs a {field}."),
    "platform.not_supported": gettext_noop("{platform} ({form}) has no {field}; it will be dropped."),
    "platform.too_many_images": gettext_noop("{count} images; {platform} allows at most {limit}."),
    "platform.too_few_images": gettext_noop("{count} images; {platform} needs at least {limit}."),
    "platform.image_too_large": gettext_noop(
        "Image {index} is {size_mb} MB; {platform} allows at most {limit_mb} MB."
    ),
    "platform.image_dimensions": gettext_noop(
        "Image {index} is {width}×{height} px; {platform} allows {rule}."
    ),
    "platform.video_missing": gettext_noop("{platform} ({form}) needs a video."),
    "platform.video_not_supported": gettext_noop("{platform} ({form}) does not take a video."),
    "platform.video_too_large": gettext_noop(
        "The video is {size_mb} MB; {platform} allows at most {limit_mb} MB."
    ),
    "platform.video_too_long": gettext_noop(
        "The video lasts {seconds} s; {platform} allows at most {limit} s."
    ),
    "platform.video_too_short": gettext_noop(
        "The video lasts {seconds} s; {platform} needs at least {limit} s."
    ),
    "platform.hashtag_malformed": gettext_noop(
        "“{tag}” is not a valid {platform} hashtag; write it as {example}."
    ),
    "platform.hashtag_too_long": gettext_noop("The hashtag “{tag}” is longer than {limit} characters."),
    "platform.too_many_hashtags": gettext_noop("{count} hashtags; {platform} allows at most {limit}."),
    "platform.link_not_allowed": gettext_noop(
        "{platform} does not allow links in posts; the link will not work."
    ),
    "platform.link_not_clickable": gettext_noop(
        "Links are not clickable on {platform}; readers must copy it."
    ),
    "platform.link_domain_restricted": gettext_noop("{platform} only allows links to {domains}."),
    # Links
    "link.bad_scheme": gettext_noop("“{url}” does not start with http:// or https://."),
    "link.dangerous_scheme": gettext_noop("“{url}” uses the {scheme}: scheme, which must not be published."),
    "link.missing_slashes": gettext_noop("“{url}” needs “://” after http or https."),
    "link.contains_space": gettext_noop("The link “{url}” contains a space and will break there."),
    "link.fullwidth_chars": gettext_noop("The link “{url}” contains full-width characters; use “{fixed}”."),
    "link.unbalanced_brackets": gettext_noop("The link “{url}” has unbalanced brackets."),
    "link.bad_host": gettext_noop("“{host}” is not a valid host name."),
    "link.bad_port": gettext_noop("The port in “{url}” is not valid."),
    "link.bad_percent_encoding": gettext_noop("“{url}” has a broken %-escape."),
    "link.mixed_script_host": gettext_noop(
        "The host “{host}” mixes Latin letters with look-alike letters of another script."
    ),
    "link.unreachable": gettext_noop("“{url}” could not be reached ({reason})."),
    "link.http_error": gettext_noop("“{url}” answered with HTTP {status}."),
    # Ad disclosure
    "disclosure.missing": gettext_noop(
        "This item is marked as advertising: {platform} needs “{marker}” at the start or end of the text."
    ),
    "disclosure.not_prominent": gettext_noop(
        "The ad marker “{term}” is in the middle of the text; put it at the start or end so readers see it."
    ),
    "disclosure.wrong_word": gettext_noop(
        "“{term}” is not the required marker; the rules ask for “{marker}”."
    ),
}


def render_message(
    code: str, params: Mapping[str, ParamValue], templates: Mapping[str, str] | None = None
) -> str:
    """Format the template of ``code`` with ``params``; unknown codes fall back to the code."""
    template = (templates if templates is not None else MESSAGES).get(code)
    if template is None:
        return code
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
