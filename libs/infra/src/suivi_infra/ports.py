"""Ports for servers that tests and local stand-ins start."""

from __future__ import annotations

import random
import socket
from pathlib import Path

_TAKEN: set[int] = set()


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_port() -> int:
    """A free port for a server a test starts, OUTSIDE the kernel's ephemeral range: a port the
    OS hands out for port 0 is also what outgoing connections (Kafka clients…) get, so it can be
    taken between this check and the server binding it."""
    low, high = _ephemeral_range()
    candidates = [p for p in range(20000, 32000) if not low <= p <= high and p not in _TAKEN]
    for port in random.sample(candidates, len(candidates)):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _TAKEN.add(port)
        return port
    raise RuntimeError("no free port outside the ephemeral range")
