"""Post-level imports through saved column mappings: the Facebook data set, bad rows, blanks, idempotency."""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import defaultdict
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from socialops.analytics.besttime import best_time_table
from socialops.analytics.models import ColumnMapping, PostImport, PostRecord
from socialops.analytics.services import (
    PostsImportRejected,
    column_mapping_create,
    column_mapping_delete,
    column_mapping_preset,
    column_mapping_update,
    posts_import,
)
from socialops.goals.imports import RowError
from socialops.workspaces.models import AuditEntry

from .conftest import FACEBOOK_CSV

pytestmark = pytest.mark.django_db


def _sun1_to_iso(weekday: int) -> int:
    """The Facebook export numbers weekdays 1 = Sunday … 7 = Saturday (docs/best-time.md)."""
    return 7 if weekday == 1 else weekday - 1


def _independent_table() -> dict[tuple[int, int], tuple[int, float, float]]:
    """(ISO weekday, hour) → (posts, mean Total Interactions, mean Total Interactions ÷ reach), from the file."""
    groups: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    with FACEBOOK_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            key = (_sun1_to_iso(int(row["Post Weekday"])), int(row["Post Hour"]))
            groups[key].append((int(row["Total Interactions"]), int(row["Lifetime Post Total Reach"])))
    return {
        key: (
            len(values),
            statistics.mean(e for e, _r in values),
            statistics.mean(e / r for e, r in values),
        )
        for key, values in groups.items()
    }


def _import(
    workspace: Any, account: Any, mapping: Any, content: bytes, name: str = "posts.csv", **kw: Any
) -> Any:
    return posts_import(
        workspace=workspace,
        actor=kw.pop("actor", None),
        account=account,
        mapping=mapping,
        file_name=name,
        content=content,
        **kw,
    )


def _reject(
    workspace: Any, account: Any, mapping: Any, content: bytes, name: str = "posts.csv"
) -> list[RowError]:
    with pytest.raises(PostsImportRejected) as err:
        _import(workspace, account, mapping, content, name)
    return err.value.errors


def _state(account: Any) -> list[tuple[Any, ...]]:
    return list(
        PostRecord.objects.filter(account=account)
        .order_by("external_id")
        .values_list(
            "external_id", "weekday", "hour", "month", "reach", "likes", "engagements", "form", "updated_at"
        )
    )


# --- the Done-means case ---------------------------------------------------------------------


def test_facebook_file_through_the_preset_gives_the_independently_computed_table(
    workspace: Any, fb_account: Any, preset: ColumnMapping, facebook_bytes: bytes, operator: Any
) -> None:
    record = _import(workspace, fb_account, preset, facebook_bytes, "dataset_Facebook.csv", actor=operator)
    assert (record.rows, record.created, record.updated, record.unchanged) == (500, 500, 0, 0)
    assert PostRecord.objects.filter(account=fb_account).count() == 500

    table = best_time_table(workspace=workspace, user=operator, account=fb_account)
    expected = _independent_table()
    assert table["source"] == "learned" and table["posts"] == 500
    assert len(table["cells"]) == 7 * 24
    for cell in table["cells"]:
        key = (cell["weekday"], cell["hour"])
        if key not in expected:
            assert cell["posts"] == 0 and cell["mean_engagement"] is None, key
            continue
        posts, mean_engagement, mean_rate = expected[key]
        assert cell["posts"] == posts, key
        assert cell["mean_engagement"] == pytest.approx(mean_engagement, rel=1e-9), key
        assert cell["mean_engagement_rate"] == pytest.approx(mean_rate, rel=1e-9), key
    assert sum(c["posts"] for c in table["cells"]) == 500
    assert {(c["weekday"], c["hour"]) for c in table["cells"] if c["posts"]} == set(expected)


def test_importing_the_same_file_twice_changes_nothing(
    workspace: Any, fb_account: Any, preset: ColumnMapping, facebook_bytes: bytes
) -> None:
    _import(workspace, fb_account, preset, facebook_bytes, "dataset_Facebook.csv")
    before = _state(fb_account)
    again = _import(workspace, fb_account, preset, facebook_bytes, "dataset_Facebook.csv")
    assert (again.rows, again.created, again.updated, again.unchanged) == (500, 0, 0, 500)
    assert _state(fb_account) == before
    # Both runs are in the history, with the same file fingerprint.
    runs = list(PostImport.objects.filter(account=fb_account).values_list("sha256", flat=True))
    assert len(runs) == 2 and runs[0] == runs[1]
    audits = AuditEntry.objects.filter(action="post_import.create").order_by("id")
    assert [(a.after["created"], a.after["unchanged"]) for a in audits] == [(500, 0), (0, 500)]


