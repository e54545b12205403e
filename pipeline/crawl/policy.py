"""The address policy (pipeline.crawl.addresses) inside Scrapy, in the spider process.

Two places enforce it, because Scrapy resolves names itself just before connecting: the resolver
(`PolicyResolver`, for names: the address checked is the one connected to, so a DNS answer cannot change
in between) and a downloader middleware (`AddressPolicyMiddleware`, for IP-literal URLs, which never reach a
resolver).
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from scrapy.resolver import CachingThreadedResolver, dnscache
from twisted.internet import defer, threads
from twisted.internet.error import DNSLookupError

from pipeline.crawl.addresses import SETTING, AddressPolicy, IPAddress, addresses, literal


class PolicyResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, but names are resolved (all their addresses) and checked here, and the address
    handed to the connection is the one checked: a second lookup could answer differently (DNS rebinding)."""

    def __init__(self, reactor: Any, cache_size: int, timeout: float, policy: AddressPolicy) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> Any:
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        policy = AddressPolicy.from_dict(settings.getdict(SETTING))
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"), policy)

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:
        if name.lower() in self.policy.site_hosts or literal(name) is not None or name in dnscache:
            return super().getHostByName(name, timeout)
        return threads.deferToThread(addresses, name).addCallback(self._checked, name)

    def _checked(self, found: list[IPAddress], name: str) -> Any:
        why = self.policy.refusal(name, found)
        v4 = [ip for ip in found if isinstance(ip, ipaddress.IPv4Address)]
        if why or not v4:
            return defer.fail(DNSLookupError(why or f"{name}: no IPv4 address"))
        if dnscache.limit:
            dnscache[name] = str(v4[0])
        return str(v4[0])


class AddressPolicyMiddleware:
    """Refuses requests to IP-literal hosts outside the policy (names are the resolver's job)."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Any) -> AddressPolicyMiddleware:
        return cls(AddressPolicy.from_dict(crawler.settings.getdict(SETTING)))

    def process_request(self, request: Any, spider: Any = None) -> None:
        from scrapy.exceptions import IgnoreRequest

        host = urlsplit(request.url).hostname or ""
        ip = literal(host)
        if ip is not None:
            why = self.policy.refusal(host, [ip])
            if why:
                raise IgnoreRequest(why)
