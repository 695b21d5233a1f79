"""The moderation engine: one message, the workspace's policy and the recent history → a verdict.

Pure: no Django models, no I/O. The caller (the groups part of the community app) builds
``MessageFacts`` from what the platform delivered (deciding itself whether an image holds a QR
code), the ``Policy`` from the workspace's settings (``community.selectors.moderation.policy_for``),
and acts on the ``Verdict`` (delete, strike, mute, remove).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import rules
from .normalise import key
from .rules import (
    BANNED_WORD,
    CONTACT_RULES,
    DEFAULT_BANNED_WORDS,
    FLOOD,
    GROUP_INVITE,
    LINK,
    NEW_MEMBER_LINK,
    PHONE,
    QR_IMAGE,
    REPEAT,
    RULE_SEVERITY,
    RULES,
    SCAM_PHRASE,
    SOLICITATION,
    WECHAT_ID,
    Hit,
    Severity,
    Views,
)

#: Messages shorter than this (after normalisation) never count as repeats: 好的, 收到, 谢谢.
REPEAT_MIN_CHARS = 4


@dataclass(frozen=True, slots=True)
class MessageFacts:
    """What the engine knows about one group message."""

    text: str
    #: Who sent it (any stable key: a fan id, a platform user id); repeats and floods count per sender.
    sender: str = ""
    sent_at: datetime | None = None
    has_image: bool = False
    #: Whether the attached image holds a QR code (decided by the caller).
    image_has_qr: bool = False
    member_joined_at: datetime | None = None
    #: Our own staff: never judged spam.
    is_staff: bool = False


@dataclass(frozen=True, slots=True)
class Policy:
    """The moderation settings of one workspace, frozen for the engine."""

    rules: frozenset[str] = frozenset(RULES)
    banned_words: tuple[str, ...] = DEFAULT_BANNED_WORDS
    #: Our own domains (and their subdomains): links to them are allowed.
    allowed_domains: tuple[str, ...] = ()
    #: Our own phone numbers, WeChat and QQ IDs: allowed in messages.
    allowed_contacts: tuple[str, ...] = ()
    repeat_count: int = 3
    repeat_window_minutes: int = 10
    flood_per_minute: int = 8
    new_member_hours: int = 24
    #: The strike ladder: strike 1 warns, strike ``mute_after_strikes`` mutes for ``mute_hours``,
    #: strike ``remove_after_strikes`` removes the member from the group.
    mute_after_strikes: int = 2
    mute_hours: int = 24
    remove_after_strikes: int = 3

    def enabled(self, rule: str) -> bool:
        """True when ``rule`` is switched on."""
        return rule in self.rules

    def step_for_strike(self, strikes: int) -> tuple[str, int]:
        """The ladder step for a member's ``strikes``-th strike: ("warn"|"mute"|"remove", mute hours)."""
        if strikes >= self.remove_after_strikes:
            return "remove", 0
        if strikes >= self.mute_after_strikes:
            return "mute", self.mute_hours
        return "warn", 0


@dataclass(frozen=True, slots=True)
class Verdict:
    """The engine's answer for one message."""

    spam: bool
    #: The rule that decided (a stable code from ``rules.RULES``), "" when the message is fine.
    rule: str = ""
    #: The original span that matched ("" for rules about the whole message or an image).
    evidence: str = ""
    start: int = 0
    end: int = 0
    severity: Severity = Severity.NONE
    params: Mapping[str, Any] = field(default_factory=dict)
    #: Every rule that matched, first the deciding one (for the moderators' log).
    hits: tuple[Hit, ...] = ()

    @property
    def reason(self) -> str:
        """The sentence that explains the verdict, in the active language."""
        return rules.REASONS.render(self.rule or "ok", {"evidence": self.evidence, **self.params})

    def as_dict(self) -> dict[str, Any]:
        """The verdict as JSON-ready data (what the CLI and the API print)."""
        return {
            "spam": self.spam,
            "rule": self.rule,
            "reason": self.reason,
            "evidence": self.evidence,
            "severity": str(self.severity),
        }


OK = Verdict(spam=False)


