"""/api/v1/docs is built from our own static files only, so it renders under the strict CSP."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


class _Assets(HTMLParser):
    """Every script and stylesheet a page loads, and the inline scripts it carries."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.inline_types: list[str] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            if found.get("src"):
                self.scripts.append(str(found["src"]))
            else:
                self.inline_types.append(str(found.get("type") or "text/javascript"))
        elif tag == "link" and found.get("rel") == "stylesheet":
            self.styles.append(str(found["href"]))
        elif tag == "style":
            self.inline_types.append("style")


def _docs(client: Client) -> tuple[Any, _Assets]:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assets = _Assets()
    assets.feed(response.content.decode())
    return response, assets


def test_docs_page_loads_only_our_static_files() -> None:
    response, assets = _docs(Client())
    assert assets.scripts and assets.styles
    for url in assets.scripts + assets.styles:
        # Same origin: a path under our static URL, never another host or a protocol-relative URL.
        assert url.startswith("/static/") and not url.startswith("//"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not among our static files"
    assert any("vendor/swagger-ui/swagger-ui-bundle.js" in url for url in assets.scripts)
    assert any("vendor/swagger-ui/swagger-ui.css" in url for url in assets.styles)
    # The only inline script is data, which the CSP does not run.
    assert assets.inline_types == ["application/json"]
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )


def test_docs_assets_are_served() -> None:
    client = Client()
    _response, assets = _docs(client)
    for url in assets.scripts + assets.styles:
        served = client.get(url)
        assert served.status_code == 200, url
        body = b"".join(served.streaming_content) if served.streaming else served.content
        assert len(body) > 100, url


def test_docs_settings_point_at_the_openapi_document() -> None:
    response, _assets = _docs(Client())
    assert b'id="swagger-settings"' in response.content
    assert b"/api/v1/openapi.json" in response.content