def test_blank_metric_cells_are_unknown_not_bad_rows(
    workspace: Any, fb_account: Any, preset: ColumnMapping, facebook_bytes: bytes
) -> None:
    _import(workspace, fb_account, preset, facebook_bytes)
    posts = PostRecord.objects.filter(account=fb_account)
    # Line 113 of the file: a photo with blank like and share cells and 0 interactions.
    assert posts.filter(likes__isnull=True).count() == 1
    assert posts.filter(shares__isnull=True).count() == 4
    assert posts.filter(paid__isnull=True).count() == 1
    blank = posts.get(likes__isnull=True)
    assert (blank.shares, blank.comments, blank.engagements, blank.reach) == (None, 0, 0, 1261)
    assert posts.filter(form="short_post").count() == 493 and posts.filter(form="video").count() == 7
    assert posts.filter(post_type="Photo").count() == 426


def test_identical_rows_stay_distinct_and_match_again(workspace: Any, fb_account: Any) -> None:
    mapping = column_mapping_create(
        workspace=workspace,
        actor=None,
        name="simple",
        columns={"weekday": "day", "hour": "hour", "likes": "likes"},
        options={"engagements_from": "sum"},
    )
    content = b"day,hour,likes\n1,9,5\n1,9,5\n2,10,7\n"
    first = _import(workspace, fb_account, mapping, content)
    assert first.created == 3
    ids = set(PostRecord.objects.filter(account=fb_account).values_list("external_id", flat=True))
    assert len(ids) == 3
    again = _import(workspace, fb_account, mapping, content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    # A third identical row is a new post; the first two are matched again.
    third = _import(workspace, fb_account, mapping, content + b"1,9,5\n")
    assert (third.created, third.unchanged) == (1, 3)
    same = PostRecord.objects.filter(account=fb_account, weekday=1, hour=9)
    assert sorted(same.values_list("engagements", flat=True)) == [5, 5, 5]


def test_an_id_column_updates_figures_in_place(workspace: Any, fb_account: Any) -> None:
    mapping = column_mapping_create(
        workspace=workspace,
        actor=None,
        name="with ids",
        columns={
            "external_id": "id",
            "published_at": "time",
            "reach": "reach",
            "likes": "likes",
            "comments": "comments",
        },
        options={"engagements_from": "sum"},
    )
    workspace.timezone = "Asia/Shanghai"
    _import(workspace, fb_account, mapping, b"id,time,reach,likes,comments\nA1,2024-05-06 20:30,100,5,1\n")
    post = PostRecord.objects.get(account=fb_account, external_id="A1")
    # 20:30 in Shanghai on a Monday, stored in UTC.
    assert (post.weekday, post.hour, post.month, post.engagements) == (1, 20, 5, 6)
    assert post.published_at == dt.datetime(2024, 5, 6, 12, 30, tzinfo=dt.UTC)

    updated = _import(
        workspace, fb_account, mapping, b"id,time,reach,likes,comments\nA1,2024-05-06 20:30,150,9,1\n"
    )
    assert (updated.created, updated.updated, updated.unchanged) == (0, 1, 0)
    post.refresh_from_db()
    assert (post.reach, post.likes, post.engagements) == (150, 9, 10)

    # With an offset the time is converted: 23:10 UTC on Sunday is 07:10 on Monday in Shanghai.
    _import(workspace, fb_account, mapping, b"id,time,reach,likes,comments\nB2,2024-05-05T23:10:00Z,1,1,0\n")
    post = PostRecord.objects.get(account=fb_account, external_id="B2")
    assert (post.weekday, post.hour) == (1, 7)


# --- rejection ---------------------------------------------------------------------------------


def test_bad_rows_reject_the_whole_file_with_line_numbers(
    workspace: Any, fb_account: Any, preset: ColumnMapping, facebook_bytes: bytes
) -> None:
    _import(workspace, fb_account, preset, facebook_bytes)
    before = _state(fb_account)
    lines = facebook_bytes.decode("utf-8").splitlines()
    header = lines[0]
    good = lines[1]
    cols = header.split(";")

    def variant(**changes: str) -> str:
        cells = good.split(";")
        for name, value in changes.items():
            cells[cols.index(name.replace("_", " "))] = value
        return ";".join(cells)

    bad = "\n".join(
        [
            header,
            good,  # line 2: fine (already imported)
            variant(Lifetime_Post_Total_Reach="-5"),  # line 3
            variant(Post_Hour="25"),  # line 4
            variant(Post_Weekday="9"),  # line 5
            variant(like="lots"),  # line 6
            lines[2],  # line 7: fine
        ]
    ).encode()
    errors = _reject(workspace, fb_account, preset, bad, "bad.csv")
    assert [str(e) for e in errors] == [
        "line 3, Lifetime Post Total Reach: must be ≥ 0",
        "line 4, Post Hour: must be between 0 and 23",
        "line 5, Post Weekday: must be between 1 and 7",
        "line 6, like: must be a whole number",
    ]
    assert [e.as_dict() for e in errors][0] == {
        "line": 3,
        "field": "Lifetime Post Total Reach",
        "message": "must be ≥ 0",
    }
    assert _state(fb_account) == before
    assert PostImport.objects.filter(account=fb_account).count() == 1


def test_a_mapped_column_missing_from_the_file_is_a_file_error(workspace: Any, fb_account: Any) -> None:
    mapping = column_mapping_create(
        workspace=workspace,
        actor=None,
        name="needs clicks",
        columns={"weekday": "weekday", "hour": "hour", "engagements": "engagements", "clicks": "Link clicks"},
        options={},
    )
    errors = _reject(workspace, fb_account, mapping, b"weekday,hour,engagements\n1,9,5\n")
    assert len(errors) == 1
    assert errors[0].line is None and errors[0].field == "clicks"
    assert "“Link clicks”" in errors[0].message and "not in the file" in errors[0].message
    assert str(errors[0]).startswith("whole file: ")
    assert not PostRecord.objects.exists()


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "The file is empty."),
        (b"weekday,hour,engagements\n", "header but no rows"),
        (b"\xd0\xcf\x11\xe0old excel", "Old Excel files"),
    ],
)
def test_unreadable_files(workspace: Any, fb_account: Any, content: bytes, needle: str) -> None:
    mapping = column_mapping_create(
        workspace=workspace,
        actor=None,
        name="plain",
        columns={"weekday": "weekday", "hour": "hour", "engagements": "engagements"},
        options={},
    )
    errors = _reject(workspace, fb_account, mapping, content, "x.xls" if b"old" in content else "x.csv")
    assert needle in errors[0].message and errors[0].line is None


