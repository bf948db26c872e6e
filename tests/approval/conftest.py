"""The incremental tests' shop and the VTEX page tests' api-server (one admin, known password)."""

from tests.incremental.conftest import Shop, sandbox, shop  # noqa: F401
from tests.ui.conftest import ApiServer, api_server  # noqa: F401
