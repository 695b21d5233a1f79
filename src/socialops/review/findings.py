"""The finding of a check, as the review app stores, sorts and shows it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from socialops.textkit.findings import Finding, severity_rank

from .models import (
    FindingSeverity,
)
from .presenters import render_message

#: Order of fields in a findings list.
FIELD_ORDER = ("title", "digest", "author", "body", "live_outline", "hashtags", "link_url", "images", "video")
#: Text fields a check request may carry.
TEXT_FIELDS = ("title", "digest", "author", "body", "live_outline")


@dataclass(frozen=True)
class CheckFinding:
    """One finding of a check on one field of a text (an item's, a variant's, or a draft's).

    ``start``/``end`` are offsets into the checked field's text (Python ``str`` indices, end
    exclusive; both None when the finding has no span). ``message`` is rendered in the active
    language from ``message_code`` and ``params`` every time it is read.
    """

    field: str
    check: str
    severity: str
    start: int | None
    end: int | None
    matched: str
    message_code: str
    params: Mapping[str, Any] = dc_field(default_factory=dict)
    suggestion: str | None = None
    #: The variant the finding is about (None: the item itself, or a draft).
    variant_id: int | None = None
    #: The platform whose rules applied ("" when none did).
    platform: str = ""
    #: Originality: the similar post and the side-by-side diff segments.
    related: Mapping[str, Any] = dc_field(default_factory=dict)

    @property
    def message(self) -> str:
        """The message in the active language."""
        return render_message(self.message_code, self.params)

    @property
    def blocking(self) -> bool:
        """True for block findings (they prevent approval unless an admin overrides)."""
        return self.severity == FindingSeverity.BLOCK

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the API and the command line)."""
        return {
            "variant_id": self.variant_id,
            "platform": self.platform,
            "field": self.field,
            "check": self.check,
            "severity": self.severity,
            "start": self.start,
            "end": self.end,
            "matched": self.matched,
            "message": self.message,
            "message_code": self.message_code,
            "params": dict(self.params),
            "suggestion": self.suggestion,
            "related": dict(self.related),
        }


def sort_key(f: CheckFinding) -> tuple[Any, ...]:
    """Reading order: variant, field, position, most serious first, longest first."""
    field_rank = FIELD_ORDER.index(f.field) if f.field in FIELD_ORDER else len(FIELD_ORDER)
    return (
        f.variant_id or 0,
        field_rank,
        -1 if f.start is None else f.start,
        severity_rank(f.severity),
        -1 if f.end is None else -f.end,
        f.message_code,
    )


def from_textkit(
    f: Finding,
    *,
    field_name: str | None = None,
    variant_id: int | None,
    platform: str,
    params: Mapping[str, Any] | None = None,
) -> CheckFinding:
    """A textkit finding as a CheckFinding of this field, variant and platform."""
    return CheckFinding(
        field=field_name or f.field,
        check=f.check,
        severity=f.severity,
        start=f.start,
        end=f.end,
        matched=f.text,
        message_code=f.message_code,
        params={**dict(f.params), **(params or {})},
        suggestion=f.suggestion,
        variant_id=variant_id,
        platform=platform,
    )
