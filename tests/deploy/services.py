"""The local services the production-shape tests run on (PostgreSQL and Redis on loopback)."""

from __future__ import annotations

import socket

ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


def listening(port: int) -> bool:
    """True when something accepts connections on 127.0.0.1:`port`."""
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def missing_services() -> list[str]:
    """The services of the production shape not listening (PostgreSQL, Redis)."""
    return [name for name, port in (("PostgreSQL", 5432), ("Redis", 6379)) if not listening(port)]
