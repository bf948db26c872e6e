"""The first task of a loading DAG: one cheap VTEX read, so wrong credentials stop the run at once."""

from __future__ import annotations

from typing import Any

from vtex_provider.operators.vtex import VtexOperator


class VtexCheckOperator(VtexOperator):
    """A `VtexOperator` whose refused credentials stop the run with one line naming the connection."""

    def execute(self, context: Any) -> Any:
        from vtex_sync.airflow.stops import expected_stops

        with expected_stops():
            return super().execute(context)
