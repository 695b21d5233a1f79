"""Interest tags per person, weighted, from three sources (``PersonInterest`` rows).

- words: the keywords of a person's own interactions that are in the workspace's vocabulary
  (content theme names, keywords of the themes' descriptions, the personas' interests);
  weight = the keyword's share of the person's matched keywords.
- purchases: the product categories (else products) the person bought; weight = share of spend.
- platform: the tags the platforms gave the person's fans; weight = share of the person's fans
  carrying the tag.

Matching runs on textkit's normalised text with one Aho-Corasick automaton over the vocabulary
(leftmost-longest), so "新品发布会" counts once as the longer term when both are in it. The
refresh replaces each person's rows of the three sources, a chunk of people at a time, with
bulk queries only (three reads and two writes per chunk, whatever its size).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum

from socialops.accounts.models import Persona
from socialops.content.models import Theme
from socialops.core.actors import SYSTEM
from socialops.textkit.matching import TermMatcher
from socialops.textkit.normalize import match_key, normalize
from socialops.workspaces.access import require_perm
from socialops.workspaces.audit import audit_record
from socialops.workspaces.models import Workspace
from socialops.workspaces.roles import Perm

from .models import Fan, Interaction, InterestSource, OrderLine, Person, PersonInterest

# People refreshed per transaction.
CHUNK = 500
TAG_LENGTH = 60
# Pieces of a theme description shorter or longer than this are not keywords.
MIN_TERM, MAX_TERM = 2, 12
# How many keywords a theme description gives (jieba's TF-IDF, when it is installed).
DESCRIPTION_KEYWORDS = 8
_SPLIT = re.compile(r"[\s,，、;；。.!！?？:：/|()（）\[\]【】<>《》\"“”'‘’·…—-]+")


def _description_terms(text: str) -> list[str]:
    """Keywords of a theme description: jieba's TF-IDF keywords when jieba is installed, else its short phrases."""
    try:
        import jieba.analyse
    except ImportError:
        return [p for p in _SPLIT.split(text) if MIN_TERM <= len(p) <= MAX_TERM]
    return [t for t in jieba.analyse.extract_tags(text, topK=DESCRIPTION_KEYWORDS) if len(t) >= MIN_TERM]


def vocabulary(workspace: Workspace) -> dict[str, str]:
    """The workspace's interest vocabulary: match key → the tag shown (first spelling wins)."""
    terms: list[str] = []
    for name, description in Theme.objects.filter(workspace=workspace).values_list("name", "description"):
        terms.append(name)
        terms.extend(_description_terms(description or ""))
    for interests in Persona.objects.filter(workspace=workspace).values_list("interests", flat=True):
        terms.extend(str(i) for i in interests or [] if isinstance(i, str))
    vocab: dict[str, str] = {}
    for term in terms:
        term = term.strip()[:TAG_LENGTH]
        key = match_key(term)
        if len(key) >= MIN_TERM and key not in vocab:
            vocab[key] = term
    return vocab


def _shares(counts: dict[str, Any]) -> dict[str, float]:
    total = sum(v for v in counts.values() if v > 0)
    if not total:
        return {}
    return {tag: round(float(v / total), 4) for tag, v in counts.items() if v > 0}


def _word_interests(
    workspace: Workspace, ids: list[int], matcher: TermMatcher[str]
) -> dict[int, dict[str, float]]:
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    if not len(matcher):
        return {}
    texts = (
        Interaction.objects.filter(workspace=workspace, person_id__in=ids)
        .exclude(text="")
        .values_list("person_id", "text")
    )
    for person_id, text in texts.iterator(chunk_size=2000):
        for match in matcher.iter_longest(normalize(text, drop_spaces="cjk").text):
            counts[person_id][match.payload] += 1
    return {pid: _shares(c) for pid, c in counts.items()}


def _purchase_interests(workspace: Workspace, ids: list[int]) -> dict[int, dict[str, float]]:
    spend: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    rows = (
        OrderLine.objects.filter(workspace=workspace, person_id__in=ids)
        .values("person_id", "category", "product")
        .annotate(spend=Sum("amount"))
    )
    for row in rows:
        # Cancellations are negative lines of the same category: they net out here.
        tag = (row["category"] or row["product"] or "").strip()[:TAG_LENGTH]
        if tag:
            spend[row["person_id"]][tag] += row["spend"] or Decimal(0)
    return {pid: _shares(s) for pid, s in spend.items()}


def _platform_interests(workspace: Workspace, ids: list[int]) -> dict[int, dict[str, float]]:
    fans: Counter[int] = Counter()
    tagged: dict[int, Counter[str]] = defaultdict(Counter)
    for person_id, tags in Fan.objects.filter(workspace=workspace, person_id__in=ids).values_list(
        "person_id", "platform_tags"
    ):
        fans[person_id] += 1
        for tag in {str(t).strip()[:TAG_LENGTH] for t in tags or [] if str(t).strip()}:
            tagged[person_id][tag] += 1
    return {pid: {t: round(n / fans[pid], 4) for t, n in c.items()} for pid, c in tagged.items()}


def _person_ids(workspace: Workspace, people: Iterable[Person | int] | None) -> list[int]:
    rows = Person.objects.filter(workspace=workspace)
    if people is not None:
        wanted = [p.pk if isinstance(p, Person) else int(p) for p in people]
        rows = rows.filter(pk__in=wanted)
    return list(rows.order_by("pk").values_list("pk", flat=True))


def interests_refresh(
    *, workspace: Workspace, people: Iterable[Person | int] | None = None, actor: Any = SYSTEM
) -> int:
    """Recompute the interest tags of ``people`` (default: everyone in the workspace); returns the rows written."""
    require_perm(workspace=workspace, actor=actor, perm=Perm.FANS_EDIT)
    ids = _person_ids(workspace, people)
    vocab = vocabulary(workspace)
    matcher: TermMatcher[str] = TermMatcher(vocab.items())
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        sources = {
            InterestSource.WORDS: _word_interests(workspace, chunk, matcher),
            InterestSource.PURCHASES: _purchase_interests(workspace, chunk),
            InterestSource.PLATFORM: _platform_interests(workspace, chunk),
        }
        rows = [
            PersonInterest(workspace=workspace, person_id=pid, tag=tag, source=source, weight=weight)
            for source, by_person in sources.items()
            for pid, weights in by_person.items()
            for tag, weight in weights.items()
        ]
        with transaction.atomic():
            PersonInterest.objects.filter(
                workspace=workspace, person_id__in=chunk, source__in=list(sources)
            ).delete()
            PersonInterest.objects.bulk_create(rows, batch_size=1000)
        written += len(rows)
    with transaction.atomic():
        audit_record(
            workspace=workspace,
            actor=actor,
            action="person_interest.refresh",
            object_type="fans.personinterest",
            after={"people": len(ids), "rows": written},
        )
    return written
