"""Pages of the analytics app: accounts, post history with imports, mappings, best-time heatmap."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from socialops.analytics.models import ColumnMapping, PostImport, PostRecord
from tests.access import assert_four_cases
from tests.factories import import_post_file

pytestmark = pytest.mark.django_db


class Rewinding(SimpleUploadedFile):
    """An upload the test client can send more than once (each request reads it from the start)."""

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        self.seek(0)
        return super().read(*args, **kwargs)


def _upload(content: bytes, name: str = "dataset_Facebook.csv") -> Rewinding:
    return Rewinding(name, content, content_type="text/csv")


def _text(response: Any) -> str:
    return response.content.decode()


def test_home_lists_accounts_with_post_counts(
    web: Any, analyst: Any, fb_account: Any, weibo: Any, preset: Any, facebook_bytes: bytes, workspace: Any
) -> None:
    import_post_file(workspace, fb_account, preset, facebook_bytes, "fb.csv")
    response = assert_four_cases(
        web, "GET", "/w/acme/analytics/", "/w/other/analytics/", permitted=analyst, denied=None
    )
    text = _text(response)
    assert "Acme Fb" in text and "Acme Weibo" in text
    assert ">500<" in text
    assert f"/w/acme/analytics/accounts/{fb_account.pk}/best-time/" in text


def test_post_history_page(
    web: Any,
    analyst: Any,
    operator: Any,
    fb_account: Any,
    foreign_account: Any,
    preset: Any,
    facebook_bytes: bytes,
    workspace: Any,
) -> None:
    import_post_file(workspace, fb_account, preset, facebook_bytes, "fb.csv")
    response = assert_four_cases(
        web, "GET", f"/w/acme/analytics/accounts/{fb_account.pk}/posts/",
        f"/w/acme/analytics/accounts/{foreign_account.pk}/posts/", permitted=analyst, denied=None,
    )  # fmt: skip
    text = _text(response)
    assert "500 posts" in text and "month 12" in text and "Short post" in text
    assert 'data-testid="post-import-form"' not in text  # an analyst may read, not import
    assert "fb.csv" in text  # the import history

    text = _text(web(operator).get(f"/w/acme/analytics/accounts/{fb_account.pk}/posts/?page=10"))
    assert 'data-testid="post-import-form"' in text and "10 / 10" in text
    assert "facebook-page-export" in text and "New mapping from this file&#x27;s header row" in text


def test_post_history_page_in_chinese(web: Any, operator: Any, fb_account: Any) -> None:
    client = web(operator)
    client.cookies.pop("django_language")
    text = _text(client.get(f"/w/acme/analytics/accounts/{fb_account.pk}/posts/"))
    assert "导入" in text and "发文记录" in text


def test_import_page_four_cases_and_report(
    web: Any,
    operator: Any,
    analyst: Any,
    fb_account: Any,
    foreign_account: Any,
    preset: ColumnMapping,
    facebook_bytes: bytes,
) -> None:
    data = {"file": _upload(facebook_bytes), "mapping": str(preset.pk)}
    response = assert_four_cases(
        web, "POST", f"/w/acme/analytics/accounts/{fb_account.pk}/posts/import/",
        f"/w/acme/analytics/accounts/{foreign_account.pk}/posts/import/", permitted=operator, denied=analyst,
        data=data, ok=(302,),
    )  # fmt: skip
    assert response["Location"] == f"/w/acme/analytics/accounts/{fb_account.pk}/posts/"
    assert PostRecord.objects.filter(account=fb_account).count() == 500
    again = web(operator).post(f"/w/acme/analytics/accounts/{fb_account.pk}/posts/import/", data, follow=True)
    assert "Imported dataset_Facebook.csv: 500 rows — 0 new, 0 updated, 500 unchanged." in _text(again)

    bad = b"Type;Post Month;Post Weekday;Post Hour;Paid;Lifetime Post Total Reach;Lifetime Post Total Impressions;comment;like;share;Total Interactions\nPhoto;12;9;3;0;2752;5091;4;79;17;100\n"
    rejected = web(operator).post(
        f"/w/acme/analytics/accounts/{fb_account.pk}/posts/import/",
        {"file": _upload(bad, "bad.csv"), "mapping": str(preset.pk)},
    )
    assert rejected.status_code == 200
    text = _text(rejected)
    assert "“bad.csv” was not imported: 1 problem found" in text
    assert "Post Weekday" in text and "must be between 1 and 7" in text
    # The two good runs are recorded, not the rejected one.
    assert PostImport.objects.filter(account=fb_account).count() == 2


def test_new_mapping_from_the_file_header_then_import(
    web: Any, operator: Any, fb_account: Any, workspace: Any
) -> None:
    content = (
        "发布时间,点赞,评论,转发,阅读\n2024-05-06 20:30,5,1,0,100\n2024-05-07 12:10,8,2,1,200\n".encode()
    )
    client = web(operator)
    step1 = client.post(
        f"/w/acme/analytics/accounts/{fb_account.pk}/posts/import/",
        {"file": _upload(content, "weibo.csv"), "mapping": "new"},
    )
    assert step1.status_code == 200
    text = _text(step1)
    assert 'data-testid="mapping-form"' in text
    # The header's columns are offered for each field, guessed where the name is a usual one.
    assert '<option value="发布时间" selected>发布时间</option>' in text
    assert '<option value="点赞" selected>点赞</option>' in text
    form = step1.context["form"]
    headers = form.initial["headers"]
    assert json.loads(headers) == ["发布时间", "点赞", "评论", "转发", "阅读"]

    step2 = client.post(
        "/w/acme/analytics/mappings/new/",
        {
            "name": "微博导出",
            "headers": headers,
            "account": fb_account.pk,
            "published_at": "发布时间",
            "likes": "点赞",
            "comments": "评论",
            "shares": "转发",
            "reach": "阅读",
            "delimiter": "auto",
            "weekday_numbering": "iso",
            "engagements_from": "sum",
            "type_to_form": "",
            "file": _upload(content, "weibo.csv"),
        },
    )
    assert step2.status_code == 302, _text(step2)[:2000]
    mapping = ColumnMapping.objects.get(name="微博导出")
    assert mapping.columns["published_at"] == "发布时间" and mapping.options["engagements_from"] == "sum"
    posts = PostRecord.objects.filter(account=fb_account).order_by("published_at")
    assert [(p.weekday, p.hour, p.engagements) for p in posts] == [(1, 20, 6), (2, 12, 11)]


def test_mapping_pages_four_cases(
    web: Any, operator: Any, analyst: Any, preset: ColumnMapping, foreign_mapping: ColumnMapping
) -> None:
    response = assert_four_cases(
        web, "GET", "/w/acme/analytics/mappings/", "/w/other/analytics/mappings/",
        permitted=analyst, denied=None,
    )  # fmt: skip
    text = _text(response)
    assert "facebook-page-export" in text and "1 = Sunday" in text
    assert "New mapping" not in text  # not for an analyst

    assert_four_cases(
        web, "GET", "/w/acme/analytics/mappings/new/", "/w/other/analytics/mappings/new/",
        permitted=operator, denied=analyst,
    )  # fmt: skip
    data = {
        "name": "typed",
        "weekday": "Weekday",
        "hour": "Hour",
        "engagements": "Interactions",
        "delimiter": ";",
        "weekday_numbering": "sun1",
        "engagements_from": "column",
        "type_to_form": "Photo = short_post\nVideo = Video",
    }
    response = assert_four_cases(
        web, "POST", "/w/acme/analytics/mappings/new/", "/w/other/analytics/mappings/new/",
        permitted=operator, denied=analyst, data=data, ok=(302,),
    )  # fmt: skip
    typed = ColumnMapping.objects.get(name="typed")
    assert typed.options["type_to_form"] == {"Photo": "short_post", "Video": "video"}
    assert typed.options["delimiter"] == ";"

    url = f"/w/acme/analytics/mappings/{preset.pk}/"
    foreign = f"/w/acme/analytics/mappings/{foreign_mapping.pk}/"
    response = assert_four_cases(web, "GET", url, foreign, permitted=operator, denied=analyst)
    assert 'value="Post Weekday"' in _text(response) and "Photo = short_post" in _text(response)
    edit = {
        "name": "FB",
        "weekday": "Post Weekday",
        "hour": "Post Hour",
        "engagements": "Total Interactions",
        "delimiter": ";",
        "weekday_numbering": "sun1",
        "engagements_from": "column",
        "type_to_form": "",
    }
    assert_four_cases(web, "POST", url, foreign, permitted=operator, denied=analyst, data=edit, ok=(302,))
    preset.refresh_from_db()
    assert preset.name == "FB" and preset.columns == {
        "weekday": "Post Weekday",
        "hour": "Post Hour",
        "engagements": "Total Interactions",
    }

    # A mapping that cannot work is shown again with the reason.
    invalid = web(operator).post(url, {**edit, "hour": ""})
    assert invalid.status_code == 200 and "both the weekday and the hour" in _text(invalid)

    assert_four_cases(
        web, "POST", f"/w/acme/analytics/mappings/{preset.pk}/delete/",
        f"/w/acme/analytics/mappings/{foreign_mapping.pk}/delete/", permitted=operator, denied=analyst,
        ok=(302,),
    )  # fmt: skip
    assert not ColumnMapping.objects.filter(pk=preset.pk).exists()

    assert_four_cases(
        web, "POST", "/w/acme/analytics/mappings/presets/facebook-page-export/",
        "/w/other/analytics/mappings/presets/facebook-page-export/", permitted=operator, denied=analyst,
        ok=(302,),
    )  # fmt: skip
    assert ColumnMapping.objects.filter(workspace__slug="acme", name="facebook-page-export").exists()
    assert web(operator).post("/w/acme/analytics/mappings/presets/myspace/").status_code == 404


def test_best_time_page(
    web: Any,
    analyst: Any,
    fb_account: Any,
    weibo: Any,
    foreign_account: Any,
    preset: Any,
    facebook_bytes: bytes,
    workspace: Any,
) -> None:
    import_post_file(workspace, fb_account, preset, facebook_bytes, "fb.csv")
    response = assert_four_cases(
        web, "GET", f"/w/acme/analytics/accounts/{fb_account.pk}/best-time/",
        f"/w/acme/analytics/accounts/{foreign_account.pk}/best-time/", permitted=analyst, denied=None,
    )  # fmt: skip
    text = _text(response)
    assert "learned from 500 posts" in text
    assert 'data-besttime="besttime-data"' in text and "analytics/besttime.js" in text
    assert 'data-besttime-metric="rate"' in text and 'data-besttime-metric="engagement"' in text
    heatmap = response.context["heatmap"]
    assert len(heatmap["hours"]) == 24 and heatmap["weekdays"][0] == "Mon"
    points = heatmap["series"]["engagement"]["data"]
    assert sum(int(p[3].split(" · ")[1].split()[0]) for p in points) == 500  # posts per cell in the tooltip
    assert heatmap["initial"] == "engagement"
    assert 'data-testid="top-hours"' in text
    assert "style=" not in text and "<script>" not in text

    default = _text(web(analyst).get(f"/w/acme/analytics/accounts/{weibo.pk}/best-time/"))
    assert "platform default" in default and "has 0 posts with engagement figures" in default


def test_best_time_page_in_chinese(web: Any, analyst: Any, weibo: Any) -> None:
    client = web(analyst)
    client.cookies.pop("django_language")
    text = _text(client.get(f"/w/acme/analytics/accounts/{weibo.pk}/best-time/"))
    assert "最佳发布时间" in text and "平台默认" in text


def test_a_preset_can_be_chosen_before_it_is_saved(
    web: Any, operator: Any, fb_account: Any, facebook_bytes: bytes
) -> None:
    client = web(operator)
    text = _text(client.get(f"/w/acme/analytics/accounts/{fb_account.pk}/posts/"))
    assert 'value="preset:facebook-page-export"' in text
    response = client.post(
        f"/w/acme/analytics/accounts/{fb_account.pk}/posts/import/",
        {"file": _upload(facebook_bytes), "mapping": "preset:facebook-page-export"},
        follow=True,
    )
    assert "500 new" in _text(response)
    assert ColumnMapping.objects.get(name="facebook-page-export").created_by == operator
    # Once saved, it is offered as a saved mapping, not as a preset.
    assert 'value="preset:facebook-page-export"' not in _text(response)
