"""The host name Airflow records on task instances: the worker's name when it has one.

Set `[core] hostname_callable = vtex_sync.deploy.hostname.worker_hostname` on a worker and
`VTEX_WORKER_NAME` in its environment to tell apart workers that share one machine (each
container has its own host name already, so production needs neither).
"""

from __future__ import annotations

import os
import socket


def worker_hostname() -> str:
    """`VTEX_WORKER_NAME` when set, else the machine's fully qualified name."""
    return os.environ.get("VTEX_WORKER_NAME") or socket.getfqdn()
