"""Normalisation of group messages before the moderation rules look at them.

Spammers disguise what they write: full-width letters (ｗｘ), circled digits (①③⑧), Chinese
numerals (一三八 / 壹叁捌 / 幺), zero-width characters, emoji or spaces between the digits of a
phone number, traditional characters (聯繫), "点com" for ".com". Every view built here keeps, for
each of its characters, the offset of the ORIGINAL character it came from, so a rule can quote
the exact span it matched as evidence.

Views:

* ``normalise(text)``: NFKC + casefold per character, zero-width and format characters dropped,
  the usual traditional characters made simplified, odd digit forms (❶ ➀ ⓵) made ASCII digits,
  Cyrillic and Greek look-alikes of Latin letters made Latin (vх with a Cyrillic х → vx).
* ``compact(norm)``: the normalised text with every space, symbol, emoji and punctuation mark
  dropped, so "加 V 💚" and "加V" read the same (used for banned words and repeat keys).
* ``digit_runs(norm)``: runs of digits (ASCII, full-width, circled, Chinese numerals) joined
  across the separators spammers put between them ("138 1234 5678", "1-3-8", "13８❤１２…").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

#: Invisible characters used only to break words apart (plus variation selectors after emoji).
_INVISIBLE = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\ufe0e\ufe0f"
)

#: Digit forms NFKC leaves alone: dingbat and double circled digits.
_ODD_DIGITS = {
    **{chr(0x2776 + i): str(i + 1) for i in range(9)},  # ❶..❾
    **{chr(0x2780 + i): str(i + 1) for i in range(9)},  # ➀..➈
    **{chr(0x278A + i): str(i + 1) for i in range(9)},  # ➊..➒
    **{chr(0x24F5 + i): str(i + 1) for i in range(9)},  # ⓵..⓽
    "\u24ea": "0",  # ⓪
    "\u24ff": "0",  # ⓿
    "\u277f": "10",
}

#: Letters from other scripts that look like Latin ones (Cyrillic vх, Greek ν): spammers swap them
#: in to slip past word lists. Applied after casefolding, so only lower-case forms are listed.
_HOMOGLYPHS = dict(
    zip(
        "аеорсухкмтвнізјԛԝѕӏαβεικνορτυχ",
        "aeopcyxkmtbhizjqwslabeikvoptux",
        strict=True,
    )
)

#: Traditional → simplified for the characters that matter in ads and contacts (cheap, not complete).
_T2S = dict(
    zip(
        "點號電話貸賺職單詢聯係繫進碼掃資費領錢網價優鏈動機發會員禮紅現額還門買賣來個們這裡為與無後從對開關時間問題種業專貨產議證實驗課學習贏獎賭娛樂長極減藥醫療線連載傳帶戶請細據險費億萬邊購識運書頁歲遊戲幣數據惠寶貝衛濟補償務勞廣告徵將務內測試興趣親區級連絡經營銷訊視頻圖層輸轉錄臉",
        "点号电话贷赚职单询联系系进码扫资费领钱网价优链动机发会员礼红现额还门买卖来个们这里为与无后从对开关时间问题种业专货产议证实验课学习赢奖赌娱乐长极减药医疗线连载传带户请细据险费亿万边购识运书页岁游戏币数据惠宝贝卫济补偿务劳广告征将务内测试兴趣亲区级连络经营销讯视频图层输转录脸",
        strict=True,
    )
)

#: Chinese numerals read as digits inside digit runs (幺 is how 1 is read out in phone numbers).
CHINESE_DIGITS = {
    "零": "0",
    "〇": "0",
    "一": "1",
    "幺": "1",
    "壹": "1",
    "二": "2",
    "贰": "2",
    "貳": "2",
    "两": "2",
    "三": "3",
    "叁": "3",
    "參": "3",
    "四": "4",
    "肆": "4",
    "五": "5",
    "伍": "5",
    "六": "6",
    "陆": "6",
    "陸": "6",
    "七": "7",
    "柒": "7",
    "八": "8",
    "捌": "8",
    "九": "9",
    "玖": "9",
}

#: What may sit between two digits of one number: spaces, dashes, dots, stars, emoji, brackets.
#: Not list separators (、，/ :), so "1599、1899、999" stays three prices.
_DIGIT_GAP = frozenset(" \t\u3000-_.*·~—–=+#|()[]{}<>^'\"`")


@dataclass(frozen=True, slots=True)
class Normalised:
    """A derived view of a message: its text and, per character, the original offset it came from."""

    original: str
    text: str
    origins: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the view's slice [start, end)."""
        if start >= end or not self.origins:
            pos = self.origins[start] if start < len(self.origins) else len(self.original)
            return pos, pos
        return self.origins[start], self.origins[end - 1] + 1

    def evidence(self, start: int, end: int) -> str:
        """The original text behind the view's slice [start, end)."""
        a, b = self.span(start, end)
        return self.original[a:b]


