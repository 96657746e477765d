"""Whether the people in the room can reach a page's address. Pure Python.

A server listening on a loopback address (``codev serve``'s default, 127.0.0.1) answers this
machine alone: its links open on the facilitator's computer and nowhere else, and a phone
that scans its QR code finds nothing. The console and ``codev serve`` say so in one line.

>>> loopback_host("http://127.0.0.1:8866/participant.ipynb?session=S")
'127.0.0.1'
>>> loopback_host("http://10.0.0.5:8866/participant.ipynb") is None
True
>>> loopback_host("participant.ipynb?session=S") is None  # relative: wherever the page is
True
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

__all__ = ["ROOM_COMMAND", "loopback_host"]

# How to serve the room instead: every interface, the links then name the machine's address.
ROOM_COMMAND = "codev serve --ip 0.0.0.0"


def loopback_host(url: str) -> str | None:
    """The host of ``url`` when only this machine reaches it (127.0.0.0/8, ::1, localhost),
    else None (another host, or a relative link)."""
    try:
        host = urlsplit(url).hostname
    except ValueError:  # a malformed address (an unclosed "[" of IPv6): nothing to say
        return None
    if not host:
        return None
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761: always loopback
        return host
    try:
        return host if ipaddress.ip_address(host).is_loopback else None
    except ValueError:  # a name: reachable or not, only the network knows
        return None
