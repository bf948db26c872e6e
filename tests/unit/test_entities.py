"""The entity catalogue: one declaration per entity, everything else derived from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from vtex_sync import entities as cat
from vtex_sync.entities import CATALOGUE, ENTITIES, Entity, Flow, Readback
from vtex_sync.erp.schema import key_columns
from vtex_sync.erp.validation import HELD, PARENTS
from vtex_sync.flows import setup
from vtex_sync.flows.incremental import CATALOG_PENDING, CATALOG_STEPS
from vtex_sync.steps import CUSTOMER_STEPS, STEPS

ROOT = Path(__file__).resolve().parents[2]
TOY = Entity(
    "toy", "toys", ("code",), "toys", "catalog", "vtex_catalog",
    parents={"sku_ref_id": "sku"}, batched=True, sync=Flow.CATALOG,
)


def test_a_toy_entity_is_one_declaration_that_every_derived_table_picks_up() -> None:
    catalogue = CATALOGUE + (TOY,)

    assert cat.validation_parents(catalogue)["toys"] == {"sku_ref_id": "skus"}
    assert cat.parent_tables(catalogue)["toy"] == "toys"
    assert cat.pending_reads(Flow.CATALOG, catalogue)["toy"] == ("toys", Readback.KEY)
    (step,) = [s for s in cat.steps(catalogue) if s.name == "toys"]
    assert (step.group, step.pool, step.table, step.batched, step.entities) == (
        "catalog", "vtex_catalog", "toys", True, ("toy",))
    # and nothing else moved
    assert [s for s in cat.steps(catalogue) if s.name != "toys"] == list(cat.ALL_STEPS)


def test_the_derived_tables_in_use_are_the_catalogue_s() -> None:
    assert PARENTS == cat.validation_parents()
    assert setup.PARENT_TABLES == cat.parent_tables()
    assert CATALOG_PENDING == cat.pending_reads(Flow.CATALOG)
    assert STEPS + CUSTOMER_STEPS == cat.ALL_STEPS
    assert set(setup.STEP_FUNCTIONS) == {s.name for s in cat.ALL_STEPS}
    assert CATALOG_STEPS[0] == "categories" and CATALOG_STEPS[-1] == "sku_activation"


def test_each_entity_has_one_behaviour_and_the_catalogue_s_facts() -> None:
    assert set(setup.SPECS) == set(ENTITIES)
    for name, spec in setup.SPECS.items():
        assert spec.entity is ENTITIES[name]


def test_the_keys_of_entities_with_their_own_table_are_the_table_s_primary_key() -> None:
    for entity in ENTITIES.values():
        if not entity.derived:
            assert entity.key == key_columns(entity.table), entity.name


def test_a_bad_catalogue_is_refused_when_it_is_read() -> None:
    orphan = Entity("orphan", "orphans", ("code",), "orphans", "catalog", "vtex_catalog",
                    parents={"thing_code": "thing"})
    with pytest.raises(ValueError, match="parent 'thing'"):
        cat.entities(CATALOGUE + (orphan,))
    with pytest.raises(ValueError, match="declared twice"):
        cat.entities(CATALOGUE + (ENTITIES["brand"],))
    odd = Entity("sku_extra", "skus", ("ref_id",), "skus", "catalog", "vtex_pricing", derived=True)
    with pytest.raises(ValueError, match="disagrees with step .skus.: group"):
        cat.steps(CATALOGUE + (odd,))
    held = Entity("toy", "toys", ("code",), "toys", "catalog", "vtex_catalog", fields=("colour",))
    with pytest.raises(ValueError, match="only a derived entity holds back"):
        cat.entities(CATALOGUE + (held,))


def test_held_back_columns_and_removals_come_from_the_catalogue() -> None:
    badge = Entity("toy_badge", "toys", ("code",), "toys", "catalog", "vtex_catalog", derived=True,
                   fields=("badge",), removal=cat.Removal.DELETE, sync=Flow.CATALOG)
    catalogue = CATALOGUE + (TOY, badge)
    assert cat.held_fields(catalogue)["toys"] == {"badge": "toy_badge"}
    assert HELD == cat.held_fields() == {
        "skus": {"ean": "sku_ean"}, "products": {"trade_policies": "product_trade_policy"}}
    removed = {e.name: e.removal for e in cat.removable(Flow.CATALOG)}
    assert removed == {
        "product": cat.Removal.DEACTIVATE, "sku": cat.Removal.DEACTIVATE,
        "product_specification": cat.Removal.DELETE, "sku_specification": cat.Removal.DELETE,
        "sku_image": cat.Removal.DELETE,
    }  # a derived record (a trade-policy link, the toy's badge) is removed where its row is read
    assert "toy_badge" not in {e.name for e in cat.removable(Flow.CATALOG, catalogue)}
    for entity in ENTITIES.values():
        if entity.removal is not None:
            assert setup.SPECS[entity.name].remove is not None, entity.name


def _sources() -> list[tuple[Path, str]]:
    files = [*ROOT.joinpath("include", "vtex_sync").rglob("*.py"), *ROOT.joinpath("plugins").rglob("*.py")]
    return [(path, path.read_text()) for path in files]


def test_grep_finds_each_parent_relation_declared_once() -> None:
    sources = _sources()
    for entity in ENTITIES.values():
        for column, parent in {**entity.parents, **entity.owners}.items():
            names = "|".join(re.escape(n) for n in {parent, ENTITIES[parent].table})
            relation = re.compile(
                rf"""["']{re.escape(column)}["']\s*:\s*["']({names})["']"""
                rf"""|Parent\(\s*["']{re.escape(parent)}["'].*\b{re.escape(column)}\b"""
            )
            hits = [path.relative_to(ROOT) for path, text in sources for _ in relation.finditer(text)]
            where = Path("include/vtex_sync/entities.py")
            assert hits.count(where) >= 1, (entity.name, column)
            assert set(hits) == {where}, (entity.name, column, hits)


def test_each_step_waits_for_the_steps_writing_its_parents_and_a_pass_for_its_entity_s_children() -> None:
    catalogue = CATALOGUE + (TOY,)
    upstream = {s.name: s.upstream for s in cat.steps(catalogue)}

    assert upstream["toys"] == ("skus",)
    assert upstream["product_trade_policies"] == upstream["skus"] == ("products",)
    assert upstream["sku_activation"] == ("sku_images",)  # which waits for the specifications
    assert upstream["categories"] == upstream["warehouses"] == ()
    late = Entity("late", "lates", ("code",), "lates", "catalog", "vtex_catalog", after=("nothing",))
    with pytest.raises(ValueError, match="after 'nothing'"):
        cat.steps(CATALOGUE + (late,))