@lru_cache(maxsize=16384)
def fold_char(ch: str) -> str:
    """One character normalised: NFKC, casefold, simplified, digits made ASCII ('' if invisible)."""
    if ch in _INVISIBLE or unicodedata.category(ch) == "Cf":
        return ""
    if ch in _ODD_DIGITS:
        return _ODD_DIGITS[ch]
    out = unicodedata.normalize("NFKC", ch).casefold()
    if ch in ("⑴", "⒈") or (len(out) > 1 and out[0] == "(" and out[-1] == ")"):
        # ⑴ → (1): keep just the digit(s), the brackets are decoration.
        out = out.strip("().")
    return "".join(_HOMOGLYPHS.get(c, _T2S.get(c, c)) for c in out)


def normalise(text: str) -> Normalised:
    """The normalised view of ``text`` (see the module docstring)."""
    chars: list[str] = []
    origins: list[int] = []
    for i, ch in enumerate(text):
        for c in fold_char(ch):
            chars.append(c)
            origins.append(i)
    return Normalised(text, "".join(chars), tuple(origins))


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs."""
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or o == 0x3007


def is_word_char(ch: str) -> bool:
    """A letter, a digit or a CJK ideograph (what survives ``compact``)."""
    return ch.isalnum() or is_cjk(ch)


def compact(norm: Normalised) -> Normalised:
    """``norm`` without spaces, punctuation, symbols and emoji: only letters, digits and ideographs."""
    keep = [k for k, c in enumerate(norm.text) if is_word_char(c)]
    return Normalised(
        norm.original, "".join(norm.text[k] for k in keep), tuple(norm.origins[k] for k in keep)
    )


@lru_cache(maxsize=4096)
def key(text: str) -> str:
    """The comparison key of a message: normalised and compacted (for repeats and word lists)."""
    return compact(normalise(text)).text


def _is_gap(ch: str) -> bool:
    """A character that may separate two digits of one disguised number."""
    if ch in _DIGIT_GAP or ch in _LIST_GAP or ch.isspace():
        return True
    cat = unicodedata.category(ch)
    # Emoji and other pictographs (So), modifier symbols (Sk), middle dots (・ • ‧).
    return cat in ("So", "Sk") or ch in "・･•‧∙⋅"


#: Separators that also separate items of a list ("1599/1899/999"): a number read through one
#: must be grouped like a phone number (3-4-4) to count.
_LIST_GAP = frozenset("/\\")


@dataclass(frozen=True, slots=True)
class DigitRun:
    """Digits read across separators: the digit string and its original [start, end)."""

    digits: str
    start: int
    end: int
    #: True when a separator or a Chinese numeral was read through (a disguised number).
    disguised: bool
    #: The sizes of the digit groups between separators ("138 1234 5678" → (3, 4, 4)).
    groups: tuple[int, ...] = ()
    #: True when a list separator (/) was read through.
    listed: bool = False


def digit_runs(norm: Normalised, *, max_gap: int = 3) -> Iterator[DigitRun]:
    """Every run of digits in ``norm``, joined across at most ``max_gap`` separator characters.

    Chinese numerals count as digits only inside a run holding at least five of them or next to
    ASCII digits, so "一起" or "三个人" never start a number while "一三八一二三四五六七八" is one.
    """
    text = norm.text
    n = len(text)
    i = 0
    while i < n:
        if not _digit_at(text, i):
            i += 1
            continue
        digits: list[str] = []
        groups: list[int] = []
        start = i
        last = i
        disguised = listed = False
        j = i
        while j < n:
            if _digit_at(text, j):
                digits.append(text[j] if text[j].isdigit() else CHINESE_DIGITS[text[j]])
                if j > last + 1 or not groups:
                    groups.append(0)
                groups[-1] += 1
                disguised = disguised or not text[j].isdigit() or j > last + 1
                last = j
                j += 1
                continue
            k = j
            while k < n and k - last <= max_gap and _is_gap(text[k]):
                k += 1
            if k < n and k > j and k - last <= max_gap + 1 and _digit_at(text, k):
                listed = listed or any(text[g] in _LIST_GAP for g in range(j, k))
                j = k
                continue
            break
        run = "".join(digits)
        chinese = sum(1 for k in range(start, last + 1) if text[k] in CHINESE_DIGITS)
        if chinese and chinese < 5 and chinese == len(run):
            # A few Chinese numerals alone are words (一起, 三个), not a number.
            i = last + 1
            continue
        a, b = norm.span(start, last + 1)
        yield DigitRun(run, a, b, disguised, tuple(groups), listed)
        i = last + 1


def digits_view(norm: Normalised) -> Normalised:
    """``norm`` with the Chinese numerals that belong to a number written as ASCII digits (一三八 → 138)."""
    chars = list(norm.text)
    index = {orig: k for k, orig in reversed(list(enumerate(norm.origins)))}
    for run in digit_runs(norm):
        k = index.get(run.start, 0)
        while k < len(chars) and norm.origins[k] < run.end:
            if chars[k] in CHINESE_DIGITS:
                chars[k] = CHINESE_DIGITS[chars[k]]
            k += 1
    return Normalised(norm.original, "".join(chars), norm.origins)


def _digit_at(text: str, i: int) -> bool:
    """True when text[i] is a digit (ASCII after folding) or a Chinese numeral."""
    ch = text[i]
    return (ch.isascii() and ch.isdigit()) or ch in CHINESE_DIGITS


_DOT = r"\s*(?:点|點|dot|\[\.\]|\(\.\)|【\.】|。|丶|．|\.)\s*"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOTTED = re.compile(rf"(?<![a-z0-9-]){_LABEL}(?:{_DOT}{_LABEL})*{_DOT}(?P<tld>[a-z]{{2,6}})(?![a-z])")
_DOT_WORD = re.compile(_DOT)


def link_view(norm: Normalised) -> Normalised:
    """``norm`` made ready for link finding: "abc点com" → "abc.com", and ASCII glued to Chinese split off.

    A dot word (点, dot, [.], 。) is replaced only inside a run of ASCII labels that ends in a
    common top-level domain, so "三点com" or "一点点" stay as they are. A space is put between
    an ideograph and the ASCII that follows it, so "访问abc.com" is read as a link too.
    """
    text = norm.text
    out: list[str] = []
    origins: list[int] = []
    pos = 0

    def copy(a: int, b: int) -> None:
        for k in range(a, b):
            if text[k].isascii() and text[k].isalnum() and out and not out[-1].isascii():
                out.append(" ")
                origins.append(norm.origins[k])
            out.append(text[k])
            origins.append(norm.origins[k])

    for m in _DOTTED.finditer(text):
        if m.group("tld") not in LINK_TLDS:
            continue
        body = text[m.start() : m.start("tld")]
        if not re.search(r"[a-z]", body) and not re.search(r"\.|dot", body):
            # "下午3点cn区开服": a time, not a domain; a real digits-only domain keeps its real dot.
            continue
        copy(pos, m.start())
        inner = m.start()
        for d in _DOT_WORD.finditer(text, m.start(), m.end()):
            copy(inner, d.start())
            out.append(".")
            origins.append(norm.origins[d.start()])
            inner = d.end()
        copy(inner, m.end())
        pos = m.end()
    copy(pos, len(text))
    return Normalised(norm.original, "".join(out), tuple(origins))


#: Top-level domains that spell a link when written after a dot word.
LINK_TLDS = frozenset(
    [
        "com",
        "cn",
        "net",
        "org",
        "io",
        "co",
        "me",
        "cc",
        "top",
        "xyz",
        "vip",
        "shop",
        "link",
        "ly",
        "gl",
        "info",
        "site",
        "online",
        "store",
        "tech",
        "club",
        "fun",
        "live",
        "wang",
        "ink",
        "art",
        "app",
        "dev",
        "tv",
        "ai",
        "so",
        "biz",
        "pro",
        "asia",
        "icu",
        "work",
        "ren",
    ]
)
