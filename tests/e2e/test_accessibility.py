"""axe-core on every main page of the seeded demo: no serious or critical WCAG 2.1 A/AA violations.

One seeded workspace and one live server serve the whole module (tests/e2e/demo_site.py); each
page is checked at desktop width and at 390 px. axe is injected with ``page.evaluate`` because our
Content-Security-Policy (rightly) refuses inline script tags.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.demo_site import DemoSite, demo_site

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

PAGES = {
    "dashboard": "/w/demo/",
    "goals": "/w/demo/goals/",
    "accounts": "/w/demo/accounts/",
    "competitors": "/w/demo/competitors/",
    "content_library": "/w/demo/content/",
    "item": "/w/demo/content/{item}/",
    "editor": "/w/demo/content/{item}/edit/",
    "article_editor": "/w/demo/content/new/",
    "calendar": "/w/demo/calendar/",
    "review_queue": "/w/demo/review/queue/",
    "publishing_queue": "/w/demo/publishing/",
    "analytics": "/w/demo/analytics/",
    "insights_content": "/w/demo/insights/content/",
    "insights_growth": "/w/demo/insights/growth/",
    "insights_funnel": "/w/demo/insights/funnel/",
    "insights_goals": "/w/demo/insights/goals/",
    "insights_anomalies": "/w/demo/insights/anomalies/",
    "insights_benchmark": "/w/demo/insights/benchmark/",
    "insights_recommendations": "/w/demo/insights/recommendations/",
    "audit_log": "/w/demo/audit/",
    "settings": "/w/demo/settings/",
}
# The module's pages only read: each test runs in a transaction rolled back at its end, the seed
# (made once by the module fixture) stays for the next page.
pytestmark = pytest.mark.django_db

WIDTHS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def site(django_db_setup: Any, django_db_blocker: Any, browser: Any) -> Iterator[DemoSite]:
    yield from demo_site(django_db_blocker, browser)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical violations axe finds on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        TAGS,
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [" ".join(n["target"]) for n in v["nodes"][:5]]
        lines.append(f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {targets}")
        for summary in sorted({n["failureSummary"].replace("\n", " ")[:300] for n in v["nodes"]})[:8]:
            lines.append("    " + summary)
    return "\n".join(lines)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violations(
    site: DemoSite, browser: Any, name: str, width: str
) -> None:
    context = site.context(browser, viewport=WIDTHS[width])
    try:
        page = context.new_page()
        page.goto(site.url + PAGES[name].format(**site.ids))
        page.wait_for_load_state("networkidle")
        # Charts and the calendar draw after load; check what a person would meet.
        page.wait_for_timeout(300)
        violations = axe_violations(page)
        assert not violations, f"{name} at {width}:\n" + describe(violations)
    finally:
        context.close()
