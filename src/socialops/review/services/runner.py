"""Running the checks (R2.7, R3.6): on some texts, or on an item and each variant, storing the findings.

* ``run_checks`` runs every check on some texts and returns ``CheckFinding``s (messages in the
  active language); ``run_item_checks`` runs them on an item and each of its variants and
  stores the findings; ``item_has_blocking_findings`` answers the review workflow.
* The checkers built from a workspace's term lists are cached per process, keyed by the
  lists' version.
* Link reachability runs in a Huey task (``review.tasks.check_links``); its results are stored
  as ``LinkCheck`` rows and become findings the next time checks run.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from socialops.accounts.models import Platform
from socialops.content.models import ContentItem, ContentVariant, MediaAsset, MediaKind
from socialops.content.rendering import body_text
from socialops.content.selectors.items import ordered_images, ordered_media
from socialops.textkit import disclosure as tk_disclosure
from socialops.textkit import platform_rules as tk_platform
from socialops.textkit.adlaw import AdLawChecker, AdLawTerm
from socialops.textkit.findings import Finding, Severity
from socialops.textkit.links import check_urls, find_urls, reachability_findings
from socialops.textkit.terms import BannedTerm as TkBannedTerm
from socialops.textkit.terms import (
    BrandChecker,
    BrandRule,
    SensitiveChecker,
    TermList,
)
from socialops.workspaces.access import ensure_same_workspace
from socialops.workspaces.models import Workspace

# tasks imports these services too; importing the module (not its names) keeps that cycle
# harmless and lets tests replace a task.
from .. import tasks
from ..findings import CheckFinding, from_textkit, sort_key
from ..models import (
    AdLawEntry,
    AdLawEntryKind,
    BannedTerm,
    BrandTerm,
    CheckSettings,
    FindingSeverity,
    ItemCheckRun,
    ItemFinding,
    SensitiveList,
    SensitiveTerm,
)
from ..originality import long_enough
from ..presenters import GENERIC_PLATFORM
from ._common import check_settings_for
from .links import link_statuses, links_pending
from .originality import originality_findings


@dataclass(frozen=True)
class WorkspaceCheckers:
    """The checkers built from one version of a workspace's term lists."""

    adlaw: AdLawChecker
    sensitive: SensitiveChecker
    brand: BrandChecker


_checkers_cache: OrderedDict[tuple[int, int, str], WorkspaceCheckers] = OrderedDict()
_checkers_lock = threading.Lock()
CHECKERS_CACHE_SIZE = 64


def _build_checkers(workspace: Workspace) -> WorkspaceCheckers:
    extra: list[AdLawTerm] = []
    removed: list[str] = []
    names: list[str] = []
    for kind, term, severity in AdLawEntry.objects.filter(workspace=workspace).values_list(
        "kind", "term", "severity"
    ):
        if kind == AdLawEntryKind.EXTRA:
            extra.append(AdLawTerm(term, cast(Severity, severity), "custom_term"))
        elif kind == AdLawEntryKind.REMOVED:
            removed.append(term)
        else:
            names.append(term)
    lists = {
        pk: (name, severity)
        for pk, name, severity in SensitiveList.objects.filter(workspace=workspace).values_list(
            "pk", "name", "severity"
        )
    }
    terms: dict[int, list[str]] = {pk: [] for pk in lists}
    for list_id, term in SensitiveTerm.objects.filter(workspace=workspace).values_list(
        "term_list_id", "term"
    ):
        terms.setdefault(list_id, []).append(term)
    term_lists = [
        TermList(name, tuple(terms.get(pk, ())), cast(Severity, severity))
        for pk, (name, severity) in lists.items()
    ]
    rules = [
        BrandRule(preferred, tuple(forbidden or ()), cast(Severity, severity))
        for preferred, forbidden, severity in BrandTerm.objects.filter(workspace=workspace).values_list(
            "preferred", "forbidden", "severity"
        )
    ]
    banned = [
        TkBannedTerm(term, replacement or None, cast(Severity, severity))
        for term, replacement, severity in BannedTerm.objects.filter(workspace=workspace).values_list(
            "term", "replacement", "severity"
        )
    ]
    return WorkspaceCheckers(
        adlaw=AdLawChecker(extra_terms=extra, removed_terms=removed, allowed_names=names),
        sensitive=SensitiveChecker(term_lists),
        brand=BrandChecker(rules, banned),
    )


