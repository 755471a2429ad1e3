"""The address of the client behind a request, believing proxies only when we were told to.

`X-Forwarded-For` is just a header: anyone can send one. It tells the truth only about the hops that
our own proxies appended, so it is read only when the direct peer (`REMOTE_ADDR`) is one of
`ACCORD_TRUSTED_PROXIES`, and then from the right: each trusted hop vouches for the address to its
left, and the first address that is not one of our proxies is the client. Whatever the client wrote
further left is never looked at.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as text, or None when even the direct peer is unreadable."""
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    proxies = trusted_proxies(tuple(settings.ACCORD_TRUSTED_PROXIES))
    address = peer
    if _is_trusted(address, proxies):
        hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        for hop in reversed(hops):
            parsed = parse_address(hop)
            if parsed is None:
                # A hop we cannot read ends the walk: the last address we could vouch for stands.
                break
            address = parsed
            if not _is_trusted(address, proxies):
                break
    return str(address)


def parse_address(text: str) -> Address | None:
    """An address from a header hop, allowing the `[v6]:port` and `v4:port` forms some proxies write."""
    text = text.strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A v4 client reaching a dual-stack socket shows up as ::ffff:a.b.c.d; count it as the v4 address.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def trusted_proxies(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """Parse the setting once per distinct value (settings.py has already refused a malformed one)."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _is_trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)
