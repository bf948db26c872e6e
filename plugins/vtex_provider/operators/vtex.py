"""VtexOperator: call one typed-client method from a task."""

from __future__ import annotations

import typing
from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator
from pydantic import BaseModel

from vtex_provider.clients import CatalogClient, LogisticsClient, MasterDataClient, OmsClient, PricingClient
from vtex_provider.hooks.vtex import VtexHook

CLIENTS = {
    "catalog": CatalogClient,
    "pricing": PricingClient,
    "logistics": LogisticsClient,
    "oms": OmsClient,
    "masterdata": MasterDataClient,
}


class VtexOperator(BaseOperator):
    """
    Call one client method, e.g. ``api="oms", method="get_feed_config"``.

    :param api: one of catalog, pricing, logistics, oms, masterdata.
    :param method: the client method name (public methods only).
    :param arguments: keyword arguments for the method (templated). Dicts (and lists
        of dicts) are validated into the models the method expects. (Not ``params``: Airflow
        fills an operator's ``params`` with the DAG's params.)
    :param vtex_conn_id: the `vtex` connection to use.
    :return: the result as JSON-able data (models are dumped with VTEX's field names).
    """

    template_fields: Sequence[str] = ("call_params", "vtex_conn_id")
    template_fields_renderers = {"call_params": "json"}

    def __init__(
        self,
        *,
        api: str,
        method: str,
        arguments: dict[str, Any] | None = None,
        vtex_conn_id: str = VtexHook.default_conn_name,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.api = api
        self.method = method
        self.call_params = arguments or {}
        self.vtex_conn_id = vtex_conn_id

    def execute(self, context: Any) -> Any:
        if self.api not in CLIENTS:
            raise ValueError(f"Unknown VTEX api {self.api!r}; expected one of {sorted(CLIENTS)}")
        client = CLIENTS[self.api](VtexHook(self.vtex_conn_id))
        if self.method.startswith("_") or not callable(getattr(client, self.method, None)):
            raise ValueError(f"{type(client).__name__} has no method {self.method!r}")
        call = getattr(client, self.method)
        kwargs = _coerce_models(call, dict(self.call_params))
        result = call(**kwargs)
        self.log.info("VTEX %s.%s done; %s", self.api, self.method, client.hook.stats.as_dict())
        return to_jsonable(result)


def _coerce_models(call: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Turn dict (or list of dict) arguments into the pydantic models the method expects."""
    hints = typing.get_type_hints(call)
    for name, value in kwargs.items():
        hint = hints.get(name)
        if typing.get_origin(hint) is list and isinstance(value, list):
            (item_type,) = typing.get_args(hint)
            if _is_model(item_type):
                kwargs[name] = [item_type.model_validate(item) for item in value]
        elif isinstance(hint, type) and issubclass(hint, BaseModel) and isinstance(value, dict):
            kwargs[name] = hint.model_validate(value)
    return kwargs


def _is_model(hint: Any) -> bool:
    return isinstance(hint, type) and issubclass(hint, BaseModel)


def to_jsonable(value: Any) -> Any:
    """Models become dicts with VTEX's field names; lists/iterators become lists."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, dict):
        return {key: to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple) or hasattr(value, "__next__"):
        return [to_jsonable(item) for item in value]
    return value
