"""File-drop order writes: a writer killed mid-write leaves exactly one copy; a torn line blocks nothing."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from pathlib import Path

import pytest

from tests.erp.test_erp_adapters import order
from vtex_sync.erp import FileErp
from vtex_sync.erp.errors import ErpSourceError


def _die_mid_write(folder: str, cut_after: int) -> None:
    """Write an order, but the process dies after `cut_after` bytes reached the disk."""
    real_open = open

    class Dying:
        def __init__(self, handle):
            self.handle = handle

        def __getattr__(self, name):
            return getattr(self.handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)

        def write(self, data):
            self.handle.write(data[:cut_after])
            self.handle.flush()
            os.fsync(self.handle.fileno())
            os.kill(os.getpid(), signal.SIGKILL)

    def dying_open(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        return Dying(handle) if "a" in mode and str(path).endswith("sales_orders.jsonl") else handle

    import vtex_sync.erp.files as files

    files.open = dying_open  # type: ignore[attr-defined]
    FileErp(folder).upsert_sales_order(*order("1100-02"))


@pytest.mark.parametrize("cut_after", [0, 40, 200])
def test_an_order_write_killed_midway_leaves_exactly_one_copy_after_the_retry(tmp_path: Path, cut_after):
    erp = FileErp(tmp_path)
    assert erp.upsert_sales_order(*order("1100-01"))
    context = multiprocessing.get_context("fork")
    child = context.Process(target=_die_mid_write, args=(str(tmp_path), cut_after))
    child.start()
    child.join(30)
    assert child.exitcode == -signal.SIGKILL
    assert erp.get_sales_order("1100-02") is None  # half an order is no order
    assert erp.get_sales_order("1100-01")["lines"][0]["quantity"] == 2  # the torn line blocks nothing

    assert erp.upsert_sales_order(*order("1100-02"))  # the retry
    assert not erp.upsert_sales_order(*order("1100-02"))
    assert erp.upsert_sales_order(*order("1100-03"))  # later orders go on
    text = (tmp_path / "outbound" / "sales_orders.jsonl").read_text()
    records = [json.loads(line) for line in text.splitlines()]
    assert [r["vtex_order_id"] for r in records] == ["1100-01", "1100-02", "1100-03"]
    stored = erp.get_sales_order("1100-02")
    assert [line["quantity"] for line in stored["lines"]] == [2, 1], "a line was doubled"
    assert stored["customer"]["city"] == "São Paulo"


def test_a_garbled_line_in_the_middle_is_skipped_not_fatal(tmp_path: Path):
    erp = FileErp(tmp_path)
    erp.upsert_sales_order(*order("1100-01"))
    path = tmp_path / "outbound" / "sales_orders.jsonl"
    path.write_text(path.read_text() + '{"vtex_order_id": "broken", \n')
    assert erp.upsert_sales_order(*order("1100-02"))
    assert erp.get_sales_order("1100-01") and erp.get_sales_order("1100-02")
    assert erp.set_order_status("1100-02", "invoiced")
    assert erp.get_sales_order("1100-02")["status"] == "invoiced"


def test_cancellation_request_killed_between_its_two_records_is_completed_by_the_retry(tmp_path: Path):
    erp = FileErp(tmp_path)
    erp.upsert_sales_order(*order("1100-01"))
    erp._append("order_status", [{"vtex_order_id": "1100-01", "status": "cancel_requested",
                                  "updated_at": "2024-01-01T00:00:00+00:00"}])  # then the crash
    assert erp.request_cancellation("1100-01", "changed my mind")
    assert not erp.request_cancellation("1100-01", "again")
    requests = (tmp_path / "outbound" / "cancellation_requests.jsonl").read_text().splitlines()
    assert len(requests) == 1


def test_encoding_and_delimiter_are_explicit_options(tmp_path: Path):
    (tmp_path / "brands.csv").write_bytes(
        "code;name;active;updated_at\nB1;Calçados;true;2024-01-01T00:00:00+00:00\n".encode("cp1252"))
    erp = FileErp(tmp_path, encoding="cp1252", delimiter=";")
    [[row]] = list(erp.read("brands"))
    assert row["name"] == "Calçados" and row.origin.row == 2
    with pytest.raises(ErpSourceError, match=r"brands\.csv.*';'.*delimiter"):
        list(FileErp(tmp_path, encoding="cp1252").read("brands"))
    with pytest.raises(ErpSourceError, match="unknown encoding"):
        FileErp(tmp_path, encoding="klingon")
    with pytest.raises(ErpSourceError, match="one character"):
        FileErp(tmp_path, delimiter=";;")