def workspace_checkers(workspace: Workspace, settings_row: CheckSettings | None = None) -> WorkspaceCheckers:
    """The workspace's checkers, built from the database or taken from this process's cache.

    The cache key carries the terms version and its token; every term-list write changes both
    in its transaction, so a cached checker is never older than the lists.
    """
    row = settings_row if settings_row is not None else check_settings_for(workspace)
    if row.pk is None:
        return _build_checkers(workspace)
    key = (workspace.pk, row.terms_version, str(row.cache_token))
    with _checkers_lock:
        hit = _checkers_cache.get(key)
        if hit is not None:
            _checkers_cache.move_to_end(key)
            return hit
    built = _build_checkers(workspace)
    with _checkers_lock:
        _checkers_cache[key] = built
        while len(_checkers_cache) > CHECKERS_CACHE_SIZE:
            _checkers_cache.popitem(last=False)
    return built


ImageSpec = tuple[int, int, int]
VideoSpec = tuple[int, float]


def platform_form_for(
    platform: str,
    content_form: str | None,
    *,
    has_images: bool = False,
    image_count: int = 0,
    has_video: bool = False,
) -> str | None:
    """The platform's form (textkit rules) for one of our content forms; None when the platform has no rules.

    A Weibo variant is an API share (140 汉字, one picture) unless it carries several pictures or
    a video, which only the app's long form takes.
    """
    known = tk_platform.forms(platform)
    if not known:
        return None
    cf = content_form or ""
    mapping: dict[str, str] = {
        Platform.WEIBO: "long" if image_count > 1 or has_video else "post",
        Platform.XIAOHONGSHU: "video" if cf in ("video", "live") else "note",
        Platform.DOUYIN: "video" if cf in ("video", "live") else "image_text",
        Platform.TELEGRAM: "media" if cf in ("video", "live") or has_images else "message",
    }
    chosen = mapping.get(platform, known[0])
    return chosen if chosen in known else known[0]


# Long (mostly its docstring): every check family takes its own inputs, and keeping them in one
# place shows the order the findings come from.
def run_checks(
    *,
    workspace: Workspace,
    text_fields: Mapping[str, str],
    platform: str | None = None,
    form: str | None = None,
    is_advertising: bool = False,
    images: Sequence[ImageSpec] = (),
    video: VideoSpec | None = None,
    hashtags: Sequence[str] = (),
    exclude_item: ContentItem | None = None,
    variant_id: int | None = None,
    settings_row: CheckSettings | None = None,
) -> list[CheckFinding]:
    """Every check on some texts of one workspace, in reading order.

    ``text_fields`` maps field names (title, digest, author, body, live_outline) to texts; each
    gets the Advertising-Law, sensitive-word, brand and link-syntax checks, plus the stored
    reachability results of its links. With a ``platform`` (and its ``form``, else the
    platform's first) the platform's limits apply to title/digest/author/body, the images
    ``(bytes, width, height)``, the video ``(bytes, seconds)`` and the hashtags. An
    advertising text needs the platform's disclosure (the Chinese platforms' rule when the
    platform is unknown). The body is compared with the workspace's published history (ours
    and competitors'); posts of ``exclude_item`` are left out.
    """
    row = settings_row if settings_row is not None else check_settings_for(workspace)
    checkers = workspace_checkers(workspace, row)
    plat = platform or ""
    texts = {k: v for k, v in text_fields.items() if isinstance(v, str)}
    tk: list[tuple[Finding, str | None, dict[str, Any]]] = []
    urls: dict[str, list[str]] = {}
    for name, text in texts.items():
        if not text:
            continue
        for f in checkers.adlaw.check(text, field=name):
            tk.append((f, None, {}))
        for f in checkers.sensitive.check(text, field=name):
            tk.append((f, None, {}))
        for f in checkers.brand.check(text, field=name):
            tk.append((f, None, {}))
        for f in check_urls(text, field=name):
            tk.append((f, None, {}))
        found = [u.url for u in find_urls(text)]
        if found:
            urls[name] = found
    if urls:
        statuses = link_statuses(workspace, [u for us in urls.values() for u in us])
        if statuses:
            for name in urls:
                for f in reachability_findings(texts[name], statuses, field=name):
                    tk.append((f, None, {}))
    if platform and tk_platform.forms(platform):
        known = tk_platform.forms(platform)
        chosen = form if form in known else known[0]
        for f in tk_platform.check_platform(
            platform,
            chosen,
            title=texts.get("title"),
            body=texts.get("body"),
            digest=texts.get("digest"),
            author=texts.get("author"),
            images=images,
            video=video,
            hashtags=hashtags,
        ):
            tk.append((f, None, {}))
    if is_advertising:
        rule_platform = platform if platform in tk_disclosure.RULES else "wechat_mp"
        extra = {} if platform in tk_disclosure.RULES else {"platform": GENERIC_PLATFORM}
        for f in tk_disclosure.check_disclosure(
            rule_platform, texts.get("body", ""), is_ad=True, title=texts.get("title") or None, field="body"
        ):
            tk.append((f, None, extra))
    out = [
        from_textkit(f, field_name=fn, variant_id=variant_id, platform=plat, params=extra)
        for f, fn, extra in tk
    ]
    body = texts.get("body", "")
    if body and long_enough(body):
        out.extend(
            originality_findings(
                workspace, body, row, exclude_item=exclude_item, variant_id=variant_id, platform=plat
            )
        )
    return sorted(out, key=sort_key)


