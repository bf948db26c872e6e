"""Batches read only their slice: the ERP rows read do not grow with the number of batches."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from vtex_demo.generator import generate, load_into
from vtex_sync.erp import erp_from_url
from vtex_sync.erp.validation import row_key
from vtex_sync.flows.runner import Batch, read_table


class Counting:
    """An ERP adapter that counts the rows it hands out."""

    def __init__(self, erp):
        self.erp, self.rows = erp, 0

    def read(self, table, **kwargs):
        for chunk in self.erp.read(table, **kwargs):
            self.rows += len(chunk)
            yield chunk

    def __getattr__(self, name):
        return getattr(self.erp, name)


def batches(erp, table: str, count: int) -> list[Batch]:
    cuts = erp.key_bounds(table, count)
    edges = [None, *cuts, None]
    return [Batch(i, len(cuts) + 1, edges[i], edges[i + 1]) for i in range(len(cuts) + 1)]


@pytest.fixture(params=["sql", "parquet", "csv"])
def erp(request, tmp_path):
    data = {k: v for k, v in generate("demo").items() if k in ("stock", "prices", "fixed_prices")}
    if request.param == "sql":
        url = f"sqlite:///{tmp_path / 'erp.db'}"
        load_into(url, data)
        return erp_from_url(url)
    from vtex_sync.erp.files import write_drop

    write_drop(tmp_path, data, file_format=request.param)
    return erp_from_url(tmp_path, file_format=request.param)


@pytest.mark.parametrize("count", [1, 7, 40])
def test_batches_cover_the_table_once_and_read_only_their_slice(erp, count):
    counting = Counting(erp)
    ctx = SimpleNamespace(erp=counting)
    total = erp.count("stock")
    seen: list[str] = []
    for batch in batches(erp, "stock", count):
        seen += [row_key("stock", r) for r in read_table(ctx, "stock", batch=batch)]
    assert sorted(seen) == sorted(set(seen)) and len(seen) == total  # every row, in one batch only
    if erp.__class__.__name__ == "SqlErp":
        assert counting.rows == total  # nothing read twice, whatever the batch count


def test_a_skus_fixed_prices_fall_in_the_batch_of_its_price(erp):
    ctx = SimpleNamespace(erp=erp)
    for batch in batches(erp, "prices", 5):
        skus = {r["sku_ref_id"] for r in read_table(ctx, "prices", batch=batch)}
        fixed = {r["sku_ref_id"] for r in read_table(ctx, "fixed_prices", batch=batch)}
        assert fixed <= skus
