"""Screenshot baselines: six pages of the seeded demo in zh-Hans at 1440×900 and 390×844.

Each screenshot is compared with the committed PNG under tests/e2e/baselines/: after a small
per-channel threshold, at most MAX_CHANGED of the pixels may differ; otherwise the test fails and
names a diff image (changed pixels in red over a faded copy of the page). The server and the browser
run at a frozen time (tests/e2e/demo_site.py), so dates and figures are the same on every run.

Rewrite the baselines (and their copies in docs/screenshots/) after an intended change with

    UPDATE_BASELINES=1 pytest tests/e2e/test_screenshots.py            # all twelve
    UPDATE_BASELINES=1 pytest tests/e2e/test_screenshots.py -k editor  # one page
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

from tests.e2e.demo_site import DemoSite, demo_site

ROOT = Path(__file__).resolve().parents[2]
BASELINES = Path(__file__).resolve().parent / "baselines"
DOCS = ROOT / "docs" / "screenshots"
UPDATE = os.environ.get("UPDATE_BASELINES", "") == "1"
# A channel may differ this much (anti-aliasing, palette rounding) before its pixel counts as changed.
THRESHOLD = 40
MAX_CHANGED = 0.01
# Long pages are compared down to this height: enough for the layout, small files.
MAX_HEIGHT = 2600

PAGES = {
    "dashboard": "/w/demo/",
    "calendar": "/w/demo/calendar/",
    "editor": "/w/demo/content/{item}/edit/",
    # A new article opens in the rich-text editor (an older Markdown article keeps its text box).
    "article_editor": "/w/demo/content/new/",
    "content_library": "/w/demo/content/",
    "publishing_queue": "/w/demo/publishing/",
    # The content items' entries: the publications scheduled for the queue share one frozen instant.
    "audit_log": "/w/demo/audit/?object_type=content.contentitem",
}
SIZES = {"1440": {"width": 1440, "height": 900}, "390": {"width": 390, "height": 844}}

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def site(django_db_setup: Any, django_db_blocker: Any, browser: Any) -> Iterator[DemoSite]:
    yield from demo_site(django_db_blocker, browser)


def shoot(site: DemoSite, browser: Any, url: str, viewport: dict[str, int]) -> Image.Image:
    """The page as a 256-colour image (small on disk; the same page quantises the same way)."""
    context = site.context(browser, viewport=viewport)
    try:
        page = context.new_page()
        page.goto(site.url + url)
        page.wait_for_load_state("networkidle")
        # ECharts animates for a second; the caret in a focused field blinks.
        page.wait_for_timeout(1500)
        height = min(MAX_HEIGHT, int(page.evaluate("document.documentElement.scrollHeight")))
        png = page.screenshot(
            full_page=True,
            clip={"x": 0, "y": 0, "width": viewport["width"], "height": height},
            animations="disabled",
            caret="hide",
        )
    finally:
        context.close()
    return Image.open(BytesIO(png)).convert("RGB").quantize(colors=256, dither=Image.Dither.NONE)


def changed_fraction(new: Image.Image, old: Image.Image) -> tuple[float, Image.Image]:
    """The share of pixels that differ beyond THRESHOLD (size changes count as changed), and a diff image."""
    width, height = max(new.width, old.width), max(new.height, old.height)
    canvas_new = Image.new("RGB", (width, height), (255, 0, 255))
    canvas_old = Image.new("RGB", (width, height), (0, 255, 0))
    canvas_new.paste(new.convert("RGB"))
    canvas_old.paste(old.convert("RGB"))
    diff = ImageChops.difference(canvas_new, canvas_old)
    red, green, blue = (c.point(lambda v: 255 if v > THRESHOLD else 0) for c in diff.split())
    mask = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    changed = (mask.histogram()[255]) / (width * height)
    faded = Image.blend(canvas_new, Image.new("RGB", (width, height), (255, 255, 255)), 0.7)
    faded.paste((255, 0, 0), mask=mask)
    return changed, faded


def save_small(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", PAGES)
def test_page_matches_its_baseline(site: DemoSite, browser: Any, name: str, size: str) -> None:
    shot = shoot(site, browser, PAGES[name].format(**site.ids), SIZES[size])
    baseline = BASELINES / f"{name}-{size}.png"
    if UPDATE or not baseline.exists():
        save_small(shot, baseline)
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(baseline, DOCS / baseline.name)
        if not UPDATE:
            pytest.fail(f"No baseline yet: wrote {baseline}; check it in (UPDATE_BASELINES=1 rewrites all).")
        return
    changed, diff = changed_fraction(shot, Image.open(baseline))
    if changed > MAX_CHANGED:
        out = Path(tempfile.mkdtemp(prefix="socialops-screens-"))
        save_small(diff, out / f"{name}-{size}-diff.png")
        save_small(shot, out / f"{name}-{size}-new.png")
        pytest.fail(
            f"{name} at {size} px differs from {baseline.name} in {changed:.1%} of its pixels "
            f"(limit {MAX_CHANGED:.0%}): see {out / f'{name}-{size}-diff.png'} and the new screenshot "
            f"beside it; if the change is intended, run UPDATE_BASELINES=1 pytest {Path(__file__).name} -k {name}"
        )
