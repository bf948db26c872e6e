"""Alerts: task failures, quarantine growth and missed freshness deadlines, sent through the
Airflow connection ``vtex_alerts`` (a webhook or SMTP); nothing is sent when it is not defined."""
