"""Where a webhook may go: URL rules, and the addresses it may reach (SSRF defence).

Checked when an endpoint is saved and again before every attempt, after DNS
resolution: every address a name resolves to must pass, and the sender connects
to one of those checked addresses (never re-resolving, never following a
redirect). Public addresses pass. Loopback, link-local, private (RFC 1918,
fc00::/7, 100.64.0.0/10) and reserved addresses pass only inside a network the
operator lists in WEBHOOK_ALLOWED_NETWORKS. Unspecified, multicast and cloud
metadata addresses never pass. IPv4 addresses carried inside IPv6 ones
(::ffff:a.b.c.d, 6to4, NAT64) are judged as the IPv4 address too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from models.errors import DomainError, ErrorCode
from models.webhooks.tables import URL_LENGTH

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254")
)
PRIVATE = tuple(
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
RESOLVE_TIMEOUT = 5.0


@dataclass(frozen=True)
class AddressPolicy:
    """The operator's rules (from settings): networks allowed beyond the public
    Internet, and whether only https may be called (production)."""

    allowed_networks: tuple[Network, ...] = ()
    https_only: bool = False

    @classmethod
    def of(cls, networks: Iterable[str], https_only: bool) -> AddressPolicy:
        allowed = tuple(ipaddress.ip_network(n, strict=False) for n in networks)
        return cls(allowed_networks=allowed, https_only=https_only)


class AddressRefused(Exception):
    """A delivery may not go to this URL or address; the message says why."""


class ResolutionFailed(Exception):
    """The host name did not resolve (now): worth another attempt later."""


def _embedded(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found = [v4 for v4 in (ip.ipv4_mapped, ip.sixtofour) if v4 is not None]
    if ip in NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _judge(ip: IPAddress, policy: AddressPolicy) -> str | None:
    if ip in METADATA:
        return "a cloud metadata address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_multicast:
        return "a multicast address"
    if any(ip in network for network in policy.allowed_networks):
        return None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if any(ip in network for network in PRIVATE):
        return "a private address (an operator may allow it in WEBHOOK_ALLOWED_NETWORKS)"
    if not ip.is_global:
        return "a reserved address"
    return None


def refusal(address: str | IPAddress, policy: AddressPolicy) -> str | None:
    """Why a webhook may not connect to `address`, or None when it may."""
    ip = ipaddress.ip_address(address)
    mapped = isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None
    judged = _embedded(ip) if mapped else [ip, *_embedded(ip)]
    for candidate in judged:
        reason = _judge(candidate, policy)
        if reason is not None:
            return reason
    return None


def ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _bad(message: str, code: ErrorCode = ErrorCode.URL_NOT_ALLOWED) -> DomainError:
    return DomainError(code, message, "url")


def clean_url(value: str, policy: AddressPolicy) -> str:
    """The URL as stored, if its form is one a webhook may call (no DNS here)."""
    url = value.strip()
    if not url:
        raise _bad("url must not be blank.", ErrorCode.REQUIRED)
    if len(url) > URL_LENGTH:
        raise _bad(f"url must be at most {URL_LENGTH} characters.", ErrorCode.TOO_LONG)
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise _bad("url must not contain spaces or control characters.", ErrorCode.INVALID)
    parts = split(url)
    if policy.https_only and parts.scheme != "https":
        raise _bad("Webhook URLs must use https in production.")
    literal = ip_literal(parts.hostname or "")
    if literal is not None and (reason := refusal(literal, policy)) is not None:
        raise _bad(f"{literal} is {reason}: webhooks may not call it.")
    return url


def split(url: str) -> SplitResult:
    """The parts of an http(s) URL with a host; DomainError for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _bad("This is not a valid URL.", ErrorCode.INVALID) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise _bad("Give an http:// or https:// URL with a host name.", ErrorCode.INVALID)
    if parts.username is not None or parts.password is not None:
        raise _bad(
            "Credentials in the URL are not taken: receivers check the signature instead.",
            ErrorCode.INVALID,
        )
    if port == 0:
        raise _bad("This is not a valid URL.", ErrorCode.INVALID)
    return parts


def default_port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal: itself)."""
    literal = ip_literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    async with asyncio.timeout(RESOLVE_TIMEOUT):
        infos = await loop.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if ip not in found:
            found.append(ip)
    return found


async def checked_addresses(url: str, policy: AddressPolicy) -> tuple[SplitResult, list[IPAddress]]:
    """The URL's parts and its host's addresses, all allowed; AddressRefused when one
    is not (or the URL is not allowed), ResolutionFailed when the name does not resolve."""
    try:
        parts = split(clean_url(url, policy))
    except DomainError as error:
        raise AddressRefused(error.message) from None
    host = parts.hostname or ""
    try:
        found = await resolve(host, default_port(parts))
    except (OSError, TimeoutError, UnicodeError) as error:
        raise ResolutionFailed(f"{host} could not be resolved: {error or 'timed out'}") from None
    if not found:
        raise ResolutionFailed(f"{host} resolves to no address.")
    for ip in found:
        reason = refusal(ip, policy)
        if reason is not None:
            raise AddressRefused(f"{host} resolves to {ip}, {reason}: webhooks may not call it.")
    return parts, found


async def check_resolved(url: str, policy: AddressPolicy) -> None:
    """On save: refuse a host that resolves to a forbidden address now. A name that
    does not resolve yet is accepted (every delivery checks again)."""
    parts = split(url)
    host = parts.hostname or ""
    try:
        found = await resolve(host, default_port(parts))
    except (OSError, TimeoutError, UnicodeError):
        return
    for ip in found:
        reason = refusal(ip, policy)
        if reason is not None:
            raise _bad(f"{host} resolves to {ip}, {reason}: webhooks may not call it.")
