"""Link syntax and reachability (against a local http.server)."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from socialops.textkit.links import check_reachability, check_urls, find_urls, reachability_findings


def urls(text):
    return [(u.raw, u.url) for u in find_urls(text)]


def problems(text):
    return [(f.message_code, f.text, f.suggestion) for f in check_urls(text)]


def test_find_urls_in_chinese_text():
    assert urls("访问https://example.com了解详情") == [("https://example.com", "https://example.com")]
    assert urls("官网：www.example.com/a?b=1。欢迎") == [("www.example.com/a?b=1", "www.example.com/a?b=1")]
    assert urls("邮箱 a@example.com 不是链接") == []
    assert urls("http: 是一种协议") == []
    text = "详见（https://example.com/a），谢谢"
    (u,) = find_urls(text)
    assert text[u.start : u.end] == "https://example.com/a"


def test_brackets_in_urls():
    text = "see (https://en.wikipedia.org/wiki/Foo_(bar)) ok"
    (u,) = find_urls(text)
    assert u.raw == "https://en.wikipedia.org/wiki/Foo_(bar)"
    assert problems(text) == []
    assert problems("https://example.com/a(b") == [
        ("link.unbalanced_brackets", "https://example.com/a(b", None)
    ]


def test_full_width_url_is_found_and_repaired():
    text = "官网：ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ／ａ 欢迎"
    assert problems(text) == [
        ("link.fullwidth_chars", "ｈｔｔｐｓ：／／ｅｘａｍｐｌｅ．ｃｏｍ／ａ", "https://example.com/a")
    ]
    assert problems("网址 www。example。com") == [
        ("link.fullwidth_chars", "www。example。com", "www.example.com")
    ]


@pytest.mark.parametrize(
    ("text", "code", "suggestion"),
    [
        ("htps://example.com/x", "link.bad_scheme", "https://example.com/x"),
        ("ttp://example.com", "link.bad_scheme", "http://example.com"),
        ("http:/example.com", "link.missing_slashes", "http://example.com"),
        ("http//example.com", "link.missing_slashes", "http://example.com"),
        ("http:example.com", "link.missing_slashes", "http://example.com"),
        ("https ://example.com", "link.contains_space", "https://example.com"),
    ],
)
def test_scheme_problems(text, code, suggestion):
    ((got_code, got_text, got_suggestion),) = problems(text)
    assert (got_code, got_text, got_suggestion) == (code, text, suggestion)


def test_dangerous_schemes_block():
    (f,) = check_urls("点这里 javascript:alert(1) 领奖")
    assert (f.severity, f.message_code, f.text) == ("block", "link.dangerous_scheme", "javascript:alert(1)")


def test_spaces_inside_a_url():
    assert problems("https://example.com/a b.html") == [
        ("link.contains_space", "https://example.com/a b.html", None)
    ]
    got = problems("https://exa mple.com")
    assert ("link.contains_space", "https://exa mple.com", None) in got
    assert problems("see https://example.com and more") == []


def test_hosts_ports_and_escapes():
    assert problems("https://bad_host.com")[0][0] == "link.bad_host"
    assert problems("https://1.2.3.999/")[0][0] == "link.bad_host"
    assert problems("https://example.com:99999/")[0][0] == "link.bad_port"
    assert problems("https://example.com/a%zz")[0][0] == "link.bad_percent_encoding"
    assert problems("https://localhost:8000/x") == []
    assert problems("https://[::1]:8000/x") == []


def test_idn_hosts():
    assert problems("https://例子.中国/") == []
    assert problems("https://münchen.de/") == []
    assert problems("https://xn--fsqu00a.xn--fiqs8s/") == []
    # Cyrillic "а" in a Latin name: a look-alike.
    assert problems("https://аpple.com")[0][0] == "link.mixed_script_host"


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output quiet
        pass

    def _answer(self, body: bool):
        path = self.path
        if path == "/ok":
            self._send(200, body)
        elif path == "/missing":
            self._send(404, body)
        elif path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/ok")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/slow":
            time.sleep(2)
            self._send(200, body)
        elif path == "/nohead":
            self._send(405 if not body else 200, body)
        else:
            self._send(500, body)

    def _send(self, status, body):
        payload = b"hello"
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body:
            self.wfile.write(payload)

    def do_HEAD(self):
        self._answer(False)

    def do_GET(self):
        self._answer(True)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_reachability_against_a_local_server(server):
    wanted = ["/ok", "/missing", "/redirect", "/loop", "/slow", "/nohead"]
    started = time.monotonic()
    results = check_reachability(
        [server + p for p in wanted], timeout=0.5, max_redirects=3, allow_private=True
    )
    elapsed = time.monotonic() - started
    by_path = {r.url.removeprefix(server): r for r in results}
    assert [r.url for r in results] == [server + p for p in wanted]
    ok = by_path["/ok"]
    assert (ok.ok, ok.status, ok.method, ok.error) == (True, 200, "HEAD", None)
    missing = by_path["/missing"]
    assert (missing.ok, missing.status, missing.method, missing.error) == (False, 404, "GET", "http_error")
    redirect = by_path["/redirect"]
    assert (redirect.ok, redirect.status, redirect.final_url) == (True, 200, server + "/ok")
    assert by_path["/loop"].error == "too_many_redirects"
    assert by_path["/slow"].error == "timeout"
    nohead = by_path["/nohead"]
    assert (nohead.ok, nohead.status, nohead.method) == (True, 200, "GET")
    assert elapsed < 5  # the slow endpoint is cut off by the timeout, not waited for


def test_private_addresses_are_refused_by_default(server):
    (r,) = check_reachability([server + "/ok"], timeout=0.5)
    assert (r.ok, r.error) == (False, "blocked_address")


def test_invalid_and_unreachable_urls(server):
    port = int(server.rsplit(":", 1)[1])
    results = check_reachability(
        ["ftp://example.com/x", "http://127.0.0.1:1/"], timeout=0.5, allow_private=True
    )
    assert [r.error for r in results] == ["invalid_url", "connect_error"]
    assert check_reachability([]) == []
    assert port > 0


def test_reachability_findings_point_at_the_links(server):
    text = f"看 {server}/missing 和 {server}/ok"
    statuses = check_reachability([u.url for u in find_urls(text)], timeout=0.5, allow_private=True)
    (f,) = reachability_findings(text, statuses)
    assert (f.message_code, text[f.start : f.end], f.params["status"]) == (
        "link.http_error",
        f"{server}/missing",
        404,
    )


def test_broken_ipv6_host_is_a_finding_not_a_crash() -> None:
    from socialops.textkit.links import check_urls

    findings = check_urls("详情见 http://[fe80::1/index 了解")
    assert [f.message_code for f in findings] == ["link.unbalanced_brackets"]
