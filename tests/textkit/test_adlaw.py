"""The Advertising-Law checker: spans, patterns, allowed uses, quotes, names, workspace lists."""

import pytest

from socialops.textkit.adlaw import (
    AdLawChecker,
    AdLawTerm,
    default_terms,
    lexicon_terms,
    quoted_comment_spans,
)


@pytest.fixture(scope="module")
def checker():
    return AdLawChecker(allowed_names=["最美时光"])


def flagged(checker, text):
    return [(f.text, f.severity, f.start, f.end) for f in checker.check(text) if f.flagged]


def test_shipped_lexicon_is_the_public_list():
    terms = lexicon_terms()
    assert len(terms) == 191
    assert "最" in terms and "销量冠军" in terms and "100%有效" in terms
    keys = {t.key for t in default_terms()}
    assert {"没有之一", "驰名商标", "国家级"} <= keys  # our additions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("这是全网最低价！", [("全网最低价", "block", 2, 7)]),
        ("我们是行业第一", [("行业第一", "block", 3, 7)]),
        ("获得第一名", [("第一名", "block", 2, 5)]),
        ("排名第１", [("第１", "block", 2, 4)]),
        ("品质NO.1！", [("NO.1", "block", 2, 6)]),
        ("品质 No. 1", [("No. 1", "block", 3, 8)]),
        ("ＮＯ．１人气单品", [("ＮＯ．１", "block", 0, 4)]),
        ("TOP 1 爆款", [("TOP 1", "block", 0, 5)]),
        ("Top1的人气", [("Top1", "block", 0, 4)]),
        ("100%纯天然萃取", [("100%纯天然", "block", 0, 7)]),
        ("１００％有效", [("１００％有效", "block", 0, 6)]),
        ("百分之百有效", [("百分之百有效", "block", 0, 6)]),
        ("好评率100%", [("好评率100%", "block", 0, 7)]),
        ("史上最强618攻略", [("史上最强", "block", 0, 4)]),
        ("全 网 最 低 价", [("全 网 最 低 价", "block", 0, 9)]),
        ("这款面霜最好用了", [("最好", "block", 4, 6)]),
        ("国货第一品牌", [("第一品牌", "block", 2, 6)]),
        ("国内首款折叠屏", [("国内首款", "block", 0, 4)]),
        ("2024年度天猫销量冠军", [("天猫销量冠军", "block", 6, 12)]),
        ("颜值天花板", [("颜值天花板", "warn", 0, 5)]),
        ("最新款上市", [("最新", "warn", 0, 2)]),
        ("无任何副作用", [("无任何副作用", "block", 0, 6)]),
        ("佩戴貔貅手串招财进宝", [("招财进宝", "warn", 6, 10)]),
        ("现在入手这套商铺，立马升值", [("立马升值", "block", 9, 13)]),
    ],
)
def test_flags_with_exact_spans(checker, text, expected):
    assert flagged(checker, text) == expected


def test_spans_count_python_characters_after_emoji_and_flags(checker):
    text = "🇨🇳👨‍👩‍👧 全网最低价"
    (f,) = [f for f in checker.check(text) if f.flagged]
    assert text[f.start : f.end] == "全网最低价"
    assert f.start == text.index("全")


def test_mixed_scripts(checker):
    assert flagged(checker, "The No.1 choice for busy moms") == [("No.1", "block", 4, 8)]
    assert flagged(checker, "Number One 的选择")[0][0] == "Number One"
    assert flagged(checker, "本周TOP10热门话题") == []
    assert flagged(checker, "No.12号摊位") == []
    assert flagged(checker, "stop1 and notop1") == []


@pytest.mark.parametrize(
    "text",
    [
        "最近天气转凉，出门记得加件外套。",
        "活动最后一天，明晚24点截止。",
        "最后一次提醒：优惠券今晚过期。",
        "最后一步：点击提交即可。",
        "对比了五家之后，最终还是选择了你们。",
        "这是我们第一次尝试直播带货。",
        "第一步，打开App；第二步，点击右上角。",
        "第一章讲概念，第二章讲实战。",
        "第一节课我们先讲标题。",
        "第一天上班，紧张又兴奋。",
        "2024年第一季度营收增长12%。",
        "第一期训练营下周一开营。",
        "第一届用户开放日圆满结束。",
        "第一批内测用户已收到邀请码。",
        "最新消息：本周六门店营业时间调整。",
        "最新动态：我们在上海开了第二家门店。",
        "【最新】地铁运营时间调整通知",
        "第一，价格透明；第二，售后有保障。",
        "最高可减300元，叠加优惠券更划算。",
        "每人最多限购2件。",
        "最大支持256GB存储卡扩展。",
        "亲，最好提前备注颜色哦。",
        "这款茶最好用85度左右的水冲泡。",
        "第一件原价，第二件半价。",
        "第一时间为大家带来直播。",
        "市第一人民医院专家来义诊。",
        "安全第一，骑车请戴头盔。",
        "最高人民法院发布典型案例。",
        "使用绝对路径可以避免找不到文件。",
        "每个订单都会生成唯一的订单编号。",
        "国家级非物质文化遗产——苏绣。",
        "顶级域名.com的注册价格上涨了。",
        "面料成分：100%棉。",
        "手机充电到100%只需要35分钟。",
        "《最好的我们》重播了。",
        "这是品牌的首款电动牙刷。",
        "王者荣耀新英雄今日上线。",
        "根据新规，广告中不得使用“国家级”“最佳”等用语。",
        "关注后回复“最新”获取资料。",
    ],
)
def test_allowed_uses_are_not_flagged(checker, text):
    assert flagged(checker, text) == []


