"""Where an alert goes: connection ``vtex_alerts``, a webhook (type ``http``) or SMTP (``smtp``).

Webhook: ``host`` is the URL (or ``schema://host:port`` plus extra ``endpoint``); the alert is
POSTed as JSON ``{"subject", "text", "fields"}``; other extras ``headers`` are sent as headers.
SMTP: ``host``/``port``/``login``/``password``, extra ``to`` (list or comma-separated), ``from``,
``starttls`` (default true when a login is set). Secrets are never logged.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from enum import StrEnum
from typing import Any

log = logging.getLogger(__name__)

ALERT_CONN_ID = "vtex_alerts"
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Alert:
    subject: str
    text: str
    fields: dict[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {"subject": self.subject, "text": self.text, "fields": self.fields}

    def body(self) -> str:
        lines = [self.text, ""] + [f"{name}: {value}" for name, value in self.fields.items()]
        return "\n".join(lines).strip() + "\n"


class Channel(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


class AlertConfigError(ValueError):
    """The alert connection cannot be used (names the connection and the missing piece)."""


def channel_of(conn: Any) -> Channel:
    kind = (conn.conn_type or "").lower()
    if kind in ("http", "https", "webhook"):
        return Channel.WEBHOOK
    if kind in ("smtp", "email"):
        return Channel.EMAIL
    raise AlertConfigError(
        f"connection {conn.conn_id!r}: type {conn.conn_type!r} is neither http (webhook) nor smtp"
    )


def load_connection(conn_id: str = ALERT_CONN_ID) -> Any | None:
    """The alert connection, or None when it is not defined (then no alert is sent)."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None


def webhook_url(conn: Any) -> str:
    host = conn.host or ""
    if not host:
        raise AlertConfigError(f"connection {conn.conn_id!r}: no host (the webhook URL)")
    if "://" not in host:
        host = f"{conn.schema or 'https'}://{host}" + (f":{conn.port}" if conn.port else "")
    return host.rstrip("/") + str(conn.extra_dejson.get("endpoint") or "")


def send(alert: Alert, conn: Any) -> Channel:
    """Deliver `alert` through `conn`; raises on a refused delivery."""
    channel = channel_of(conn)
    extra = conn.extra_dejson
    if channel is Channel.WEBHOOK:
        import requests

        headers = {str(k): str(v) for k, v in (extra.get("headers") or {}).items()}
        response = requests.post(
            webhook_url(conn), json=alert.payload(), headers=headers, timeout=TIMEOUT_SECONDS
        )
        if response.status_code >= 400:
            raise RuntimeError(
                f"alert webhook of connection {conn.conn_id!r} answered {response.status_code}"
            )
        return channel
    recipients = extra.get("to") or []
    if isinstance(recipients, str):
        recipients = [r.strip() for r in recipients.split(",") if r.strip()]
    if not recipients or not conn.host:
        raise AlertConfigError(f"connection {conn.conn_id!r}: SMTP alerts need a host and extra 'to'")
    message = EmailMessage()
    message["Subject"] = alert.subject
    message["From"] = extra.get("from") or conn.login or "vtex-integration@localhost"
    message["To"] = ", ".join(recipients)
    message.set_content(alert.body())
    with smtplib.SMTP(conn.host, conn.port or 25, timeout=TIMEOUT_SECONDS) as smtp:
        if extra.get("starttls", bool(conn.login)):
            smtp.starttls()
        if conn.login:
            smtp.login(conn.login, conn.password or "")
        smtp.send_message(message)
    return channel


def deliver(alert: Alert, conn_id: str = ALERT_CONN_ID) -> bool:
    """Send `alert` if the alert connection exists; False (and a log line) when it does not."""
    conn = load_connection(conn_id)
    if conn is None:
        log.info("no %r connection: alert %r not sent", conn_id, alert.subject)
        return False
    channel = send(alert, conn)
    log.info("alert %r sent by %s (connection %r)", alert.subject, channel, conn_id)
    return True
