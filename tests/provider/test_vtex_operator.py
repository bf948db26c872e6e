"""VtexOperator calls one client method and returns JSON-able data."""

from __future__ import annotations

import json

import pytest

from vtex_provider.operators.vtex import VtexOperator


def test_operator_returns_vtex_shaped_json(server, vtex_conn):
    server.reply(200, {"filter": {"type": "FromWorkflow"}, "queue": {"visibilityTimeoutInSeconds": 240}})
    op = VtexOperator(task_id="cfg", api="oms", method="get_feed_config", vtex_conn_id=vtex_conn)
    result = op.execute(context={})
    assert result["queue"]["visibilityTimeoutInSeconds"] == 240
    json.dumps(result)  # XCom-safe
    assert server.requests[0].path == "/api/orders/feed/config"


def test_operator_validates_dict_params_into_models(server, vtex_conn):
    server.reply(200, True)
    op = VtexOperator(
        task_id="stock",
        api="logistics",
        method="put_inventory",
        arguments={"sku_id": 70, "warehouse_id": "w1", "inventory": {"quantity": 3}},
        vtex_conn_id=vtex_conn,
    )
    assert op.execute(context={}) is None
    assert server.requests[0].body == {"quantity": 3, "unlimitedQuantity": False, "leadTime": "00:00:00"}


def test_operator_params_are_templated():
    assert "call_params" in VtexOperator.template_fields


@pytest.mark.parametrize(("api", "method"), [("nope", "get_feed"), ("oms", "_call"), ("oms", "missing")])
def test_operator_rejects_unknown_calls(api, method, vtex_conn):
    with pytest.raises(ValueError):
        VtexOperator(task_id="x", api=api, method=method, vtex_conn_id=vtex_conn).execute(context={})


def test_the_dags_params_never_become_the_methods_arguments():
    from datetime import datetime

    from airflow.sdk import DAG, Param

    with DAG("p", schedule=None, start_date=datetime(2026, 1, 1), params={"dry_run": Param(False)}):
        op = VtexOperator(task_id="check", api="catalog", method="list_trade_policies")
    assert op.call_params == {}
