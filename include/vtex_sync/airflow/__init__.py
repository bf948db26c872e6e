"""The middleware's Airflow glue: connection factories, task callables, the DAG builders and the
sync-step operator. Everything else in ``vtex_sync`` is plain Python and imports without Airflow."""
