"""Catalog-write tests reuse the incremental suite's sandbox, ERP and state store."""

from tests.incremental.conftest import sandbox, shop  # noqa: F401 - pytest fixtures
