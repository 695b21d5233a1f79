"""The moderation engine: each rule with its positives and hard negatives, normalisation, the policy."""

from __future__ import annotations

import datetime as dt

import pytest

from socialops.community.moderation.engine import MessageFacts, Policy, Severity, judge
from socialops.community.moderation.normalise import digit_runs, key, link_view, normalise

POLICY = Policy(allowed_domains=("xinghe.com",), allowed_contacts=("xinghe_service", "13900001111"))
T0 = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


def rule_of(text: str, policy: Policy = POLICY, **facts: object) -> str:
    return judge(MessageFacts(text=text, **facts), policy).rule  # type: ignore[arg-type]


# ---- normalisation ---------------------------------------------------------------------------


def test_normalise_folds_width_case_invisible_and_traditional_keeping_offsets() -> None:
    norm = normalise("ＶＸ\u200b：聯繫❶")
    assert norm.text == "vx:联系1"
    # Every character of the view points back at its original character.
    assert norm.evidence(0, 2) == "ＶＸ" and norm.evidence(3, 5) == "聯繫"


def test_key_drops_spaces_symbols_and_emoji() -> None:
    assert key("加 V 💚 信！") == key("加v信") == "加v信"


def test_digit_runs_read_through_separators_and_numerals() -> None:
    runs = lambda t: [r.digits for r in digit_runs(normalise(t))]  # noqa: E731
    assert runs("电话 138 1234 5678") == ["13812345678"]
    assert runs("１３８-１２３４-５６７８") == ["13812345678"]
    assert runs("①③⑧①②③④⑤⑥⑦⑧") == ["13812345678"]
    assert runs("一三八一二三四五六七八") == ["13812345678"]
    assert runs("幺三八 幺二三四 五六七八") == ["13812345678"]
    assert runs("1❤3❤8") == ["138"]
    # A few Chinese numerals are words, and list separators end a number.
    assert runs("我们一起去三个地方") == []
    assert runs("价格1599、1899、999") == ["1599", "1899", "999"]


def test_link_view_spells_out_dot_words_only_before_a_domain() -> None:
    assert link_view(normalise("www点abc点com")).text == "www.abc.com"
    assert link_view(normalise("abc dot cn")).text == "abc.cn"
    assert "点" in link_view(normalise("下午3点cn区开服")).text
    assert link_view(normalise("一点点")).text == "一点点"


# ---- links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "看这个 https://reg.xx-game.vip/invite?code=8812",
        "网址 www.free-movie8.cc 免费看",
        "进群 t.cn/A6xKz9Qp",
        "访问abc-shop.com就能买",
        "www点zhuan-qian点cn",
        "详情看 abc dot com",
        "复制￥AbC1234xyZ￥打开淘宝",
    ],
)
def test_links_are_found(text: str) -> None:
    assert rule_of(text) == "link"


@pytest.mark.parametrize(
    "text",
    [
        "官网 https://www.xinghe.com/support 有说明书",
        "文档在 docs.xinghe.com",
        "版本 v15.3.2 更新了",
        "ASP.NET 和 Node.js 都能调用",
        "企业采购发邮件到 b2b@xinghe.com",
        "下午3点cn区开服",
    ],
)
def test_our_links_and_link_lookalikes_are_not(text: str) -> None:
    assert judge(MessageFacts(text=text), POLICY).spam is False


def test_a_shortener_is_never_one_of_our_domains() -> None:
    assert rule_of("戳 t.cn/xyz", Policy(allowed_domains=("t.cn",))) == "link"


# ---- phone numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "电话 13812345678",
        "联系 138 2736 4519",
        "１３８-１２３４-５６７８",
        "手机：138・0013・8000",
        "详询 一三九 八八六二 五五一七",
        "电话：壹叁捌-陆陆柒柒-贰叁肆伍",
        "①⑤⑧②⑦⑥③④⑨⑤⓪",
        "+86 139 0000 1234",
        "1 3 5 / 2 4 6 8 / 1 3 5 7",
    ],
)
def test_phone_numbers_are_found(text: str) -> None:
    assert rule_of(text) == "phone"


@pytest.mark.parametrize(
    "text",
    [
        "客服电话 400-820-1234 打不通",
        "我的手机 139****1234 收不到验证码",
        "订单号 20261203158847291 还没发货",
        "价格 1599/1899/999 三档",
        "日志时间 2026-12-07 13:58:02",
        "座机 021-6088 1234",
        "我们的热线 139 0000 1111",
    ],
)
def test_numbers_that_are_not_foreign_mobiles_pass(text: str) -> None:
    assert judge(MessageFacts(text=text), POLICY).spam is False


# ---- WeChat / QQ ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "加V：abc12345 了解详情",
        "有需要的加v",
        "＋Ｖ看案例",
        "v❤ aa123456",
        "加我威信 abc557788",
        "详情加薇信 lm_6688",
        "微 信 zp _ 2 0 2 6 _ hr",
        "微：daiban_zhizhao",
        "vx：mm66889",
        "QQ:12345678",
        "扣扣 二八四七五六一九三零",
        "加我好友 wxid_8k2j4h6g",
        "关注我的抖音号 douyin123456",
    ],
)
def test_contact_ids_and_disguises_are_found(text: str) -> None:
    assert rule_of(text) == "wechat_id"


