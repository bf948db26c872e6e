"""The incremental tests' shop: a tiny catalog loaded into a sandbox by the initial setup."""

from tests.incremental.conftest import Shop, sandbox, shop  # noqa: F401
