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


def test_a_csv_batch_parses_only_the_blocks_of_its_slice(tmp_path, monkeypatch):
    """A CSV file sorted by its key: the batches together parse the file about once (blocks of
    `csv_blocks.BLOCK_ROWS` rows), where each used to parse it whole."""
    from vtex_sync.erp import csv_blocks
    from vtex_sync.erp.file_reader import CsvTable
    from vtex_sync.erp.files import write_drop

    write_drop(tmp_path, {"stock": generate("demo")["stock"]}, file_format="csv")
    erp = erp_from_url(tmp_path, file_format="csv")
    total = erp.count("stock")
    parsed = {"rows": 0}
    row = CsvTable._row

    def counted(self, *args):
        parsed["rows"] += 1
        return row(self, *args)

    monkeypatch.setattr(CsvTable, "_row", counted)
    for count in (7, 40):
        plan = batches(erp, "stock", count)  # the batch plan reads the whole file once
        parsed["rows"] = 0
        ctx = SimpleNamespace(erp=erp)
        seen = [row_key("stock", r) for b in plan for r in read_table(ctx, "stock", batch=b)]
        assert sorted(seen) == sorted(set(seen)) and len(seen) == total
        assert parsed["rows"] <= total + 2 * csv_blocks.BLOCK_ROWS * count, (count, parsed["rows"])
    assert (tmp_path / csv_blocks.FOLDER / "stock.json").exists()  # cut once, kept for every batch


def test_a_csv_file_whose_quotes_do_not_balance_is_read_whole(tmp_path):
    from vtex_sync.erp import csv_blocks

    path = tmp_path / "stock.csv"
    path.write_text('sku_ref_id,warehouse_code,quantity\nA,W,1\n"B,W,2\nC,W,3\n')
    assert csv_blocks.blocks(path, "stock", "sku_ref_id", encoding="utf-8", delimiter=",") is None
    path.write_text('sku_ref_id,warehouse_code,quantity\nA,W,1\n"B\nB",W,2\nC,W,3\n')
    (block,) = csv_blocks.blocks(path, "stock", "sku_ref_id", encoding="utf-8", delimiter=",")
    assert (block.rows, block.low, block.high, block.line) == (3, "A", "C", 2)
