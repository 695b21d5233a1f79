"""`socialops demo_publish_loop`: connect the demo workspace to the sandbox and schedule its approved posts.

Run by `make demo` after seeding, with `socialops sandbox` and the worker running: the demo's own
accounts are connected to the sandbox platform, and every approved item with placements in the
plan gets its publications (at the placements' times), so the whole loop works offline. When no
item is approved yet, a few placed drafts go through the review workflow (submitted by their
owner, each step approved by a member it is assigned to, the demo reviewer first); items with
blocking check findings are left alone. Running it again changes nothing that is already done.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from socialops.analytics.models import PostRecord
from socialops.content.models import ContentItem, Placement
from socialops.demo.groups import groups_connect_sandbox
from socialops.engagement.models import Thread
from socialops.fans import sources as fan_sources
from socialops.goals.models import MetricSnapshot
from socialops.platforms.sandbox import SandboxAdmin
from socialops.platforms.services import sandbox as platform_services
from socialops.publishing import services as publishing_services
from socialops.publishing.models import Publication, PublicationState
from socialops.review.models import ItemStatus, ReviewRound, RoundOutcome
from socialops.review.services import chains as chain_services
from socialops.review.services import rounds as round_services
from socialops.review.services import runner as check_runner
from socialops.review.services import transitions as transition_services
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Perm

# How long ago (hours) the sandbox accounts' recent posts were made, newest first.
HISTORY_HOURS = (3, 9, 20, 30, 44)

# Items whose placements may be scheduled (the publishing services accept these states).
READY = (ItemStatus.APPROVED, ItemStatus.FAILED)


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(str(m) for msgs in exc.message_dict.values() for m in msgs)
    return "; ".join(exc.messages)


class Command(BaseCommand):
    help = (
        "Connect the demo workspace's accounts to the sandbox platform and schedule every approved, "
        "placed item (approving a few placed drafts through the review workflow when none is approved)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workspace", default="demo", help="Workspace slug (default: demo).")
        parser.add_argument(
            "--sandbox-url", default="", help="The sandbox platform (default: settings.SANDBOX_URL)."
        )
        parser.add_argument(
            "--wait", type=float, default=15.0, help="Seconds to wait for the sandbox to answer."
        )
        parser.add_argument(
            "--approve",
            type=int,
            default=3,
            help="How many placed drafts to approve when no placed item is approved yet (default 3).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(
                _("No workspace “%(slug)s”: run `socialops demo` first.") % {"slug": options["workspace"]}
            )
        url = options["sandbox_url"] or settings.SANDBOX_URL
        with SandboxAdmin(url, timeout=5.0) as admin:
            if not admin.wait_until_up(timeout=max(0.0, options["wait"])):
                raise CommandError(
                    _("The sandbox at %(url)s did not answer. Start it with `socialops sandbox`.")
                    % {"url": url}
                )
        try:
            connections = platform_services.sandbox_connect_demo(workspace=workspace, base_url=url)
        except ValidationError as exc:
            raise CommandError(_errors(exc)) from exc
        self.stdout.write(
            _("%(count)d accounts connected to the sandbox at %(url)s.")
            % {"count": len(connections), "url": url}
        )
        self._align_audiences(workspace, connections, url)
        groups = groups_connect_sandbox(workspace, url)
        if groups:
            self.stdout.write(
                _("%(count)d community groups live on the sandbox (members talk; some spam is moderated).")
                % {"count": groups}
            )
        filed = self._fill_inbox(workspace, connections, url)
        self.stdout.write(
            _(
                "Inbox: %(threads)d conversations from the sandbox's fans (new ones are pulled every few minutes)."
            )
            % {"threads": filed}
        )
        before = Publication.objects.filter(workspace=workspace).count()
        approved = self._approve_if_none(workspace, max(0, options["approve"]))
        if approved:
            self.stdout.write(
                _("Approved through the review workflow: %(titles)s") % {"titles": "、".join(approved)}
            )
        self._schedule(workspace)
        # Approvals schedule their placements by themselves; count every publication made by this run.
        made = Publication.objects.filter(workspace=workspace).count() - before
        pending = Publication.objects.filter(
            workspace=workspace, state__in=[PublicationState.SCHEDULED, PublicationState.PUBLISHING]
        )
        next_due = pending.order_by("due_at").values_list("due_at", flat=True).first()
        self.stdout.write(
            _("%(made)d publications scheduled now; %(open)d waiting for their time, the next at %(next)s.")
            % {
                "made": made,
                "open": pending.count(),
                # In the workspace's own time zone, as its team reads the plan.
                "next": (
                    f"{timezone.localtime(next_due, workspace.tz):%Y-%m-%d %H:%M} ({workspace.timezone})"
                    if next_due is not None
                    else _("none")
                ),
            }
        )

    def _align_audiences(self, workspace: Workspace, connections: list[Any], url: str) -> None:
        """Start each sandbox account's audience at the follower count the demo's history ends
        with, so the synced figures continue the charts instead of dropping to a fresh account's."""
        with SandboxAdmin(url, timeout=5.0) as admin:
            for connection in connections:
                latest = (
                    MetricSnapshot.objects.filter(
                        workspace=workspace, account_id=connection.account_id, followers_total__isnull=False
                    )
                    .exclude(source="sync")
                    .order_by("-date")
                    .values_list("followers_total", flat=True)
                    .first()
                )
                if latest is not None:
                    admin.set_followers(platform_services.sandbox_username(connection.account), int(latest))

    def _fill_inbox(self, workspace: Workspace, connections: list[Any], url: str) -> int:
        """Give each sandbox account its recent posts (the last of the demo's post history, made
        hours to two days ago) the first time, so its fans have commented and written; then pull
        their comments and messages once, which files them in the inbox (and runs the auto-replies)."""
        with SandboxAdmin(url, timeout=10.0) as admin:
            for connection in connections:
                username = platform_services.sandbox_username(connection.account)
                if admin.posts(username=username, summary=True)["count"]:
                    continue
                texts = list(
                    PostRecord.objects.filter(workspace=workspace, account=connection.account)
                    .exclude(text="")
                    .order_by("-published_at")
                    .values_list("text", flat=True)[: len(HISTORY_HOURS)]
                )
                if len(texts) < len(HISTORY_HOURS):
                    # Imported history without texts: the team's content titles stand in for them.
                    titles = (
                        ContentItem.objects.filter(workspace=workspace)
                        .order_by("-pk")
                        .values_list("title", flat=True)
                    )
                    offset = connection.account_id % 7
                    texts += list(titles[offset : offset + len(HISTORY_HOURS) - len(texts)])
                if texts:
                    admin.post_history(
                        username, [(t[:480], h) for t, h in zip(texts, HISTORY_HOURS, strict=False)]
                    )
        for connection in connections:
            fan_sources.account_sync(workspace=workspace, account=connection.account)
        return Thread.objects.filter(
            workspace=workspace, account__in=[c.account for c in connections]
        ).count()

    def _member(self, workspace: Workspace, username: str, perm: str) -> Any:
        member = (
            Membership.objects.filter(workspace=workspace, user__username=username, user__is_active=True)
            .select_related("user")
            .first()
        )
        return member.user if member is not None and member.has_perm(perm) else None

    def _editor(self, workspace: Workspace, item: ContentItem) -> Any:
        """Who submits and schedules: the item's owner if they may edit, else the demo operator."""
        for user_id in (item.owner_id, item.created_by_id):
            if user_id is None:
                continue
            member = (
                Membership.objects.filter(workspace=workspace, user_id=user_id).select_related("user").first()
            )
            if member is not None and member.has_perm(Perm.CONTENT_EDIT):
                return member.user
        return self._member(workspace, "operator", Perm.CONTENT_EDIT)

    def _approve_if_none(self, workspace: Workspace, limit: int) -> list[str]:
        placed = Placement.objects.filter(workspace=workspace).values("item")
        items = ContentItem.objects.filter(workspace=workspace, pk__in=placed)
        already = items.exclude(status__in=transition_services.SUBMIT_FROM + transition_services.REVIEW_FROM)
        if already.exists() or limit == 0:
            return []
        candidates = (
            items.filter(status__in=transition_services.SUBMIT_FROM + transition_services.REVIEW_FROM)
            .annotate(first_slot=Min("placements__starts_at"))
            .order_by("first_slot", "pk")
        )
        done: list[str] = []
        for item in candidates:
            if len(done) >= limit:
                break
            if check_runner.item_has_blocking_findings(workspace=workspace, item=item):
                continue
            if self._approve(workspace, item):
                done.append(item.title)
        return done

    def _approve(self, workspace: Workspace, item: ContentItem) -> bool:
        """Submit (if needed) and approve every step as a member it is assigned to."""
        try:
            if item.status in transition_services.SUBMIT_FROM:
                round_services.item_submit(
                    workspace=workspace, actor=self._editor(workspace, item), item=item
                )
            for _step in range(20):
                item.refresh_from_db()
                if item.status != ItemStatus.IN_REVIEW:
                    break
                round_ = ReviewRound.objects.filter(
                    workspace=workspace, item=item, outcome=RoundOutcome.OPEN
                ).first()
                task = round_services.current_task(round_) if round_ is not None else None
                if round_ is None or task is None:
                    return False
                deciders = chain_services.task_candidates(workspace=workspace, task=task, item=item)
                if not deciders:
                    return False
                # Someone who has not approved an earlier step of this round (the chain may want a
                # different person for each step), the demo reviewer first.
                earlier = set(
                    round_.tasks.filter(decided_by__isnull=False).values_list("decided_by_id", flat=True)
                )
                fresh = [m for m in deciders if m.user_id not in earlier] or deciders
                decider = next((m for m in fresh if m.user.username == "reviewer"), fresh[0])
                round_services.item_approve(workspace=workspace, actor=decider.user, item=item)
        except ValidationError as exc:
            self.stderr.write(
                _("“%(title)s” left as it is: %(reason)s") % {"title": item.title, "reason": _errors(exc)}
            )
            return False
        item.refresh_from_db()
        # Approving an item with placements schedules them at once (publishing's flow).
        return item.status in (ItemStatus.APPROVED, ItemStatus.SCHEDULED)

    def _schedule(self, workspace: Workspace) -> int:
        placed = Placement.objects.filter(workspace=workspace).values("item")
        made = 0
        for item in ContentItem.objects.filter(
            workspace=workspace,
            pk__in=placed,
            status__in=(
                *READY,
                ItemStatus.SCHEDULED,
            ),
        ).order_by("pk"):
            actor = self._editor(workspace, item)
            try:
                made += len(
                    publishing_services.schedule_item_placements(workspace=workspace, actor=actor, item=item)
                )
            except ValidationError as exc:
                self.stderr.write(
                    _("“%(title)s” not scheduled: %(reason)s") % {"title": item.title, "reason": _errors(exc)}
                )
        return made
