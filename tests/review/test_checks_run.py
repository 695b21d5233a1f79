"""run_checks and run_item_checks: every check with exact spans on Chinese text, the workspace's lists honoured."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from socialops.accounts.models import Platform
from socialops.content.services import items as content_services
from socialops.content.services import variants as variant_services
from socialops.review.findings import CheckFinding
from socialops.review.models import CheckSettings, ItemCheckRun, ItemFinding, SensitiveTerm
from socialops.review.services import originality as originality_services
from socialops.review.services import runner as check_runner
from socialops.review.services import terms as term_services
from socialops.workspaces.models import AuditEntry
from tests.factories import account_row, import_posts, make_item

pytestmark = pytest.mark.django_db


def run(workspace: Any, body: str = "", **kwargs: Any) -> list[CheckFinding]:
    fields = {"body": body}
    fields.update(kwargs.pop("fields", {}))
    return check_runner.run_checks(workspace=workspace, text_fields=fields, **kwargs)


def by_check(findings: list[CheckFinding], check: str) -> list[CheckFinding]:
    return [f for f in findings if f.check == check]


def span_of(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


# ---- Advertising Law --------------------------------------------------------------------------


def test_adlaw_superlatives_have_exact_spans(workspace: Any) -> None:
    text = "这款面霜是全网最低价，销量第一！"
    found = by_check(run(workspace, text), "adlaw")
    assert [(f.start, f.end, f.matched, f.severity) for f in found] == [
        (*span_of(text, "全网最低价"), "全网最低价", "block"),
        (*span_of(text, "销量第一"), "销量第一", "block"),
    ]
    assert all(f.field == "body" for f in found)
    assert "Advertising Law" in found[0].message


def test_adlaw_leaves_the_common_allowed_uses_alone(workspace: Any) -> None:
    text = "最近天气转凉，活动最后一天，第一次下单的朋友请看第一步。最新消息：营业时间调整。"
    assert by_check(run(workspace, text), "adlaw") == []


def test_adlaw_in_the_title_is_reported_on_the_title(workspace: Any) -> None:
    found = by_check(run(workspace, "", fields={"title": "史上最强手机"}), "adlaw")
    assert [(f.field, f.start, f.end) for f in found] == [("title", 0, 4)]


def test_workspace_terms_added_removed_and_allowed_names(workspace: Any, reviewer: Any) -> None:
    text = "神品面霜，第一口鲜美。最美时光系列上新。"
    before = by_check(run(workspace, text), "adlaw")
    assert not any(f.matched == "神品" for f in before)
    assert any(f.matched.startswith("最美") for f in before)  # 最美 is a claim, unless it is our name

    term_services.adlaw_entry_create(
        workspace=workspace, actor=reviewer, kind="extra", term="神品", severity="warn"
    )
    term_services.adlaw_entry_create(
        workspace=workspace, actor=reviewer, kind="allowed_name", term="最美时光"
    )
    after = by_check(run(workspace, text), "adlaw")
    custom = [f for f in after if f.matched == "神品"]
    assert [(f.start, f.end, f.severity, f.message_code) for f in custom] == [
        (0, 2, "warn", "adlaw.custom_term")
    ]
    assert not any("最美" in f.matched for f in after)

    # Removing a built-in term: 首选 stops being flagged.
    assert by_check(run(workspace, "夏日首选"), "adlaw")
    entry = term_services.adlaw_entry_create(workspace=workspace, actor=reviewer, kind="removed", term="首选")
    assert by_check(run(workspace, "夏日首选"), "adlaw") == []
    term_services.adlaw_entry_delete(workspace=workspace, actor=reviewer, entry=entry)
    assert by_check(run(workspace, "夏日首选"), "adlaw")


def test_every_term_write_bumps_the_version(workspace: Any, reviewer: Any) -> None:
    term_services.adlaw_entry_create(workspace=workspace, actor=reviewer, kind="extra", term="神品")
    first = CheckSettings.objects.get(workspace=workspace)
    lst = term_services.sensitive_list_create(
        workspace=workspace, actor=reviewer, name="竞品", severity="warn"
    )
    second = CheckSettings.objects.get(workspace=workspace)
    assert second.terms_version == first.terms_version + 1
    assert second.cache_token != first.cache_token
    term_services.sensitive_term_create(
        workspace=workspace, actor=reviewer, sensitive_list=lst, term="某品牌"
    )
    assert CheckSettings.objects.get(workspace=workspace).terms_version == first.terms_version + 2


def test_term_lists_are_edited_by_reviewers_and_admins_only(
    workspace: Any, operator: Any, analyst: Any, admin: Any
) -> None:
    for user in (operator, analyst):
        with pytest.raises(PermissionDenied):
            term_services.adlaw_entry_create(workspace=workspace, actor=user, kind="extra", term="神品")
    entry = term_services.adlaw_entry_create(workspace=workspace, actor=admin, kind="extra", term="神品")
    audit = AuditEntry.objects.get(action="adlaw_entry.create")
    assert audit.after["term"] == "神品" and audit.actor == admin
    with pytest.raises(ValidationError) as exc:
        term_services.adlaw_entry_create(workspace=workspace, actor=admin, kind="extra", term="神 品")
    assert "already" in str(exc.value)
    with pytest.raises(ValidationError):
        term_services.adlaw_entry_create(workspace=workspace, actor=admin, kind="bogus", term="x")
    with pytest.raises(ValidationError):
        term_services.adlaw_entry_create(workspace=workspace, actor=admin, kind="extra", term="！！！")
    assert entry.key == "神品"


# ---- Sensitive words --------------------------------------------------------------------------


def test_sensitive_lists_each_with_its_severity(workspace: Any, reviewer: Any) -> None:
    hard = term_services.sensitive_list_create(
        workspace=workspace, actor=reviewer, name="政治敏感", severity="block"
    )
    soft = term_services.sensitive_list_create(
        workspace=workspace, actor=reviewer, name="竞品名称", severity="warn"
    )
    term_services.sensitive_term_create(
        workspace=workspace, actor=reviewer, sensitive_list=hard, term="敏感词"
    )
    term_services.sensitive_term_create(
        workspace=workspace, actor=reviewer, sensitive_list=soft, term="某某手机"
    )
    text = "不要写敏 感词，也别提某某手机。"
    found = by_check(run(workspace, text), "sensitive")
    assert [(f.start, f.end, f.matched, f.severity, f.params["list"]) for f in found] == [
        (*span_of(text, "敏 感词"), "敏 感词", "block", "政治敏感"),
        (*span_of(text, "某某手机"), "某某手机", "warn", "竞品名称"),
    ]
    assert found[0].message == "“敏感词” is on the sensitive-word list “政治敏感”."


def test_sensitive_import_reports_bad_lines_and_changes_nothing(workspace: Any, reviewer: Any) -> None:
    lst = term_services.sensitive_list_create(
        workspace=workspace, actor=reviewer, name="导入", severity="warn"
    )
    bad = "# 注释\n好词\n" + "长" * 51 + "\n\n！！！\n另一个词\n".encode().decode()
    with pytest.raises(ValidationError) as exc:
        term_services.sensitive_list_import(
            workspace=workspace, actor=reviewer, sensitive_list=lst, content=bad.encode()
        )
    messages = exc.value.message_dict["file"]
    assert messages == [
        "Line 3: the term has 51 characters; at most 50 are allowed.",
        "Line 5: the term has no letter, digit or Chinese character.",
    ]
    assert not SensitiveTerm.objects.filter(term_list=lst).exists()
    with pytest.raises(ValidationError) as exc:
        term_services.sensitive_list_import(
            workspace=workspace, actor=reviewer, sensitive_list=lst, content=b"\xff\xfe\x00bad"
        )
    assert "not UTF-8" in exc.value.message_dict["file"][0]


def test_sensitive_import_is_idempotent_and_can_replace(workspace: Any, reviewer: Any) -> None:
    lst = term_services.sensitive_list_create(
        workspace=workspace, actor=reviewer, name="导入", severity="block"
    )
    content = "\ufeff词一\n词二\n\n# 注释\n词一\nWord3\n".encode()
    first = term_services.sensitive_list_import(
        workspace=workspace, actor=reviewer, sensitive_list=lst, content=content
    )
    assert (first.added, first.removed, first.unchanged, first.duplicates) == (3, 0, 0, 1)
    version = CheckSettings.objects.get(workspace=workspace).terms_version
    audits = AuditEntry.objects.filter(action="sensitive_list.import").count()
    again = term_services.sensitive_list_import(
        workspace=workspace, actor=reviewer, sensitive_list=lst, content=content
    )
    assert (again.added, again.removed, again.unchanged) == (0, 0, 3)
    assert CheckSettings.objects.get(workspace=workspace).terms_version == version
    assert AuditEntry.objects.filter(action="sensitive_list.import").count() == audits
    assert sorted(SensitiveTerm.objects.filter(term_list=lst).values_list("term", flat=True)) == [
        "Word3",
        "词一",
        "词二",
    ]
    replaced = term_services.sensitive_list_import(
        workspace=workspace, actor=reviewer, sensitive_list=lst, content="词二\n词四\n".encode(), replace=True
    )
    assert (replaced.added, replaced.removed, replaced.unchanged) == (1, 2, 1)
    assert sorted(SensitiveTerm.objects.filter(term_list=lst).values_list("term", flat=True)) == [
        "词二",
        "词四",
    ]
    found = by_check(run(workspace, "这里有词四"), "sensitive")
    assert [(f.start, f.end, f.severity) for f in found] == [(3, 5, "block")]


# ---- Brand ------------------------------------------------------------------------------------


def test_brand_variants_and_banned_slang_with_suggestions(workspace: Any, reviewer: Any) -> None:
    term_services.brand_term_create(
        workspace=workspace, actor=reviewer, preferred="星曜 X1 Pro", forbidden=["星耀X1pro"], severity="warn"
    )
    term_services.banned_term_create(workspace=workspace, actor=reviewer, term="绝绝子", replacement="很出色")
    text = "新款星耀X1pro上市，星曜x1 pro也不错，星曜 X1 Pro 真是绝绝子。"
    found = by_check(run(workspace, text), "brand")
    assert [(f.start, f.end, f.matched, f.message_code, f.suggestion) for f in found] == [
        (*span_of(text, "星耀X1pro"), "星耀X1pro", "brand.forbidden_variant", "星曜 X1 Pro"),
        (*span_of(text, "星曜x1 pro"), "星曜x1 pro", "brand.inexact_spelling", "星曜 X1 Pro"),
        (*span_of(text, "绝绝子"), "绝绝子", "brand.banned_slang", "很出色"),
    ]
    assert found[0].message == "“星耀X1pro” is a wrong spelling of “星曜 X1 Pro”."


def test_brand_variant_equal_to_the_preferred_form_is_refused(workspace: Any, reviewer: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        term_services.brand_term_create(
            workspace=workspace, actor=reviewer, preferred="星曜 X1 Pro", forbidden=["星曜x1pro"]
        )
    assert "forbidden" in exc.value.message_dict


# ---- Platform rules ---------------------------------------------------------------------------


def test_weibo_limit_marks_the_characters_past_140(workspace: Any) -> None:
    body = "微" * 150
    found = by_check(run(workspace, body, platform="weibo", form="post"), "platform")
    too_long = [f for f in found if f.message_code == "platform.too_long"]
    assert [(f.field, f.start, f.end, f.severity) for f in too_long] == [("body", 140, 150, "block")]
    assert too_long[0].params["limit"] == 140
    assert "Weibo post" in too_long[0].message
    # ASCII counts half: 280 letters are 140 汉字 units.
    assert not [
        f for f in by_check(run(workspace, "a" * 280, platform="weibo"), "platform") if f.start is not None
    ]


def test_wechat_title_and_digest_limits(workspace: Any) -> None:
    title = "标" * 40
    digest = "摘" * 130
    found = by_check(
        run(workspace, "正文内容", fields={"title": title, "digest": digest}, platform="wechat_mp"),
        "platform",
    )
    spans = {(f.field, f.start, f.end) for f in found if f.message_code == "platform.too_long"}
    assert spans == {("title", 32, 40), ("digest", 128, 130)}


def test_weibo_hashtags_need_a_pair_of_marks(workspace: Any) -> None:
    body = "新品上市 #春季上新 快来看"
    found = [
        f for f in run(workspace, body, platform="weibo") if f.message_code == "platform.hashtag_malformed"
    ]
    assert [(f.start, f.end, f.suggestion) for f in found] == [(*span_of(body, "#春季上新"), "#春季上新#")]


# ---- Links, disclosure ------------------------------------------------------------------------


def test_link_syntax_is_checked_at_once(workspace: Any) -> None:
    text = "详情见 https://exa mple.com/path 或 javascript:alert(1)"
    found = by_check(run(workspace, text), "link")
    codes = {f.message_code for f in found}
    assert "link.contains_space" in codes and "link.dangerous_scheme" in codes
    dangerous = next(f for f in found if f.message_code == "link.dangerous_scheme")
    assert dangerous.severity == "block" and dangerous.matched.startswith("javascript:")


def test_ad_disclosure_required_when_advertising(workspace: Any) -> None:
    body = "这款面霜真的很好用，推荐给大家。"
    assert by_check(run(workspace, body, platform="weibo"), "disclosure") == []
    missing = by_check(run(workspace, body, platform="weibo", is_advertising=True), "disclosure")
    assert [(f.start, f.end, f.severity, f.suggestion, f.message_code) for f in missing] == [
        (0, 0, "block", "【广告】", "disclosure.missing")
    ]
    assert "Weibo" in missing[0].message
    assert (
        by_check(run(workspace, "【广告】" + body, platform="weibo", is_advertising=True), "disclosure") == []
    )
    wrong = by_check(
        run(workspace, "品牌合作：" + body, platform="xiaohongshu", is_advertising=True), "disclosure"
    )
    assert [(f.start, f.end, f.message_code) for f in wrong] == [(0, 4, "disclosure.wrong_word")]
    # Without a platform the Chinese platforms' rule applies.
    generic = by_check(run(workspace, body, is_advertising=True), "disclosure")
    assert generic[0].message == (
        "This item is marked as advertising: Chinese platforms needs “【广告】” at the start or end of the text."
    )


# ---- Originality ------------------------------------------------------------------------------

EARLIER = "春天到了，我们的新品樱花拿铁正式上市，每一口都是春天的味道，欢迎大家到店品尝。"
COPY = "春天到了，我们的新品樱花拿铁正式上市，每一口都是春天的味道，欢迎大家来店品尝！"


def test_originality_finds_an_imported_post_with_similarity_and_diff(workspace: Any) -> None:
    ours = account_row(workspace, "acme_weibo", display_name="acme_weibo")
    import_posts(
        workspace,
        ours,
        [("p1", "2026-03-01 10:00", EARLIER), ("p2", "2026-03-02 10:00", "完全不同的内容，关于秋天的咖啡。")],
    )
    found = by_check(run(workspace, COPY), "originality")
    assert len(found) == 1
    f = found[0]
    assert f.severity == "warn" and f.message_code == "originality.similar"
    assert 0.6 <= f.params["similarity"] < 1.0
    assert f.related["post_text"] == EARLIER and f.related["account"] == "acme_weibo"
    assert f.related["published_at"].startswith("2026-03-01")
    assert (
        f.message
        == f"The text is {f.params['percent']}% similar to an earlier post of acme_weibo (2026-03-01); see the comparison."
    )
    # The diff: the changed passages are marked on both sides, the rest is equal.
    kinds_a = {k for k, _a, _b in f.related["segments_a"]}
    assert {"equal", "changed"} <= kinds_a
    changed = [COPY[a:b] for k, a, b in f.related["segments_a"] if k == "changed"]
    assert "来" in "".join(changed)
    # The span covers the passages shared with the earlier post (highlighted in the editor).
    assert f.start == 0 and f.end >= len(COPY) - 2 and f.matched == COPY[f.start : f.end]


def test_originality_through_the_persistent_index_and_competitors(workspace: Any) -> None:
    from socialops.review.models import OriginalityIndexState
    from socialops.review.tasks import update_originality_index

    rival = account_row(workspace, "rival", is_competitor=True, display_name="rival")
    import_posts(workspace, rival, [("r1", "2026-02-01 09:00", EARLIER)])
    update_originality_index.call_local(workspace.pk)
    state = OriginalityIndexState.objects.get(workspace=workspace)
    assert state.doc_count == 1
    update_originality_index.call_local(workspace.pk)  # nothing new: the version stays
    assert OriginalityIndexState.objects.get(workspace=workspace).version == state.version
    same = by_check(run(workspace, EARLIER), "originality")
    assert [(f.severity, f.message_code, f.params["percent"]) for f in same] == [
        ("block", "originality.similar_competitor", 100)
    ]
    near = by_check(run(workspace, COPY), "originality")
    assert near[0].severity == "warn"  # below the blocking similarity of 0.9
    assert by_check(run(workspace, "今天天气很好，我们去公园散步，顺便买了一杯咖啡。"), "originality") == []


def test_originality_threshold_is_configurable(workspace: Any, reviewer: Any) -> None:
    ours = account_row(workspace, "acme", display_name="acme")
    import_posts(workspace, ours, [("p1", "2026-03-01 10:00", EARLIER)])
    assert by_check(run(workspace, COPY), "originality")
    originality_services.check_settings_update(
        workspace=workspace, actor=reviewer, originality_threshold=0.95
    )
    assert by_check(run(workspace, COPY), "originality") == []
    with pytest.raises(ValidationError):
        originality_services.check_settings_update(
            workspace=workspace, actor=reviewer, originality_threshold=0.1
        )


def test_originality_leaves_out_the_items_own_posts(workspace: Any) -> None:
    from socialops.analytics.models import PostRecord

    ours = account_row(workspace, "acme", display_name="acme")
    import_posts(workspace, ours, [("p1", "2026-03-01 10:00", EARLIER)])
    item = make_item(workspace, body=EARLIER)
    PostRecord.objects.filter(external_id="p1").update(content_item=item)
    assert by_check(run(workspace, EARLIER, exclude_item=item), "originality") == []
    assert by_check(run(workspace, EARLIER), "originality")


# ---- Items and their variants -----------------------------------------------------------------


def test_run_item_checks_stores_findings_of_the_item_and_each_variant(workspace: Any) -> None:
    weibo = account_row(workspace, "acme_weibo", Platform.WEIBO, display_name="acme_weibo")
    item = make_item(workspace, body="全网最低价的好物，" + "好" * 150, accounts=[weibo.pk])
    variant = variant_services.variant_create(
        workspace=workspace, actor=None, item=item, account=weibo, body="国内首款！" + "新" * 140
    )
    findings = check_runner.run_item_checks(workspace=workspace, item=item)
    stored = list(ItemFinding.objects.filter(item=item).order_by("position"))
    assert len(stored) == len(findings) > 0
    item_level = [f for f in findings if f.variant_id is None]
    variant_level = [f for f in findings if f.variant_id == variant.pk]
    assert any(f.check == "adlaw" and f.matched == "全网最低价" for f in item_level)
    assert not any(f.check == "platform" for f in item_level)  # the item itself has no platform
    too_long = [f for f in variant_level if f.message_code == "platform.too_long"]
    assert [(f.start, f.end, f.platform) for f in too_long] == [(140, 145, "weibo")]
    assert any(f.check == "adlaw" and f.matched == "国内首款" for f in variant_level)
    run_row = ItemCheckRun.objects.get(item=item)
    assert run_row.block_count == sum(1 for f in findings if f.severity == "block")
    assert check_runner.item_has_blocking_findings(workspace=workspace, item=item)
    assert [f.to_dict() for f in check_runner.stored_findings(workspace=workspace, item=item)] == [
        f.to_dict() for f in findings
    ]


def test_item_has_blocking_findings_follows_edits_and_lists(workspace: Any, reviewer: Any) -> None:
    item = make_item(workspace, title="春季活动", body="今天发布新品，欢迎体验。")
    assert not check_runner.item_has_blocking_findings(workspace=workspace, item=item)
    lst = term_services.sensitive_list_create(
        workspace=workspace, actor=reviewer, name="禁用", severity="block"
    )
    term_services.sensitive_term_create(workspace=workspace, actor=reviewer, sensitive_list=lst, term="新品")
    # The lists changed: the stored findings are out of date and the checks run again.
    assert check_runner.item_has_blocking_findings(workspace=workspace, item=item)
    item = content_services.content_item_update(
        workspace=workspace,
        actor=None,
        item=item,
        expected_version=item.version,
        body="今天发布春装，欢迎体验。",
    )
    assert not check_runner.item_has_blocking_findings(workspace=workspace, item=item)


def test_marking_an_item_as_advertising(workspace: Any, operator: Any, analyst: Any) -> None:
    xhs = account_row(workspace, "acme_xhs", Platform.XIAOHONGSHU, display_name="acme_xhs")
    item = make_item(workspace, body="这款面霜真的很好用。", accounts=[xhs.pk])
    variant_services.variant_create(
        workspace=workspace, actor=None, item=item, account=xhs, body="这款面霜真的很好用。"
    )
    with pytest.raises(PermissionDenied):
        content_services.content_item_advertising_set(
            workspace=workspace, actor=analyst, item=item, is_advertising=True
        )
    content_services.content_item_advertising_set(
        workspace=workspace, actor=operator, item=item, is_advertising=True
    )
    item.refresh_from_db()
    assert item.is_advertising
    disclosure = [
        f for f in check_runner.stored_findings(workspace=workspace, item=item) if f.check == "disclosure"
    ]
    assert {(f.variant_id is None, f.platform) for f in disclosure} == {(True, ""), (False, "xiaohongshu")}
    assert AuditEntry.objects.filter(action="content_item.advertising").count() == 1


# ---- Messages in Chinese ----------------------------------------------------------------------


def test_every_textkit_message_is_mirrored_and_translated() -> None:
    from socialops.review.presenters import MESSAGES, TERM_FILE_MESSAGES
    from socialops.textkit.findings import MESSAGES as TEXTKIT
    from socialops.textkit.terms import TERM_FILE_MESSAGES as TEXTKIT_FILE

    assert {k: str(v) for k, v in MESSAGES.items() if k in TEXTKIT} == TEXTKIT
    assert set(TEXTKIT) <= set(MESSAGES)
    assert {k: str(v) for k, v in TERM_FILE_MESSAGES.items()} == TEXTKIT_FILE
    with translation.override("zh-hans"):
        for code, english in [*TEXTKIT.items(), *TEXTKIT_FILE.items()]:
            template = MESSAGES.get(code) or TERM_FILE_MESSAGES[code]
            chinese = str(template)
            assert chinese != english, code
            assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese), code
            # The same placeholders, so every param is shown.
            import re

            assert sorted(re.findall(r"{(\w+)}", chinese)) == sorted(re.findall(r"{(\w+)}", english)), code


def test_findings_speak_chinese_with_translated_params(workspace: Any) -> None:
    with translation.override("zh-hans"):
        found = run(
            workspace, "微" * 150, fields={"title": "全网最低价"}, platform="weibo", is_advertising=True
        )
        messages = {f.message_code: f.message for f in found}
    assert "广告法" in messages["adlaw.scope_superlative"]
    assert "微博" in messages["platform.too_long"] and "platform" not in messages["platform.too_long"]
    assert "正文" in messages["platform.too_long"]
    assert "【广告】" in messages["disclosure.missing"] and "微博" in messages["disclosure.missing"]


def test_post_import_and_threshold_change_queue_the_index_jobs(
    workspace: Any, reviewer: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from socialops.review import tasks

    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(tasks, "update_originality_index", lambda ws_id: calls.append(("update", ws_id)))
    monkeypatch.setattr(tasks, "rebuild_originality_index", lambda ws_id: calls.append(("rebuild", ws_id)))
    account = account_row(workspace, "acme", display_name="acme")
    with django_capture_on_commit_callbacks(execute=True):
        import_posts(workspace, account, [("p1", "2026-03-01 10:00", EARLIER)])
    assert calls == [("update", workspace.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        import_posts(workspace, account, [("p1", "2026-03-01 10:00", EARLIER)])  # unchanged: nothing queued
    assert calls == [("update", workspace.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        originality_services.check_settings_update(
            workspace=workspace, actor=reviewer, originality_threshold=0.7
        )
    assert calls[-1] == ("rebuild", workspace.pk)


def test_many_new_posts_bring_the_index_up_to_date_in_the_query(workspace: Any, monkeypatch: Any) -> None:
    from socialops.review.models import OriginalityIndexState
    from socialops.review.services import originality
    from socialops.review.tasks import sweep_originality_indexes

    monkeypatch.setattr(originality, "DIRECT_MAX", 2)
    account = account_row(workspace, "acme", display_name="acme")
    others = [
        (f"x{i}", f"2026-01-0{i + 1} 10:00", f"第{i}篇完全不同的内容，讲的是秋天的咖啡和面包，编号{i}。")
        for i in range(3)
    ]
    import_posts(workspace, account, [("p1", "2026-03-01 10:00", EARLIER), *others])
    assert not OriginalityIndexState.objects.filter(workspace=workspace).exists()
    found = by_check(run(workspace, COPY), "originality")
    assert [f.related["post_text"] for f in found] == [EARLIER]
    assert OriginalityIndexState.objects.get(workspace=workspace).doc_count == 4
    assert sweep_originality_indexes.call_local() == 0  # already up to date
