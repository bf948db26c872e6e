"""Load `airflow_settings.yaml` (Astro CLI format) and apply it to the Airflow metadata DB.

The file lists connections, pools and variables. Values may read the environment with
`${NAME}` or `${NAME:-default}`; `${PROJECT_DIR}` defaults to the file's directory.
Applying goes through Airflow's own CLI import commands, batched into one process, so it
works against whatever metadata DB the environment configures. Applying twice gives the
same state.

    python -m vtex_sync.deploy.settings apply [--file airflow_settings.yaml] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from vtex_sync.deploy.envsubst import MissingVariableError, substitute


class SettingsError(Exception):
    """The settings file is invalid or could not be applied (the message holds no secret)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConnectionSettings(_Strict):
    conn_id: str = Field(min_length=1)
    conn_type: str = Field(min_length=1)
    conn_host: str | None = None
    conn_schema: str | None = None
    conn_login: str | None = None
    conn_password: SecretStr | None = None
    conn_port: int | None = None
    conn_extra: dict[str, Any] = Field(default_factory=dict)

    def as_airflow_json(self) -> dict[str, Any]:
        """The object `airflow connections import` expects for this connection."""
        return {
            "conn_type": self.conn_type,
            "host": self.conn_host,
            "schema": self.conn_schema,
            "login": self.conn_login,
            "password": self.conn_password.get_secret_value() if self.conn_password else None,
            "port": self.conn_port,
            "extra": json.dumps(self.conn_extra) if self.conn_extra else None,
        }

    def describe(self) -> str:
        parts = [f"type={self.conn_type}"]
        parts.append("login set" if self.conn_login else "no login")
        parts.append("password set" if self.conn_password else "no password")
        if self.conn_extra:
            parts.append("extra keys " + ",".join(sorted(self.conn_extra)))
        return f"connection {self.conn_id}: " + ", ".join(parts)


class PoolSettings(_Strict):
    pool_name: str = Field(min_length=1)
    pool_slot: int = Field(ge=1)
    pool_description: str = ""

    def describe(self) -> str:
        return f"pool {self.pool_name}: {self.pool_slot} slots"


class VariableSettings(_Strict):
    variable_name: str = Field(min_length=1)
    variable_value: str

    @field_validator("variable_value", mode="before")
    @classmethod
    def _structured_values_become_json(cls, value: Any) -> Any:
        return json.dumps(value) if isinstance(value, dict | list) else value

    def describe(self) -> str:
        return f"variable {self.variable_name}: set"


class AirflowObjects(_Strict):
    connections: list[ConnectionSettings] = Field(default_factory=list)
    pools: list[PoolSettings] = Field(default_factory=list)
    variables: list[VariableSettings] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names_are_unique(self) -> AirflowObjects:
        for kind, names in (
            ("connection", [c.conn_id for c in self.connections]),
            ("pool", [p.pool_name for p in self.pools]),
            ("variable", [v.variable_name for v in self.variables]),
        ):
            duplicates = sorted({name for name in names if names.count(name) > 1})
            if duplicates:
                raise ValueError(f"duplicate {kind} names: {', '.join(duplicates)}")
        return self

    def describe(self) -> list[str]:
        """One line per object; never a password or an extra's value."""
        return [
            *(c.describe() for c in self.connections),
            *(p.describe() for p in self.pools),
            *(v.describe() for v in self.variables),
        ]

    def secret_values(self) -> set[str]:
        """Strings that must not appear in any output: logins, passwords and extra values."""
        secrets: set[str] = set()
        for connection in self.connections:
            if connection.conn_password:
                secrets.add(connection.conn_password.get_secret_value())
            if connection.conn_login:
                secrets.add(connection.conn_login)
            secrets.update(str(value) for value in connection.conn_extra.values() if value)
        return {secret for secret in secrets if len(secret) >= 4}


class _SettingsFile(_Strict):
    airflow: AirflowObjects


def load_settings(path: str | Path, env: Mapping[str, str] | None = None) -> AirflowObjects:
    """Parse and validate a settings file, substituting `${...}` references from `env`."""
    path = Path(path).resolve()
    environment = {"PROJECT_DIR": str(path.parent), **(os.environ if env is None else env)}
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise SettingsError(f"cannot read {path.name}: {error}") from None
    try:
        resolved = substitute(raw, environment, where=path.name)
    except (MissingVariableError, ValueError) as error:
        raise SettingsError(str(error)) from None
    try:
        return _SettingsFile.model_validate(resolved).airflow
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc'])}: {item['msg']}" for item in error.errors()
        )
        raise SettingsError(f"{path.name} is invalid: {problems}") from None


def apply_settings(objects: AirflowObjects, env: Mapping[str, str] | None = None) -> None:
    """Write every object to the metadata DB configured by `env` (default: this process's)."""
    with tempfile.TemporaryDirectory(prefix="airflow-settings-") as folder:
        commands = _import_commands(objects, folder)
        if not commands:
            return
        result = subprocess.run(
            [sys.executable, "-m", "vtex_sync.deploy.airflow_batch", json.dumps(commands)],
            env=dict(os.environ if env is None else env),
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        output = _redact(result.stdout + result.stderr, objects.secret_values())
        tail = "\n".join(output.strip().splitlines()[-20:])
        raise SettingsError(f"airflow CLI failed (exit {result.returncode}):\n{tail}")


def _import_commands(objects: AirflowObjects, folder: str) -> list[list[str]]:
    """One `airflow ... import` command per kind of object, reading private files in `folder`."""
    commands: list[list[str]] = []
    if objects.connections:
        connections = {c.conn_id: c.as_airflow_json() for c in objects.connections}
        path = _write_private(folder, "connections.json", connections)
        commands.append(["connections", "import", "--overwrite", path])
    if objects.pools:
        pools = {
            pool.pool_name: {"slots": pool.pool_slot, "description": pool.pool_description}
            for pool in objects.pools
        }
        commands.append(["pools", "import", _write_private(folder, "pools.json", pools)])
    if objects.variables:
        variables = {v.variable_name: v.variable_value for v in objects.variables}
        path = _write_private(folder, "variables.json", variables)
        commands.append(["variables", "import", "--action-on-existing-key", "overwrite", path])
    return commands


def _write_private(folder: str, name: str, payload: dict[str, Any]) -> str:
    path = os.path.join(folder, name)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(payload, handle)
    return path


def _redact(text: str, secrets: set[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vtex_sync.deploy.settings", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    apply = commands.add_parser("apply", help="apply the settings file to the Airflow metadata DB")
    apply.add_argument("--file", default="airflow_settings.yaml", help="settings file (default: %(default)s)")
    apply.add_argument("--dry-run", action="store_true", help="validate and list, change nothing")
    args = parser.parse_args(argv)
    try:
        objects = load_settings(args.file)
        for line in objects.describe():
            print(("would apply " if args.dry_run else "") + line)
        if not args.dry_run:
            apply_settings(objects)
            counts = (len(objects.connections), len(objects.pools), len(objects.variables))
            print("applied {} connections, {} pools, {} variables".format(*counts))
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
