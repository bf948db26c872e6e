"""Alerts and where they go: the ``vtex_alerts`` connection, a webhook or SMTP; nothing is sent
when it is not defined. The Airflow notifiers and deadline callbacks that raise them live in
``vtex_sync.airflow`` (notifiers, deadlines)."""
