"""Start, watch and stop the local processes: a dead one is reported and restarted at once.

Each service runs in a process group of its own, with its output in its own log file. A
watcher thread polls them every second; one that exits is reported (with the end of its log)
and started again, up to `max_restarts` times in `restart_window` seconds, after which the
supervisor gives up and says so. `stop_all()` stops every service and every process they
started (by group and by descendant), the `last` ones (the database) after the rest.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psutil


class SupervisorError(RuntimeError):
    """A service could not be kept running."""


@dataclass
class Service:
    """One supervised command."""

    name: str
    command: list[str]
    log_path: Path
    env: Mapping[str, str] | None = None
    user: str | None = None
    stop_signal: int = signal.SIGTERM
    last: bool = False  # stopped after the others (a database its clients need until they exit)
    popen: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen is not None else None

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


class Supervisor:
    """Keeps a set of services running until `stop_all()`."""

    def __init__(
        self,
        report: Callable[[str], None] = print,
        *,
        max_restarts: int = 5,
        restart_window: float = 300.0,
        grace: float = 20.0,
    ) -> None:
        self.report = report
        self.max_restarts = max_restarts
        self.restart_window = restart_window
        self.grace = grace
        self.services: list[Service] = []
        self.failure: str | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None
        self.on_failure: Callable[[str], None] | None = None

    # -- starting and watching ----------------------------------------------------------------

    def start(self, service: Service) -> Service:
        """Start `service` and keep it under watch."""
        signals = {signal.SIGINT, signal.SIGTERM}
        masked = threading.current_thread() is threading.main_thread()
        if masked:  # a stop signal waits until the child is on the list stop_all() walks
            signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        try:
            with self._lock:
                if self._stopping.is_set():
                    raise SupervisorError(f"not starting {service.name}: stopping")
                self._spawn(service)
                self.services.append(service)
        finally:
            if masked:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)
        return service

    def _spawn(self, service: Service) -> None:
        service.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(service.log_path, "ab") as log:
            service.popen = subprocess.Popen(
                service.command,
                env=dict(service.env) if service.env is not None else None,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                user=service.user,
                start_new_session=True,
            )

    def watch(self, interval: float = 1.0) -> None:
        """Check the services every `interval` seconds in a background thread."""
        def loop() -> None:
            while not self._stopping.wait(interval):
                try:
                    self.check()
                except SupervisorError as error:
                    self.failure = str(error)
                    self.report(f"!! {error}")
                    if self.on_failure is not None:
                        self.on_failure(str(error))
                    return

        self._watcher = threading.Thread(target=loop, name="supervisor", daemon=True)
        self._watcher.start()

    def check(self) -> None:
        """Report and restart every service that exited; raise when one keeps dying."""
        with self._lock:
            if self._stopping.is_set():
                return
            for service in self.services:
                if service.running() or service.popen is None:
                    continue
                code = service.popen.returncode
                _signal_group(service.popen.pid, signal.SIGKILL)  # what the dead leader left behind
                now = time.monotonic()
                service.restarts = [t for t in service.restarts if now - t < self.restart_window] + [now]
                self.report(f"!! {service.name} exited with code {code}; last lines of {service.log_path}:")
                for line in tail(service.log_path, 8):
                    self.report(f"   {line}")
                if len(service.restarts) > self.max_restarts:
                    raise SupervisorError(
                        f"{service.name} exited {len(service.restarts)} times in "
                        f"{self.restart_window:.0f}s; giving up (log: {service.log_path})"
                    )
                self.report(f"!! restarting {service.name} (restart {len(service.restarts)})")
                self._spawn(service)

    def restart_count(self, name: str) -> int:
        return sum(len(s.restarts) for s in self.services if s.name == name)

    # -- stopping -----------------------------------------------------------------------------

    def stop_all(self) -> None:
        """Stop every service and everything it started; the `last` services after the others."""
        with self._lock:
            self._stopping.set()
            services = list(self.services)
        if self._watcher is not None and self._watcher is not threading.current_thread():
            self._watcher.join(timeout=5)
        _stop([s for s in services if not s.last], self.grace)
        _stop([s for s in services if s.last], self.grace)

    def descendants(self) -> list[psutil.Process]:
        """Every live process the services started (leaders included)."""
        found: list[psutil.Process] = []
        for service in self.services:
            if service.pid is None:
                continue
            try:
                leader = psutil.Process(service.pid)
                found += [leader, *leader.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
        return found


def _stop(services: list[Service], grace: float) -> None:
    """Signal each leader's group, wait up to `grace` s, then SIGKILL groups and stragglers."""
    leaders = [s for s in services if s.popen is not None]
    family: list[psutil.Process] = []
    for service in leaders:
        assert service.popen is not None
        try:
            family += psutil.Process(service.popen.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            pass
        _signal_group(service.popen.pid, service.stop_signal)
    deadline = time.monotonic() + grace
    for service in leaders:
        assert service.popen is not None
        try:
            service.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for service in leaders:
        assert service.popen is not None
        _signal_group(service.popen.pid, signal.SIGKILL)
        service.popen.wait()
    _, alive = psutil.wait_procs(family, timeout=max(0.1, min(5.0, deadline - time.monotonic())))
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=5)


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def tail(path: Path, lines: int) -> list[str]:
    """The last `lines` lines of a text file (empty when it does not exist)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 16_384))
            return handle.read().decode(errors="replace").splitlines()[-lines:]
    except OSError:
        return []
