"""WeChat push signatures, AES and XML against the official documentation's worked example.

The vectors come from the worked example of
https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html
("举例" and "消息解密方式为安全模式"): published ciphertexts and signatures, checked exactly.
The 公众号 demo values (token "pamtest", EncodingAESKey "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
appId "wxb11529c136998cb6", timestamp "1409304348", nonce "xxxxxx") have no published ciphertext in
the pages we read, so they are checked by round trips and independently computed sha1 values.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from socialops.platforms import wechat_crypto as wc

# ---- the official worked example (message-push.html) --------------------------------------

DOC_TOKEN = "AAAAA"
DOC_AES_KEY = "A" * 43
DOC_APP_ID = "wxba5fad812f8e6fb9"
DOC_GET = {
    "timestamp": "1714036504",
    "nonce": "1514711492",
    "signature": "f464b24fc39322e44b38aa78f5edd27bd1441696",
}
DOC_PLAIN_POST = {
    "timestamp": "1714037059",
    "nonce": "486452656",
    "signature": "899cf89e464efb63f54ddac96b0a0a235f53aa78",
}
DOC_AES_TIMESTAMP = "1714112445"
DOC_AES_NONCE = "415670741"
DOC_MSG_SIGNATURE = "046e02f8204d34f8ba5fa3b1db94908f3df2e9b3"
DOC_ENCRYPT = (
    "+qdx1OKCy+5JPCBFWw70tm0fJGb2Jmeia4FCB7kao+/Q5c/ohsOzQHi8khUOb05JCpj0JB4RvQMkUyus8TPxLKJGQqcvZqzDpVz"
    "azhZv6JsXUnnR8XGT740XgXZUXQ7vJVnAG+tE8NUd4yFyjPy7GgiaviNrlCTj+l5kdfMuFUPpRSrfMZuMcp3Fn2Pede2IuQrKEYw"
    "KSqFIZoNqJ4M8EajAsjLY2km32IIjdf8YL/P50F7mStwntrA2cPDrM1kb6mOcfBgRtWygb3VIYnSeOBrebufAlr7F9mFUPAJGj04="
)
DOC_MSG = (
    b'{"ToUserName":"gh_97417a04a28d","FromUserName":"o9AgO5Kd5ggOC-bXrbNODIiE3bGY",'
    b'"CreateTime":1714112445,"MsgType":"event","Event":"debug_demo","debug_str":"hello world"}'
)
DOC_REPLY_RANDOM = b"707722b803182950"
DOC_REPLY_MSG = b'{"demo_resp":"good luck"}'
DOC_REPLY_TIMESTAMP = "1713424427"
DOC_REPLY_ENCRYPT = "ELGduP2YcVatjqIS+eZbp80MNLoAUWvzzyJxgGzxZO/5sAvd070Bs6qrLARC9nVHm48Y4hyRbtzve1L32tmxSQ=="
DOC_REPLY_SIGNATURE = "1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1"

# ---- the 公众号 sample code's values (WXBizMsgCrypt demo) ---------------------------------

DEMO_TOKEN = "pamtest"
DEMO_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
DEMO_APP_ID = "wxb11529c136998cb6"
DEMO_TIMESTAMP = "1409304348"
DEMO_NONCE = "xxxxxx"
DEMO_XML = (
    "<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>"
    "<FromUserName><![CDATA[oia2TjjewbmiOUlr6X-1crbLOvLw]]></FromUserName>"
    "<CreateTime>1409304348</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[我是中文abcd123]]></Content><MsgId>6054768590064713728</MsgId></xml>"
).encode()


def _raw_aes(key_text: str, data: bytes, *, decrypt: bool) -> bytes:
    """Plain AES-256-CBC with WeChat's key and IV, no padding: to build and inspect ciphertexts."""
    key = base64.b64decode(key_text + "=")
    cipher = Cipher(algorithms.AES(key), modes.CBC(key[:16]))
    op = cipher.decryptor() if decrypt else cipher.encryptor()
    return op.update(data) + op.finalize()


