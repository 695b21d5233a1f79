"""One seeded demo workspace behind one live server for a whole test module, at a frozen time.

The accessibility sweep and the screenshot baselines visit a dozen pages each; seeding the demo
and starting a server once per module (instead of once per page) keeps them to seconds. The clock
is frozen in this process (so the server thread renders the same dates every run) and in the
browser (so FullCalendar's "today" and relative times agree).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import time_machine
from django.core.management import call_command

from socialops.demo.seed import demo_seed
from socialops.demo.specs import DEMO_TIMEZONE, demo_password

# A Tuesday morning in Shanghai: every page of the demo has something to show.
FROZEN_AT = dt.datetime(2026, 3, 10, 10, 30, tzinfo=zoneinfo.ZoneInfo(DEMO_TIMEZONE))


@dataclass
class DemoSite:
    """The live server's address, the seeded demo and a logged-in browser state per user."""

    url: str
    demo: Any
    ids: dict[str, int]
    storage: dict[str, Any]

    def context(self, browser: Any, username: str = "admin", **kwargs: Any) -> Any:
        """A browser context logged in as ``username``, its clock frozen with the server's."""
        context = browser.new_context(storage_state=self.storage[username], locale="zh-CN", **kwargs)
        context.clock.set_fixed_time(FROZEN_AT)
        return context


def _login_state(browser: Any, url: str, username: str) -> Any:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo_password())
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    state = context.storage_state()
    context.close()
    return state


def _schedule_some(workspace: Any) -> None:
    """Three approved items scheduled this afternoon, so the publishing queue has rows to show."""
    from socialops.content.models import ContentItem
    from socialops.publishing.services import publication_schedule

    items = ContentItem.objects.filter(workspace=workspace, accounts__isnull=False).distinct().order_by("pk")
    for hours, item in enumerate(items[:3], start=2):
        # The review workflow's own tests cover approval; here the items only need to be approved.
        ContentItem.objects.filter(pk=item.pk).update(status="approved")
        item.refresh_from_db()
        account = item.accounts.order_by("pk").first()
        publication_schedule(
            workspace=workspace,
            actor=None,
            item=item,
            account=account,
            due_at=FROZEN_AT + dt.timedelta(hours=hours),
        )


def demo_site(django_db_blocker: Any, browser: Any, extras: bool = False) -> Iterator[DemoSite]:
    """Seed the demo at FROZEN_AT, serve it, log its admin in; flush everything afterwards."""
    from pytest_django.live_server_helper import LiveServer

    from socialops.content.models import ContentItem

    traveller = time_machine.travel(FROZEN_AT, tick=False)
    traveller.start()
    with django_db_blocker.unblock():
        demo = demo_seed(today=FROZEN_AT.date(), extras=extras)
        item = ContentItem.objects.filter(workspace=demo.workspace).order_by("pk").first()
        assert item is not None
        _schedule_some(demo.workspace)
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            storage = {"admin": _login_state(browser, server.url, "admin")}
            yield DemoSite(url=server.url, demo=demo, ids={"item": item.pk}, storage=storage)
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            traveller.stop()
            # The other browser tests expect an empty database (they flush after themselves too).
            call_command("flush", interactive=False, verbosity=0)
