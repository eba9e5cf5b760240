"""The link to the sign-in window process, with small stand-in children (no Qt needed)."""

from __future__ import annotations

import queue
import subprocess
import sys
import textwrap

import pytest

from frameio_desktop.gui.sign_in_child import process as sign_in_process
from frameio_desktop.gui.sign_in_child.process import ProcessFactory, SignInProcess

#: Says ready, echoes each command back as an event, and exits 0 at the end of its input.
ECHO_CHILD = textwrap.dedent(
    """
    import json, sys
    print(json.dumps({"event": "ready"}), flush=True)
    print("not json", flush=True)
    print(json.dumps(["no", "event"]), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "close":
            break
        print(json.dumps({"event": "echo", "cmd": command["cmd"]}), flush=True)
    """
)


def child(source: str) -> list[str]:
    return [sys.executable, "-c", source]


def events_until_exit(process: SignInProcess) -> list[dict]:
    received: queue.Queue[dict] = queue.Queue()
    process.listen(received.put)
    events = []
    while not events or events[-1]["event"] != "exit":
        events.append(received.get(timeout=30))
    return events


def test_events_before_a_listener_are_kept_in_order() -> None:
    process = SignInProcess(child(ECHO_CHILD))
    assert process.send({"cmd": "open"})
    assert process.send({"cmd": "raise"})
    process.close()
    events = events_until_exit(process)
    assert [e["event"] for e in events] == ["ready", "echo", "echo", "exit"]
    assert [e.get("cmd") for e in events[1:3]] == ["open", "raise"]
    assert events[-1]["code"] == 0
    assert process.wait() == 0
    assert not process.running


def test_end_of_input_alone_ends_the_child() -> None:
    """What happens when the window process dies: its end of the pipe closes."""
    process = SignInProcess(child(ECHO_CHILD))
    assert process._proc.stdin is not None
    process._proc.stdin.close()
    assert process.wait(timeout=30) == 0


def test_exit_status_of_a_crashed_child_is_reported() -> None:
    process = SignInProcess(child("import sys; sys.exit(3)"))
    events = events_until_exit(process)
    assert events == [{"event": "exit", "code": 3}]
    assert not process.send({"cmd": "raise"})  # no one to send to, no exception


def test_a_child_that_will_not_exit_is_stopped() -> None:
    process = SignInProcess(
        child("import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ntime.sleep(60)")
    )
    process.close()
    code = process.wait(timeout=0.5)
    assert code is not None
    assert code < 0


def test_no_event_after_the_listener_is_dropped() -> None:
    process = SignInProcess(child(ECHO_CHILD))
    received: list[dict] = []
    process.listen(received.append)
    process.listen(None)
    process.close()
    process.wait()
    assert all(e["event"] != "exit" for e in received)


def test_the_child_is_this_program(monkeypatch: pytest.MonkeyPatch) -> None:
    assert sign_in_process.child_command() == [
        sys.executable,
        "-m",
        "frameio_desktop",
        "--sign-in-window",
    ]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert sign_in_process.child_command() == [sys.executable, "--sign-in-window"]


def test_prestarted_process_is_taken_once() -> None:
    factory = ProcessFactory(child(ECHO_CHILD))
    factory.prestart()
    spare = factory._spare
    first = factory()
    second = factory()
    assert spare is not None
    assert first is spare
    assert second is not spare
    for process in (first, second):
        process.close()
        process.wait()


def test_the_pipe_module_imports_no_qt() -> None:
    """The composition root starts a child with it before Qt is imported."""
    code = (
        "import sys, frameio_desktop.gui.sign_in_child.process\n"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stderr


def test_a_failing_listener_does_not_stop_the_reader() -> None:
    process = SignInProcess(child(ECHO_CHILD))
    calls: list[str] = []

    def listener(event: dict) -> None:
        calls.append(event["event"])
        raise RuntimeError("the window side is gone")

    process.listen(listener)
    process.close()
    assert process.wait(timeout=10) == 0
    assert not process.running  # the reader reached the end and reported the exit
    assert calls[-1] == "exit"
