"""The analyst role reads and never writes: every page URL that takes a POST changes nothing for them.

Walks every URL under /w/<slug>/ of the demo workspace, filling each id in the path with real rows
of the kind its name says, and POSTs to it as the analyst. Any write would show in a table's
fingerprint (rows, largest key, latest times) or as a new audit entry.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import DateTimeField, Max, Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from socialops.demo.seed import demo_seed
from socialops.workspaces.models import Membership, Workspace
from socialops.workspaces.roles import Role

pytestmark = pytest.mark.django_db

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
# Path parameters whose name is not the end of their model's class name.
PARAM_MODELS = {"member_id": ["Membership"]}


def _workspace_urls() -> list[str]:
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                full = prefix + str(pattern.pattern)
                if full.startswith("w/<slug:slug>/"):
                    found.append(full)

    walk(get_resolver().url_patterns, "")
    return found


def _our_models() -> list[type[Model]]:
    return [m for m in apps.get_models() if m.__module__.startswith("socialops.")]


def _candidate_ids(name: str, workspace: Workspace) -> list[str]:
    """Real ids for a path parameter: the first rows of every model its name points to."""
    if name == "number":
        return ["1"]
    stem = name.removesuffix("_id").replace("_", "")
    wanted = PARAM_MODELS.get(name)
    ids: list[str] = []
    for model in _our_models():
        if wanted is not None and model.__name__ not in wanted:
            continue
        if wanted is None and not model.__name__.lower().endswith(stem):
            continue
        rows = model._default_manager.all()
        if any(f.name == "workspace" for f in model._meta.fields):
            rows = rows.filter(workspace=workspace)
        ids += [str(pk) for pk in rows.order_by("pk").values_list("pk", flat=True)[:2]]
    return ids or ["1"]


def _fingerprint() -> dict[str, Any]:
    """Per table: row count, largest primary key and latest time of every date-time column.

    A new row grows the count or the key (a replaced row too); a write to an existing row moves
    one of its times (updated_at, checked_at, read_at …) or leaves an audit entry.
    """
    out: dict[str, Any] = {}
    for model in _our_models():
        times = [f.name for f in model._meta.fields if isinstance(f, DateTimeField)]
        aggregates = {"pk": Max("pk"), **{name: Max(name) for name in times}}
        out[model._meta.label] = (
            model._default_manager.count(),
            model._default_manager.aggregate(**aggregates),
        )
    return out


def _fill(template: str, values: dict[str, str]) -> str:
    return "/" + PARAM.sub(lambda m: values[m.group(2)], template)


def test_every_post_as_analyst_changes_nothing() -> None:
    demo_seed()
    workspace = Workspace.objects.get(slug="demo")
    analyst = get_user_model().objects.get(memberships__workspace=workspace, memberships__role=Role.ANALYST)
    assert Membership.objects.get(workspace=workspace, user=analyst).role == Role.ANALYST
    client = Client()
    client.force_login(analyst)

    posted = 0
    for template in _workspace_urls():
        names = [m.group(2) for m in PARAM.finditer(template) if m.group(2) != "slug"]
        choices = []
        for name in names:
            if name == "date":
                choices.append(["2026-10-01"])
            elif name == "preset":
                choices.append(["facebook-page-export"])
            else:
                choices.append(_candidate_ids(name, workspace))
        for combo in itertools.product(*choices):
            url = _fill(template, {"slug": workspace.slug, **dict(zip(names, combo, strict=True))})
            # Reading first: a page may create what it shows on first use (the default approval
            # chain), which is the system's doing, not the reader's.
            client.get(url)
            before = _fingerprint()
            response = client.post(url, data={"confirm": "1"})
            posted += 1
            assert response.status_code < 500, f"POST {url} → {response.status_code}"
            assert _fingerprint() == before, f"POST {url} as analyst changed data ({response.status_code})"
    assert posted > 100
