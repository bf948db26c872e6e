"""The malformed-file corpus, end to end: bad drops (CSV and Parquet) and bad SQLite cells run
through every initial-setup step against the VTEX sandbox over HTTP.

For each case: no step crashes (a file that cannot be read as a whole fails its steps with a
clear error naming file and column, before any write), every bad row is quarantined naming its
file, row, column, raw value and rule, and what VTEX holds afterwards is exactly what the good
rows say: a bad row leaves its record as it was, and a good change beside it still lands.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from tests.contract import contract_knobs
from tests.erp.corpus import Expect, TextRow, as_text, replace_line, write_text_drop
from tests.setup.expected import expected_view, vtex_view
from vtex_demo.generator import generate, load_into
from vtex_sandbox.config import SandboxConfig
from vtex_sandbox.server import SandboxServer, auth_headers
from vtex_sync.erp import SqlErp
from vtex_sync.erp.errors import ErpSourceError
from vtex_sync.erp.schema import table as staging_table
from vtex_sync.state import StateStore
from vtex_sync.steps import STEPS

ACCOUNT = "corpusshop"
APP_KEY, APP_TOKEN = "vtexappkey-corpus", "corpus-token-not-logged"
Truth = dict[str, list[dict[str, Any]]]
Text = dict[str, list[TextRow]]


@dataclass
class Env:
    folder: Path
    state_url: str
    admin: httpx.Client
    monkeypatch: pytest.MonkeyPatch

    def erp(self, extra: dict[str, Any]) -> None:
        connection = {"conn_type": "generic", "extra": extra}
        self.monkeypatch.setenv("AIRFLOW_CONN_ERP_DEFAULT", json.dumps(connection))

    def writes(self) -> int:
        stats = self.admin.get("/_sandbox/stats").json()
        return sum(r["count"] for r in stats["by_route"] if r["method"] != "GET")

    def run(self) -> dict[str, BaseException]:
        """Every step, as the DAG runs them; returns the steps that raised, with their error."""
        from vtex_sync.airflow.tasks import plan_batches, run_step

        errors: dict[str, BaseException] = {}
        for step in STEPS:
            before = self.writes()
            try:
                for batch in plan_batches(step.name, {}) if step.batched else [None]:
                    result = run_step(step.name, {}, batch=batch)
                    assert not result["failures"], (step.name, result["failures"])
            except Exception as exc:  # recorded; the test decides whether it was a crash
                errors[step.name] = exc
                assert self.writes() == before, f"{step.name} wrote to VTEX before it failed"
        return errors

    def view(self) -> dict[str, Any]:
        return vtex_view(self.admin.get("/_sandbox/export").json())

    def quarantine(self) -> list[Any]:
        store = StateStore(self.state_url)
        try:
            return store.open_quarantine(ACCOUNT)
        finally:
            store.engine.dispose()


def baseline() -> Truth:
    data = generate("tiny", seed=3)
    data["skus"][2]["active"] = False  # an inactive SKU, which a defaulted `active` would turn on
    for row in data["stock"]:
        if row["quantity"] == 0 and not row["unlimited"]:
            row["quantity"] = 7  # every stock row holds something a defaulted quantity would zero
    return data


@pytest.fixture(scope="module", params=["csv", "parquet", "sqlite"])
def world(request, tmp_path_factory) -> Iterator[tuple[Env, Truth, str]]:
    """A sandbox with a loaded store (initial setup done from good data) per ERP kind."""
    config = SandboxConfig(account=ACCOUNT, app_key=APP_KEY, app_token=APP_TOKEN, seed=5, **contract_knobs())
    server = SandboxServer(config)
    folder = tmp_path_factory.mktemp(f"corpus-{request.param}")
    try:
        base_url = server.start()
        with pytest.MonkeyPatch.context() as mp, httpx.Client(
            base_url=base_url, headers=auth_headers(config), timeout=30
        ) as admin:
            state_url = f"sqlite:///{folder / 'state.db'}"
            vtex = {"conn_type": "vtex", "login": APP_KEY, "password": APP_TOKEN,
                    "extra": {"account_name": ACCOUNT, "base_url": base_url}}
            mp.setenv("AIRFLOW_CONN_VTEX_DEFAULT", json.dumps(vtex))
            mp.setenv("AIRFLOW_CONN_VTEX_STATE",
                      json.dumps({"conn_type": "generic", "extra": {"url": state_url}}))
            env = Env(folder, state_url, admin, mp)
            truth = baseline()
            _write_good(env, truth, request.param)
            assert env.run() == {}
            assert env.view() == expected_view(truth)
            yield env, truth, request.param
    finally:
        server.stop()


def _write_good(env: Env, truth: Truth, kind: str) -> None:
    if kind == "sqlite":
        url = f"sqlite:///{env.folder / 'erp.db'}"
        if not (env.folder / "erp.db").exists():
            load_into(url, truth)
        else:
            erp = SqlErp(url)
            with erp.engine.begin() as conn:
                for name in truth:
                    conn.execute(staging_table(name).delete())
            for name, rows in truth.items():
                erp.upsert_rows(name, rows)
            erp.engine.dispose()
        env.erp({"adapter": "sql", "url": url})
    else:
        write_text_drop(env.folder / "drop", as_text(truth), kind)
        env.erp({"adapter": "files", "path": str(env.folder / "drop"), "format": kind})


# ------------------------------------------------------------------ the cases
# A case gets the good data (`truth`, typed) and its text form, breaks the text, may make a good
# change in both, and says what must happen. Its write options (header, byte patches, adapter
# options) go in Expect.extra.

def _key(row: dict[str, Any], *columns: str) -> str:
    return "|".join(str(row[c]) for c in columns)


def _stock_row(truth: Truth, n: int) -> int:
    return [i for i, r in enumerate(truth["stock"]) if not r["unlimited"]][n]


def bump_price(truth: Truth, texts: Text, n: int = 5) -> None:
    """A good change beside the bad one: it must reach VTEX."""
    truth["prices"][n]["base_price"] += Decimal("1.00")
    texts["prices"][n]["base_price"] = format(truth["prices"][n]["base_price"], "f")


def bad_price(raw: str, rule: str) -> Callable[[Truth, Text], Expect]:
    def case(truth: Truth, texts: Text) -> Expect:
        texts["prices"][0]["base_price"] = raw
        bump_price(truth, texts)
        return Expect([("prices", truth["prices"][0]["sku_ref_id"], "base_price", raw, rule)])

    return case


def bad_stock(raw: str, rule: str) -> Callable[[Truth, Text], Expect]:
    def case(truth: Truth, texts: Text) -> Expect:
        n, good = _stock_row(truth, 0), _stock_row(truth, 1)
        texts["stock"][n]["quantity"] = raw
        truth["stock"][good]["quantity"] += 3
        texts["stock"][good]["quantity"] = str(truth["stock"][good]["quantity"])
        row = truth["stock"][n]
        return Expect([("stock", _key(row, "sku_ref_id", "warehouse_code"), "quantity", raw or None, rule)])

    return case


def maybe_boolean(truth: Truth, texts: Text) -> Expect:
    texts["skus"][2]["active"] = "maybe"  # the inactive SKU
    truth["skus"][4]["name"] += " v2"
    texts["skus"][4]["name"] = truth["skus"][4]["name"]
    return Expect([("skus", truth["skus"][2]["ref_id"], "active", "maybe", "not_a_boolean")])


def ten_in_an_integer(truth: Truth, texts: Text) -> Expect:
    return bad_stock("ten", "not_an_integer")(truth, texts)


def yesterday(truth: Truth, texts: Text) -> Expect:
    texts["products"][1]["updated_at"] = "yesterday"
    truth["products"][3]["name"] += " Plus"
    texts["products"][3]["name"] = truth["products"][3]["name"]
    return Expect([("products", truth["products"][1]["ref_id"], "updated_at", "yesterday", "not_a_datetime")])


def impossible_date(truth: Truth, texts: Text) -> Expect:
    texts["products"][1]["updated_at"] = "2024-02-30T10:00:00+00:00"
    return Expect([("products", truth["products"][1]["ref_id"], "updated_at", "2024-02-30T10:00:00+00:00",
                    "not_a_datetime")])


def shifted_row(truth: Truth, texts: Text) -> Expect:
    ref = truth["skus"][1]["ref_id"]

    def patch(data: bytes) -> bytes:  # an unquoted comma inside the name shifts every later cell
        line = next(x for x in data.split(b"\n") if x.startswith(ref.encode() + b","))
        cells = line.split(b",")
        cells[3] = cells[3].replace(b" ", b", ", 1)
        return replace_line(data, ref.encode() + b",", b",".join(cells))

    bump_price(truth, texts)
    return Expect([("skus", ref, "<row>", None, "field_count")], formats=("csv",),
                  extra={"csv_patch": {"skus": patch}})


def truncated_last_line(truth: Truth, texts: Text) -> Expect:
    ref = truth["brands"][-1]["code"]

    def patch(data: bytes) -> bytes:
        return data.rstrip(b"\n").rsplit(b",", 3)[0]  # the export died mid-row

    return Expect([("brands", ref, "<row>", None, "field_count")], formats=("csv",),
                  extra={"csv_patch": {"brands": patch}})


def latin1_row(truth: Truth, texts: Text) -> Expect:
    code = truth["brands"][2]["code"]
    name = texts["brands"][2]["name"]

    def patch(data: bytes) -> bytes:  # one row pasted in from a Latin-1 system
        line = next(x for x in data.split(b"\n") if x.startswith(code.encode() + b","))
        return replace_line(data, code.encode() + b",",
                            line.replace(name.encode(), (name + " Calçados").encode("latin-1")))

    return Expect([("brands", code, "name", f"{name} Cal\\xe7ados", "bad_encoding")], formats=("csv",),
                  extra={"csv_patch": {"brands": patch}})


def latin1_export_with_its_encoding(truth: Truth, texts: Text) -> Expect:
    truth["brands"][2]["name"] = texts["brands"][2]["name"] = "Calçados Três"
    bump_price(truth, texts)
    return Expect([], formats=("csv",), extra={"encode_all": "latin-1", "encoding": "latin-1"})


def utf8_export_read_as_latin1(truth: Truth, texts: Text) -> Expect:
    return Expect(source_error=(".csv", "UTF-8", "'latin-1'"), formats=("csv",),
                  extra={"encoding": "latin-1"})


def utf8_bom(truth: Truth, texts: Text) -> Expect:
    return Expect([], formats=("csv",), extra={"csv_patch": {"stock": lambda data: b"\xef\xbb\xbf" + data}})


def nul_byte(truth: Truth, texts: Text) -> Expect:
    code = truth["brands"][3]["code"]

    def patch(data: bytes) -> bytes:
        line = next(x for x in data.split(b"\n") if x.startswith(code.encode() + b","))
        return replace_line(data, code.encode() + b",", line.replace(b",", b",\x00", 1))

    return Expect([("brands", code, "name", None, "control_character")], formats=("csv",),
                  extra={"csv_patch": {"brands": patch}})


def missing_column(name: str, column: str) -> Callable[[Truth, Text], Expect]:
    def case(truth: Truth, texts: Text) -> Expect:
        header = [c.name for c in staging_table(name).c if c.name != column]
        return Expect(source_error=(f"{name}.", repr(column)), extra={"columns": {name: header},
                                                                    "drop_column": (name, column)})

    return case


def semicolons(truth: Truth, texts: Text) -> Expect:
    return Expect(source_error=("stock.csv", "';'", "delimiter"), formats=("csv",),
                  extra={"semicolon": "stock"})


def semicolons_configured(truth: Truth, texts: Text) -> Expect:
    bump_price(truth, texts)
    return Expect([], formats=("csv",), extra={"delimiter": ";"})


def duplicate_header(truth: Truth, texts: Text) -> Expect:
    header = [c.name for c in staging_table("prices").c] + ["base_price"]
    return Expect(source_error=("prices.csv", "'base_price'", "twice"), formats=("csv",),
                  extra={"columns": {"prices": header}})


def extra_column_and_blank_lines(truth: Truth, texts: Text) -> Expect:
    header = [c.name for c in staging_table("brands").c] + ["erp_internal_note"]
    def patch(data: bytes) -> bytes:
        return data.replace(b"\n", b"\n\n", 2)

    return Expect([], formats=("csv",), extra={"columns": {"brands": header}, "csv_patch": {"brands": patch}})


def key_twin(truth: Truth, texts: Text) -> Expect:
    original = texts["skus"][0]
    texts["skus"].append({**original, "ref_id": original["ref_id"] + " ", "name": "Twin that must not win"})
    return Expect([("skus", original["ref_id"] + " ", "ref_id", repr(original["ref_id"] + " "), "key_twin")])


def invisible_characters(truth: Truth, texts: Text) -> Expect:
    texts["brands"][0]["name"] = texts["brands"][0]["name"] + "\u200b"
    texts["brands"][1]["code"] = "\u200b" + texts["brands"][1]["code"]
    name = texts["categories"][1]["name"]
    texts["categories"][1]["name"] = name.replace(" ", "\u00a0") if " " in name else name + "\u00a0"
    return Expect([])  # normalised: no new brand or category, no update


CASES: dict[str, Callable[[Truth, Text], Expect]] = {
    "comma decimal price": bad_price("12,50", "not_a_number"),
    "NaN price": bad_price("NaN", "not_a_number"),
    "five-decimal price": bad_price("19.99999", "decimal_scale"),
    "absurd price": bad_price("1e15", "out_of_range"),
    "negative price": bad_price("-5.00", "negative"),
    "maybe in a boolean": maybe_boolean,
    "ten in an integer": ten_in_an_integer,
    "fractional stock": bad_stock("2.5", "fractional"),
    "absurd stock": bad_stock("99999999999", "out_of_range"),
    "empty quantity": bad_stock("", "missing_value"),
    "yesterday in updated_at": yesterday,
    "impossible date": impossible_date,
    "shifted row": shifted_row,
    "truncated last line": truncated_last_line,
    "latin-1 row in a utf-8 file": latin1_row,
    "latin-1 export with its encoding set": latin1_export_with_its_encoding,
    "utf-8 export read as latin-1": utf8_export_read_as_latin1,
    "utf-8 BOM": utf8_bom,
    "NUL byte": nul_byte,
    "stock without quantity": missing_column("stock", "quantity"),
    "skus without active": missing_column("skus", "active"),
    "prices without base_price": missing_column("prices", "base_price"),
    "semicolon delimiter": semicolons,
    "semicolon delimiter configured": semicolons_configured,
    "duplicate header column": duplicate_header,
    "extra column and blank lines": extra_column_and_blank_lines,
    "key twin with a trailing space": key_twin,
    "zero-width and non-breaking spaces": invisible_characters,
}
SQL_CASES = ("comma decimal price", "NaN price", "five-decimal price", "absurd price", "maybe in a boolean",
             "ten in an integer", "fractional stock", "absurd stock", "yesterday in updated_at",
             "stock without quantity", "skus without active", "key twin with a trailing space",
             "zero-width and non-breaking spaces")


def _write_bad(env: Env, truth: Truth, texts: Text, expect: Expect, kind: str) -> None:
    extra = expect.extra
    if kind == "sqlite":
        _write_bad_sql(env, truth, texts, expect)
        return
    write_text_drop(env.folder / "drop", texts, kind, columns=extra.get("columns"),
                    csv_patch=extra.get("csv_patch"), delimiter=extra.get("delimiter", ","))
    if "encode_all" in extra:
        for path in (env.folder / "drop").glob("*.csv"):
            path.write_bytes(path.read_bytes().decode("utf-8").encode(extra["encode_all"]))
    if "semicolon" in extra:
        name = extra["semicolon"]
        write_text_drop(env.folder / "drop", {name: texts[name]}, "csv", delimiter=";")
    options = {k: extra[k] for k in ("encoding", "delimiter") if k in extra}
    env.erp({"adapter": "files", "path": str(env.folder / "drop"), "format": kind, **options})


def _write_bad_sql(env: Env, truth: Truth, texts: Text, expect: Expect) -> None:
    """The same text cells written into the SQLite staging tables (SQLite keeps text anywhere)."""
    _write_good(env, truth, "sqlite")
    erp = SqlErp(f"sqlite:///{env.folder / 'erp.db'}")
    good = as_text(truth)
    with erp.engine.begin() as conn:
        for name, rows in texts.items():
            columns = [c.name for c in staging_table(name).c]
            for index, row in enumerate(rows):
                if index < len(good[name]) and row == good[name][index]:
                    continue
                keys = {c: (good[name][index] if index < len(good[name]) else row)[c]
                        for c in columns if staging_table(name).c[c].primary_key}
                conn.execute(text(f"DELETE FROM {name} WHERE " + " AND ".join(f"{c} = :k_{c}" for c in keys)),
                             {f"k_{c}": _sql_value(name, c, v) for c, v in keys.items()})
                conn.execute(text(f"INSERT INTO {name} ({', '.join(columns)}) VALUES "
                                  f"({', '.join(':' + c for c in columns)})"),
                             {c: _sql_value(name, c, row[c]) for c in columns})
        if "drop_column" in expect.extra:
            name, column = expect.extra["drop_column"]
            conn.execute(text(f"ALTER TABLE {name} DROP COLUMN {column}"))
    erp.engine.dispose()


def _sql_value(name: str, column: str, value: str | None) -> Any:
    """Text as SQLite stores what a loader typed: numbers, 0/1 and naive UTC stamps when they parse."""
    from vtex_sync.erp.cells import coerce

    typed = coerce(value, staging_table(name).c[column].type)
    if isinstance(typed, bool):
        return int(typed)
    if isinstance(typed, Decimal):
        return float(typed) if typed == round(typed, 6) else str(typed)
    if hasattr(typed, "tzinfo") and typed is not None and not isinstance(typed, str):
        return typed.replace(tzinfo=None).isoformat(sep=" ")
    return typed


def _same_number(got: str | None, want: str) -> bool:
    """SQLite stores a number-looking cell as a number: ``1e15`` comes back as ``1000000000000000.0``."""
    try:
        return Decimal(str(got)) == Decimal(want)
    except ArithmeticError:
        return False


def _restore_sql_column(env: Env, truth: Truth) -> None:
    (env.folder / "erp.db").unlink()
    for suffix in ("-wal", "-shm"):
        (env.folder / f"erp.db{suffix}").unlink(missing_ok=True)
    _write_good(env, truth, "sqlite")


@pytest.mark.parametrize("case", list(CASES))
def test_malformed_input_crashes_no_step_and_writes_nothing_wrong(world, case: str) -> None:
    env, truth, kind = world
    texts = as_text(truth)
    wanted = copy.deepcopy(truth)
    expect = CASES[case](wanted, texts)
    if (kind != "sqlite" and kind not in expect.formats) or (kind == "sqlite" and case not in SQL_CASES):
        pytest.skip(f"{case}: not a {kind} hazard")
    _write_bad(env, wanted, texts, expect, kind)

    errors = env.run()

    crashed = {step: exc for step, exc in errors.items() if not isinstance(exc, ErpSourceError)}
    assert not crashed, f"steps crashed: {crashed}"
    if expect.source_error:
        assert errors, "a file that cannot be read must fail its steps"
        for exc in errors.values():
            for word in expect.source_error if kind != "sqlite" else expect.source_error[1:]:
                assert word in str(exc), (word, str(exc))
    else:
        assert not errors, errors
    open_entries = {(q.entity, q.erp_key): q for q in env.quarantine()}
    for table, key, field, value, rule in expect.quarantined:
        entry = open_entries.get((table, key))
        assert entry is not None, f"{table} {key!r} not quarantined: {sorted(open_entries)}"
        assert (entry.field, entry.rule) == (field, rule), entry
        if value is not None:
            assert entry.value == value or (kind == "sqlite" and _same_number(entry.value, value)), entry
        assert entry.source and entry.row_number, f"entry does not say where the row is: {entry}"
        assert entry.source.startswith(f"{table}." if kind != "sqlite" else "ERP table"), entry
    assert env.view() == expected_view(wanted), "VTEX holds something the good ERP rows do not say"
    truth.clear()
    truth.update(wanted)
    if kind == "sqlite" and "drop_column" in expect.extra:
        _restore_sql_column(env, truth)
    else:
        _write_good(env, truth, kind)
    assert env.run() == {}
