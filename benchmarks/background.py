"""Benchmarks of the app in the background (issue 20), beside same-run baselines:

- 9: `frameio-desktop token` with a valid token while the app runs, against `python -c
  pass` with the same interpreter (target at most 2x);
- 10: the same `token` with no app running (the keyring read), against `python -c pass`
  (target at most 3x);
- 11: memory (PSS) of the app signed in and hidden, answering scripts, against a bare
  QtWidgets window that has imported `requests` and `keyring` (target at most 1.15x);
- 12: CPU seconds the hidden app spends over 60 s idle, against the same app with its
  window shown (the once-a-second countdown tick).

`run.py` calls these; this file is also the child that holds the bare baseline of 11.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: `run.py` itself (its `Result`, `spread`, `ratio_line`, `alternate`, `pss_kib`,
#: `time_until_ready`, `token_command`), passed in: importing it again would run it twice.
Run = Any

#: How long the idle benchmark watches each app.
IDLE_SECONDS = 60


def python_pass() -> list[str]:
    return [sys.executable, "-c", "pass"]


def start_app(
    flags: list[str], env: dict[str, str], *, hidden: bool = True
) -> subprocess.Popen[bytes]:
    """`frameio-desktop [--background] FLAGS` (the stored session signs it in), running
    until the benchmark ends it; returns once it answers scripts."""
    from frameio_desktop.core.agent import client, wire

    command = [sys.executable, "-m", "frameio_desktop", *(["--background"] if hidden else [])]
    app = subprocess.Popen(
        [*command, *flags], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    names = [a.removeprefix("--").replace("-", "_") for a in flags[::2]]
    request = wire.token_request(60, dict(zip(names, flags[1::2], strict=True)), environ=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # another process: nothing to wait on but this
        if app.poll() is not None:
            raise RuntimeError(f"the app ended (exit {app.returncode})")
        if client.ask_app(request, path=socket_path(env), wait=5) is not None:
            return app
        time.sleep(0.2)
    app.kill()
    raise RuntimeError("the app did not start answering")


def socket_path(env: dict[str, str]) -> str:
    return os.path.join(env["XDG_RUNTIME_DIR"], "frameio-desktop", "token.sock")


def stop(app: subprocess.Popen[bytes]) -> None:
    app.terminate()
    try:
        app.wait(30)
    except subprocess.TimeoutExpired:
        app.kill()
        app.wait()


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def bench_token_app_running(run: Run, rounds: int, flags: list[str], env: dict[str, str]) -> Any:
    """The keyring is off for the scripts (keyring's null backend): every token printed
    came from the app, or `token` would fail (exit 6) and the benchmark with it."""
    scripts = {**env, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    app = start_app(flags, env)
    try:
        a, b = run.alternate(
            rounds * 2,
            lambda: timed(run.token_command(flags), scripts),
            lambda: timed(python_pass(), scripts),
        )
    finally:
        stop(app)
    ratio, met = run.ratio_line(a, b, 2.0)
    return run.Result(
        9,
        "`frameio-desktop token` with a valid token, the app running (hidden)",
        run.spread(a, "ms", 1000),
        run.spread(b, "ms", 1000) + " `python -c pass`",
        ratio,
        "≤ 2×",
        met,
        "the scripts ran with keyring's null backend: each token printed came from the app",
    )


def bench_token_app_closed(run: Run, rounds: int, flags: list[str], env: dict[str, str]) -> Any:
    a, b = run.alternate(
        rounds * 2,
        lambda: timed(run.token_command(flags), env),
        lambda: timed(python_pass(), env),
    )
    ratio, met = run.ratio_line(a, b, 3.0)
    return run.Result(
        10,
        "`frameio-desktop token` with a valid stored token (IMS-sized), no app running",
        run.spread(a, "ms", 1000),
        run.spread(b, "ms", 1000) + " `python -c pass`",
        ratio,
        "≤ 3×",
        met,
        "the keyring read in a plain Secret Service session (core/secret_service.py)",
    )


def bench_background_memory(run: Run, rounds: int, flags: list[str], env: dict[str, str]) -> Any:
    app_mib: list[float] = []
    bare_mib: list[float] = []
    for _ in range(max(2, rounds // 2)):
        app = start_app(flags, env)
        try:
            time.sleep(2)  # settled: the silent sign-in's check with the server has answered
            app_mib.append(run.pss_kib(app.pid)[0] / 1024)
        finally:
            stop(app)
        _, _, bare = run.time_until_ready(
            [sys.executable, str(Path(__file__)), "bare-requests-keyring"], stdin=True
        )
        bare_mib.append(run.pss_kib(bare.pid)[0] / 1024)
        run.finish(bare)
    ratio, met = run.ratio_line(app_mib, bare_mib, 1.15)
    return run.Result(
        11,
        "memory of the app signed in and hidden, serving scripts (PSS, process tree)",
        run.spread(app_mib, "MiB"),
        run.spread(bare_mib, "MiB")
        + " bare QtWidgets window with `requests` and `keyring` imported",
        ratio,
        "≤ 1.15×",
        met,
    )


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_idle(run: Run, flags: list[str], env: dict[str, str], apps: int = 2) -> Any:
    """`apps` hidden and `apps` shown at once, each in a runtime folder of its own (one app
    per user answers scripts: each must, to be what is measured)."""
    started: list[tuple[bool, subprocess.Popen[bytes]]] = []
    try:
        for index in range(2 * apps):
            hidden = index % 2 == 0
            own = {**env, "XDG_RUNTIME_DIR": f"{env['XDG_RUNTIME_DIR']}/idle-{index}"}
            os.makedirs(own["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
            started.append((hidden, start_app(flags, own, hidden=hidden)))
        time.sleep(3)  # past the start-up work
        before = {app.pid: cpu_seconds(app.pid) for _, app in started}
        time.sleep(IDLE_SECONDS)
        used = {app.pid: cpu_seconds(app.pid) - before[app.pid] for _, app in started}
    finally:
        for _, app in started:
            stop(app)
    a = [used[app.pid] for hidden, app in started if hidden]
    b = [used[app.pid] for hidden, app in started if not hidden]
    return run.Result(
        12,
        f"CPU time of the app signed in and hidden, over {IDLE_SECONDS} s idle",
        run.spread(a, "ms CPU", 1000),
        run.spread(b, "ms CPU", 1000)
        + " the same app, window shown (the countdown ticks each second)",
        f"{statistics.median(a) / max(statistics.median(b), 1e-9):.2f}×",
        "—",
        None,
    )


def bare_requests_keyring() -> None:
    """The floor of 11: a QtWidgets window in a process that has imported what the app
    must (`requests`, `keyring` with its backend)."""
    sys.path.insert(0, str(ROOT))
    import keyring
    import requests  # noqa: F401

    keyring.get_keyring()
    from benchmarks.children import bare_widgets

    bare_widgets(keep=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["bare-requests-keyring"]:
        bare_requests_keyring()
