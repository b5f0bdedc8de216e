"""The GraphiQL page at GET /graphql and the assets it loads, all served by Docket.

The page loads one script and one stylesheet built from pinned npm packages
(api/graphiql-ide, see its README) and committed there: no CDN, nothing that
another origin could change, and a Content-Security-Policy that lets the page run
only what came from this origin. That matters on the one page where admins paste
a bearer token.

Assets are read once, hashed (sha384, the page's `integrity` attributes) and
served under a name that carries the hash, so browsers may cache them for a year:
a new build gets new URLs.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

ASSET_DIR = Path(__file__).resolve().parent / "graphiql-ide" / "dist"
ASSET_PATH = "/graphiql/assets"
_SERVED = {
    "graphiql.js": "text/javascript; charset=utf-8",
    "graphiql.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
_A_YEAR = "public, max-age=31536000, immutable"
# A Host header fit to name in the policy (a hostname or [IPv6], and a port).
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")


@dataclass(frozen=True)
class Asset:
    """One built file, as served: its bytes, type and hash-carrying name."""

    name: str
    content: bytes
    media_type: str

    @property
    def integrity(self) -> str:
        digest = hashlib.sha384(self.content).digest()
        return "sha384-" + base64.b64encode(digest).decode()

    @property
    def served_name(self) -> str:
        """`graphiql.<first 16 hex of sha256>.js`: the URL changes with the content."""
        stem, dot, suffix = self.name.rpartition(".")
        return f"{stem}.{hashlib.sha256(self.content).hexdigest()[:16]}{dot}{suffix}"

    @property
    def url(self) -> str:
        # Relative to /graphql, so the page also works behind a path prefix.
        return f"{ASSET_PATH.lstrip('/')}/{self.served_name}"


@cache
def assets() -> dict[str, Asset]:
    """The built assets by their plain name; read from disk once per process."""
    found = {}
    for name, media_type in _SERVED.items():
        path = ASSET_DIR / name
        if not path.is_file():
            raise RuntimeError(
                f"GraphiQL asset {path} is missing: build it (api/graphiql-ide/README.md)"
            )
        found[name] = Asset(name, path.read_bytes(), media_type)
    return found


@cache
def _by_served_name() -> dict[str, Asset]:
    return {asset.served_name: asset for asset in assets().values()}


@cache
def page_html() -> str:
    """The page: references to the assets with their integrity, and nothing inline."""
    found = assets()
    script, style, icon = found["graphiql.js"], found["graphiql.css"], found["favicon.svg"]
    attr = html.escape
    return f"""<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>Docket GraphiQL</title>
    <link rel="icon" type="image/svg+xml" href="{attr(icon.url)}">
    <link rel="stylesheet" href="{attr(style.url)}" integrity="{attr(style.integrity)}">
    <script defer src="{attr(script.url)}" integrity="{attr(script.integrity)}"></script>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
  </body>
</html>
"""


def content_security_policy(request: Request) -> str:
    """Only this origin: scripts and styles from its files, requests to itself.

    connect-src names the socket origin as well as 'self': older browsers do not
    count ws(s):// of the same host as 'self'. Fonts and a few icons of GraphiQL's
    stylesheet are data: URLs inside that (integrity-checked) stylesheet.
    """
    host = request.headers.get("host", "")
    sockets = f" ws://{host} wss://{host}" if _HOST.match(host) else ""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            f"connect-src 'self'{sockets}",
            "worker-src 'none'",
            "manifest-src 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


def page_response(request: Request) -> Response:
    """The GraphiQL page with its security headers (never cached: assets change names)."""
    return HTMLResponse(
        page_html(),
        headers={
            "content-security-policy": content_security_policy(request),
            "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer",
            "x-frame-options": "DENY",
            "cache-control": "no-cache",
        },
    )


async def serve_asset(request: Request) -> Response:
    """GET /graphiql/assets/<name>: only the built files, under their hashed names."""
    asset = _by_served_name().get(request.path_params["name"])
    if asset is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    return Response(
        asset.content,
        media_type=asset.media_type,
        headers={
            "cache-control": _A_YEAR,
            "x-content-type-options": "nosniff",
            "cross-origin-resource-policy": "same-origin",
        },
    )


def routes() -> list[Route]:
    """The asset route, with the assets read now: a checkout without them fails at
    start-up rather than on the first visit."""
    assets()
    return [Route(ASSET_PATH + "/{name}", serve_asset, methods=["GET", "HEAD"])]
