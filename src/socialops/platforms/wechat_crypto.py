"""WeChat server push (消息推送): signatures, the encrypted (安全) mode's AES and a guarded XML parser.

Pure Python (no Django): the push endpoint in ``push.py`` uses it, and so can anything that has
to answer WeChat with an encrypted reply.

What WeChat documents, and where:

- Server verification and plain-mode signature: ``signature = sha1(sort([Token, timestamp,
  nonce]) joined)``; the GET verification answers ``echostr`` as is.
  https://developers.weixin.qq.com/doc/oplatform/developers/dev/push (第二步：验证消息的确来自微信服务器)
  https://developers.weixin.qq.com/doc/subscription/guide/dev/push/encryption.html (接入指引)
- Encrypted mode: the URL carries ``encrypt_type=aes`` and ``msg_signature = sha1(sort([Token,
  timestamp, nonce, Encrypt]) joined)`` — "不要使用signature验证". AESKey =
  Base64_Decode(EncodingAESKey + "="), 32 bytes; AES-256-CBC, IV = the first 16 bytes of the
  key; PKCS#7 padding with K = 32 (not the cipher's 16: "K 为秘钥字节数（采用 32）"); plaintext
  FullStr = random(16B) + msg_len(4B, network order) + msg + appid, and the receiver must check
  the appid. Replies use the envelope <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>.
  https://developers.weixin.qq.com/doc/oplatform/Third-party_Platforms/2.0/api/Before_Develop/Technical_Plan.html
  https://developers.weixin.qq.com/miniprogram/dev/framework/server-ability/message-push.html

Sample values used by the tests (tests/platforms/test_wechat_crypto.py), all from the worked
example of the official message-push page above (message-push.html, "举例" / "消息解密方式为
安全模式"; the page says the same push service serves 公众号):

- Token "AAAAA"; GET verification timestamp 1714036504, nonce 1514711492 →
  signature f464b24fc39322e44b38aa78f5edd27bd1441696, echostr 4375120948345356249;
- plain POST timestamp 1714037059, nonce 486452656 → signature 899cf89e464efb63f54ddac96b0a0a235f53aa78;
- encrypted POST: EncodingAESKey "A" × 43, AppID "wxba5fad812f8e6fb9", timestamp 1714112445,
  nonce 415670741, the published Encrypt "+qdx1OKC…Gj04=" → msg_signature
  046e02f8204d34f8ba5fa3b1db94908f3df2e9b3, random "a8eedb185eb2fecf", msg_len 167;
- encrypted reply: random "707722b803182950", msg {"demo_resp":"good luck"}, TimeStamp 1713424427,
  Nonce 415670741 → Encrypt "ELGduP2Y…mxSQ==", MsgSignature 1b9339964ed2e271e7c7b6ff2b0ef902fc94dea1.

The 公众号 demo values named in WeChat's downloadable sample code (cryptoDemo.zip: EncodingAESKey
"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", token "pamtest", appId "wxb11529c136998cb6",
timestamp "1409304348", nonce "xxxxxx") have no published ciphertext in the documentation pages
we could read, so the tests use them only for round trips and signatures computed independently.

XML: defusedxml is not installed, so ``parse_xml`` drives expat itself and refuses any DOCTYPE,
entity declaration or external entity at the parser (not by searching the text, which CDATA or
comments could fool). WeChat's pushes never carry any of these.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import struct
import time
from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# PKCS#7 block WeChat pads to (the key's length, not AES's 16-byte block).
PAD_BLOCK = 32
RANDOM_LEN = 16
ENCODING_AES_KEY_LEN = 43
# WeChat's timestamps are Unix seconds; further off than this is a replay or a broken clock.
MAX_CLOCK_SKEW_SECONDS = 300
# Pushes are flat with one or two levels of nesting (PublishEventInfo → article_detail → item).
MAX_XML_DEPTH = 8

_NONCE_RE = re.compile(r"[A-Za-z0-9]{1,64}")


class PushCryptoError(Exception):
    """A pushed message that fails a signature, decryption, padding or appid check."""


class PushAppIdMismatch(PushCryptoError):
    """The decrypted message names another app id (encrypted for a different account)."""


class PushXMLError(ValueError):
    """A body that is not a well-formed WeChat XML message, or that declares a DOCTYPE/entity."""


# ---- signatures ------------------------------------------------------------------------------


def _sha1_sorted(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def _same(expected: str, given: str | None) -> bool:
    # Bytes, because compare_digest refuses non-ASCII str (a forged signature may contain any).
    return hmac.compare_digest(expected.encode("ascii"), (given or "").lower().encode("utf-8"))


def plain_signature(token: str, timestamp: str, nonce: str) -> str:
    """The plain-mode ``signature``: sha1 of the sorted, joined token, timestamp and nonce."""
    return _sha1_sorted(token, timestamp, nonce)


def check_signature(token: str, signature: str | None, timestamp: str, nonce: str) -> bool:
    """True when ``signature`` is the plain-mode signature of the request (constant time)."""
    if not token:
        return False
    return _same(plain_signature(token, timestamp, nonce), signature)


def msg_signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """The encrypted-mode ``msg_signature``: sha1 of the sorted, joined token, timestamp, nonce, Encrypt."""
    return _sha1_sorted(token, timestamp, nonce, encrypt)


def check_msg_signature(token: str, signature: str | None, timestamp: str, nonce: str, encrypt: str) -> bool:
    """True when ``signature`` is the msg_signature over the <Encrypt> value (constant time)."""
    if not token:
        return False
    return _same(msg_signature(token, timestamp, nonce, encrypt), signature)


def timestamp_is_fresh(
    timestamp: str, *, now: float | None = None, max_skew: int = MAX_CLOCK_SKEW_SECONDS
) -> bool:
    """True when ``timestamp`` is whole Unix seconds within ``max_skew`` of ``now``."""
    if not timestamp or not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    current = time.time() if now is None else now
    return abs(current - int(timestamp)) <= max_skew


# ---- AES ------------------------------------------------------------------------------------


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AESKey = Base64_Decode(EncodingAESKey + "=")."""
    key = encoding_aes_key or ""
    if len(key) != ENCODING_AES_KEY_LEN or not key.isascii() or not key.isalnum():
        # Never the key itself in the message.
        raise PushCryptoError("the EncodingAESKey must be 43 letters and digits")
    try:
        raw = base64.b64decode(key + "=", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PushCryptoError("the EncodingAESKey is not valid base64") from exc
    if len(raw) != 32:
        raise PushCryptoError("the EncodingAESKey does not decode to 32 bytes")
    return raw


def _cipher(key: bytes) -> Cipher[modes.CBC]:
    return Cipher(algorithms.AES(key), modes.CBC(key[:16]))


def encrypt(encoding_aes_key: str, xml_bytes: bytes, app_id: str, random16: bytes | None = None) -> str:
    """Base64 of AES-256-CBC(random16 + msg_len + msg + appid, PKCS#7 to 32 bytes)."""
    key = aes_key(encoding_aes_key)
    if random16 is None:
        # 16 ASCII characters, like the official samples (any 16 bytes would do).
        random16 = secrets.token_hex(RANDOM_LEN // 2).encode("ascii")
    if len(random16) != RANDOM_LEN:
        raise ValueError("random16 must be exactly 16 bytes")
    if len(xml_bytes) > 0xFFFFFFFF:
        raise ValueError("message too long")
    full = random16 + struct.pack(">I", len(xml_bytes)) + xml_bytes + app_id.encode("utf-8")
    pad = PAD_BLOCK - len(full) % PAD_BLOCK
    full += bytes([pad]) * pad
    encryptor = _cipher(key).encryptor()
    return base64.b64encode(encryptor.update(full) + encryptor.finalize()).decode("ascii")


def decrypt(encoding_aes_key: str, encrypt_b64: str, app_id: str) -> bytes:
    """The message inside ``encrypt_b64``, after checking its padding, length and appid."""
    key = aes_key(encoding_aes_key)
    try:
        data = base64.b64decode((encrypt_b64 or "").strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PushCryptoError("the Encrypt value is not valid base64") from exc
    if not data or len(data) % PAD_BLOCK:
        raise PushCryptoError("the Encrypt value is not a whole number of 32-byte blocks")
    decryptor = _cipher(key).decryptor()
    full = decryptor.update(data) + decryptor.finalize()
    pad = full[-1]
    if not 1 <= pad <= PAD_BLOCK or full[-pad:] != bytes([pad]) * pad:
        raise PushCryptoError("the decrypted message has bad padding (wrong key or tampered)")
    content = full[:-pad]
    if len(content) < RANDOM_LEN + 4:
        raise PushCryptoError("the decrypted message is too short")
    (msg_len,) = struct.unpack(">I", content[RANDOM_LEN : RANDOM_LEN + 4])
    start = RANDOM_LEN + 4
    if start + msg_len > len(content):
        raise PushCryptoError("the decrypted message's length field is wrong (wrong key or tampered)")
    msg = content[start : start + msg_len]
    if not hmac.compare_digest(content[start + msg_len :], app_id.encode("utf-8")):
        raise PushAppIdMismatch("the message was encrypted for another app id")
    return msg


# ---- XML ------------------------------------------------------------------------------------


def _refuse(*_args: Any) -> None:
    raise PushXMLError("DOCTYPE and entity declarations are not accepted")


def _parse_tree(text: str) -> Element:
    builder = TreeBuilder()
    depth = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise PushXMLError("the XML is nested too deeply")
        builder.start(tag, attrs)

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        builder.end(tag)

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    # The guard: any DTD at all is refused by the parser itself, before an entity can be defined.
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        raise PushXMLError(f"the body is not well-formed XML ({expat.ErrorString(exc.code)})") from exc
    return builder.close()


def _value(element: Element) -> Any:
    if len(element) == 0:
        return element.text or ""
    result: dict[str, Any] = {}
    for child in element:
        value = _value(child)
        if child.tag == "item":
            # WeChat lists are <item> runs: always a list, even with one entry.
            result.setdefault("item", []).append(value)
        elif child.tag in result:
            previous = result[child.tag]
            result[child.tag] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            result[child.tag] = value
    return result


def parse_xml(body: bytes | str) -> dict[str, Any]:
    """The fields of a WeChat <xml> message: text for leaf elements, dicts for nested ones.

    Repeated elements become lists, and <item> children always a list. Raises PushXMLError for
    anything that is not UTF-8 XML with an <xml> root, or that declares a DOCTYPE or entity.
    """
    if isinstance(body, bytes):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PushXMLError("the body is not UTF-8") from exc
    else:
        text = body
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise PushXMLError("the body is empty")
    root = _parse_tree(text)
    if root.tag != "xml":
        raise PushXMLError("the root element is not <xml>")
    value = _value(root)
    return value if isinstance(value, dict) else {}


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside one CDATA section: split it across two.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


# The user messages a passive reply may answer (events get "success" only).
PASSIVE_REPLY_TYPES = frozenset({"text", "image", "voice", "video", "shortvideo", "location", "link"})


def text_reply_xml(*, to_user: str, from_user: str, text: str, now: int) -> str:
    """A passive text reply: ToUserName is the fan's openid, FromUserName the account's id (gh_…).

    https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Passive_user_reply_message.html
    """
    return (
        f"<xml><ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(now)}</CreateTime>"
        f"<MsgType>{_cdata('text')}</MsgType>"
        f"<Content>{_cdata(text)}</Content></xml>"
    )


def build_encrypted_reply(
    *,
    token: str,
    encoding_aes_key: str,
    app_id: str,
    xml_bytes: bytes,
    timestamp: str | None = None,
    nonce: str | None = None,
    random16: bytes | None = None,
) -> str:
    """The <xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml> envelope of a reply."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or secrets.token_hex(8)
    if not timestamp.isascii() or not timestamp.isdigit():
        raise ValueError("timestamp must be whole seconds")
    if not _NONCE_RE.fullmatch(nonce):
        raise ValueError("nonce must be 1–64 letters and digits")
    encrypted = encrypt(encoding_aes_key, xml_bytes, app_id, random16)
    signed = msg_signature(token, timestamp, nonce, encrypted)
    return (
        f"<xml><Encrypt>{_cdata(encrypted)}</Encrypt>"
        f"<MsgSignature>{_cdata(signed)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp>"
        f"<Nonce>{_cdata(nonce)}</Nonce></xml>"
    )
