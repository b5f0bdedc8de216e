"""The GraphiQL page is Docket's own: same-origin assets with integrity hashes, a
strict Content-Security-Policy, no CDN. (tests/clients/test_graphiql_browser.py
runs it in Chromium.)"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from api.app import build_app
from api.settings import load_settings

BROWSER = {"accept": "text/html,application/xhtml+xml"}


class Page(HTMLParser):
    """The page's elements with their attributes, and any text inside scripts or styles."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.inline_code: list[str] = []
        self._inside: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        self._inside = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag: str) -> None:
        self._inside = None

    def handle_data(self, data: str) -> None:
        if self._inside and data.strip():
            self.inline_code.append(data)

    def urls(self) -> list[str]:
        return [
            attrs[name]
            for _, attrs in self.elements
            for name in ("src", "href", "action", "srcset", "data")
            if name in attrs
        ]

    def with_integrity(self) -> dict[str, tuple[str, str]]:
        """tag -> (url, integrity) of the elements carrying an integrity attribute."""
        return {
            tag: (attrs.get("src") or attrs["href"], attrs["integrity"])
            for tag, attrs in self.elements
            if "integrity" in attrs
        }


async def _page(http: httpx.AsyncClient) -> tuple[httpx.Response, Page]:
    response = await http.get("/graphql", headers=BROWSER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response, Page(response.text)


def _directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


async def test_the_page_loads_only_assets_of_its_own_origin(http: httpx.AsyncClient) -> None:
    # when a browser opens the explorer
    response, page = await _page(http)
    # then it names no other host, runs no inline code, and each URL is Docket's
    text = response.text.lower()
    for outside in ("unpkg", "jsdelivr", "cdnjs", "googleapis", "http://", "https://", "//"):
        assert outside not in text, outside
    assert page.inline_code == []
    assert all(
        not name.startswith("on") and name != "style"
        for _, attrs in page.elements
        for name in attrs
    )
    page_url = str(response.url)
    for url in page.urls():
        resolved = urlsplit(urljoin(page_url, url))
        assert (resolved.scheme, resolved.netloc) == (urlsplit(page_url)[:2]), url
        assert resolved.path.startswith("/graphiql/assets/"), url
    assert {tag for tag, _ in page.elements if tag in ("script", "link")} == {"script", "link"}


async def test_every_asset_is_served_with_the_hash_its_integrity_states(
    http: httpx.AsyncClient,
) -> None:
    # given the page's script and stylesheet, each with an integrity attribute
    response, page = await _page(http)
    pinned = page.with_integrity()
    assert set(pinned) == {"script", "link"}
    for tag, (url, integrity) in pinned.items():
        # when the browser fetches it
        asset = await http.get(urljoin(str(response.url), url))
        # then its bytes have that sha384, with a type that cannot be sniffed otherwise
        assert asset.status_code == 200, url
        digest = base64.b64encode(hashlib.sha384(asset.content).digest()).decode()
        assert integrity == f"sha384-{digest}", url
        expected_type = "text/javascript" if tag == "script" else "text/css"
        assert asset.headers["content-type"].startswith(expected_type), url
        assert asset.headers["x-content-type-options"] == "nosniff"
        # and a browser may keep it a year: its URL changes with its content
        cache = asset.headers["cache-control"]
        assert "max-age=31536000" in cache and "immutable" in cache
        assert hashlib.sha256(asset.content).hexdigest()[:16] in url


async def test_the_page_has_a_strict_content_security_policy(http: httpx.AsyncClient) -> None:
    # when the page is served
    response, _ = await _page(http)
    # then the page may run, style and reach nothing but its own origin
    policy = _directives(response.headers["content-security-policy"])
    host = urlsplit(str(response.url)).netloc
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'", f"ws://{host}", f"wss://{host}"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["font-src"] == ["'self'", "data:"]
    assert policy["worker-src"] == ["'none'"]
    for locked in ("frame-ancestors", "base-uri", "object-src", "form-action"):
        assert policy[locked] == ["'none'"], locked
    everything = " ".join(value for values in policy.values() for value in values)
    for loose in ("unsafe-inline", "unsafe-eval", "*", "http:", "https:", "blob:"):
        assert loose not in everything.split(), loose
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"


async def test_a_forged_host_header_is_kept_out_of_the_policy(http: httpx.AsyncClient) -> None:
    # when the Host header tries to add a source to connect-src
    response = await http.get("/graphql", headers={**BROWSER, "host": "evil.example; script-src *"})
    # then the policy names no socket origin at all, only 'self'
    policy = _directives(response.headers["content-security-policy"])
    assert policy["connect-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]


async def test_only_the_built_assets_are_served(http: httpx.AsyncClient) -> None:
    # when anything but a current asset's hashed name is asked for
    names = [
        "graphiql.js",
        "graphiql.0000000000000000.js",
        "THIRD-PARTY-NOTICES.txt",
        "..%2F..%2Fsettings.py",
        "%2e%2e%2fgraphiql.py",
    ]
    responses = [await http.get(f"/graphiql/assets/{name}") for name in names]
    # then nothing is found
    assert [response.status_code for response in responses] == [404] * len(names)


async def test_without_graphiql_no_asset_is_served(tmp_path: Path) -> None:
    # given a process with GraphiQL off (production's default)
    settings = load_settings(
        var_dir=tmp_path, graphiql=False, secret_key="k" * 32, database_url="sqlite://:memory:"
    )
    app = build_app(settings, configure_logs=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://docket.test"
    ) as client:
        # when a browser asks for the page and for an asset
        page = await client.get("/graphql", headers=BROWSER)
        asset = await client.get("/graphiql/assets/graphiql.js")
    # then neither exists
    assert "graphiql" not in page.text.lower()
    assert asset.status_code == 404
