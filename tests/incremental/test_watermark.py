"""No change lost between runs: scheduled runs read from the last point synced, backfills their interval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from tests.incremental.conftest import ACCOUNT, Shop
from vtex_sync.airflow.sync_tasks import run_sync
from vtex_sync.airflow.tasks import advance_watermark, interval_window, run_step
from vtex_sync.flows.watermark import RunKind, run_kind
from vtex_sync.steps import CUSTOMER_STEPS

UP_TO = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # the last scheduled runs before the outage end here
DOWN_AT = UP_TO + timedelta(minutes=12)  # a change made while Airflow is down (10:00-10:30)
BACK = UP_TO + timedelta(minutes=30)
MINUTES = {"prices": 5, "inventory": 2, "catalog": 15}  # the DAGs' schedules


def scheduled(flow: str, end: datetime, kind: RunKind = RunKind.SCHEDULED) -> dict:
    return run_sync(flow, {}, start=end - timedelta(minutes=MINUTES[flow]), end=end, kind=kind)


def test_a_change_made_during_a_30_minute_downtime_is_synced_by_the_next_scheduled_run(shop: Shop) -> None:
    for flow in MINUTES:
        scheduled(flow, UP_TO)
    price, stock = shop.all_rows("prices")[3], shop.all_rows("stock")[5]
    product = shop.all_rows("products")[1]
    shop.change("prices", [price], DOWN_AT, base_price=Decimal("321.09"))
    shop.change("stock", [stock], DOWN_AT, quantity=654)
    shop.change("products", [product], DOWN_AT, name=f"{product['name']} (changed while down)")
    ids = shop.sku_ids()

    # catchup is off: the first runs after the outage are those of the latest intervals only
    summaries = {flow: scheduled(flow, BACK + timedelta(minutes=n)) for flow, n in MINUTES.items()}

    after = shop.export()
    assert {p["itemId"]: p["basePrice"] for p in after["prices"]}[ids[price["sku_ref_id"]]] == 321.09
    levels = {(i["skuId"], i["warehouseId"]): i["quantity"] for i in after["inventory"]}
    assert levels[(ids[stock["sku_ref_id"]], stock["warehouse_code"])] == 654
    names = {p["RefId"]: p["Name"] for p in after["products"]}
    assert names[product["ref_id"]].endswith("(changed while down)")
    for flow, summary in summaries.items():  # each read from its watermark minus the 5-minute overlap
        assert summary["window"][0] == (UP_TO - timedelta(minutes=5)).isoformat(), flow
        assert shop.state.get_watermark(ACCOUNT, flow) == BACK + timedelta(minutes=MINUTES[flow])


def test_a_backfill_reads_exactly_its_interval_and_leaves_the_watermark(shop: Shop) -> None:
    scheduled("prices", BACK)
    old = shop.all_rows("prices")[0]
    shop.change("prices", [old], UP_TO - timedelta(hours=2, minutes=3), base_price=Decimal("12.34"))
    end = UP_TO - timedelta(hours=2)
    summary = scheduled("prices", end, kind=RunKind.BACKFILL)
    assert summary["window"] == [(end - timedelta(minutes=5)).isoformat(), end.isoformat()]
    prices = {p["itemId"]: p["basePrice"] for p in shop.export()["prices"]}
    assert prices[shop.sku_ids()[old["sku_ref_id"]]] == 12.34
    assert shop.state.get_watermark(ACCOUNT, "prices") == BACK


def hourly_run(start: datetime) -> dict:
    """The task context of a scheduled `vtex_customers_import` run of the hour from `start`."""
    return {"data_interval_start": start, "data_interval_end": start + timedelta(hours=1),
            "dag_run": SimpleNamespace(run_type="scheduled")}


def import_customers(context: dict) -> dict[str, dict]:
    """What a run of the DAG does: every step over one window, then the watermark moves."""
    start, end, kind = context["data_interval_start"], context["data_interval_end"], run_kind(context)
    window = interval_window(start, end, {}, watermark_of="customers", kind=kind)
    results = {s.name: run_step(s.name, {}, window=window) for s in CUSTOMER_STEPS}
    advance_watermark("customers", end, {}, kind)
    return results


def phones(shop: Shop) -> dict[str, str]:
    docs = shop.export()["documents"]
    return {d["email"]: d.get("phone") for d in docs if d["dataEntityId"] == "CL"}


def test_the_customers_dag_imports_every_change_of_its_hour_and_of_a_paused_hour(shop: Shop) -> None:
    for step in CUSTOMER_STEPS:
        run_step(step.name, {"full": True})
    import_customers(hourly_run(UP_TO - timedelta(hours=2)))  # 08:00-09:00; paused 09:00-10:00
    first, second, third = shop.all_rows("customers")[:3]
    shop.change("customers", [first], UP_TO - timedelta(minutes=40), phone="+5521987654321")  # paused hour
    shop.change("customers", [second], UP_TO + timedelta(minutes=7), phone="+5521987654322")
    shop.change("customers", [third], UP_TO + timedelta(minutes=48), phone="+5521987654323")

    results = import_customers(hourly_run(UP_TO))  # 10:00-11:00

    assert results["customers"]["counts"].get("updated") == 3, results["customers"]
    got = phones(shop)
    assert [got[c["email"]] for c in (first, second, third)] == [
        "+5521987654321", "+5521987654322", "+5521987654323"]
    assert shop.state.get_watermark(ACCOUNT, "customers") == UP_TO + timedelta(hours=1)


def test_the_customers_dag_has_an_hourly_data_interval() -> None:
    from airflow.dag_processing.dagbag import DagBag

    dags = Path(__file__).resolve().parents[2] / "dags" / "vtex_customers_import.py"
    dag = DagBag(dag_folder=str(dags)).dags["vtex_customers_import"]
    from airflow.timetables.interval import CronDataIntervalTimetable

    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable"  # not a zero-length trigger
    core = CronDataIntervalTimetable(dag.timetable.expression, "UTC")  # what the scheduler runs
    import pendulum

    interval = core.infer_manual_data_interval(run_after=pendulum.instance(UP_TO + timedelta(minutes=30)))
    assert interval.end - interval.start == timedelta(hours=1)


def test_a_run_triggered_without_a_logical_date_reads_from_the_watermark_to_now(shop: Shop) -> None:
    scheduled("prices", UP_TO)
    price = shop.all_rows("prices")[2]
    shop.change("prices", [price], BACK, base_price=Decimal("45.67"))
    before = datetime.now(UTC)
    summary = run_sync("prices", {}, start=None, end=None, kind=RunKind.MANUAL)  # no data interval
    since, until = (datetime.fromisoformat(edge) for edge in summary["window"])
    assert since == UP_TO - timedelta(minutes=5) and until >= before
    prices = {p["itemId"]: p["basePrice"] for p in shop.export()["prices"]}
    assert prices[shop.sku_ids()[price["sku_ref_id"]]] == 45.67
