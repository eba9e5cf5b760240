"""The link to the sign-in window process, with small stand-in children (no Qt needed)."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import textwrap

import pytest

from frameio_desktop.core import sign_in_process
from frameio_desktop.core.chromium_flags import join_flags, split_flags, strip_remote_debugging
from frameio_desktop.core.sign_in_process import ProcessFactory, SignInProcess, valid_event

#: Says ready, echoes each command back as an event, and exits 0 at the end of its input.
ECHO_CHILD = textwrap.dedent(
    """
    import json, sys
    print(json.dumps({"event": "ready"}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "close":
            break
        print(json.dumps({"event": "result", "id": 0, "value": command["cmd"]}), flush=True)
    """
)


def child(source: str) -> list[str]:
    return [sys.executable, "-c", source]


def events_until_exit(process: SignInProcess) -> list[dict]:
    received: queue.Queue[dict] = queue.Queue()
    process.listen(received.put)
    events: list[dict] = []
    while not events or events[-1]["event"] != "exit":
        events.append(received.get(timeout=30))
    return events


def test_events_before_a_listener_are_kept_in_order() -> None:
    process = SignInProcess(child(ECHO_CHILD))
    assert process.send({"cmd": "open"})
    assert process.send({"cmd": "raise"})
    process.close()
    events = events_until_exit(process)
    assert [e["event"] for e in events] == ["ready", "result", "result", "exit"]
    assert [e.get("value") for e in events[1:3]] == ["open", "raise"]
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
        "-P",
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
        "import sys, frameio_desktop.core.sign_in_process\n"
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


# -- issue 12: the child is started safely, and its pipe is untrusted input -----------------


def test_a_planted_package_in_the_working_folder_is_not_run(tmp_path, monkeypatch) -> None:
    planted = tmp_path / "frameio_desktop"
    planted.mkdir()
    marker = tmp_path / "planted-ran"
    code = f"open({str(marker)!r}, 'w').write('ran')\n"
    (planted / "__init__.py").write_text(code)
    (planted / "__main__.py").write_text(code)
    monkeypatch.chdir(tmp_path)
    process = SignInProcess()  # the real command line
    process.close()
    process.wait(timeout=60)
    assert not marker.exists()


@pytest.mark.parametrize("python_path", [":/opt/lib", "/opt/lib:", "/opt/lib::/srv", ".:/opt/lib"])
def test_an_empty_python_path_entry_does_not_bring_the_working_folder_back(
    tmp_path, monkeypatch, python_path: str
) -> None:
    """An empty PYTHONPATH entry (or `.`) means the working folder, which `-P` keeps off
    the child's import path; the child's PYTHONPATH must not put it back."""
    planted = tmp_path / "frameio_desktop"
    planted.mkdir()
    marker = tmp_path / "planted-ran"
    code = f"open({str(marker)!r}, 'w').write('ran')\n"
    (planted / "__init__.py").write_text(code)
    (planted / "__main__.py").write_text(code)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", python_path)
    kept = sign_in_process.child_environment().get("PYTHONPATH", "")
    assert "" not in kept.split(os.pathsep)
    assert "." not in kept.split(os.pathsep)
    process = SignInProcess()  # the real command line
    process.close()
    process.wait(timeout=60)
    assert not marker.exists()


def test_the_child_gets_a_minimal_environment(monkeypatch) -> None:
    monkeypatch.setenv("FRAMEIO_CLIENT_SECRET", "s3cret-value")
    monkeypatch.setenv("FRAMEIO_TOKEN_URL", "https://auth.example.test/token")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret")
    monkeypatch.setenv("SSLKEYLOGFILE", "/tmp/keys.log")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    reporter = (
        "import json, os\n"
        "print(json.dumps({'event': 'failed', 'message': json.dumps(dict(os.environ))}))\n"
    )
    process = SignInProcess(child(reporter))
    events = events_until_exit(process)
    seen = json.loads(events[0]["message"])
    assert "s3cret-value" not in events[0]["message"]
    for name in ("FRAMEIO_CLIENT_SECRET", "FRAMEIO_TOKEN_URL", "AWS_SECRET_ACCESS_KEY"):
        assert name not in seen
    assert "SSLKEYLOGFILE" not in seen
    assert seen["LC_ALL"] == "C.UTF-8"
    assert seen["QT_QPA_PLATFORM"] == "offscreen"


@pytest.mark.parametrize(
    "flags",
    [
        "--remote-debugging-port=9339",
        "--disable-gpu --remote-debugging-port=9339 --lang=de",
        "-remote-debugging-port=9339",
        "--remote-debugging-pipe",
        "--REMOTE-DEBUGGING-ADDRESS=0.0.0.0 --remote-allow-origins=*",
        '"--remote-debugging-port=9339"',
        '--disable-gpu "--remote-debugging-port"=9339 --lang=de',
        '"--remote-debugging-pipe" "--remote-allow-origins=*"',
    ],
)
def test_remote_debugging_never_reaches_the_child(flags: str) -> None:
    env = sign_in_process.child_environment(
        {
            "QTWEBENGINE_CHROMIUM_FLAGS": flags,
            "QTWEBENGINE_REMOTE_DEBUGGING": "9339",
            "PATH": "/usr/bin",
        }
    )
    assert "remote" not in env.get("QTWEBENGINE_CHROMIUM_FLAGS", "").lower()
    assert "QTWEBENGINE_REMOTE_DEBUGGING" not in env
    if "--lang=de" in flags:
        assert env["QTWEBENGINE_CHROMIUM_FLAGS"] == "--disable-gpu --lang=de"
    # ... and the child strips them itself, whoever started it.
    environ = {"QTWEBENGINE_CHROMIUM_FLAGS": flags, "QTWEBENGINE_REMOTE_DEBUGGING": "1"}
    argv = ["frameio-desktop", "--sign-in-window", *split_flags(flags)]
    strip_remote_debugging(environ, argv)
    assert "remote" not in environ["QTWEBENGINE_CHROMIUM_FLAGS"].lower()
    assert "QTWEBENGINE_REMOTE_DEBUGGING" not in environ
    assert not any("remote" in arg.lower() for arg in argv)


def test_only_known_qt_variables_and_chromium_switches_reach_the_child() -> None:
    env = sign_in_process.child_environment(
        {
            "QT_QPA_PLATFORM": "offscreen",
            "QT_SCALE_FACTOR": "2",
            "QTWEBENGINE_DISABLE_SANDBOX": "1",
            "QT_SOMETHING_NEW": "x",
            "QTWEBENGINE_REMOTE_DEBUGGING": "9339",
            "QTWEBENGINE_CHROMIUM_FLAGS": '--ignore-certificate-errors --disable-gpu "--lang=de" '
            "--proxy-server=http://evil.test:8080 --disable-web-security",
        }
    )
    assert env == {
        "QT_QPA_PLATFORM": "offscreen",
        "QT_SCALE_FACTOR": "2",
        "QTWEBENGINE_DISABLE_SANDBOX": "1",
        "QTWEBENGINE_CHROMIUM_FLAGS": "--disable-gpu --lang=de",
    }


@pytest.mark.parametrize(
    ("text", "args"),
    [
        ('a "b c" d', ["a", "b c", "d"]),
        ('"--x=1"', ["--x=1"]),
        ('--x="a b"', ["--x=a b"]),
        ('say """hi"""', ["say", '"hi"']),
        ('  ""  a  ', ["a"]),
    ],
)
def test_flags_are_split_as_qprocess_splitcommand_does(text: str, args: list[str]) -> None:
    assert split_flags(text) == args
    assert split_flags(join_flags(args)) == args
    qt_core = pytest.importorskip("PySide6.QtCore")  # the core-only run has no Qt
    assert qt_core.QProcess.splitCommand(text) == args


@pytest.mark.timeout(60)
def test_an_endless_line_is_cut_at_the_limit_and_the_child_stopped() -> None:
    flood = (
        "import sys\n"
        "block = 'x' * 65536\n"
        "for _ in range(4096):\n"  # 256 MiB, no newline
        "    sys.stdout.write(block)\n"
        "sys.stdout.flush()\n"
        "import time; time.sleep(60)\n"
    )
    process = SignInProcess(child(flood))
    events = events_until_exit(process)
    assert [e["event"] for e in events] == ["failed", "exit"]
    assert "oversized" in events[0]["message"]
    assert events[-1]["code"] != 0  # stopped, not left writing


@pytest.mark.parametrize(
    "line",
    [
        {"event": "exit", "code": 0},
        {"event": "result", "id": "7", "value": None},
        {"event": "result", "id": True, "value": None},
        {"event": "loaded", "ok": "yes"},
        {"event": "redirect"},
        {"event": "failed", "message": ["x"]},
        {"event": "surprise"},
        ["ready"],
    ],
)
def test_a_message_of_the_wrong_shape_ends_the_sign_in(line: object) -> None:
    source = f"import json, time\nprint(json.dumps({line!r}), flush=True)\ntime.sleep(60)\n"
    process = SignInProcess(child(source))
    events = events_until_exit(process)
    assert [e["event"] for e in events] == ["failed", "exit"]
    assert "malformed" in events[0]["message"]


@pytest.mark.parametrize("value", [True, False, None, 3, "text", [1, "a"], {"k": True}])
def test_a_script_result_may_be_any_json_value(value: object) -> None:
    """A page script's answer is JSON of any type, a boolean included (the e2e probe of
    the login form answers true or false); only the id must be an int, not a bool."""
    assert valid_event({"event": "result", "id": 1, "value": value})
    assert not valid_event({"event": "result", "id": True, "value": value})
