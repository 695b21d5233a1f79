"""The rules for scam pitches, group invitations, complaints about spam and the newer contact disguises."""

from __future__ import annotations

import pytest
from django.utils import translation

from socialops.community.moderation.engine import MessageFacts, Policy, judge
from socialops.community.moderation.normalise import normalise
from socialops.community.moderation.rules import RULES

POLICY = Policy(allowed_domains=("xinghe.com",), allowed_contacts=("xinghe_service",))


def verdict(text: str, policy: Policy = POLICY):  # type: ignore[no-untyped-def]
    return judge(MessageFacts(text=text), policy)


def rule_of(text: str, policy: Policy = POLICY) -> str:
    return verdict(text, policy).rule


# ---- look-alike letters and contact disguises ---------------------------------------------------


def test_cyrillic_and_greek_look_alikes_are_read_as_latin() -> None:
    assert normalise("vх").text == "vx"  # Cyrillic х
    assert normalise("ԛԛ").text == "qq"
    assert rule_of("免费领取试用装，加我 vх: beauty0912") == "wechat_id"


@pytest.mark.parametrize(
    "text",
    [
        "二手机回收，联系绿色软件 hs88990",
        "有需要的兄弟👉🛰️：zb_peijian99",
        "喜欢的宝子可以 + 卫星：beauty_jie",
        "寂寞的可以加我 ♡：tongcheng_jy",
        "面膜批发，威❤：hf2024mm",
        "各位旅友，签证加急，微 xin：qianzheng_jj",
        "要兼职的来，jia wei xin: cha_jianzhi",
        "专注力训练营，加老师 V 领名额",
        "卖号了，价格好说，Q 我",
    ],
)
def test_newer_contact_disguises_are_found(text: str) -> None:
    assert rule_of(text) == "wechat_id"


@pytest.mark.parametrize(
    "text",
    [
        "请问官方微博加V认证了吗？搜到好几个账号不知道哪个是真的",
        "这款耳机支持微信支付分期吗？",
        "群里老有人发加V卖配件的广告，管理员能管管吗",
        "销售让我加他微信谈续费，这个正常吗？",
        "企业微信集成什么时候支持？",
    ],
)
def test_verified_badges_payments_and_complaints_pass(text: str) -> None:
    assert rule_of(text) == ""


# ---- group_invite --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "介绍一个做兼职的群，不收费，群号 823 456 791，进去报我名字",
        "一手工厂货源，支持一件代发，扣扣群：738291045",
        "想要免费奶茶的进我们的福利群",
        "宝宝辅食群，还有专属优惠，群：七七八八九九一一",
        "【通知】官方售后群已迁移，请大家扫描下方二维码加入新群",
    ],
)
def test_invitations_to_other_groups_are_found(text: str) -> None:
    assert rule_of(text) == "group_invite"


@pytest.mark.parametrize(
    "text",
    [
        "客服 QQ 群是哪个？官网上写的那个满了",
        "周六车友会活动在哪集合？",
        "家长群里总有人发兼职广告，能不能开个入群审核",
        "我的订单 2026112098765432 到现在还没发货",
    ],
)
def test_questions_about_groups_and_order_numbers_pass(text: str) -> None:
    assert rule_of(text) == ""


# ---- scam_phrase ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("征信不好也能贷，黑户秒批，额度五万", "a loan offer"),
        ("真人在线棋牌，充值一百送一百，上下分秒到", "gambling"),
        ("股票内幕消息，明天必涨，免费荐股", "an investment or stock-tip pitch"),
        ("涨粉刷赞，小红书一千粉 30 元", "fake followers or engagement"),
        ("高仿大牌口红原单货，跟专柜一模一样，要的扣1", "counterfeits or resale"),
        ("考试答案提前拿，保真", "an illicit service"),
        ("宝妈在家带娃也能赚钱，手机操作，每天 200+", "a side-job or easy-money pitch"),
        ("您的订单可申请双倍赔付，请添加售后专员办理", "a fake customer-service or refund notice"),
        ("被骗了？别急，专业追回，私我", "a fake customer-service or refund notice"),
    ],
)
def test_scam_pitches_are_found_and_the_reason_names_their_kind(text: str, kind: str) -> None:
    v = verdict(text)
    assert v.rule == "scam_phrase" and v.severity == "high"
    assert str(v.params["kind"]) == kind and v.evidence in text
    with translation.override("en"):
        assert kind in v.reason