def _image_specs(assets: Iterable[MediaAsset]) -> list[ImageSpec]:
    return [(a.size_bytes, a.width or 0, a.height or 0) for a in assets if a.kind == MediaKind.IMAGE]


def _video_spec(asset: MediaAsset | None) -> VideoSpec | None:
    if asset is None:
        return None
    return (asset.size_bytes, float(asset.duration_seconds or 0.0))


def _item_inputs(item: ContentItem) -> dict[str, Any]:
    return {
        "text_fields": {
            "title": item.title,
            "digest": item.digest,
            "body": body_text(item.body, item.body_format),
            "live_outline": item.live_outline,
        },
        "images": ordered_images(item),
        "video": item.video,
    }


def _variant_inputs(item: ContentItem, variant: ContentVariant) -> dict[str, Any]:
    """What a variant publishes: its own fields, falling back to the item's where it has none."""
    platform = variant.account.platform
    media = ordered_media(variant)
    images = [a for a in media if a.kind == MediaKind.IMAGE]
    videos = [a for a in media if a.kind == MediaKind.VIDEO]
    if not media:
        images = ordered_images(item)
        videos = [item.video] if item.video else []
    form = platform_form_for(
        platform, item.form, has_images=bool(images), image_count=len(images), has_video=bool(videos)
    )
    rules = tk_platform.RULES.get((platform, form)) if form else None
    title = (variant.extra or {}).get("short_title") if platform == Platform.CHANNELS else None
    title = title or variant.title or (item.title if rules is not None and rules.title is not None else "")
    fields = {
        "title": title,
        # A rich-text body is checked as its words (a 公众号 variant carries the item's format).
        "body": body_text(
            variant.body or item.body,
            item.body_format if not variant.body or platform == Platform.WECHAT_MP else "markdown",
        ),
        "digest": variant.digest or (item.digest if rules is not None and rules.digest is not None else ""),
        "author": variant.author,
    }
    return {
        "platform": platform,
        "form": form,
        "text_fields": fields,
        "images": images,
        "video": videos[0] if videos else None,
        # Variants store bare topic names; the post carries them in the platform's syntax.
        "hashtags": [tk_platform.as_platform_hashtag(platform, form, tag) for tag in variant.hashtags or []],
        "links": [u for u in (variant.link_url, (variant.extra or {}).get("content_source_url")) if u],
    }


@dataclass(frozen=True)
class CheckTarget:
    """One checked text of an item: the item itself or a variant, with the texts as checked."""

    variant: ContentVariant | None
    platform: str
    form: str | None
    text_fields: Mapping[str, str]


def check_targets(*, workspace: Workspace, item: ContentItem) -> list[CheckTarget]:
    """The item and each variant with the texts the checks see (for showing findings in place)."""
    ensure_same_workspace(workspace, item, "item")
    out = [CheckTarget(None, "", None, _item_inputs(item)["text_fields"])]
    for variant in item.variants.select_related("account").order_by("pk"):
        v = _variant_inputs(item, variant)
        out.append(CheckTarget(variant, v["platform"], v["form"], v["text_fields"]))
    return out


