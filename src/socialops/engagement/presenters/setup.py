"""How stored check findings of saved replies and rules read, in the reader's language."""

from __future__ import annotations

from typing import Any

from socialops.review.presenters import render_message


def findings_sentences(findings: list[dict[str, Any]], *, blocking_only: bool = True) -> list[str]:
    """One sentence per stored finding (re-rendered from its code), naming the words that trigger it."""
    out = []
    for f in findings or []:
        if blocking_only and not f.get("blocking"):
            continue
        message = render_message(str(f.get("code", "")), dict(f.get("params") or {}))
        matched = f.get("matched")
        out.append(f"{message} ({matched})" if matched else message)
    return out
