"""The client's address, as throttles count it: the direct peer, or what trusted proxies say it was."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from fastapi import Request

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


def client_address(request: Request) -> str:
    """The peer's address; behind a TRUSTED_PROXIES proxy, the nearest X-Forwarded-For hop it did not add."""
    peer = request.client.host if request.client else UNKNOWN
    trusted = request.app.state.container.settings.trusted_proxies
    if not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for value in request.headers.getlist("x-forwarded-for") for hop in value.split(",")]
    # Read from the right: each trusted proxy appended the address it saw; anything further left of the
    # first untrusted hop was written by the client and proves nothing.
    nearest = peer
    for hop in reversed(hops):
        if not _is_address(hop):
            break
        nearest = hop
        if not _is_trusted(hop, trusted):
            break
    return nearest


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in trusted)