def test_quoted_user_comment_becomes_info(checker):
    text = "网友评论：「这是我买过最好用的吹风机！」"
    (f,) = checker.check(text)
    assert (f.severity, f.message_code, f.text) == ("info", "adlaw.quoted", "最好")
    assert text[f.start : f.end] == "最好"


@pytest.mark.parametrize(
    "text",
    [
        "粉丝留言：“你们家的蛋糕是全城最好吃的！”",
        '用户说："用了一个月，真的是最舒服的枕头。"',
        "「史上最好喝的奶茶」——来自用户@小鹿的评价",
        "评论区有人说：「这是最好吃的月饼」",
        "有网友调侃：这是“宇宙最强”的蓝牙耳机",
        "网友评论：「第一口就爱上」「全网最好吃」",
        "//@小鹿: 全网最好用的锅",
    ],
)
def test_attributed_quotes_are_not_flagged(checker, text):
    assert flagged(checker, text) == []
    assert any(f.message_code == "adlaw.quoted" for f in checker.check(text))


@pytest.mark.parametrize(
    "text",
    [
        "我们敢说「全网最好」",
        "号称“全网最低”，我们就是敢！",
        "小编说：「这是我们最好的产品」",
        "网友说「真香」，这就是全网最好用的锅！",
    ],
)
def test_our_own_quotes_and_claims_outside_quotes_are_flagged(checker, text):
    assert flagged(checker, text)


def test_quote_spans_are_inside_the_marks():
    text = "用户说：「最好用」，我们说：「最划算」"
    spans = quoted_comment_spans(text)
    assert [text[a:b] for a, b in spans] == ["最好用"]


def test_configured_names_are_never_flagged(checker):
    assert flagged(checker, "「最美时光」系列香薰上市") == []
    assert flagged(checker, "最美时光礼盒，全网最低价") == [("全网最低价", "block", 7, 12)]
    assert flagged(AdLawChecker(), "「最美时光」系列香薰上市") == [("最美", "block", 1, 3)]
    # Names match whatever the width, case and spacing.
    assert flagged(AdLawChecker(allowed_names=["No.1 Coffee"]), "新店：NO.1 COFFEE 开业") == []


def test_workspace_adds_terms():
    c = AdLawChecker(extra_terms=["秒杀一切", AdLawTerm("封神", "warn", "grade")])
    assert flagged(c, "这款耳机秒杀一切") == [("秒杀一切", "block", 4, 8)]
    assert flagged(c, "这一代封神了") == [("封神", "warn", 3, 5)]
    (f,) = c.check("秒杀一切")
    assert f.message_code == "adlaw.custom_term"


def test_workspace_removes_terms():
    base = AdLawChecker()
    assert flagged(base, "店长推荐：独家口味")
    c = AdLawChecker(removed_terms=["独家"])
    assert flagged(c, "店长推荐：独家口味") == []
    # Removing 第一 switches off the ordinal/ranking family built on it, 第1 included.
    c2 = AdLawChecker(removed_terms=["第一"])
    assert flagged(c2, "我们是第一") == [] and flagged(c2, "排名第1") == []
    # Removing 最 keeps the listed 最… terms but drops the generic 最 + adjective.
    c3 = AdLawChecker(removed_terms=["最"])
    assert flagged(c3, "最美的风景") == [] and flagged(c3, "最佳选择")


def test_suggestions(checker):
    (f,) = checker.check("第一品牌")
    assert f.suggestion == "知名品牌"
    (f,) = checker.check("最美的你")
    assert f.suggestion == "很美"


def test_terms_validate_their_fields():
    with pytest.raises(ValueError):
        AdLawTerm("x", "fatal")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        AdLawTerm("x", "block", "nope")


def test_context_words_are_info_only(checker):
    findings = checker.check("本店热销款推荐")
    assert findings and all(f.severity == "info" for f in findings)
    assert not checker.is_flagged("本店热销款推荐")


def test_requires_context():
    c = AdLawChecker()
    assert not c.is_flagged("人民币对美元小幅升值")  # no investment pitch around it
    assert c.is_flagged("核心地段学区房，升值空间巨大")
    assert not c.is_flagged("十四届全国人大三次会议开幕")
    assert c.is_flagged("人民大会堂宴会指定用酒")


def test_links_are_not_claims(checker):
    assert flagged(checker, "详情见 https://shop.example.com/no1-seller/best 全网最低价") == [
        ("全网最低价", "block", 45, 50)
    ]
