"""Run several `airflow` CLI commands in one process (each CLI start costs seconds).

Usage: python -m vtex_sync.deploy.airflow_batch '[["pools", "import", "pools.json"], ...]'
"""

from __future__ import annotations

import json
import sys


def main(argv: list[str] | None = None) -> int:
    commands: list[list[str]] = json.loads((argv if argv is not None else sys.argv[1:])[0])
    from airflow.cli import cli_parser
    from airflow.configuration import write_default_airflow_configuration_if_needed

    write_default_airflow_configuration_if_needed()
    parser = cli_parser.get_parser()
    for command in commands:
        args = parser.parse_args(command)
        args.func(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