def test_row_level_checks(workspace: Any, fb_account: Any) -> None:
    mapping = column_mapping_create(
        workspace=workspace,
        actor=None,
        name="all",
        columns={
            "external_id": "id",
            "published_at": "time",
            "post_type": "type",
            "form": "form",
            "paid": "paid",
            "engagements": "eng",
        },
        options={},
    )
    content = (
        b"id,time,type,form,paid,eng\n"
        b"a,2024-05-06 20:30,Photo,video,1,3\n"  # 2 fine
        b"a,2024-05-06 21:30,Photo,,0,3\n"  # 3 same id as line 2
        b"b,2024-05-06,Photo,,,3\n"  # 4 no time of day
        b"c,2099-01-01 10:00,Photo,,,3\n"  # 5 future
        b"d,2024-02-30 10:00,Photo,,,3\n"  # 6 not a date
        b"e,2024-05-06 10:00,Photo,podcast,maybe,3\n"  # 7 unknown form, bad paid
        b"f,,Photo,,,3\n"  # 8 no time at all
        b"g,2024-05-06 10:00,Photo,,,3,extra\n"  # 9 too many cells
    )
    errors = [str(e) for e in _reject(workspace, fb_account, mapping, content)]
    assert errors == [
        "line 3, id: same post ID as line 2",
        "line 4, time: needs the time of day, not only the date",
        "line 5, time: is in the future",
        "line 6, time: is not a real calendar date",
        "line 7, form: is not a content form (use one of: article, short_post, video, live, qa)",
        "line 7, paid: must be 1/0 or yes/no",
        "line 8, time: is required",
        "line 9: the row has more values than the header has columns",
    ]


def test_xlsx_and_weekday_names_and_clock_times(workspace: Any, fb_account: Any) -> None:
    mapping = column_mapping_create(
        workspace=workspace,
        actor=None,
        name="sheet",
        columns={"weekday": "星期", "hour": "时间", "likes": "点赞", "comments": "评论"},
        options={"engagements_from": "sum", "weekday_numbering": "sun1"},
    )
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["星期", "时间", "点赞", "评论"])
    sheet.append(["周二", "20:15", 10, None])  # a name is a name in any numbering
    sheet.append([1, dt.time(8, 0), 3.0, 2])  # 1 = Sunday in this numbering
    sheet.append([7, 23, "1,200", 0])
    buffer = io.BytesIO()
    book.save(buffer)
    _import(workspace, fb_account, mapping, buffer.getvalue(), "posts.xlsx")
    got = sorted(
        PostRecord.objects.filter(account=fb_account).values_list("weekday", "hour", "likes", "engagements")
    )
    assert got == [(2, 20, 10, 10), (6, 23, 1200, 1200), (7, 8, 3, 5)]


