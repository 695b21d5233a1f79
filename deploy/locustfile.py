"""Load test of one socialops installation (deploy/smoke.sh runs it; docs/deploy.md "Load test").

    locust -f deploy/locustfile.py --headless -u 200 -r 10 -t 10m --host http://127.0.0.1:PORT \
        --csv OUT  (with LOAD_SEED=seed.json written by deploy/load_seed.py)

Four kinds of people, loopback only, with think times of a few seconds:
- operators browse the dashboard, the calendar (page + its two feeds), the content library, the
  media library and the publications;
- editors open an item, type (the live checks run on each pause, as the editor's htmx does) and save;
- reviewers open their queue and approve the item at its head;
- API clients list items and publications and create items with a bearer token.
Requests are named by route (never by id) so the report has one line per route.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
from html.parser import HTMLParser
from typing import Any

from locust import HttpUser, between, events, task

SEED: dict[str, Any] = json.loads(open(os.environ.get("LOAD_SEED", "seed.json")).read())  # noqa: SIM115
SLUG = SEED["slug"]
W = f"/w/{SLUG}"
API = f"/api/v1/workspaces/{SLUG}"


class _Forms(HTMLParser):
    """The POST forms of a page: their fields as a browser would send them."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._form: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = [] if a.get("method", "").lower() == "post" else None
            if self._form is not None:
                self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self._form.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select is not None and "selected" in a:
            self._form.append((self._select, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)


def post_forms(html: str) -> list[list[tuple[str, str]]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


class _Person(HttpUser):
    abstract = True
    kind = ""

    def on_start(self) -> None:
        self.username = random.choice(SEED["people"][self.kind])
        page = self.client.get("/login/", name="/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        self.client.post(
            "/login/",
            data={
                "username": self.username,
                "password": SEED["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            name="/login/ POST",
        )

    def csrf(self) -> dict[str, str]:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", "")}


class Operator(_Person):
    """Browses the dashboard, the calendar and the libraries."""

    weight = 8
    kind = "viewer"
    wait_time = between(2, 6)

    @task(4)
    def dashboard(self) -> None:
        self.client.get(f"{W}/", name="page: dashboard")

    @task(3)
    def calendar(self) -> None:
        self.client.get(f"{W}/calendar/", name="page: calendar")
        today = dt.date.today()
        first = today.replace(day=1) - dt.timedelta(days=7)
        window = {"start": first.isoformat(), "end": (first + dt.timedelta(days=42)).isoformat()}
        self.client.get(f"{API}/placements/feed", params=window, name="api: calendar placements feed")
        self.client.get(f"{API}/calendar/feed", params=window, name="api: calendar background feed")

    @task(3)
    def library(self) -> None:
        self.client.get(f"{W}/content/", name="page: content library")

    @task(1)
    def library_search(self) -> None:
        self.client.get(f"{W}/content/", params={"q": "内容"}, name="page: content library (search)")

    @task(1)
    def assets(self) -> None:
        self.client.get(f"{W}/assets/", name="page: media library")

    @task(2)
    def item(self) -> None:
        self.client.get(f"{W}/content/{random.choice(SEED['items'])}/", name="page: content item")


class Editor(_Person):
    """Opens an item, types (live checks on each pause) and saves it."""

    weight = 5
    kind = "editor"
    wait_time = between(3, 8)

    @task
    def edit(self) -> None:
        item = random.choice(SEED["items"])
        page = self.client.get(f"{W}/content/{item}/edit/", name="page: content edit")
        forms = [f for f in post_forms(page.text) if any(k == "body" for k, _ in f)]
        if not forms:
            return
        fields = dict(forms[0])
        base = fields.get("body", "")
        for n in range(random.randint(1, 3)):
            fields["body"] = f"{base} 补充{n}"
            self.client.post(
                f"{W}/checks/live/",
                params={"item": item},
                data=fields,
                headers={**self.csrf(), "HX-Request": "true"},
                name="htmx: live checks",
            )
        fields["body"] = f"{base[:300]} ✓{random.randint(0, 9999)}"
        with self.client.post(
            f"{W}/content/{item}/edit/", data=fields, name="page: content save", catch_response=True
        ) as response:
            # A save whose version another editor moved on is answered with the form again and
            # 409 (two editors on one item): the product working, not an error.
            if response.status_code == 409:
                response.success()
            elif response.status_code >= 400:
                response.failure(f"status {response.status_code}")


class Reviewer(_Person):
    """Opens the review queue and approves the item at its head."""

    weight = 2
    kind = "reviewer"
    wait_time = between(3, 8)

    @task
    def review(self) -> None:
        page = self.client.get(f"{W}/review/queue/", name="page: review queue")
        ids = re.findall(rf"{W}/content/(\d+)/", page.text)
        if not ids:
            return
        item = random.choice(ids[:5])
        detail = self.client.get(f"{W}/content/{item}/", name="page: content item")
        if f"/content/{item}/review/approve/" not in detail.text:
            return
        self.client.post(
            f"{W}/content/{item}/review/approve/",
            data={"approve-comment": "可以发布"},
            headers=self.csrf(),
            name="page: review approve",
        )


class ApiClient(HttpUser):
    """An integration with a bearer token: lists and creates."""

    weight = 5
    wait_time = between(1, 4)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {random.choice(SEED['tokens'])}"

    @task(4)
    def list_items(self) -> None:
        self.client.get(f"{API}/items", params={"limit": 20}, name="api: items list")

    @task(2)
    def list_publications(self) -> None:
        self.client.get(f"{API}/publications", params={"limit": 20}, name="api: publications list")

    @task(1)
    def create_item(self) -> None:
        self.client.post(
            f"{API}/items",
            json={
                "title": f"接口创建 {random.randint(0, 10**6)}",
                "form": "short_post",
                "theme_id": random.choice(SEED["themes"]),
                "account_ids": [random.choice(SEED["accounts"])],
                "body": "来自接口的新内容，周末见。",
                "evergreen": True,
            },
            name="api: items create",
        )


@events.quitting.add_listener
def _exit_code(environment: Any, **kwargs: Any) -> None:
    # The exit status is smoke.sh's business (it reads the CSV); locust's own "1 on any failure"
    # would hide the table behind set -e.
    environment.process_exit_code = 0
