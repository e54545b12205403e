"""Which addresses the crawl may connect to: the audited site, the public internet, nothing else.

A page (or a redirect, a robots.txt Sitemap line, an og:image) can point the crawler at
`http://169.254.169.254/` — a cloud's metadata service — or at the admin panel of a router on the private
network the crawl runs in. So every outbound request is checked: its host is resolved and *every* address it
has must be public, unless the site itself lives in that kind of network (a preview on 127.0.0.1, an intranet
site on 10.x): then that kind is allowed too, and nothing more. pipeline.crawl.policy enforces this inside
Scrapy; this module has no Scrapy import, so the parent process can use it too.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SETTING = "PIPELINE_ADDRESS_POLICY"


def kind_of(ip: IPAddress) -> str:
    """public | loopback | link-local | private | other (multicast, reserved, unspecified)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved:
        return "other"
    if ip.is_private or not ip.is_global:
        return "private"  # RFC 1918, unique-local, carrier-grade NAT, documentation ranges
    return "public"


def literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def addresses(host: str) -> list[IPAddress]:
    """Every address `host` resolves to (an IP literal is its own); empty when it does not resolve."""
    lit = literal(host)
    if lit is not None:
        return [lit]
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    out: list[IPAddress] = []
    for info in infos:
        ip = literal(str(info[4][0]))
        if ip is not None and ip not in out:
            out.append(ip)
    return out


REFUSED = "the crawl only connects to the site and to public addresses"  # in every refusal's text


@dataclass(frozen=True)
class AddressPolicy:
    site_hosts: frozenset[str]  # the audited site (and crawl.extra_hosts): always allowed
    allowed: frozenset[str]  # address kinds any other host may have

    @classmethod
    def for_site(cls, crawl_base: str, extra_hosts: Iterable[str] = ()) -> AddressPolicy:
        host = (urlsplit(crawl_base).hostname or "").lower()
        kinds = {kind_of(ip) for ip in addresses(host)} if host else set()
        return cls(frozenset({host, *(h.lower() for h in extra_hosts)}), frozenset({"public", *kinds}))

    def to_dict(self) -> dict[str, Any]:
        return {"site_hosts": sorted(self.site_hosts), "allowed": sorted(self.allowed)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AddressPolicy:
        return cls(frozenset(data["site_hosts"]), frozenset(data["allowed"]))

    def refusal(self, host: str, found: list[IPAddress] | None = None) -> str | None:
        """Why a connection to `host` is refused, or None when it may go ahead."""
        host = host.lower().strip("[]")
        if host in self.site_hosts:
            return None
        for ip in addresses(host) if found is None else found:
            kind = kind_of(ip)
            if kind not in self.allowed:
                return f"refused: {host} resolves to {ip}, a {kind} address ({REFUSED})"
        return None
