"""Objects every VTEX account has from day one (trade policies 1 and 2)."""

from __future__ import annotations

from vtex_sandbox.store import Store

TRADE_POLICIES = [
    {"Id": 1, "Name": "Main", "IsActive": True, "ProductClusterId": None, "CountryCode": "USA",
     "CultureInfo": "en-US", "TimeZone": "Eastern Standard Time", "CurrencyCode": "USD",
     "CurrencySymbol": "$", "CurrencyLocale": 1033, "CurrencyFormatInfo": None, "Origin": None,
     "Position": 1, "ConditionRule": None, "CurrencyDecimalDigits": 2},
    {"Id": 2, "Name": "B2B", "IsActive": True, "ProductClusterId": None, "CountryCode": "USA",
     "CultureInfo": "en-US", "TimeZone": "Eastern Standard Time", "CurrencyCode": "USD",
     "CurrencySymbol": "$", "CurrencyLocale": 1033, "CurrencyFormatInfo": None, "Origin": None,
     "Position": 2, "ConditionRule": None, "CurrencyDecimalDigits": 2},
]


def seed_defaults(store: Store) -> None:
    """Add the default trade policies unless they are already there."""
    with store.transaction():
        for policy in TRADE_POLICIES:
            policy_id = int(str(policy["Id"]))
            if store.get("trade_policies", policy_id) is None:
                store.put("trade_policies", policy_id, policy)
