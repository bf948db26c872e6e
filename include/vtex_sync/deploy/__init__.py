"""Deployment tooling: the Airflow settings loader and the CeleryExecutor process harness."""