def judge(message: MessageFacts, policy: Policy, history: Sequence[MessageFacts] = ()) -> Verdict:
    """Judge ``message`` under ``policy``; ``history`` is the group's earlier messages (any senders)."""
    if message.is_staff:
        return OK
    hits = [h for h in _content_hits(message, policy) if h is not None]
    hits.extend(_behaviour_hits(message, policy, history))
    decided: list[Hit] = []
    for hit in hits:
        if policy.enabled(hit.rule):
            decided.append(hit)
        elif hit.rule in CONTACT_RULES and _is_new_member(message, policy):
            decided.append(
                Hit(NEW_MEMBER_LINK, hit.start, hit.end, hit.evidence, {"hours": policy.new_member_hours})
            )
    if not decided:
        return OK
    decided.sort(key=lambda h: RULES.index(h.rule))
    first = decided[0]
    return Verdict(
        spam=True,
        rule=first.rule,
        evidence=first.evidence,
        start=first.start,
        end=first.end,
        severity=RULE_SEVERITY[first.rule],
        params=first.params,
        hits=tuple(decided),
    )


def _content_hits(message: MessageFacts, policy: Policy) -> list[Hit | None]:
    """What the text and the image show, whatever rules are on (the engine filters afterwards)."""
    contacts_matter = _is_new_member(message, policy) and policy.enabled(NEW_MEMBER_LINK)
    out: list[Hit | None] = []
    if message.has_image and message.image_has_qr and (policy.enabled(QR_IMAGE) or contacts_matter):
        out.append(Hit(QR_IMAGE))
    text = message.text or ""
    if not text.strip():
        return out
    views = Views.of(text)
    if policy.enabled(LINK) or contacts_matter:
        out.append(rules.find_link(views, policy.allowed_domains))
    if policy.enabled(WECHAT_ID) or contacts_matter:
        out.append(rules.find_wechat(views, policy.allowed_contacts))
    if policy.enabled(PHONE) or contacts_matter:
        out.append(rules.find_phone(views, policy.allowed_contacts))
    if policy.enabled(GROUP_INVITE):
        out.append(rules.find_group_invite(views))
    if policy.enabled(BANNED_WORD) and policy.banned_words:
        out.append(rules.find_banned(views, policy.banned_words))
    if policy.enabled(SCAM_PHRASE):
        out.append(rules.find_scam_phrase(views))
    if policy.enabled(SOLICITATION):
        out.append(rules.find_solicitation(views))
    return out


def _is_new_member(message: MessageFacts, policy: Policy) -> bool:
    """True when the sender joined less than ``new_member_hours`` before sending."""
    if message.member_joined_at is None or message.sent_at is None or policy.new_member_hours <= 0:
        return False
    return message.sent_at - message.member_joined_at < timedelta(hours=policy.new_member_hours)


def _behaviour_hits(message: MessageFacts, policy: Policy, history: Sequence[MessageFacts]) -> list[Hit]:
    """Repeats and floods: what the sender did in the minutes before this message."""
    if message.sent_at is None or not history or not (policy.enabled(REPEAT) or policy.enabled(FLOOD)):
        return []
    now = message.sent_at
    mine = [
        m
        for m in history
        if m is not message and m.sender == message.sender and m.sent_at is not None and m.sent_at <= now
    ]
    out: list[Hit] = []
    if policy.enabled(REPEAT) and policy.repeat_count > 1:
        k = key(message.text or "")
        if len(k) >= REPEAT_MIN_CHARS:
            since = now - timedelta(minutes=policy.repeat_window_minutes)
            same = sum(1 for m in mine if m.sent_at and m.sent_at >= since and key(m.text or "") == k)
            if same + 1 >= policy.repeat_count:
                out.append(
                    Hit(
                        REPEAT,
                        0,
                        len(message.text),
                        message.text,
                        {"count": same + 1, "minutes": policy.repeat_window_minutes},
                    )
                )
    if policy.enabled(FLOOD) and policy.flood_per_minute > 0:
        since = now - timedelta(minutes=1)
        recent = sum(1 for m in mine if m.sent_at and m.sent_at > since)
        if recent + 1 > policy.flood_per_minute:
            out.append(Hit(FLOOD, 0, 0, "", {"count": recent + 1, "limit": policy.flood_per_minute}))
    return out


__all__ = [
    "BANNED_WORD",
    "FLOOD",
    "GROUP_INVITE",
    "LINK",
    "NEW_MEMBER_LINK",
    "OK",
    "PHONE",
    "QR_IMAGE",
    "REPEAT",
    "RULES",
    "SCAM_PHRASE",
    "SOLICITATION",
    "WECHAT_ID",
    "MessageFacts",
    "Policy",
    "Severity",
    "Verdict",
    "judge",
]
