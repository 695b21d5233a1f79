"""The WeChat push endpoint (hooks/wechat/<id>/) as WeChat's servers call it.

Requests are built the way WeChat documents them: GET verification with signature/timestamp/
nonce/echostr, plain POSTs signed with ``signature``, encrypted POSTs with encrypt_type=aes and
``msg_signature`` over the <Encrypt> value. The official examples are used where they fit an
Official Account (the GET verification and the plain POST signature of message-push.html, with
the clock set to their time); encrypted pushes are built with the 公众号 sample key and AppID.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from socialops.platforms import push, selectors
from socialops.platforms import wechat_crypto as wc
from socialops.platforms.models import PlatformConnection, PushEvent
from tests.factories import connect, make_account, wechat_push_connection

DOC_TOKEN = "AAAAA"
DEMO_TOKEN = "pamtest"
DEMO_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
DEMO_APP_ID = "wxb11529c136998cb6"
NOW = 1_714_112_445

TEXT_MESSAGE = (
    "<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>"
    "<FromUserName><![CDATA[oia2TjjewbmiOUlr6X-1crbLOvLw]]></FromUserName>"
    "<CreateTime>1714112440</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[我是中文abcd123]]></Content><MsgId>6054768590064713728</MsgId></xml>"
)

PUBLISH_FINISH = """<xml>
<ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>
<FromUserName><![CDATA[oV5CrjpxgaGXNHIQigzNlgLTnwic]]></FromUserName>
<CreateTime>1714112441</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[PUBLISHJOBFINISH]]></Event>
<PublishEventInfo>
  <publish_id>{publish_id}</publish_id>
  <publish_status>0</publish_status>
  <article_id><![CDATA[b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvy]]></article_id>
  <article_detail>
    <count>1</count>
    <item><idx>1</idx><article_url><![CDATA[https://mp.weixin.qq.com/s/abc]]></article_url></item>
  </article_detail>
</PublishEventInfo>
</xml>"""

MASS_SEND_FINISH = """<xml>
<ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>
<FromUserName><![CDATA[oV5CrjpxgaGXNHIQigzNlgLTnwic]]></FromUserName>
<CreateTime>1714112442</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[MASSSENDJOBFINISH]]></Event>
<MsgID>1000001625</MsgID>
<Status><![CDATA[send success]]></Status>
<TotalCount>100</TotalCount>
<FilterCount>80</FilterCount>
<SentCount>75</SentCount>
<ErrorCount>5</ErrorCount>
<CopyrightCheckResult><Count>0</Count><ResultList></ResultList><CheckState>0</CheckState></CopyrightCheckResult>
</xml>"""


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """clock(t) sets the endpoint's clock to Unix time t (NOW unless a test says otherwise)."""

    def set_to(t: int) -> None:
        monkeypatch.setattr(push, "_now", lambda: float(t))

    set_to(NOW)
    return set_to


@pytest.fixture
def make_connection(workspace: Any) -> Callable[..., PlatformConnection]:
    counter = {"n": 0}

    def make(
        *,
        ws: Any = None,
        token: str = DEMO_TOKEN,
        aes_key: str = DEMO_AES_KEY,
        app_id: str = DEMO_APP_ID,
    ) -> PlatformConnection:
        counter["n"] += 1
        return wechat_push_connection(
            ws or workspace, f"mp{counter['n']}", token=token, aes_key=aes_key, app_id=app_id
        )

    return make


@pytest.fixture
def conn(make_connection: Callable[..., PlatformConnection]) -> PlatformConnection:
    return make_connection()


def _url(connection_id: int, **params: str) -> str:
    url = reverse("wechat-push", kwargs={"connection_id": connection_id})
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def _sha1(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def post_plain(client: Client, connection: PlatformConnection, body: str | bytes, **overrides: str) -> Any:
    """POST as WeChat does in 明文模式: signature over Token, timestamp, nonce."""
    token = connection.get_credentials().signing_secret
    params = {"timestamp": str(NOW), "nonce": "1320562132", "openid": "oia2TjjewbmiOUlr6X-1crbLOvLw"}
    params.update(overrides)
    params.setdefault("signature", _sha1(token, params["timestamp"], params["nonce"]))
    return client.post(_url(connection.pk, **params), data=body, content_type="text/xml")


def post_encrypted(
    client: Client,
    connection: PlatformConnection,
    message: str | bytes,
    *,
    app_id: str = DEMO_APP_ID,
    key: str = DEMO_AES_KEY,
    encrypt: str | None = None,
    **overrides: str,
) -> Any:
    """POST as WeChat does in 安全模式: <Encrypt> in the body, msg_signature over it in the URL."""
    token = connection.get_credentials().signing_secret
    raw = message.encode() if isinstance(message, str) else message
    encrypted = encrypt if encrypt is not None else wc.encrypt(key, raw, app_id)
    params = {"timestamp": str(NOW), "nonce": "1320562132", "encrypt_type": "aes", "openid": "o_user"}
    params.update(overrides)
    params.setdefault("signature", _sha1(token, params["timestamp"], params["nonce"]))
    params.setdefault("msg_signature", _sha1(token, params["timestamp"], params["nonce"], encrypted))
    body = (
        "<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    )
    # The base64 alphabet has "+" and "/": sent in the URL only via msg_signature (hex), so no escaping.
    return client.post(_url(connection.pk, **params), data=body, content_type="text/xml")


# ---- GET: server verification ---------------------------------------------------------------

# The verification request of message-push.html (signed with DOC_TOKEN at 1714036504).
DOC_VERIFICATION = {
    "signature": "f464b24fc39322e44b38aa78f5edd27bd1441696",
    "echostr": "4375120948345356249",
    "timestamp": "1714036504",
    "nonce": "1514711492",
}


@pytest.mark.django_db
def test_documented_verification_request_answers_echostr(
    client: Client, make_connection: Callable[..., PlatformConnection], clock: Callable[[int], None]
) -> None:
    connection = make_connection(token=DOC_TOKEN)
    clock(1714036504)
    response = client.get(_url(connection.pk, **DOC_VERIFICATION))
    assert response.status_code == 200
    assert response.content == b"4375120948345356249"
    assert response["Content-Type"].startswith("text/plain")
    assert PushEvent.objects.count() == 0


@pytest.mark.django_db
def test_verification_with_wrong_signature_is_refused(
    client: Client, make_connection: Callable[..., PlatformConnection], clock: Callable[[int], None]
) -> None:
    connection = make_connection(token="another-token")
    clock(1714036504)
    response = client.get(_url(connection.pk, **DOC_VERIFICATION))
    assert response.status_code == 403
    assert b"Signature does not match" in response.content
    assert b"4375120948345356249" not in response.content


@pytest.mark.django_db
def test_verification_without_signature_is_refused(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    response = client.get(_url(conn.pk, echostr="abc", timestamp=str(NOW), nonce="1"))
    assert response.status_code == 403


@pytest.mark.django_db
def test_verification_replayed_later_is_refused(
    client: Client, make_connection: Callable[..., PlatformConnection], clock: Callable[[int], None]
) -> None:
    connection = make_connection(token=DOC_TOKEN)
    clock(1714036504 + 301)
    response = client.get(_url(connection.pk, **DOC_VERIFICATION))
    assert response.status_code == 403
    assert b"five minutes" in response.content


# ---- POST: plain mode -----------------------------------------------------------------------


@pytest.mark.django_db
def test_documented_plain_signature_is_accepted(
    client: Client, make_connection: Callable[..., PlatformConnection], clock: Callable[[int], None]
) -> None:
    connection = make_connection(token=DOC_TOKEN)
    clock(1714037059)
    response = client.post(
        _url(
            connection.pk,
            signature="899cf89e464efb63f54ddac96b0a0a235f53aa78",
            timestamp="1714037059",
            nonce="486452656",
        ),
        data=TEXT_MESSAGE,
        content_type="text/xml",
    )
    assert response.status_code == 200
    assert response.content == b"success"
    assert PushEvent.objects.filter(connection=connection).count() == 1


@pytest.mark.django_db
def test_plain_message_pushed_three_times_is_stored_once(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    for nonce in ("111", "222", "333"):  # WeChat's retries
        response = post_plain(client, conn, TEXT_MESSAGE, nonce=nonce)
        assert response.status_code == 200
        assert response.content == b"success"
    events = list(PushEvent.objects.all())
    assert len(events) == 1
    event = events[0]
    assert event.connection == conn and event.workspace == conn.workspace
    assert event.dedupe_key == "msg:6054768590064713728"
    assert (event.msg_type, event.event, event.from_user) == ("text", "", "oia2TjjewbmiOUlr6X-1crbLOvLw")
    assert event.created_at is not None and int(event.created_at.timestamp()) == 1714112440
    assert event.payload["Content"] == "我是中文abcd123"


@pytest.mark.django_db
def test_plain_message_with_wrong_signature_is_refused(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    response = post_plain(
        client, conn, TEXT_MESSAGE, signature=_sha1("not-the-token", str(NOW), "1320562132")
    )
    assert response.status_code == 403
    assert b"Signature does not match" in response.content
    assert PushEvent.objects.count() == 0


@pytest.mark.django_db
def test_plain_message_with_stale_timestamp_is_refused(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    response = post_plain(client, conn, TEXT_MESSAGE, timestamp=str(NOW - 301))
    assert response.status_code == 403
    assert b"five minutes" in response.content
    assert PushEvent.objects.count() == 0
    assert post_plain(client, conn, TEXT_MESSAGE, timestamp=str(NOW - 300)).status_code == 200


@pytest.mark.django_db
def test_xml_with_doctype_or_entity_is_refused(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    bombs = [
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        "<xml><MsgType>text</MsgType><Content>&lol2;</Content><MsgId>1</MsgId></xml>",
        '<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<xml><MsgType>text</MsgType><Content>&xxe;</Content><MsgId>2</MsgId></xml>",
    ]
    for body in bombs:
        response = post_plain(client, conn, body)
        assert response.status_code == 400
        assert b"not a WeChat XML message" in response.content
    # Inside the encrypted envelope too.
    response = post_encrypted(client, conn, bombs[1])
    assert response.status_code == 400
    assert PushEvent.objects.count() == 0


@pytest.mark.django_db
def test_body_over_one_megabyte_is_refused(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    padding = "x" * (1024 * 1024)
    body = TEXT_MESSAGE.replace("我是中文abcd123", padding)
    response = post_plain(client, conn, body)
    assert response.status_code == 413
    assert PushEvent.objects.count() == 0
    # Just under the limit is read.
    fits = TEXT_MESSAGE.replace("我是中文abcd123", "x" * (1024 * 1024 - len(TEXT_MESSAGE.encode()) - 100))
    assert post_plain(client, conn, fits).status_code == 200


@pytest.mark.django_db
def test_unknown_encrypt_type_is_refused(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    response = post_plain(client, conn, TEXT_MESSAGE, encrypt_type="des")
    assert response.status_code == 400
    assert PushEvent.objects.count() == 0


# ---- POST: encrypted mode -------------------------------------------------------------------


@pytest.mark.django_db
def test_encrypted_message_is_decrypted_and_stored(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    response = post_encrypted(client, conn, TEXT_MESSAGE)
    assert response.status_code == 200
    assert response.content == b"success"
    event = PushEvent.objects.get()
    assert event.msg_type == "text"
    assert event.payload["Content"] == "我是中文abcd123"
    assert "Encrypt" not in event.payload
    # A re-push (new random prefix, new nonce) is the same message.
    assert post_encrypted(client, conn, TEXT_MESSAGE, nonce="99").status_code == 200
    assert PushEvent.objects.count() == 1


@pytest.mark.django_db
def test_encrypted_message_with_wrong_msg_signature_is_refused(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    encrypted = wc.encrypt(DEMO_AES_KEY, TEXT_MESSAGE.encode(), DEMO_APP_ID)
    # The plain `signature` is right, but encrypted mode must be checked with msg_signature.
    response = post_encrypted(
        client,
        conn,
        TEXT_MESSAGE,
        encrypt=encrypted,
        msg_signature=_sha1(DEMO_TOKEN, str(NOW), "1320562132", encrypted + "x"),
    )
    assert response.status_code == 403
    assert b"Signature does not match" in response.content
    response = post_encrypted(client, conn, TEXT_MESSAGE, encrypt=encrypted, msg_signature="")
    assert response.status_code == 403
    assert PushEvent.objects.count() == 0


@pytest.mark.django_db
def test_encrypted_message_with_stale_timestamp_is_refused(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    response = post_encrypted(client, conn, TEXT_MESSAGE, timestamp=str(NOW + 301))
    assert response.status_code == 403
    assert b"five minutes" in response.content
    assert PushEvent.objects.count() == 0


@pytest.mark.django_db
def test_encrypted_message_for_another_app_id_is_refused(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    response = post_encrypted(client, conn, TEXT_MESSAGE, app_id="wx0000000000000000")
    assert response.status_code == 403
    assert b"another AppID" in response.content
    assert PushEvent.objects.count() == 0


@pytest.mark.django_db
def test_encrypted_with_another_key_is_refused(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    # Signed with the right Token (msg_signature checks out) but encrypted with another key.
    response = post_encrypted(client, conn, TEXT_MESSAGE, key="A" * 43)
    assert response.status_code == 403
    assert b"cannot be decrypted" in response.content
    assert PushEvent.objects.count() == 0


@pytest.mark.django_db
def test_encrypted_push_without_encrypt_element_is_refused(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    response = post_plain(client, conn, TEXT_MESSAGE, encrypt_type="aes", msg_signature="0" * 40)
    assert response.status_code == 400
    assert PushEvent.objects.count() == 0


@pytest.mark.django_db
def test_encrypted_push_to_connection_without_aes_key_is_refused(
    client: Client, make_connection: Callable[..., PlatformConnection], clock: Callable[[int], None]
) -> None:
    connection = make_connection(aes_key="")
    response = post_encrypted(client, connection, TEXT_MESSAGE)
    assert response.status_code == 403
    assert b"EncodingAESKey" in response.content
    assert DEMO_AES_KEY.encode() not in response.content


# ---- which connection -----------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_connection_is_not_found(client: Client, conn: PlatformConnection, clock: Any) -> None:
    response = client.get(_url(conn.pk + 1000, signature="x", timestamp=str(NOW), nonce="1", echostr="e"))
    assert response.status_code == 404
    response = post_plain(client, conn, TEXT_MESSAGE)
    assert response.status_code == 200  # the same request to the real one works


@pytest.mark.django_db
def test_connection_of_another_kind_is_not_found(client: Client, workspace: Any, clock: Any) -> None:
    other = connect(make_account(workspace, handle="manual1", platform="mastodon"), "manual")
    params = {"timestamp": str(NOW), "nonce": "1"}
    params["signature"] = _sha1("", params["timestamp"], params["nonce"])
    response = client.post(_url(other.pk, **params), data=TEXT_MESSAGE, content_type="text/xml")
    assert response.status_code == 404
    assert PushEvent.objects.count() == 0


@pytest.mark.django_db
def test_events_belong_to_the_connections_own_workspace(
    client: Client,
    make_connection: Callable[..., PlatformConnection],
    other_workspace: Any,
    clock: Callable[[int], None],
) -> None:
    ours = make_connection()
    theirs = make_connection(ws=other_workspace, token="their-token")
    assert post_plain(client, theirs, TEXT_MESSAGE).status_code == 200
    event = PushEvent.objects.get()
    assert event.workspace == other_workspace and event.connection == theirs
    assert list(selectors.push_events(ours)) == []
    assert list(selectors.push_events(theirs)) == [event]
    # Their Token does not sign for our connection.
    response = client.post(
        _url(ours.pk, timestamp=str(NOW), nonce="5", signature=_sha1("their-token", str(NOW), "5")),
        data=TEXT_MESSAGE,
        content_type="text/xml",
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_no_csrf_token_or_login_needed(conn: PlatformConnection, clock: Callable[[int], None]) -> None:
    client = Client(enforce_csrf_checks=True)
    assert post_plain(client, conn, TEXT_MESSAGE).status_code == 200


@pytest.mark.django_db
def test_other_methods_are_not_allowed(client: Client, conn: PlatformConnection) -> None:
    assert client.put(_url(conn.pk), data=TEXT_MESSAGE, content_type="text/xml").status_code == 405


# ---- publishing events ----------------------------------------------------------------------


@pytest.mark.django_db
def test_publish_job_finish_is_stored_with_its_ids(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    body = PUBLISH_FINISH.format(publish_id="2247503051")
    assert post_encrypted(client, conn, body).status_code == 200
    assert post_encrypted(client, conn, body, nonce="7").status_code == 200  # re-push
    (event,) = selectors.push_events(conn, event="PUBLISHJOBFINISH")
    assert event.msg_type == "event"
    info = event.payload["PublishEventInfo"]
    assert info["publish_id"] == "2247503051"
    assert info["publish_status"] == "0"
    assert info["article_id"] == "b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvy"
    assert info["article_detail"]["item"] == [{"idx": "1", "article_url": "https://mp.weixin.qq.com/s/abc"}]
    assert list(selectors.push_events(conn, event="MASSSENDJOBFINISH")) == []


@pytest.mark.django_db
def test_two_publish_results_in_the_same_second_are_both_kept(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    assert post_plain(client, conn, PUBLISH_FINISH.format(publish_id="1")).status_code == 200
    assert post_plain(client, conn, PUBLISH_FINISH.format(publish_id="2")).status_code == 200
    ids = sorted(e.payload["PublishEventInfo"]["publish_id"] for e in selectors.push_events(conn))
    assert ids == ["1", "2"]


@pytest.mark.django_db
def test_mass_send_job_finish_is_stored_with_its_counts(
    client: Client, conn: PlatformConnection, clock: Callable[[int], None]
) -> None:
    assert post_plain(client, conn, MASS_SEND_FINISH).status_code == 200
    (event,) = selectors.push_events(conn, event="MASSSENDJOBFINISH")
    payload = event.payload
    assert (payload["MsgID"], payload["Status"]) == ("1000001625", "send success")
    assert (payload["TotalCount"], payload["SentCount"], payload["ErrorCount"]) == ("100", "75", "5")
    assert payload["CopyrightCheckResult"]["CheckState"] == "0"
    assert event.from_user == "oV5CrjpxgaGXNHIQigzNlgLTnwic"


def test_dedupe_keys() -> None:
    assert push.dedupe_key_for({"MsgType": "text", "MsgId": "42", "FromUserName": "u"}) == "msg:42"
    event = {"MsgType": "event", "Event": "subscribe", "FromUserName": "u", "CreateTime": "1714112440"}
    assert push.dedupe_key_for(event) == "event:u:1714112440:subscribe"
    long_user = {**event, "FromUserName": "u" * 300}
    assert len(push.dedupe_key_for(long_user)) <= 200
    assert push.dedupe_key_for({"MsgType": "text"}).startswith("sha256:")
