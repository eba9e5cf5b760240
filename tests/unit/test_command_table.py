"""One table of commands (`cli.COMMANDS`): the parser, the mode choice and the dispatch all
read it, so a command cannot be known to one and missing from another (a command the
dispatch did not know once fell through to `logout` and signed the person out)."""

from __future__ import annotations

import argparse
import io

import pytest

from frameio_desktop import cli, main
from frameio_desktop.core.errors import ExitCode


def parser_commands() -> set[str]:
    parser = cli.build_parser()
    (sub,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)


def test_the_parser_offers_exactly_the_table() -> None:
    assert parser_commands() == set(cli.COMMANDS)


@pytest.mark.parametrize("name", sorted(cli.COMMANDS))
def test_every_command_has_a_handler_or_a_window_mode(name: str) -> None:
    command = cli.COMMANDS[name]
    assert (command.run is not None) != (name in main.ENTRY_COMMANDS), (
        f"{name!r} needs exactly one of: a handler in cli.COMMANDS, a mode in main.ENTRY_COMMANDS"
    )
    mode = main.choose_mode(cli.build_parser().parse_args([name]))
    assert mode not in (main.Mode.WINDOW, main.Mode.DEMO)
    assert (mode is main.Mode.SCRIPT) == (command.run is not None)


def test_a_command_added_to_the_table_is_parsed_chosen_and_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran: list[str] = []

    def frob(run: cli.Invocation) -> int:
        ran.append(run.args.command)
        run.out.write("frobbed\n")
        return ExitCode.OK

    monkeypatch.setitem(cli.COMMANDS, "frob", cli.Command("frob things", frob))
    args = cli.build_parser().parse_args(["frob"])
    assert main.choose_mode(args) is main.Mode.SCRIPT
    out, err = io.StringIO(), io.StringIO()
    assert cli.run_script_command(args, out, err) == ExitCode.OK
    assert ran == ["frob"]
    assert out.getvalue() == "frobbed\n"


def test_a_command_with_neither_handler_nor_mode_is_refused_not_run_as_logout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(cli.COMMANDS, "frob", cli.Command("frob things", None))
    args = cli.build_parser().parse_args(["frob"])
    with pytest.raises(KeyError):
        main.choose_mode(args)
    with pytest.raises(ValueError, match="not a script command"):
        cli.run_script_command(args, io.StringIO(), io.StringIO())


def test_ctrl_c_while_the_running_app_answers_token_is_quiet_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from frameio_desktop import launcher

    def interrupted(arguments: list[str]) -> int | None:
        raise KeyboardInterrupt

    monkeypatch.setattr(launcher, "token_from_app", interrupted)
    assert launcher.main(["token"]) == ExitCode.INTERRUPTED
    assert "Traceback" not in capsys.readouterr().err
