"""Counting requests per source, in the shared cache (so every worker and host agrees).

A source is what a caller cannot change at will: the client's network address (read
behind ``TRUSTED_PROXY_COUNT`` proxies), an account, or both together. Windows are fixed
(the count resets at the end of each), which is coarse but cheap: one atomic increment.
"""

import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Rate:
    limit: int  # events allowed…
    seconds: int  # …per window of this length


def client_address(request) -> str | None:
    """The caller's address: the socket's, or the one the trusted proxies saw (None when
    neither is a valid address)."""
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if len(forwarded) >= hops and forwarded[-hops]:
            address = forwarded[-hops]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    # A dual-stack socket writes IPv4 clients as ::ffff:a.b.c.d: each is its own client.
    return str(getattr(ip, "ipv4_mapped", None) or ip)


def network_of(address: str | None) -> str:
    """The block one subscriber usually holds: an IPv4 address, an IPv6 /64."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    ip = getattr(ip, "ipv4_mapped", None) or ip
    return str(ip) if ip.version == 4 else str(ipaddress.ip_network(f"{ip}/64", strict=False))


def _key(scope: str, source: str, rate: Rate) -> str:
    window = int(time.time() // rate.seconds)
    return f"throttle:{scope}:{source}:{window}"


def hit(scope: str, source: str, rate: Rate) -> bool:
    """Count one event from ``source``; whether it is still within ``rate``."""
    key = _key(scope, source, rate)
    # The window's first event is one round trip to the cache, later ones two.
    if cache.add(key, 1, rate.seconds + 1):
        return rate.limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this is a new window's first event
        cache.add(key, 1, rate.seconds + 1)
        count = 1
    return count <= rate.limit


def exhausted(scope: str, source: str, rate: Rate) -> bool:
    """Whether ``source`` has used up ``rate`` in this window (without counting)."""
    return (cache.get(_key(scope, source, rate)) or 0) >= rate.limit
