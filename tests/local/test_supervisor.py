"""The supervisor with real processes: a dead service is restarted at once, stop_all leaves nothing."""

from __future__ import annotations

import os
import signal
import sys
import time

import psutil
import pytest

from vtex_local.supervisor import Service, Supervisor

# A leader that starts a grandchild ignoring SIGTERM, as Airflow's executors and tasks do.
FAMILY = (
    "import subprocess, sys, time; "
    "subprocess.Popen([sys.executable, '-c', "
    "'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)']); "
    "time.sleep(600)"
)


def service(tmp_path, name: str, code: str = "import time; time.sleep(600)") -> Service:
    return Service(name, [sys.executable, "-c", code], tmp_path / f"{name}.log")


def wait_until(check, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_a_dead_service_is_reported_and_restarted_at_once(tmp_path):
    lines: list[str] = []
    supervisor = Supervisor(lines.append)
    scheduler = supervisor.start(service(tmp_path, "scheduler"))
    supervisor.watch(interval=0.2)
    try:
        first = scheduler.pid
        os.kill(first, signal.SIGKILL)
        assert wait_until(lambda: scheduler.pid != first and scheduler.running(), timeout=5)
        assert any("scheduler exited with code -9" in line for line in lines), lines
        assert any("restarting scheduler" in line for line in lines), lines
        assert supervisor.restart_count("scheduler") == 1 and supervisor.failure is None
    finally:
        supervisor.stop_all()


def test_a_service_that_keeps_dying_makes_the_supervisor_give_up(tmp_path):
    lines: list[str] = []
    failures: list[str] = []
    supervisor = Supervisor(lines.append, max_restarts=2, restart_window=60)
    supervisor.on_failure = failures.append
    supervisor.start(service(tmp_path, "broken", "import sys; print('bad config'); sys.exit(3)"))
    supervisor.watch(interval=0.2)
    try:
        assert wait_until(lambda: bool(failures), timeout=10)
        assert "broken exited 3 times" in failures[0]
        assert any("bad config" in line for line in lines)  # the end of its log is shown
    finally:
        supervisor.stop_all()


def test_stop_all_ends_every_process_including_grandchildren_that_ignore_sigterm(tmp_path):
    supervisor = Supervisor(lambda line: None, grace=2)
    supervisor.start(service(tmp_path, "family", FAMILY))
    supervisor.start(service(tmp_path, "database"))
    supervisor.services[-1].last = True
    assert wait_until(lambda: len(supervisor.descendants()) == 3)
    processes = supervisor.descendants()
    supervisor.stop_all()
    gone, alive = psutil.wait_procs(processes, timeout=5)
    assert alive == []
    assert not any(s.running() for s in supervisor.services)


def test_no_start_once_stopping(tmp_path):
    supervisor = Supervisor(lambda line: None)
    supervisor.stop_all()
    with pytest.raises(RuntimeError, match="stopping"):
        supervisor.start(service(tmp_path, "late"))
