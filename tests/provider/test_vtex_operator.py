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
    from vtex_provider.models.logistics import InventoryUpdate

    model = InventoryUpdate.model_validate({"quantity": 3})
    sent = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert server.requests[0].body == sent and sent["quantity"] == 3


def test_operator_arguments_are_templated():
    assert "arguments" in VtexOperator.template_fields


def test_dag_params_do_not_become_call_arguments(server, vtex_conn):
    from datetime import datetime

    from airflow.sdk import DAG

    server.reply(200, [])
    with DAG("p", schedule=None, start_date=datetime(2026, 1, 1), params={"dry_run": False}):
        op = VtexOperator(task_id="tp", api="catalog", method="list_trade_policies", vtex_conn_id=vtex_conn)
    assert op.arguments == {}
    assert op.execute(context={}) == []


@pytest.mark.parametrize(("api", "method"), [("nope", "get_feed"), ("oms", "_call"), ("oms", "missing")])
def test_operator_rejects_unknown_calls(api, method, vtex_conn):
    with pytest.raises(ValueError):
        VtexOperator(task_id="x", api=api, method=method, vtex_conn_id=vtex_conn).execute(context={})


def test_the_dags_params_never_become_the_methods_arguments():
    from datetime import datetime

    from airflow.sdk import DAG, Param

    with DAG("p", schedule=None, start_date=datetime(2026, 1, 1), params={"dry_run": Param(False)}):
        op = VtexOperator(task_id="check", api="catalog", method="list_trade_policies")
    assert op.arguments == {}
