"""Themes and each account's target mix: services, selectors, API and pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from socialops.content.models import Theme, ThemeTarget
from socialops.content.selectors import items as selectors
from socialops.content.services import themes as theme_services
from socialops.workspaces import services as workspace_services
from socialops.workspaces.models import AuditEntry
from socialops.workspaces.roles import Role
from tests.access import assert_four_cases
from tests.factories import make_account, make_item, make_theme

pytestmark = pytest.mark.django_db

BASE = "/api/v1/workspaces/acme"


def _json(client: Any, method: str, url: str, data: Any) -> Any:
    return getattr(client, method)(url, data=json.dumps(data), content_type="application/json")


# ---- services -------------------------------------------------------------------------------


def test_create_update_with_audit(workspace: Any, admin: Any) -> None:
    theme = theme_services.theme_create(workspace=workspace, actor=admin, name=" 用户故事 ", color="#2CA02C")
    assert (theme.name, theme.color, theme.position) == ("用户故事", "#2ca02c", 0)
    second = theme_services.theme_create(workspace=workspace, actor=admin, name="实用技巧")
    assert second.position == 1
    theme_services.theme_update(
        workspace=workspace, actor=admin, theme=theme, needs_expert_review=True, description="客户案例"
    )
    entry = AuditEntry.objects.filter(action="theme.update").get()
    assert entry.before == {"needs_expert_review": False, "description": ""}
    assert entry.after == {"needs_expert_review": True, "description": "客户案例"}


def test_validation_names_fields(workspace: Any, admin: Any) -> None:
    make_theme(workspace, "行业动态")
    with pytest.raises(ValidationError) as exc:
        theme_services.theme_create(workspace=workspace, actor=admin, name="行业动态", color="red")
    errors = exc.value.message_dict
    assert errors["name"] == ["This workspace already has a theme “行业动态”."]
    assert errors["color"] == ["Use a colour like #1f77b4."]
    with pytest.raises(ValidationError) as exc:
        theme_services.theme_create(workspace=workspace, actor=admin, name="x" * 51)
    assert "At most 50 characters" in exc.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as exc:
        theme_services.theme_update(
            workspace=workspace, actor=admin, theme=Theme.objects.get(), workspace_id=2
        )
    assert "workspace_id" in exc.value.message_dict


def test_writes_need_content_edit(workspace: Any, member: Any) -> None:
    theme = make_theme(workspace)
    for role in (Role.ANALYST, Role.REVIEWER, Role.COMMUNITY):
        with pytest.raises(PermissionDenied):
            theme_services.theme_update(workspace=workspace, actor=member(role), theme=theme, name="x")
    theme_services.theme_update(
        workspace=workspace, actor=member(Role.OPERATOR), theme=theme, name="行业新闻"
    )


def test_delete_refused_while_items_use_it(workspace: Any, admin: Any) -> None:
    theme = make_theme(workspace, "产品介绍")
    make_item(workspace, theme, "春季新品")
    with pytest.raises(ValidationError) as exc:
        theme_services.theme_delete(workspace=workspace, actor=admin, theme=theme)
    message = exc.value.message_dict["theme"][0]
    assert "“产品介绍” cannot be deleted: 1 content items use it (“春季新品”)" in message
    assert Theme.objects.filter(pk=theme.pk).exists()
    assert not AuditEntry.objects.filter(action="theme.delete").exists()


def test_delete_refused_while_an_account_mix_gives_it_a_share(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme_weibo", display_name="Acme 微博")
    a, b = make_theme(workspace, "行业动态"), make_theme(workspace, "实用技巧")
    theme_services.theme_targets_set(
        workspace=workspace, actor=admin, account=account, shares={a.pk: 60, b.pk: 40}
    )
    with pytest.raises(ValidationError) as exc:
        theme_services.theme_delete(workspace=workspace, actor=admin, theme=b)
    assert "Acme 微博" in exc.value.message_dict["theme"][0]
    theme_services.theme_targets_set(workspace=workspace, actor=admin, account=account, shares={a.pk: 100})
    theme_services.theme_delete(workspace=workspace, actor=admin, theme=b)
    assert list(Theme.objects.values_list("name", flat=True)) == ["行业动态"]
    assert AuditEntry.objects.get(action="theme.delete").before["name"] == "实用技巧"


def test_defaults_in_chinese_idempotent_with_expert_flag(workspace: Any, admin: Any) -> None:
    assert workspace.locale == "zh-hans"
    make_theme(workspace, "用户故事")
    created = theme_services.themes_create_defaults(workspace=workspace, actor=admin)
    assert [t.name for t in created] == ["行业动态", "产品介绍", "专家观点", "实用技巧"]
    assert theme_services.themes_create_defaults(workspace=workspace, actor=admin) == []
    themes = {t.name: t for t in Theme.objects.filter(workspace=workspace)}
    assert len(themes) == 5
    assert [n for n, t in themes.items() if t.needs_expert_review] == ["专家观点"]
    colours = [t.color for n, t in themes.items() if n != "用户故事"]
    assert len(set(colours)) == len(colours)


def test_defaults_in_english_workspace(db: Any, admin: Any) -> None:
    ws = workspace_services.workspace_create(actor=None, name="Global", slug="global")
    ws.locale = "en"  # the workspace's language as its admin would set it on the settings page
    names = [t.name for t in theme_services.themes_create_defaults(workspace=ws, actor=None)]
    assert names == [
        "Industry news",
        "Product introductions",
        "User stories",
        "Expert opinions",
        "Practical tips",
    ]
    # Switching the language later does not duplicate them.
    ws.locale = "zh-hans"
    assert theme_services.themes_create_defaults(workspace=ws, actor=None) == []


def test_targets_must_add_up_to_100(workspace: Any, admin: Any, other_workspace: Any) -> None:
    account = make_account(workspace, "acme")
    a, b, c = (make_theme(workspace, n) for n in ("行业动态", "产品介绍", "用户故事"))
    with pytest.raises(ValidationError) as exc:
        theme_services.theme_targets_set(
            workspace=workspace, actor=admin, account=account, shares={a.pk: 50, b.pk: 30}
        )
    assert exc.value.message_dict["shares"] == ["The shares must add up to 100% (they add up to 80%)."]
    with pytest.raises(ValidationError) as exc:
        theme_services.theme_targets_set(
            workspace=workspace, actor=admin, account=account, shares={a.pk: 101}
        )
    assert f"share_{a.pk}" in exc.value.message_dict
    foreign_theme = make_theme(other_workspace, "别人的")
    with pytest.raises(ValidationError) as exc:
        theme_services.theme_targets_set(
            workspace=workspace, actor=admin, account=account, shares={a.pk: 50, foreign_theme.pk: 50}
        )
    assert exc.value.message_dict["shares"] == [f"Unknown theme: {foreign_theme.pk}."]
    result = theme_services.theme_targets_set(
        workspace=workspace, actor=admin, account=account, shares={a.pk: 50, b.pk: 50, c.pk: 0}
    )
    assert result == {a.pk: 50, b.pk: 50}
    assert selectors.theme_targets_for_system(workspace=workspace, account=account) == {
        a.pk: 50.0,
        b.pk: 50.0,
        c.pk: 0.0,
    }
    entry = AuditEntry.objects.get(action="theme_targets.set")
    assert entry.after == {"shares": {str(a.pk): 50, str(b.pk): 50}} and entry.before == {"shares": {}}


def test_empty_targets_mean_equal_shares(workspace: Any, admin: Any) -> None:
    account = make_account(workspace, "acme")
    themes = [make_theme(workspace, n) for n in ("行业动态", "产品介绍", "用户故事")]
    theme_services.theme_targets_set(
        workspace=workspace, actor=admin, account=account, shares={themes[0].pk: 100}
    )
    theme_services.theme_targets_set(workspace=workspace, actor=admin, account=account, shares={})
    assert not ThemeTarget.objects.exists()
    shares = selectors.theme_targets_for_account(workspace=workspace, user=admin, account=account)
    assert shares == {t.pk: pytest.approx(100 / 3) for t in themes}
    assert sum(shares.values()) == pytest.approx(100)


def test_targets_only_for_our_own_accounts(workspace: Any, other_workspace: Any, admin: Any) -> None:
    theme = make_theme(workspace)
    rival = make_account(workspace, "rival", display_name="对手", is_competitor=True)
    with pytest.raises(ValidationError) as exc:
        theme_services.theme_targets_set(
            workspace=workspace, actor=admin, account=rival, shares={theme.pk: 100}
        )
    assert exc.value.message_dict["account"] == ["“对手” is a competitor's account, not one of ours."]
    foreign = make_account(other_workspace, "theirs")
    with pytest.raises(ValidationError):
        theme_services.theme_targets_set(
            workspace=workspace, actor=admin, account=foreign, shares={theme.pk: 100}
        )


# ---- API ------------------------------------------------------------------------------------


def test_api_theme_crud_four_cases(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any
) -> None:
    make_theme(workspace, "行业动态")
    foreign = make_theme(other_workspace, "别人的")
    listing = assert_four_cases(
        api, "GET", f"{BASE}/themes", "/api/v1/workspaces/other/themes", permitted=admin, denied=None
    )
    assert [t["name"] for t in listing.json()["items"]] == ["行业动态"]
    created = assert_four_cases(
        api, "POST", f"{BASE}/themes", "/api/v1/workspaces/other/themes", permitted=admin,
        denied=member(Role.ANALYST), ok=(201,),
        data={"name": "用户故事", "color": "#2ca02c", "needs_expert_review": False},
    ).json()  # fmt: skip
    assert created["name"] == "用户故事" and created["item_count"] == 0
    url = f"{BASE}/themes/{created['id']}"
    foreign_url = f"{BASE}/themes/{foreign.pk}"
    assert_four_cases(api, "GET", url, foreign_url, permitted=admin, denied=None)
    patched = assert_four_cases(
        api, "PATCH", url, foreign_url,
        permitted=admin, denied=member(Role.REVIEWER), data={"color": "#ABCDEF"},
    ).json()  # fmt: skip
    assert patched["color"] == "#abcdef"
    bad = _json(api(admin), "post", f"{BASE}/themes", {"name": "行业动态", "color": "blue"})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"name", "color"}
    assert_four_cases(
        api, "DELETE", url, foreign_url, permitted=admin, denied=member(Role.COMMUNITY), ok=(204,)
    )
    assert not Theme.objects.filter(pk=created["id"]).exists()


def test_api_defaults(workspace: Any, admin: Any, member: Any, api: Any) -> None:
    response = assert_four_cases(
        api, "POST", f"{BASE}/themes/defaults", "/api/v1/workspaces/other/themes/defaults",
        permitted=admin, denied=member(Role.ANALYST),
    )  # fmt: skip
    assert len(response.json()) == 5
    assert api(admin).post(f"{BASE}/themes/defaults").json() == []


def test_api_delete_refused_while_used(workspace: Any, admin: Any, api: Any) -> None:
    theme = make_theme(workspace, "产品介绍")
    make_item(workspace, theme)
    response = api(admin).delete(f"{BASE}/themes/{theme.pk}")
    assert response.status_code == 400 and "cannot be deleted" in response.json()["message"]


def test_api_theme_targets(workspace: Any, other_workspace: Any, admin: Any, member: Any, api: Any) -> None:
    account = make_account(workspace, "acme")
    foreign = make_account(other_workspace, "theirs")
    a, b = make_theme(workspace, "行业动态"), make_theme(workspace, "产品介绍")
    url = f"{BASE}/accounts/{account.pk}/theme-targets"
    foreign_url = f"{BASE}/accounts/{foreign.pk}/theme-targets"
    got = assert_four_cases(api, "GET", url, foreign_url, permitted=member(Role.ANALYST), denied=None).json()
    assert got["explicit"] is False and [s["share"] for s in got["shares"]] == [50.0, 50.0]
    put = assert_four_cases(
        api, "PUT", url, foreign_url, permitted=admin, denied=member(Role.ANALYST),
        data={"shares": [{"theme_id": a.pk, "share": 70}, {"theme_id": b.pk, "share": 30}]},
    ).json()  # fmt: skip
    assert put["explicit"] is True
    assert {s["theme_name"]: s["share"] for s in put["shares"]} == {"行业动态": 70.0, "产品介绍": 30.0}
    bad = _json(api(admin), "put", url, {"shares": [{"theme_id": a.pk, "share": 70}]})
    assert bad.status_code == 400 and "70%" in bad.json()["errors"]["shares"][0]
    twice = _json(
        api(admin), "put", url, {"shares": [{"theme_id": a.pk, "share": 50}, {"theme_id": a.pk, "share": 50}]}
    )
    assert twice.status_code == 400
    assert _json(api(admin), "put", url, {"shares": [{"theme_id": a.pk, "share": 170}]}).status_code == 422
    cleared = _json(api(admin), "put", url, {"shares": []}).json()
    assert cleared["explicit"] is False


# ---- pages ----------------------------------------------------------------------------------


def test_theme_list_page(workspace: Any, admin: Any, member: Any, web: Any) -> None:
    theme = make_theme(workspace, "专家观点", color="#9467bd", needs_expert_review=True)
    account = make_account(workspace, "acme", display_name="Acme 公众号")
    theme_services.theme_targets_set(workspace=workspace, actor=None, account=account, shares={theme.pk: 100})
    response = assert_four_cases(
        web, "GET", "/w/acme/themes/", "/w/other/themes/", permitted=admin, denied=None
    )
    html = response.content.decode()
    assert "专家观点" in html and 'data-color="#9467bd"' in html and "Acme 公众号" in html and "100%" in html
    assert "style=" not in html
    analyst = web(member(Role.ANALYST)).get("/w/acme/themes/").content.decode()
    assert "专家观点" in analyst and "Add theme" not in analyst and "Set mix" not in analyst


def test_theme_list_empty_state_in_chinese(workspace: Any, admin: Any, web: Any) -> None:
    client = web(admin)
    client.cookies["django_language"] = "zh-hans"
    html = client.get("/w/acme/themes/").content.decode()
    assert "还没有主题" in html


def test_theme_create_edit_delete_pages(
    workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any
) -> None:
    assert_four_cases(
        web, "GET", "/w/acme/themes/new/", "/w/other/themes/new/",
        permitted=admin, denied=member(Role.ANALYST),
    )  # fmt: skip
    response = web(admin).post("/w/acme/themes/new/", {"name": "", "color": "#123456"})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    response = web(admin).post("/w/acme/themes/new/", {"name": "实用技巧", "color": "#17becf"})
    assert response.status_code == 302
    theme = Theme.objects.get(name="实用技巧")
    foreign = make_theme(other_workspace, "别人的")
    assert_four_cases(
        web, "GET", f"/w/acme/themes/{theme.pk}/edit/", f"/w/acme/themes/{foreign.pk}/edit/",
        permitted=admin, denied=member(Role.ANALYST),
    )  # fmt: skip
    web(admin).post(f"/w/acme/themes/{theme.pk}/edit/", {"name": "技巧", "color": "#17becf", "position": 3})
    theme.refresh_from_db()
    assert (theme.name, theme.position) == ("技巧", 3)
    assert_four_cases(
        web, "POST", f"/w/acme/themes/{theme.pk}/delete/", f"/w/acme/themes/{foreign.pk}/delete/",
        permitted=admin, denied=member(Role.ANALYST), ok=(302,),
    )  # fmt: skip
    assert not Theme.objects.filter(pk=theme.pk).exists()


def test_theme_delete_page_says_why_not(workspace: Any, admin: Any, web: Any) -> None:
    theme = make_theme(workspace, "产品介绍")
    make_item(workspace, theme, "春季新品")
    html = web(admin).post(f"/w/acme/themes/{theme.pk}/delete/", follow=True).content.decode()
    assert "cannot be deleted" in html and "春季新品" in html


def test_defaults_page(workspace: Any, admin: Any, member: Any, web: Any) -> None:
    assert_four_cases(
        web, "POST", "/w/acme/themes/defaults/", "/w/other/themes/defaults/",
        permitted=admin, denied=member(Role.REVIEWER), ok=(302,),
    )  # fmt: skip
    assert Theme.objects.filter(workspace=workspace).count() == 5
    html = web(admin).post("/w/acme/themes/defaults/", follow=True).content.decode()
    assert "The default themes are all there already." in html


def test_targets_page(workspace: Any, other_workspace: Any, admin: Any, member: Any, web: Any) -> None:
    account = make_account(workspace, "acme", display_name="Acme 微博")
    rival = make_account(workspace, "rival", is_competitor=True)
    foreign = make_account(other_workspace, "theirs")
    a, b = make_theme(workspace, "行业动态"), make_theme(workspace, "产品介绍")
    response = assert_four_cases(
        web, "GET", f"/w/acme/themes/targets/{account.pk}/", f"/w/acme/themes/targets/{foreign.pk}/",
        permitted=admin, denied=member(Role.ANALYST),
    )  # fmt: skip
    html = response.content.decode()
    assert "data-share-sum" in html and "data-share-total" in html and f'name="share_{a.pk}"' in html
    assert web(admin).get(f"/w/acme/themes/targets/{rival.pk}/").status_code == 404
    bad = web(admin).post(
        f"/w/acme/themes/targets/{account.pk}/", {f"share_{a.pk}": "60", f"share_{b.pk}": "30"}
    )
    assert bad.status_code == 200 and "add up to 90%" in bad.content.decode()
    ok = web(admin).post(
        f"/w/acme/themes/targets/{account.pk}/", {f"share_{a.pk}": "60", f"share_{b.pk}": "40"}
    )
    assert ok.status_code == 302
    assert selectors.theme_targets_explicit(workspace=workspace, account=account) == {a.pk: 60, b.pk: 40}
    web(admin).post(f"/w/acme/themes/targets/{account.pk}/", {"equal": "1"})
    assert selectors.theme_targets_explicit(workspace=workspace, account=account) == {}


def test_deleting_a_workspace_with_content_cascades_through_themes(db: Any) -> None:
    """A theme in use blocks its own deletion, but not its workspace's (RESTRICT, not PROTECT)."""
    from socialops.content.models import ContentItem, Theme
    from socialops.content.services.items import content_item_create
    from socialops.content.services.themes import themes_create_defaults
    from socialops.workspaces import services as ws_services

    workspace = ws_services.workspace_create(actor=None, name="Gone", slug="gone")
    themes_create_defaults(workspace=workspace, actor=None)
    theme = Theme.objects.filter(workspace=workspace).first()
    content_item_create(
        workspace=workspace, actor=None, title="t", form="qa", theme=theme, evergreen=True, body="问题?"
    )
    workspace.delete()
    assert not ContentItem.objects.filter(title="t").exists()
    assert not Theme.objects.filter(workspace_id=workspace.pk).exists()