def test_import_needs_the_role_and_own_objects(
    workspace: Any,
    fb_account: Any,
    preset: ColumnMapping,
    analyst: Any,
    foreign_account: Any,
    foreign_mapping: Any,
) -> None:
    with pytest.raises(PermissionDenied):
        _import(workspace, fb_account, preset, b"x", actor=analyst)
    with pytest.raises(ValidationError) as err:
        _import(workspace, foreign_account, preset, b"x")
    assert "account" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        _import(workspace, fb_account, foreign_mapping, b"x")
    assert "mapping" in err.value.message_dict


def test_progress_reports_validation_then_writing(
    workspace: Any, fb_account: Any, preset: ColumnMapping, facebook_bytes: bytes
) -> None:
    seen: list[tuple[int, int]] = []
    _import(
        workspace, fb_account, preset, facebook_bytes, progress=lambda done, total: seen.append((done, total))
    )
    assert seen[0] == (200, 1000) and seen[-1] == (1000, 1000)
    assert (500, 1000) in seen


# --- mappings ----------------------------------------------------------------------------------


def test_mapping_validation(workspace: Any, operator: Any, analyst: Any) -> None:
    def errors(**kw: Any) -> dict[str, list[str]]:
        args = {"name": "m", "columns": {"weekday": "w", "hour": "h", "engagements": "e"}, "options": {}}
        args.update(kw)
        with pytest.raises(ValidationError) as err:
            column_mapping_create(workspace=workspace, actor=operator, **args)
        return err.value.message_dict

    assert (
        "not a field"
        in errors(columns={"weekday": "w", "hour": "h", "engagements": "e", "colour": "c"})["columns"][0]
    )
    assert "both" in errors(columns={"weekday": "w", "hour": "W", "engagements": "e"})["columns"][0]
    assert "publication time" in errors(columns={"weekday": "w", "engagements": "e"})["columns"][0]
    assert "engagements column" in errors(columns={"weekday": "w", "hour": "h"})["columns"][0]
    assert (
        "at least one of likes"
        in errors(columns={"weekday": "w", "hour": "h"}, options={"engagements_from": "sum"})["columns"][0]
    )
    assert "sun1" in errors(options={"weekday_numbering": "us"})["options"][0]
    assert "not a content form" in errors(options={"type_to_form": {"Photo": "picture"}})["options"][0]
    assert "Unknown option" in errors(options={"colour": "red"})["options"][0]
    assert "delimiter" in errors(options={"delimiter": "#"})["options"][0]
    assert "name" in errors(name=" ")
    with pytest.raises(PermissionDenied):
        column_mapping_create(
            workspace=workspace,
            actor=analyst,
            name="x",
            columns={"published_at": "t", "engagements": "e"},
            options={},
        )

    # A column name as engagements_from is stored as the engagements column.
    mapping = column_mapping_create(
        workspace=workspace,
        actor=operator,
        name="m",
        columns={"published_at": "t"},
        options={"engagements_from": "Total"},
    )
    assert mapping.columns == {"published_at": "t", "engagements": "Total"}
    assert mapping.options["engagements_from"] == "column"
    assert "already exists" in errors(name="M")["name"][0]


def test_mapping_update_delete_and_audit(workspace: Any, operator: Any, preset: ColumnMapping) -> None:
    mapping = column_mapping_update(
        workspace=workspace,
        actor=operator,
        mapping=preset,
        name="FB page",
        options={**preset.options, "delimiter": "auto"},
    )
    assert mapping.name == "FB page" and mapping.options["delimiter"] == "auto"
    entry = AuditEntry.objects.filter(action="column_mapping.update").get()
    assert entry.before["name"] == "facebook-page-export" and entry.after["name"] == "FB page"
    assert entry.before["options"]["delimiter"] == ";" and entry.after["options"]["delimiter"] == "auto"
    # Nothing changed → no write and no audit entry.
    column_mapping_update(workspace=workspace, actor=operator, mapping=mapping, name="FB page")
    assert AuditEntry.objects.filter(action="column_mapping.update").count() == 1
    column_mapping_delete(workspace=workspace, actor=operator, mapping=mapping)
    assert not ColumnMapping.objects.filter(workspace=workspace).exists()
    assert AuditEntry.objects.filter(action="column_mapping.delete").exists()


def test_preset_is_idempotent_and_unknown_presets_are_refused(workspace: Any, operator: Any) -> None:
    first = column_mapping_preset(workspace=workspace, actor=operator, preset="facebook-page-export")
    again = column_mapping_preset(workspace=workspace, actor=operator, preset="facebook-page-export")
    assert first.pk == again.pk
    assert first.options["weekday_numbering"] == "sun1" and first.options["delimiter"] == ";"
    assert first.columns["engagements"] == "Total Interactions"
    with pytest.raises(ValidationError) as err:
        column_mapping_preset(workspace=workspace, actor=operator, preset="myspace")
    assert "facebook-page-export" in err.value.message_dict["preset"][0]
