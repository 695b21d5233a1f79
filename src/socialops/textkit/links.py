"""Links: find URLs in a text, check their syntax at once, check reachability on request.

``find_urls`` finds links written with a scheme (https://…, including typos such as htps://,
http:/, http//), ``www.`` links and bare domains with a common TLD (example.com/path), also
when they are typed with full-width characters (ｈｔｔｐｓ：／／). ``check_links`` turns the
syntax problems into findings. ``check_reachability`` asks each URL over HTTP (HEAD, then GET
when HEAD is refused) with short timeouts and a limit on redirects; it is meant for a
background task, never for the editor's request.
"""

from __future__ import annotations

import ipaddress
import re
import time
import unicodedata
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import idna

from socialops.core import egress

from .findings import Finding, ParamValue, Severity
from .normalize import is_cjk

CHECK = "link"

DANGEROUS_SCHEMES = frozenset({"javascript", "data", "vbscript", "file"})
WEB_SCHEMES = frozenset({"http", "https"})
_BARE_TLDS = (
    "com|cn|net|org|io|co|me|app|dev|tv|cc|info|top|xyz|vip|shop|link|ly|gl|gg|edu|gov|ai|so|"
    "site|online|store|tech|club|fun|live|news|wang|ink|art|design|blog"
)

# Characters that always end a URL in running text.
_STOP = set(" \t\r\n\u3000<>\"'“”‘’「」『』《》【】，。！？；：、（）…")
_TRAIL_PUNCT = ".,;:!?'\"*~"

_SCHEME_RE = re.compile(
    r"(?i)(?<![a-z0-9+.\-])(?P<scheme>h?t{1,2}p{1,2}s{0,2}|ftp|javascript|vbscript|data|file)"
    r"(?P<sep>\s?:\s?/{0,3}|/{2})"
)
_WWW_RE = re.compile(r"(?i)(?<![\w.@/\-])www\.")
_BARE_RE = re.compile(
    rf"(?i)(?<![\w.@/\-])(?:[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?\.)+(?:{_BARE_TLDS})(?:\.cn)?(?![a-z0-9\-])"
)


@dataclass(frozen=True, slots=True)
class UrlMatch:
    """A URL found in a text: [start, end) in the original string, as written and repaired."""

    start: int
    end: int
    raw: str
    #: The URL with full-width characters turned to ASCII (what was meant).
    url: str
    scheme: str | None


def _fold_url_char(ch: str) -> str:
    """Full-width ASCII (and the ideographic full stop) to ASCII, one character to one."""
    if ch == "。" or ch == "｡":
        return "."
    out = unicodedata.normalize("NFKC", ch)
    return out if len(out) == 1 and out.isascii() else ch


def _fold_for_urls(text: str) -> str:
    """A copy of ``text`` of the same length with full-width URL characters made ASCII."""
    return "".join(_fold_url_char(c) if ord(c) >= 0x3000 else c for c in text)


def _scan_end(folded: str, pos: int) -> int:
    """End of a URL body starting at ``pos`` (host, then path without CJK ideographs)."""
    n = len(folded)
    i = pos
    # Host (may hold IDN letters), up to / ? # or a stop character.
    while i < n and folded[i] not in _STOP and folded[i] not in "/?#":
        i += 1
    host_end = _trim_host(folded, pos, i)
    if host_end < i:
        return host_end
    # Path, query and fragment: ASCII only (Chinese after a URL is the sentence going on).
    while i < n and folded[i] not in _STOP and not is_cjk(folded[i]) and folded[i].isprintable():
        i += 1
    return i


def _trim_host(folded: str, start: int, end: int) -> int:
    """Cut Chinese text glued to an ASCII TLD: 'example.com了解详情' → 'example.com'."""
    host = folded[start:end]
    dot = host.rfind(".")
    if dot == -1:
        # No dot: stop at the first CJK character after ASCII ones.
        for k, ch in enumerate(host):
            if is_cjk(ch) and k > 0 and host[:k].isascii():
                return start + k
        return end
    last = host[dot + 1 :]
    if last and last[0].isascii():
        for k, ch in enumerate(last):
            if not ch.isascii():
                return start + dot + 1 + k
    return end