def _inputs_hash(
    workspace: Workspace, item: ContentItem, variants: Sequence[ContentVariant], row: CheckSettings
) -> str:
    data = {
        "item": [item.pk, item.version, item.is_advertising, item.form],
        "variants": [[v.pk, v.version, v.account_id] for v in variants],
        "terms": [row.terms_version, str(row.cache_token) if row.pk else ""],
        "thresholds": [row.originality_threshold, row.originality_block_threshold],
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _link_field_findings(
    workspace: Workspace, links: Sequence[str], *, variant_id: int | None, platform: str
) -> list[CheckFinding]:
    """Reachability findings of the variant's link fields (the link, the 公众号 “read more” link)."""
    statuses = link_statuses(workspace, links)
    out = []
    for url in links:
        for f in reachability_findings(url, statuses, field="link_url"):
            out.append(from_textkit(f, variant_id=variant_id, platform=platform))
    return out


@transaction.atomic
def run_item_checks(
    *, workspace: Workspace, item: ContentItem, enqueue_links: bool = True
) -> list[CheckFinding]:
    """Check an item and each of its variants (with that variant's platform) and store the findings.

    The findings replace the item's previous ones, so pages and the API show them. Links whose
    reachability is unknown or old are checked by ``review.tasks.check_links`` after commit.
    """
    item = ContentItem.objects.select_related("video").get(pk=item.pk, workspace=workspace)
    row = check_settings_for(workspace)
    variants = list(item.variants.select_related("account").order_by("pk"))
    findings: list[CheckFinding] = []
    base = _item_inputs(item)
    findings += run_checks(
        workspace=workspace,
        text_fields=base["text_fields"],
        is_advertising=item.is_advertising,
        exclude_item=item,
        settings_row=row,
    )
    for variant in variants:
        v = _variant_inputs(item, variant)
        findings += run_checks(
            workspace=workspace,
            text_fields=v["text_fields"],
            platform=v["platform"],
            form=v["form"],
            is_advertising=item.is_advertising,
            images=_image_specs(v["images"]),
            video=_video_spec(v["video"]),
            hashtags=v["hashtags"],
            exclude_item=item,
            variant_id=variant.pk,
            settings_row=row,
        )
        findings += _link_field_findings(workspace, v["links"], variant_id=variant.pk, platform=v["platform"])
    findings.sort(key=sort_key)
    _store(workspace, item, findings, _inputs_hash(workspace, item, variants, row))
    if enqueue_links and links_pending(workspace=workspace, item=item):
        workspace_id, item_id = workspace.pk, item.pk
        transaction.on_commit(lambda: tasks.check_links(workspace_id, item_id))
    return findings


# Fields a finding keeps under the same name in its ItemFinding row (``check`` is stored as
# ``check_name``; ``params`` and ``related`` as plain dicts).
_STORED_AS_IS = (
    "field",
    "severity",
    "start",
    "end",
    "matched",
    "message_code",
    "suggestion",
    "variant_id",
    "platform",
)


def _store(
    workspace: Workspace, item: ContentItem, findings: Sequence[CheckFinding], inputs_hash: str
) -> ItemCheckRun:
    # Findings are derived from the item and the term lists (both audited) and replaced on every
    # save, so they are not audited themselves; the same goes for link results and the index.
    ItemFinding.objects.filter(workspace=workspace, item=item).delete()
    ItemFinding.objects.bulk_create(
        [
            ItemFinding(
                workspace=workspace,
                item=item,
                position=i,
                check_name=f.check,
                params=dict(f.params),
                related=dict(f.related),
                **{name: getattr(f, name) for name in _STORED_AS_IS},
            )
            for i, f in enumerate(findings)
        ],
        batch_size=500,
    )
    counts = {s: sum(1 for f in findings if f.severity == s) for s in FindingSeverity.values}
    run, _created = ItemCheckRun.objects.update_or_create(
        item=item,
        defaults={
            "workspace": workspace,
            "item_version": item.version,
            "inputs_hash": inputs_hash,
            "block_count": counts["block"],
            "warn_count": counts["warn"],
            "info_count": counts["info"],
            "checked_at": timezone.now(),
        },
    )
    return run


def stored_findings(*, workspace: Workspace, item: ContentItem) -> list[CheckFinding]:
    """The findings stored by the item's last check run, in reading order."""
    return [
        CheckFinding(
            check=r.check_name,
            params=r.params or {},
            related=r.related or {},
            **{name: getattr(r, name) for name in _STORED_AS_IS},
        )
        for r in ItemFinding.objects.filter(workspace=workspace, item=item).order_by("position")
    ]


def item_checks_current(
    *, workspace: Workspace, item: ContentItem
) -> tuple[ItemCheckRun, list[CheckFinding]]:
    """The item's check run and findings, re-running the checks when anything they depend on changed."""
    row = check_settings_for(workspace)
    variants = list(item.variants.order_by("pk"))
    current = _inputs_hash(workspace, item, variants, row)
    run = ItemCheckRun.objects.filter(workspace=workspace, item=item).first()
    if run is None or run.inputs_hash != current:
        run_item_checks(workspace=workspace, item=item)
        run = ItemCheckRun.objects.get(workspace=workspace, item=item)
    return run, stored_findings(workspace=workspace, item=item)


def item_has_blocking_findings(*, workspace: Workspace, item: ContentItem) -> bool:
    """True when the item (or one of its variants) has a blocking finding as it is now."""
    run, _findings = item_checks_current(workspace=workspace, item=item)
    return run.block_count > 0
