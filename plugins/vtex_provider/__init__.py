"""Apache Airflow provider for VTEX: the `vtex` connection type, hook, clients and operator."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("vtex-backoffice")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"


def get_provider_info() -> dict:
    """Provider metadata read by Airflow's ProvidersManager through the entry point."""
    return {
        "package-name": "vtex-backoffice",
        "name": "VTEX",
        "description": "Back-office (ERP/PIM/WMS) integration with VTEX stores: hook, typed API clients "
        "and an operator.",
        "versions": [__version__],
        "hooks": [{"integration-name": "VTEX", "python-modules": ["vtex_provider.hooks.vtex"]}],
        "operators": [{"integration-name": "VTEX", "python-modules": ["vtex_provider.operators.vtex"]}],
        "connection-types": [
            {
                "connection-type": "vtex",
                "hook-class-name": "vtex_provider.hooks.vtex.VtexHook",
                "hook-name": "VTEX",
                "conn-fields": {
                    "account_name": {
                        "label": "Account name",
                        "description": "The VTEX account name (the store's subdomain).",
                        "schema": {"type": "string", "minLength": 1},
                    },
                    "environment": {
                        "label": "Environment",
                        "description": "VTEX environment host part.",
                        "schema": {"type": ["string", "null"], "default": "vtexcommercestable"},
                    },
                    "base_url": {
                        "label": "Base URL override",
                        "description": "Send every call to this URL instead of VTEX (e.g. a local sandbox).",
                        "schema": {"type": ["string", "null"], "format": "uri"},
                    },
                },
                "ui-field-behaviour": {
                    "hidden-fields": ["host", "schema", "port", "extra"],
                    "relabeling": {"login": "App key", "password": "App token"},
                    "placeholders": {
                        "account_name": "mystore",
                        "environment": "vtexcommercestable",
                        "base_url": "http://127.0.0.1:8900",
                    },
                },
            }
        ],
    }