@pytest.mark.parametrize(
    "text",
    [
        "用微信支付的能开专票吗",
        "wx小程序打不开",
        "型号VX200有货吗，VX系列是你们的吗",
        "我的QQ音乐会员能用吗",
        "在公众号“星河智能服务”里报修",
        "可以加我们的官方群吗",
        "官方客服微信 xinghe_service",
        "加我一个，我也想参加周六的活动",
    ],
)
def test_everyday_mentions_of_wechat_and_qq_pass(text: str) -> None:
    assert judge(MessageFacts(text=text), POLICY).spam is False


# ---- QR images, banned words, solicitation ----------------------------------------------------


def test_qr_images_are_decided_by_the_caller() -> None:
    assert rule_of("", has_image=True, image_has_qr=True) == "qr_image"
    assert judge(MessageFacts(text="看图", has_image=True, image_has_qr=False), POLICY).spam is False


def test_banned_words_are_matched_through_disguises() -> None:
    policy = Policy(banned_words=("刷单", "代开发票"))
    assert rule_of("刷 单 日结", policy) == "banned_word"
    assert rule_of("代·开·發·票", policy) == "banned_word"
    verdict = judge(MessageFacts(text="找人刷-单"), policy)
    assert verdict.evidence == "刷-单"
    assert judge(MessageFacts(text="请问怎么开发票"), policy).spam is False


def test_solicitation_needs_both_the_private_invitation_and_money() -> None:
    assert rule_of("在吗？我这有个挣钱的机会，私聊我吧") == "solicitation"
    assert judge(MessageFacts(text="这个问题有点复杂，私聊我吧"), POLICY).spam is False
    assert judge(MessageFacts(text="优惠码在App消息中心领取"), POLICY).spam is False


# ---- behaviour: repeats, floods, new members, staff -------------------------------------------


def history(texts: list[str], sender: str = "u1", every: int = 10) -> list[MessageFacts]:
    return [MessageFacts(t, sender, T0 + dt.timedelta(seconds=i * every)) for i, t in enumerate(texts)]


def test_the_same_message_repeated_in_the_window() -> None:
    past = history(["大家快来看看我的店", "大家 快来看看我的店！"])
    now = MessageFacts("大家快来看看我的店", "u1", T0 + dt.timedelta(minutes=2))
    verdict = judge(now, POLICY, past)
    assert verdict.rule == "repeat" and verdict.severity == Severity.LOW
    assert "3 times within 10 minutes" in verdict.reason
    # Outside the window, by another sender, or a short reply: fine.
    late = MessageFacts("大家快来看看我的店", "u1", T0 + dt.timedelta(minutes=30))
    assert judge(late, POLICY, past).spam is False
    assert judge(MessageFacts("大家快来看看我的店", "u2", now.sent_at), POLICY, past).spam is False
    assert judge(MessageFacts("好的", "u1", now.sent_at), POLICY, history(["好的", "好的"])).spam is False


def test_flooding_counts_the_senders_messages_in_the_last_minute() -> None:
    past = history([f"第{i}条" for i in range(8)], every=5)
    now = MessageFacts("又一条", "u1", T0 + dt.timedelta(seconds=45))
    verdict = judge(now, POLICY, past)
    assert verdict.rule == "flood" and verdict.params["count"] == 9
    assert judge(MessageFacts("又一条", "u1", T0 + dt.timedelta(minutes=5)), POLICY, past).spam is False


def test_new_members_may_not_post_contacts_even_when_the_rules_allow_them() -> None:
    policy = Policy(rules=frozenset({"new_member_link"}), new_member_hours=24)
    new = {"sender": "n", "sent_at": T0, "member_joined_at": T0 - dt.timedelta(hours=2)}
    old = {**new, "member_joined_at": T0 - dt.timedelta(hours=48)}
    for text in ("看 abc-shop.com", "加V：abc12345", "电话 13812345678"):
        verdict = judge(MessageFacts(text, **new), policy)  # type: ignore[arg-type]
        assert verdict.rule == "new_member_link" and "24 hours" in verdict.reason
        assert judge(MessageFacts(text, **old), policy).spam is False  # type: ignore[arg-type]
    # With the link rule on, a link is a link whoever posts it.
    assert rule_of("看 abc-shop.com", POLICY, **new) == "link"


def test_staff_are_never_judged_and_switched_off_rules_do_nothing() -> None:
    assert judge(MessageFacts("加V：abc12345", is_staff=True), POLICY).spam is False
    assert judge(MessageFacts("加V：abc12345"), Policy(rules=frozenset({"link"}))).spam is False


def test_verdict_as_dict_and_the_strike_ladder() -> None:
    data = judge(MessageFacts("电话 13812345678"), POLICY).as_dict()
    assert data == {
        "spam": True,
        "rule": "phone",
        "reason": "The message contains a phone number (13812345678).",
        "evidence": "13812345678",
        "severity": "high",
    }
    policy = Policy(mute_after_strikes=2, mute_hours=12, remove_after_strikes=4)
    assert [policy.step_for_strike(n) for n in (1, 2, 3, 4, 5)] == [
        ("warn", 0),
        ("mute", 12),
        ("mute", 12),
        ("remove", 0),
        ("remove", 0),
    ]