def _sha1(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


# ---- signatures -----------------------------------------------------------------------------


def test_documented_verification_signature_matches() -> None:
    assert wc.plain_signature(DOC_TOKEN, DOC_GET["timestamp"], DOC_GET["nonce"]) == DOC_GET["signature"]
    assert wc.check_signature(DOC_TOKEN, DOC_GET["signature"], DOC_GET["timestamp"], DOC_GET["nonce"])


def test_documented_plain_post_signature_matches() -> None:
    p = DOC_PLAIN_POST
    assert wc.check_signature(DOC_TOKEN, p["signature"], p["timestamp"], p["nonce"])


@pytest.mark.parametrize(
    ("token", "signature", "timestamp", "nonce"),
    [
        ("AAAAB", DOC_GET["signature"], DOC_GET["timestamp"], DOC_GET["nonce"]),  # another Token
        (DOC_TOKEN, DOC_PLAIN_POST["signature"], DOC_GET["timestamp"], DOC_GET["nonce"]),  # other request's
        (DOC_TOKEN, DOC_GET["signature"], "1714036505", DOC_GET["nonce"]),  # timestamp changed
        (DOC_TOKEN, DOC_GET["signature"], DOC_GET["timestamp"], "1514711493"),  # nonce changed
        (DOC_TOKEN, "", DOC_GET["timestamp"], DOC_GET["nonce"]),
        (DOC_TOKEN, None, DOC_GET["timestamp"], DOC_GET["nonce"]),
        (DOC_TOKEN, "签名" * 20, DOC_GET["timestamp"], DOC_GET["nonce"]),  # non-ASCII must not crash
        ("", wc.plain_signature("", "1", "2"), "1", "2"),  # no Token configured: never valid
    ],
)
def test_wrong_signatures_are_refused(token: str, signature: str | None, timestamp: str, nonce: str) -> None:
    assert wc.check_signature(token, signature, timestamp, nonce) is False


def test_signature_check_ignores_hex_case() -> None:
    upper = DOC_GET["signature"].upper()
    assert wc.check_signature(DOC_TOKEN, upper, DOC_GET["timestamp"], DOC_GET["nonce"])


def test_documented_msg_signature_matches() -> None:
    assert wc.msg_signature(DOC_TOKEN, DOC_AES_TIMESTAMP, DOC_AES_NONCE, DOC_ENCRYPT) == DOC_MSG_SIGNATURE
    assert wc.check_msg_signature(DOC_TOKEN, DOC_MSG_SIGNATURE, DOC_AES_TIMESTAMP, DOC_AES_NONCE, DOC_ENCRYPT)
    # The plain signature of the same request is not a msg_signature (WeChat: 不要使用signature验证).
    plain = wc.plain_signature(DOC_TOKEN, DOC_AES_TIMESTAMP, DOC_AES_NONCE)
    assert not wc.check_msg_signature(DOC_TOKEN, plain, DOC_AES_TIMESTAMP, DOC_AES_NONCE, DOC_ENCRYPT)
    assert not wc.check_msg_signature(
        DOC_TOKEN, DOC_MSG_SIGNATURE, DOC_AES_TIMESTAMP, DOC_AES_NONCE, DOC_ENCRYPT[:-4] + "AAA="
    )


def test_demo_signatures_equal_independent_sha1() -> None:
    assert wc.plain_signature(DEMO_TOKEN, DEMO_TIMESTAMP, DEMO_NONCE) == _sha1(
        DEMO_TOKEN, DEMO_TIMESTAMP, DEMO_NONCE
    )
    encrypted = wc.encrypt(DEMO_AES_KEY, DEMO_XML, DEMO_APP_ID, random16=b"aaaabbbbccccdddd")
    # sorted() of "1409304348" < "pamtest" < "xxxxxx" and the base64 text, joined, as documented.
    expected = hashlib.sha1(
        "".join(sorted([DEMO_TOKEN, DEMO_TIMESTAMP, DEMO_NONCE, encrypted])).encode()
    ).hexdigest()
    assert wc.msg_signature(DEMO_TOKEN, DEMO_TIMESTAMP, DEMO_NONCE, encrypted) == expected


# ---- AES ------------------------------------------------------------------------------------


def test_documented_ciphertext_decrypts_to_documented_message() -> None:
    msg = wc.decrypt(DOC_AES_KEY, DOC_ENCRYPT, DOC_APP_ID)
    assert msg == DOC_MSG
    assert len(msg) == 167  # the example's msg_len
    # And the documented layout: random "a8eedb185eb2fecf", then the length in network order.
    full = _raw_aes(DOC_AES_KEY, base64.b64decode(DOC_ENCRYPT), decrypt=True)
    assert full[:16] == b"a8eedb185eb2fecf"
    assert struct.unpack(">I", full[16:20]) == (167,)


def test_documented_reply_encrypts_exactly() -> None:
    encrypted = wc.encrypt(DOC_AES_KEY, DOC_REPLY_MSG, DOC_APP_ID, random16=DOC_REPLY_RANDOM)
    assert encrypted == DOC_REPLY_ENCRYPT
    assert len(base64.b64decode(encrypted)) == 64  # FullStr 63 bytes padded to 64
    assert wc.msg_signature(DOC_TOKEN, DOC_REPLY_TIMESTAMP, DOC_AES_NONCE, encrypted) == DOC_REPLY_SIGNATURE


def test_documented_reply_envelope() -> None:
    envelope = wc.build_encrypted_reply(
        token=DOC_TOKEN,
        encoding_aes_key=DOC_AES_KEY,
        app_id=DOC_APP_ID,
        xml_bytes=DOC_REPLY_MSG,
        timestamp=DOC_REPLY_TIMESTAMP,
        nonce=DOC_AES_NONCE,
        random16=DOC_REPLY_RANDOM,
    )
    assert wc.parse_xml(envelope) == {
        "Encrypt": DOC_REPLY_ENCRYPT,
        "MsgSignature": DOC_REPLY_SIGNATURE,
        "TimeStamp": DOC_REPLY_TIMESTAMP,
        "Nonce": DOC_AES_NONCE,
    }
    assert envelope.startswith("<xml><Encrypt><![CDATA[")


def test_reply_envelope_refuses_unsafe_nonce() -> None:
    with pytest.raises(ValueError):
        wc.build_encrypted_reply(
            token=DOC_TOKEN,
            encoding_aes_key=DOC_AES_KEY,
            app_id=DOC_APP_ID,
            xml_bytes=b"<xml/>",
            nonce="]]><x>",
        )


def test_round_trip_with_demo_key_and_fixed_random() -> None:
    encrypted = wc.encrypt(DEMO_AES_KEY, DEMO_XML, DEMO_APP_ID, random16=b"aaaabbbbccccdddd")
    assert encrypted == wc.encrypt(DEMO_AES_KEY, DEMO_XML, DEMO_APP_ID, random16=b"aaaabbbbccccdddd")
    assert wc.decrypt(DEMO_AES_KEY, encrypted, DEMO_APP_ID) == DEMO_XML
    full = _raw_aes(DEMO_AES_KEY, base64.b64decode(encrypted), decrypt=True)
    assert full.startswith(
        b"aaaabbbbccccdddd" + struct.pack(">I", len(DEMO_XML)) + DEMO_XML + DEMO_APP_ID.encode()
    )


def test_random_prefix_differs_each_time() -> None:
    first = wc.encrypt(DEMO_AES_KEY, DEMO_XML, DEMO_APP_ID)
    second = wc.encrypt(DEMO_AES_KEY, DEMO_XML, DEMO_APP_ID)
    assert first != second
    assert wc.decrypt(DEMO_AES_KEY, first, DEMO_APP_ID) == wc.decrypt(DEMO_AES_KEY, second, DEMO_APP_ID)


@pytest.mark.parametrize("msg_len", [0, 1, 11, 12, 27, 28, 44, 100])
def test_padding_is_pkcs7_to_32_bytes(msg_len: int) -> None:
    msg = b"x" * msg_len
    encrypted = base64.b64decode(wc.encrypt(DEMO_AES_KEY, msg, DEMO_APP_ID, random16=b"0" * 16))
    full_len = 16 + 4 + msg_len + len(DEMO_APP_ID)
    pad = 32 - full_len % 32
    assert len(encrypted) == full_len + pad and len(encrypted) % 32 == 0
    full = _raw_aes(DEMO_AES_KEY, encrypted, decrypt=True)
    assert full[-pad:] == bytes([pad]) * pad
    assert wc.decrypt(DEMO_AES_KEY, base64.b64encode(encrypted).decode(), DEMO_APP_ID) == msg


def test_other_app_id_is_refused() -> None:
    encrypted = wc.encrypt(DEMO_AES_KEY, DEMO_XML, "wx0000000000000000")
    with pytest.raises(wc.PushAppIdMismatch):
        wc.decrypt(DEMO_AES_KEY, encrypted, DEMO_APP_ID)
    with pytest.raises(wc.PushAppIdMismatch):
        wc.decrypt(DOC_AES_KEY, DOC_ENCRYPT, DEMO_APP_ID)
    # A prefix of the right app id is not the right app id.
    with pytest.raises(wc.PushAppIdMismatch):
        wc.decrypt(DOC_AES_KEY, DOC_ENCRYPT, DOC_APP_ID[:-1])


def test_wrong_key_is_refused() -> None:
    with pytest.raises(wc.PushCryptoError):
        wc.decrypt(DEMO_AES_KEY, DOC_ENCRYPT, DOC_APP_ID)


def test_tampered_last_block_is_refused() -> None:
    raw = bytearray(base64.b64decode(DOC_ENCRYPT))
    raw[-20] ^= 0x01  # the block holding the app id and the padding
    with pytest.raises(wc.PushCryptoError):
        wc.decrypt(DOC_AES_KEY, base64.b64encode(bytes(raw)).decode(), DOC_APP_ID)


def _encrypt_raw(full: bytes) -> str:
    return base64.b64encode(_raw_aes(DEMO_AES_KEY, full, decrypt=False)).decode()


def _full(msg: bytes = b"<xml/>", msg_len: int | None = None) -> bytes:
    length = len(msg) if msg_len is None else msg_len
    return b"r" * 16 + struct.pack(">I", length) + msg + DEMO_APP_ID.encode()


def _pad_len(full: bytes) -> int:
    return 32 - len(full) % 32


def _zero_pad() -> bytes:
    return _full() + b"\x00" * _pad_len(_full())


def _pad_over_32() -> bytes:
    return _full() + b"!" * _pad_len(_full())  # 0x21 = 33


def _pad_bytes_disagree() -> bytes:
    n = _pad_len(_full())
    return _full() + bytes([n]) * (n - 1) + bytes([n - 1])


def _msg_len_too_large() -> bytes:
    full = _full(msg_len=9999)
    return full + bytes([_pad_len(full)]) * _pad_len(full)


def _too_short() -> bytes:
    return b"r" * 16 + b"\x10" * 16


def _padded_to_16_only() -> bytes:
    # What a PKCS#7-to-16 encoder makes of a 47-byte FullStr: 48 bytes, not whole 32-byte blocks.
    full = _full(b"x" * 9)
    assert len(full) == 47
    return full + b"\x01"


@pytest.mark.parametrize(
    "build",
    [_zero_pad, _pad_over_32, _pad_bytes_disagree, _msg_len_too_large, _too_short, _padded_to_16_only],
)
def test_bad_padding_or_length_is_refused(build: Callable[[], bytes]) -> None:
    full = build()
    assert len(full) % 16 == 0
    with pytest.raises(wc.PushCryptoError):
        wc.decrypt(DEMO_AES_KEY, _encrypt_raw(full), DEMO_APP_ID)


def test_properly_padded_raw_message_decrypts() -> None:
    """The hand-built layout the refusal cases start from is itself valid (so they can fail)."""
    full = _full()
    pad = _pad_len(full)
    assert wc.decrypt(DEMO_AES_KEY, _encrypt_raw(full + bytes([pad]) * pad), DEMO_APP_ID) == b"<xml/>"


@pytest.mark.parametrize("value", ["", "not base64!!", "QUJD", base64.b64encode(b"x" * 16).decode()])
def test_malformed_ciphertext_is_refused(value: str) -> None:
    with pytest.raises(wc.PushCryptoError):
        wc.decrypt(DEMO_AES_KEY, value, DEMO_APP_ID)


@pytest.mark.parametrize("key", ["", "A" * 42, "A" * 44, "A" * 42 + "+", "Ä" * 43])
def test_invalid_encoding_aes_key_is_refused_without_echoing_it(key: str) -> None:
    with pytest.raises(wc.PushCryptoError) as info:
        wc.decrypt(key, DOC_ENCRYPT, DOC_APP_ID)
    if key:
        assert key not in str(info.value)


# ---- timestamps -----------------------------------------------------------------------------


def test_timestamp_freshness() -> None:
    now = 1_714_112_445.0
    assert wc.timestamp_is_fresh("1714112445", now=now)
    assert wc.timestamp_is_fresh(str(int(now) - 300), now=now)
    assert wc.timestamp_is_fresh(str(int(now) + 300), now=now)
    assert not wc.timestamp_is_fresh(str(int(now) - 301), now=now)
    assert not wc.timestamp_is_fresh(str(int(now) + 301), now=now)
    for bad in ("", "abc", "-1714112445", "1714112445.0", "１７１４１１２４４５", "9" * 40):
        assert not wc.timestamp_is_fresh(bad, now=now)


# ---- XML ------------------------------------------------------------------------------------


def test_parse_text_message() -> None:
    assert wc.parse_xml(DEMO_XML) == {
        "ToUserName": "gh_7f083739789a",
        "FromUserName": "oia2TjjewbmiOUlr6X-1crbLOvLw",
        "CreateTime": "1409304348",
        "MsgType": "text",
        "Content": "我是中文abcd123",
        "MsgId": "6054768590064713728",
    }


PUBLISH_FINISH = """<xml>
<ToUserName><![CDATA[gh_4d00ed8d6399]]></ToUserName>
<FromUserName><![CDATA[oV5CrjpxgaGXNHIQigzNlgLTnwic]]></FromUserName>
<CreateTime>1481013459</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[PUBLISHJOBFINISH]]></Event>
<PublishEventInfo>
  <publish_id>2247503051</publish_id>
  <publish_status>0</publish_status>
  <article_id><![CDATA[b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvy]]></article_id>
  <article_detail>
    <count>1</count>
    <item><idx>1</idx><article_url><![CDATA[https://mp.weixin.qq.com/s/abc]]></article_url></item>
  </article_detail>
</PublishEventInfo>
</xml>"""


def test_parse_nested_event_into_dicts_and_item_lists() -> None:
    message = wc.parse_xml(PUBLISH_FINISH)
    assert message["Event"] == "PUBLISHJOBFINISH"
    assert message["PublishEventInfo"] == {
        "publish_id": "2247503051",
        "publish_status": "0",
        "article_id": "b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvy",
        "article_detail": {
            "count": "1",
            "item": [{"idx": "1", "article_url": "https://mp.weixin.qq.com/s/abc"}],
        },
    }


def test_parse_repeated_elements_into_a_list() -> None:
    message = wc.parse_xml("<xml><a><fail_idx>1</fail_idx><fail_idx>3</fail_idx></a></xml>")
    assert message == {"a": {"fail_idx": ["1", "3"]}}


def test_cdata_may_contain_markup_that_looks_like_a_doctype() -> None:
    body = "<xml><Content><![CDATA[<!DOCTYPE x> & <!ENTITY y 'z'>]]></Content></xml>"
    assert wc.parse_xml(body) == {"Content": "<!DOCTYPE x> & <!ENTITY y 'z'>"}


@pytest.mark.parametrize(
    "body",
    [
        # billion laughs
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        "<xml><Content>&lol2;</Content></xml>",
        # external entity
        '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><Content>&xxe;</Content></xml>',
        # a DOCTYPE alone
        "<!DOCTYPE xml><xml><Content>hi</Content></xml>",
        # a DOCTYPE hidden after a comment that opens a CDATA-looking section
        "<!-- <![CDATA[ --><!DOCTYPE xml [<!ENTITY a 'b'>]><!-- ]]> --><xml><Content>&a;</Content></xml>",
    ],
)
def test_doctype_and_entities_are_refused(body: str) -> None:
    with pytest.raises(wc.PushXMLError, match="DOCTYPE"):
        wc.parse_xml(body)
    with pytest.raises(wc.PushXMLError):
        wc.parse_xml(body.encode())


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"not xml",
        b"<xml><a></xml>",
        b"<root><a>1</a></root>",
        b"<xml><a>&undefined;</a></xml>",
        "<xml><a>中</a></xml>".encode("gbk"),
        ("<xml>" + "<a>" * 50 + "</a>" * 50 + "</xml>").encode(),
        b'{"ToUserName": "gh_x"}',
    ],
)
def test_malformed_xml_is_refused(body: bytes) -> None:
    with pytest.raises(wc.PushXMLError):
        wc.parse_xml(body)