@pytest.mark.parametrize(
    "text",
    [
        "请问贷款买车的利率现在是多少",
        "新车的贷款额度一般能批多少",
        "这款是专柜正品吗？和代购的有什么区别",
        "我朋友圈里好多人在卖高仿，你们官方能打假吗",
        "有人代充被封号了，大家别找代充",
        "这个理财产品保本吗？年化 3.5% 是固定的吗",
        "我的账户被冻结了，登录不了，怎么解冻",
        "积分翻倍活动什么时候开始",
        "今天搬砖好累，副本打了一晚上",
        "刷单是骗局，大家别信",
        "我在公司用代理服务器，App 登录一直失败怎么办",
        "房贷提前还款需要预约吗",
    ],
)
def test_questions_reports_and_everyday_words_pass(text: str) -> None:
    assert rule_of(text) == ""


def test_a_real_contact_is_acted_on_even_in_a_warning() -> None:
    # Words about scams defer only the wording rules; an ID is an ID.
    assert rule_of("小心骗子！正规渠道请加 vx: safe_loan88") == "wechat_id"


def test_the_new_rules_can_be_switched_off() -> None:
    off = Policy(rules=frozenset(RULES) - {"scam_phrase", "group_invite", "solicitation"})
    assert rule_of("股票内幕消息，明天必涨，免费荐股", off) == ""
    assert rule_of("想要免费奶茶的进我们的福利群", off) == ""


# ---- solicitation (profile pointers, dd, 私戳) ------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "纸尿裤清仓，便宜出，需要的看我头像",
        "全新平板，官方价一半出，有兴趣的朋友可以dd我",
        "原装充电器，假一赔十，需要的看我昵称",
        "护肤品牌推广，零门槛，有兴趣的私戳",
        "特价机票，比官网便宜一千，需要的滴滴",
    ],
)
def test_pointers_to_the_profile_or_private_messages_in_an_offer_are_found(text: str) -> None:
    assert rule_of(text) == "solicitation"


@pytest.mark.parametrize(
    "text",
    [
        "刚才有人私聊我说卖便宜的面霜，我没理",
        "公会招人，每天晚上九点一起打副本，有兴趣的私我游戏 ID",
        "我朋友圈晒了新品能参加抽奖吗？",
        "我想私下问一下客服退货的事，怎么联系",
    ],
)
def test_private_talk_without_an_offer_passes(text: str) -> None:
    assert rule_of(text) == ""


# ---- English, pinyin and "+ 我" ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("jia wo weixin, naicha youhuiquan ban jia: nc_yhq", "wechat_id"),
        ("Selling max level accounts, cheap, whatsapp +852 6123 4567", "wechat_id"),
        ("DM me for authentic luxury skincare at 70% off", "solicitation"),
        ("私人订制减脂餐，月瘦 15 斤，不成功退款，感兴趣 + 我", "solicitation"),
        ("Guaranteed returns 5% weekly, join our investment group now", "scam_phrase"),
        ("邀请好友注册就能领现金，邀请越多赚越多，上不封顶", "scam_phrase"),
        ("有人一起做奶茶外卖代运营吗？带你月入三万", "scam_phrase"),
    ],
)
def test_english_pinyin_and_plus_me_offers_are_found(text: str, rule: str) -> None:
    assert rule_of(text) == rule


@pytest.mark.parametrize(
    "text",
    [
        "扫码关注公众号之后在哪领取保修卡",
        "Does the X7 support wireless charging?",
        "How long does shipping to Shanghai take? Order #HY88123",
        "我的信用卡积分快过期了，在 App 哪里兑换？",
        "有没有一起组队的，加我们公会",
    ],
)
def test_questions_about_our_channels_and_english_questions_pass(text: str) -> None:
    assert rule_of(text) == ""


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("每天喝奶茶还能赚零花钱，只需要拉三个好友就回本", "scam_phrase"),
        ("福彩内部数据，一期一中，跟着买就行", "scam_phrase"),
        ("大额信用卡办理，最高 50 万，不查征信，嘀嘀我", "scam_phrase"),
        ("车主福利：加入车主特惠群，保养五折，进群方式见我空间", "group_invite"),
        ("电子版资料需要的滴我", "solicitation"),
    ],
)
def test_lottery_pyramid_and_deal_group_wording_is_found(text: str, rule: str) -> None:
    assert rule_of(text) == rule


@pytest.mark.parametrize(
    "text",
    [
        "老师，群里有人发刷单兼职的消息，是不是应该删掉",
        "官方福利群怎么进？",
        "中通快递 1380 0572 9911 53 这个单号查不到物流",
        "融安的客服热线是 400-820-3311 吗",
    ],
)
def test_reports_group_questions_and_tracking_numbers_pass(text: str) -> None:
    assert rule_of(text) == ""