def _strip_trailing(url: str) -> str:
    """Drop sentence punctuation and an unbalanced closing bracket from the end."""
    while url:
        last = url[-1]
        if last in _TRAIL_PUNCT:
            url = url[:-1]
            continue
        if last == ")" and url.count("(") < url.count(")"):
            url = url[:-1]
            continue
        if last == "]" and url.count("[") < url.count("]"):
            url = url[:-1]
            continue
        break
    return url


def find_urls(text: str) -> list[UrlMatch]:
    """Every URL-looking run in ``text``, left to right, without overlaps."""
    folded = _fold_for_urls(text)
    found: list[UrlMatch] = []
    taken: list[tuple[int, int]] = []

    def overlaps(a: int, b: int) -> bool:
        return any(a < y and x < b for x, y in taken)

    for m in _SCHEME_RE.finditer(folded):
        scheme = m.group("scheme").lower()
        sep = m.group("sep")
        end = _scan_end(folded, m.end())
        body = folded[m.end() : end]
        if "/" not in sep:
            # Without slashes only "javascript:alert(1)" or "http:example.com" count as links;
            # "http: 是一种协议" in prose does not.
            if sep != ":" or not body:
                continue
            if scheme not in DANGEROUS_SCHEMES and not ("." in body and body.isascii()):
                continue
        raw_url = _strip_trailing(folded[m.start() : end])
        if len(raw_url) <= len(m.group(0)):
            continue
        stop = m.start() + len(raw_url)
        if overlaps(m.start(), stop):
            continue
        taken.append((m.start(), stop))
        found.append(UrlMatch(m.start(), stop, text[m.start() : stop], raw_url, scheme))
    for rx in (_WWW_RE, _BARE_RE):
        for m in rx.finditer(folded):
            if overlaps(m.start(), m.end()):
                continue
            end = _scan_end(folded, m.start())
            raw_url = _strip_trailing(folded[m.start() : end])
            stop = m.start() + len(raw_url)
            if overlaps(m.start(), stop) or "." not in raw_url:
                continue
            taken.append((m.start(), stop))
            found.append(UrlMatch(m.start(), stop, text[m.start() : stop], raw_url, None))
    return sorted(found, key=lambda u: u.start)


# ---------------------------------------------------------------------------------------------
# Syntax

_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_CONFUSABLE_SCRIPTS = ("CYRILLIC", "GREEK")


