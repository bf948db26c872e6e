"""docker-compose.yaml is valid Compose and only refers to things this project has."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import shutil
import subprocess
import tomllib
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
COMPOSE_FILE = PROJECT_DIR / "docker-compose.yaml"
IMAGE_PROJECT_DIR = "/opt/airflow/project/"  # where the Dockerfile puts the project
OWN_IMAGE = "vtex-backoffice-airflow:latest"
REFERENCE = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def env_example() -> dict[str, str]:
    pairs = {}
    for line in (PROJECT_DIR / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


def _compose_python() -> str | None:
    """The interpreter that runs Debian's docker-compose (it ships the Compose schema)."""
    script = shutil.which("docker-compose")
    if script is None:
        return None
    first_line = Path(script).read_bytes().split(b"\n", 1)[0].decode(errors="replace")
    return first_line[2:].strip() if first_line.startswith("#!") else None


def _compose_schema() -> dict[str, Any]:
    python = _compose_python()
    if python is None:
        pytest.skip("docker-compose (Debian package, ships compose_spec.json) is not installed")
    located = subprocess.run(
        [python, "-c", "import compose, pathlib; print(pathlib.Path(compose.__file__).parent)"],
        capture_output=True,
        text=True,
        check=False,
    )
    schema_path = Path(located.stdout.strip()) / "config" / "compose_spec.json"
    if located.returncode != 0 or not schema_path.is_file():
        pytest.skip("docker-compose is installed but its compose_spec.json was not found")
    return json.loads(schema_path.read_text())


def _own_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: spec for name, spec in compose["services"].items() if spec.get("image") == OWN_IMAGE}


def test_matches_the_compose_specification_schema(compose: dict[str, Any]) -> None:
    schema = _compose_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    errors = sorted(validator_class(schema).iter_errors(compose), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_docker_compose_config_accepts_it_with_the_example_env() -> None:
    if shutil.which("docker-compose") is None:
        pytest.skip("docker-compose (Debian package) is not installed")
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE_FILE), "--env-file", str(PROJECT_DIR / ".env.example")]
        + ["config"],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert services["airflow-worker"]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"


def test_every_variable_is_documented_or_defaulted(env_example: dict[str, str]) -> None:
    undocumented = sorted(
        match["name"]
        for match in REFERENCE.finditer(COMPOSE_FILE.read_text())
        if match["op"] not in (":-", "-") and match["name"] not in env_example
    )
    assert undocumented == []


def test_no_secret_is_written_in_the_compose_file(compose: dict[str, Any]) -> None:
    secret_key = re.compile(r"(PASSWORD|TOKEN|SECRET|FERNET_KEY|APP_KEY|_AUTH)$")
    url_password = re.compile(r"://(?:\$\{[^}]*\}|[^/@:$])*:(?P<password>[^@]*)@")
    for name, spec in compose["services"].items():
        for key, value in (spec.get("environment") or {}).items():
            value = str(value or "")
            if secret_key.search(key) and value:
                assert value.startswith("${"), f"{name}.{key} is a literal"
            for match in url_password.finditer(value):
                assert match["password"].startswith("${"), f"{name}.{key} has a literal password"


def test_production_shape_services_and_their_guarantees(compose: dict[str, Any]) -> None:
    services = compose["services"]
    expected = {
        "postgres", "redis", "airflow-init", "airflow-apiserver", "airflow-scheduler",
        "airflow-dag-processor", "airflow-triggerer", "airflow-worker", "vtex-sandbox", "erp-demo-seed",
    }  # fmt: skip
    assert expected <= set(services)
    for name, spec in services.items():
        long_running = spec.get("restart") != "no"
        if long_running:
            assert "healthcheck" in spec, f"{name} has no health check"
    assert services["vtex-sandbox"]["profiles"] == ["demo"]
    assert services["erp-demo-seed"]["profiles"] == ["demo"]
    worker = services["airflow-worker"]
    assert "container_name" not in worker and "ports" not in worker, "a fixed name or port blocks --scale"
    assert worker["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
    assert worker["depends_on"]["postgres"]["condition"] == "service_healthy"
    named_volumes = set(compose["volumes"])
    persisted = (("postgres", "/var/lib/postgresql/data"), ("airflow-scheduler", "/opt/airflow/logs"))
    for service, target in persisted:
        sources = [v.split(":")[0] for v in services[service]["volumes"] if v.split(":")[1] == target]
        assert sources and sources[0] in named_volumes, f"{service} keeps {target} in no named volume"


def test_airflow_settings_are_known_options(compose: dict[str, Any]) -> None:
    from airflow.configuration import conf

    description = conf.configuration_description
    for name, spec in _own_services(compose).items():
        for key in spec.get("environment") or {}:
            if key.startswith("AIRFLOW__"):
                section, option = key.removeprefix("AIRFLOW__").lower().split("__", 1)
                assert option in description.get(section, {}).get("options", {}), f"{name}: unknown {key}"


def _console_scripts() -> set[str]:
    pyproject = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())
    installed = {entry_point.name for entry_point in entry_points(group="console_scripts")}
    return set(pyproject["project"].get("scripts", {})) | installed


def _check_command(words: list[str], scripts: set[str], where: str) -> None:
    program = words[0]
    if program == "bash" and words[1:2] == ["-c"]:
        for part in re.split(r"&&|\|\||;", words[2]):
            _check_command(shlex.split(part), scripts, where)
        return
    if program == "python":
        if words[1:2] == ["-m"]:
            assert importlib.util.find_spec(words[2]) is not None, f"{where}: no module {words[2]}"
    else:
        assert program in scripts, f"{where}: {program} is not a console script of this project"
    for word in words[1:]:
        if word.startswith(IMAGE_PROJECT_DIR):
            relative = word.removeprefix(IMAGE_PROJECT_DIR)
            assert (PROJECT_DIR / relative).exists(), f"{where}: {relative} does not exist"


def test_commands_refer_to_existing_scripts_modules_and_files(compose: dict[str, Any]) -> None:
    scripts = _console_scripts()
    own = _own_services(compose)
    assert {"airflow-init", "airflow-worker", "vtex-sandbox", "erp-demo-seed"} <= set(own)
    for name, spec in own.items():
        command = spec["command"]
        _check_command(shlex.split(command) if isinstance(command, str) else command, scripts, name)
    init_command = " ".join(own["airflow-init"]["command"])
    assert "python -m vtex_sync.deploy.settings apply" in init_command
    assert "airflow db migrate" in init_command


def test_build_and_mounted_files_exist(compose: dict[str, Any]) -> None:
    for name, spec in compose["services"].items():
        if "build" in spec:
            assert (PROJECT_DIR / spec["build"] / "Dockerfile").is_file(), name
        for volume in spec.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (PROJECT_DIR / source).exists(), f"{name}: {source} does not exist"
    for line in (PROJECT_DIR / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                if not source.endswith("*"):  # optional files
                    assert (PROJECT_DIR / source).exists(), f"Dockerfile copies missing {source}"