def _host_problem(host: str) -> tuple[str | None, str]:
    """(problem code or None, the ASCII form of the host)."""
    if not host:
        return "link.bad_host", host
    if host.startswith("[") and host.endswith("]"):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return "link.bad_host", host
        return None, host
    if re.fullmatch(r"[\d.]+", host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return "link.bad_host", host
        return None, host
    lowered = host.lower().rstrip(".")
    if not lowered.isascii():
        if _mixed_script(lowered):
            return "link.mixed_script_host", lowered
        try:
            ascii_host = idna.encode(lowered, uts46=True).decode("ascii")
        except idna.IDNAError:
            return "link.bad_host", lowered
        lowered = ascii_host
    labels = lowered.split(".")
    if lowered == "localhost":
        return None, lowered
    if len(lowered) > 253 or len(labels) < 2 or not all(_LABEL_RE.match(lb) for lb in labels):
        return "link.bad_host", lowered
    tld = labels[-1]
    if not (tld.startswith("xn--") or (tld.isalpha() and len(tld) >= 2)):
        return "link.bad_host", lowered
    return None, lowered


def _mixed_script(host: str) -> bool:
    """A label mixing Latin letters with Cyrillic or Greek look-alikes (аpple.com)."""
    for label in host.split("."):
        scripts = set()
        for ch in label:
            if not ch.isalpha():
                continue
            if ch.isascii():
                scripts.add("LATIN")
                continue
            name = unicodedata.name(ch, "")
            scripts.update(s for s in _CONFUSABLE_SCRIPTS if name.startswith(s))
        if "LATIN" in scripts and len(scripts) > 1:
            return True
    return False


def _finding(
    text: str,
    u: UrlMatch,
    severity: Severity,
    code: str,
    params: dict[str, str | int],
    suggestion: str | None,
    field: str,
    end: int | None = None,
) -> Finding:
    e = u.end if end is None else end
    return Finding(
        CHECK, severity, u.start, e, text[u.start : e], code, {"url": u.raw, **params}, suggestion, field
    )


def _space_continuation(text: str, u: UrlMatch) -> int | None:
    """End of a run glued to the URL by a single space ('https://a.com/x y.html'), if any."""
    j = u.end
    if j >= len(text) or text[j] not in " \u3000":
        return None
    k = j + 1
    while k < len(text) and text[k] not in _STOP and not is_cjk(text[k]):
        k += 1
    token = _strip_trailing(text[j + 1 : k])
    if token and token.isascii() and re.search(r"[/=&]|\.\w{2,4}$|^\.", token):
        return j + 1 + len(token)
    return None


def check_urls(text: str, *, field: str = "body") -> list[Finding]:
    """Syntax findings for every URL found in ``text``."""
    out: list[Finding] = []
    consumed = -1
    for u in find_urls(text):
        if u.start < consumed:
            continue  # the tail of a link broken by a space, already reported with it
        found = _check_one(text, u, field)
        out.extend(found)
        consumed = max([u.end] + [f.end or 0 for f in found])
    return out


check_links = check_urls


def _check_one(text: str, u: UrlMatch, field: str) -> list[Finding]:
    out: list[Finding] = []
    url = u.url
    if u.raw != url:
        out.append(_finding(text, u, "warn", "link.fullwidth_chars", {"fixed": url}, url, field))
    scheme = (u.scheme or "").lower()
    if scheme in DANGEROUS_SCHEMES:
        out.append(_finding(text, u, "block", "link.dangerous_scheme", {"scheme": scheme}, None, field))
        return out
    if u.scheme is not None:
        m = re.match(r"(?i)([a-z]+)(\s?:\s?/{0,3}|/{2})", url)
        assert m is not None
        written_scheme, sep = m.group(1), m.group(2)
        rest = url[m.end() :]
        fixed_scheme = "https" if "s" in written_scheme.lower() else "http"
        if written_scheme.lower() not in WEB_SCHEMES and written_scheme.lower() != "ftp":
            out.append(_finding(text, u, "warn", "link.bad_scheme", {}, f"{fixed_scheme}://{rest}", field))
            url = f"{fixed_scheme}://{rest}"
        elif sep != "://":
            if " " in sep:
                out.append(
                    _finding(text, u, "warn", "link.contains_space", {}, f"{written_scheme}://{rest}", field)
                )
            else:
                out.append(
                    _finding(text, u, "warn", "link.missing_slashes", {}, f"{written_scheme}://{rest}", field)
                )
            url = f"{written_scheme}://{rest}"
    else:
        url = "http://" + url
    cont = _space_continuation(text, u)
    if cont is not None:
        out.append(_finding(text, u, "warn", "link.contains_space", {}, None, field, cont))
    try:
        parts = urlsplit(url)
    except ValueError:
        # urlsplit refuses a host with an unclosed "[" (a broken IPv6 literal): a malformed link.
        out.append(_finding(text, u, "warn", "link.unbalanced_brackets", {}, None, field))
        return out
    netloc = parts.netloc.rsplit("@", 1)[-1]
    host, port = netloc, None
    if not netloc.endswith("]") and ":" in netloc:
        host, _, port = netloc.rpartition(":")
    if port is not None and (not port.isdigit() or not 0 < int(port) <= 65535):
        out.append(_finding(text, u, "warn", "link.bad_port", {}, None, field))
    problem, ascii_host = _host_problem(host)
    if problem == "link.mixed_script_host" or problem is not None:
        out.append(_finding(text, u, "warn", problem, {"host": host}, None, field))
    if url.count("(") != url.count(")") or url.count("[") != url.count("]"):
        out.append(_finding(text, u, "warn", "link.unbalanced_brackets", {}, None, field))
    if re.search(r"%(?![0-9A-Fa-f]{2})", url):
        out.append(_finding(text, u, "warn", "link.bad_percent_encoding", {}, None, field))
    return out


# ---------------------------------------------------------------------------------------------
# Reachability


@dataclass(frozen=True, slots=True)
class LinkStatus:
    """What happened when we asked for one URL."""

    url: str
    ok: bool
    status: int | None
    final_url: str | None
    method: str | None
    #: None when ok; else one of timeout, connect_error, too_many_redirects, blocked_address,
    #: invalid_url, http_error, error.
    error: str | None
    elapsed_ms: int


def _probe(client: httpx.Client, url: str) -> LinkStatus:
    started = time.monotonic()

    def done(
        ok: bool, status: int | None, final: str | None, method: str | None, error: str | None
    ) -> LinkStatus:
        return LinkStatus(url, ok, status, final, method, error, int((time.monotonic() - started) * 1000))

    target = url if re.match(r"(?i)[a-z][a-z0-9+.\-]*://", url) else "http://" + url
    try:
        parts = urlsplit(target)
        if parts.scheme.lower() not in WEB_SCHEMES or not parts.hostname:
            return done(False, None, None, None, "invalid_url")
    except ValueError:
        return done(False, None, None, None, "invalid_url")
    method = "HEAD"
    try:
        response = client.head(target)
        if response.status_code >= 400:
            # Many servers refuse or mishandle HEAD (405, 403, 404 for HEAD only): ask with GET.
            method = "GET"
            with client.stream("GET", target) as r:
                response = r
        ok = 200 <= response.status_code < 400
        return done(ok, response.status_code, str(response.url), method, None if ok else "http_error")
    except egress.EgressRefused:
        return done(False, None, None, method, "blocked_address")
    except httpx.TooManyRedirects:
        return done(False, None, None, method, "too_many_redirects")
    except httpx.TimeoutException:
        return done(False, None, None, method, "timeout")
    except httpx.ConnectError:
        return done(False, None, None, method, "connect_error")
    except httpx.InvalidURL:
        return done(False, None, None, method, "invalid_url")
    except httpx.HTTPError:
        return done(False, None, None, method, "error")


def check_reachability(
    urls: Iterable[str],
    *,
    timeout: float = 3.0,
    max_redirects: int = 3,
    allow_private: bool = False,
    max_workers: int = 8,
    transport: httpx.BaseTransport | None = None,
) -> list[LinkStatus]:
    """Ask every URL (in parallel, at most ``max_workers`` at a time); results in input order.

    ``timeout`` bounds each phase (connect, read, write, pool) of each request; ``max_redirects``
    bounds the redirects followed. Connections go through the product's egress policy
    (``core.egress``): an address that resolves to a loopback, private, link-local or reserved
    range is refused at connect time ("blocked_address"), every redirect hop included, unless
    the settings allow that network or the caller passes ``allow_private`` (a published post's
    links are public; this keeps the server from being used to probe its own network).
    """
    url_list = list(dict.fromkeys(urls))
    if not url_list:
        return []
    with (
        httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            max_redirects=max_redirects,
            headers={"User-Agent": "socialops-linkcheck/1.0"},
            transport=transport or egress.guarded_transport(allow_all=allow_private),
        ) as client,
        ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(url_list)))) as pool,
    ):
        results = list(pool.map(lambda u: _probe(client, u), url_list))
    return results


def reachability_findings(text: str, statuses: Sequence[LinkStatus], *, field: str = "body") -> list[Finding]:
    """Findings (with spans in ``text``) for the links of ``text`` that failed."""
    by_url = {s.url: s for s in statuses}
    out = []
    for u in find_urls(text):
        st = by_url.get(u.url) or by_url.get(u.raw)
        if st is None or st.ok:
            continue
        params: dict[str, ParamValue]
        if st.error == "http_error" and st.status is not None:
            code, params = "link.http_error", {"url": u.raw, "status": st.status}
        else:
            code, params = "link.unreachable", {"url": u.raw, "reason": st.error or "error"}
        out.append(Finding(CHECK, "warn", u.start, u.end, u.raw, code, params, None, field))
    return out
