"""Frame.io V4 accounts: paging, the one-API rule, the saved choice and the override."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses
from responses import matchers

from frameio_desktop.core.accounts import (
    AccountChoices,
    FrameioAccount,
    choose_account_id,
    fetch_accounts,
)
from frameio_desktop.core.errors import (
    ExitCode,
    TokenRejectedError,
    UnexpectedResponseError,
    UnknownAccountError,
)
from frameio_desktop.core.http import HttpClient
from frameio_desktop.core.session import AuthSession
from tests.helpers.fakes import API, FakeClock, make_settings, make_tokens
from tests.helpers.sessions import new_session

ACCOUNTS = f"{API}/v4/accounts"
ME = f"{API}/v4/me"


def page(ids: list[str], following: str | None) -> dict:
    return {
        "data": [{"id": i, "display_name": f"Account {i}"} for i in ids],
        "links": {"next": following},
    }


@responses.activate
def test_reads_every_page_following_relative_next_links() -> None:
    responses.get(ACCOUNTS, json=page(["a1", "a2"], "/v4/accounts?after=c1"))
    responses.get(f"{ACCOUNTS}?after=c1", json=page(["a3"], None))
    found = fetch_accounts(HttpClient(), ACCOUNTS, "AT")
    assert [a.id for a in found] == ["a1", "a2", "a3"]
    assert found[2].name == "Account a3"
    assert all(c.request.headers["Authorization"] == "Bearer AT" for c in responses.calls)


@responses.activate
def test_absolute_next_link_on_the_same_api_is_followed() -> None:
    responses.get(ACCOUNTS, json=page(["a1"], f"{ACCOUNTS}?after=c1"))
    responses.get(f"{ACCOUNTS}?after=c1", json=page(["a2"], None))
    assert [a.id for a in fetch_accounts(HttpClient(), ACCOUNTS, "AT")] == ["a1", "a2"]


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://evil.example.test/v4/accounts?after=c1",
        "http://api.example.test/v4/accounts?after=c1",
        "https://api.example.test:8443/v4/accounts?after=c1",
        "//evil.example.test/v4/accounts",
        # urlsplit reads the host after the `@`; requests (urllib3) connects to the one
        # before the backslash (issue 19).
        "https://evil.example.test\\@api.example.test/v4/accounts?after=c1",
        "//evil.example.test\\@api.example.test/v4/accounts",
        "https://user@api.example.test/v4/accounts?after=c1",
        "https://api.example.test\\v4/accounts?after=c1",
    ],
)
@responses.activate
def test_next_link_to_another_server_is_refused_and_gets_no_token(elsewhere: str) -> None:
    responses.get(ACCOUNTS, json=page(["a1"], elsewhere))
    with pytest.raises(UnexpectedResponseError, match="another server"):
        fetch_accounts(HttpClient(), ACCOUNTS, "AT")
    assert len(responses.calls) == 1  # the token went nowhere else


@responses.activate
def test_endless_paging_is_bounded() -> None:
    for n in range(5):
        responses.get(f"{ACCOUNTS}?after={n}", json=page([f"a{n}"], f"/v4/accounts?after={n + 1}"))
    responses.get(ACCOUNTS, json=page(["first"], "/v4/accounts?after=0"))
    with pytest.raises(UnexpectedResponseError, match="more than 3 pages"):
        fetch_accounts(HttpClient(), ACCOUNTS, "AT", max_pages=3)
    assert len(responses.calls) == 3


@responses.activate
def test_circular_next_link_is_refused() -> None:
    responses.get(ACCOUNTS, json=page(["a1"], "/v4/accounts"))
    with pytest.raises(UnexpectedResponseError, match="circle"):
        fetch_accounts(HttpClient(), ACCOUNTS, "AT")


@responses.activate
def test_401_is_token_rejected() -> None:
    responses.get(ACCOUNTS, status=401)
    with pytest.raises(TokenRejectedError):
        fetch_accounts(HttpClient(), ACCOUNTS, "AT")


ACCTS = [FrameioAccount("a1", "One"), FrameioAccount("a2", "Two")]


@pytest.mark.parametrize(
    ("override", "saved", "accounts", "expected"),
    [
        ("forced", "a2", ACCTS, "forced"),  # the override wins
        (None, "a2", ACCTS, "a2"),  # the saved choice, still listed
        (None, "gone", ACCTS, "a1"),  # saved but no longer listed: the first
        (None, None, ACCTS, "a1"),
        (None, "a2", None, "a2"),  # list not read yet: trust the saved choice
        (None, None, [], None),
    ],
)
def test_choose_account_id(override, saved, accounts, expected) -> None:
    assert choose_account_id(accounts, override=override, saved=saved) == expected


def test_choices_are_kept_per_sign_in_in_a_plain_file(tmp_path: Path) -> None:
    path = tmp_path / "config" / "accounts.json"
    choices = AccountChoices(path)
    choices.set("frameio-v4:c:default", "a2")
    choices.set("frameio-v4:c:work", "a9")
    assert AccountChoices(path).get("frameio-v4:c:default") == "a2"
    assert json.loads(path.read_text()) == {
        "frameio-v4:c:default": "a2",
        "frameio-v4:c:work": "a9",
    }
    choices.set("frameio-v4:c:work", None)
    assert AccountChoices(path).get("frameio-v4:c:work") is None


def test_damaged_choices_file_loses_only_the_preference(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text("{not json")
    assert AccountChoices(path).get("k") is None
    AccountChoices(path).set("k", "a1")
    assert AccountChoices(path).get("k") == "a1"


def v4_session(tmp_path: Path, clock: FakeClock, **flags: str) -> AuthSession:
    settings = make_settings(provider="frameio-v4", account_url=ME, **flags)
    session = new_session(
        settings,
        folder=tmp_path,
        clock=clock,
        account_choices=AccountChoices(tmp_path / "accounts.json"),
        web_profiles_root=tmp_path / "web-profiles",
    )
    session._save(make_tokens(clock()))
    return session


def mock_v4_api() -> None:
    responses.get(ME, json={"data": {"id": "u1", "name": "Ada", "email": "ada@example.test"}})
    # Matched on the whole query, so that both pages can be asked for again.
    first = [matchers.query_param_matcher({})]
    responses.get(ACCOUNTS, json=page(["a1", "a2"], "/v4/accounts?after=c1"), match=first)
    responses.get(f"{ACCOUNTS}?after=c1", json=page(["a3"], None))


@responses.activate
def test_account_lookup_reads_the_list_and_picks_the_first(tmp_path: Path, clock) -> None:
    mock_v4_api()
    session = v4_session(tmp_path, clock)
    assert session.settings.accounts_url == ACCOUNTS
    account = session.user()
    assert account is not None
    assert [a.id for a in session.accounts or []] == ["a1", "a2", "a3"]
    assert account.account_id == session.account_id == "a1"


@responses.activate
def test_chosen_account_is_kept_for_the_next_run(tmp_path: Path, clock) -> None:
    mock_v4_api()
    session = v4_session(tmp_path, clock)
    session.user()
    session.choose_account("a3")
    assert session.known_user is not None
    assert session.known_user.account_id == "a3"
    with pytest.raises(UnknownAccountError, match="not one of") as refused:
        session.choose_account("someone-elses")
    assert refused.value.exit_code == ExitCode.USAGE
    later = v4_session(tmp_path, clock)
    assert later.account_id == "a3"  # before any request
    account = later.user()
    assert account is not None
    assert account.account_id == "a3"


@responses.activate
def test_account_id_override_wins(tmp_path: Path, clock, monkeypatch) -> None:
    mock_v4_api()
    session = v4_session(tmp_path, clock)
    session.user()
    session.choose_account("a2")
    overridden = v4_session(tmp_path, clock, account_id="a3")
    assert overridden.account_id == "a3"
    monkeypatch.setenv("FRAMEIO_ACCOUNT_ID", "from-env")
    from frameio_desktop.core.settings import load_settings

    settings = load_settings(
        {"client_id": "c", "redirect_uri": "adobe+1://adobeid/c"},
        dotenv_path=tmp_path / "absent",
        settings_path=tmp_path / "absent.json",
    )
    assert settings.account_id == "from-env"


@responses.activate
def test_v2_keeps_the_account_id_from_v2_me(tmp_path: Path, clock) -> None:
    responses.get(f"{API}/v2/me", json={"id": "u1", "name": "Ada", "account_id": "v2-acct"})
    session = new_session(
        make_settings(),
        folder=tmp_path,
        clock=clock,
        lock_dir=tmp_path,
        account_choices=AccountChoices(tmp_path / "accounts.json"),
    )
    session._save(make_tokens(clock()))
    account = session.user()
    assert account is not None
    assert account.account_id == session.account_id == "v2-acct"
    assert session.settings.accounts_url is None
    assert session.accounts is None
    assert len(responses.calls) == 1  # no account list for V2


@responses.activate
def test_sign_out_forgets_the_choice(tmp_path: Path, clock) -> None:
    mock_v4_api()
    session = v4_session(tmp_path, clock, revoke_url=f"{API}/revoke")
    responses.post(f"{API}/revoke", status=200)
    session.user()
    session.choose_account("a2")
    session.sign_out()
    assert AccountChoices(tmp_path / "accounts.json").get(session.settings.store_key) is None


@responses.activate
def test_a_failing_account_list_does_not_fail_the_account_lookup(tmp_path: Path, clock) -> None:
    """The list is extra: a 500 or a malformed page there must not end a sign-in that
    `/v4/me` already confirmed. The saved choice still answers `account_id`."""
    mock_v4_api()
    session = v4_session(tmp_path, clock)
    session.user()
    session.choose_account("a2")
    responses.replace(
        responses.GET,
        ACCOUNTS,
        json={"errors": ["down"]},
        status=503,
        match=[matchers.query_param_matcher({})],
    )
    later = v4_session(tmp_path, clock)
    account = later.user()
    assert account is not None
    assert account.id == "u1"
    assert account.account_id == "a2"
    assert later.accounts is None
    assert later.accounts_problem is not None
    assert "503" in later.accounts_problem.user_message


@responses.activate
@pytest.mark.parametrize("answer_last", ["me", "accounts"])
def test_a_lookup_that_ends_after_a_sign_out_keeps_nothing(
    tmp_path: Path, clock, answer_last: str
) -> None:
    """The window signs out on one thread while a worker is still reading who is signed in.
    Forced here: the sign-out runs inside the lookup's own request. What the lookup finds
    afterwards belongs to a sign-in that is over: it must not reappear as the known user or
    the account list (and be stored with the next person's tokens)."""
    session = v4_session(tmp_path, clock, revoke_url=f"{API}/revoke")
    responses.post(f"{API}/revoke", status=200)
    signed_out: list[object] = []

    def sign_out_then_answer(request):
        signed_out.append(session.sign_out())
        body = {"data": {"id": "u1", "name": "Ada"}} if answer_last == "me" else page(["a1"], None)
        return 200, {}, json.dumps(body)

    if answer_last == "me":
        responses.add_callback(responses.GET, ME, callback=sign_out_then_answer)
    else:
        responses.get(ME, json={"data": {"id": "u1", "name": "Ada"}})
        responses.add_callback(responses.GET, ACCOUNTS, callback=sign_out_then_answer)
    assert session.user() is None
    assert signed_out
    assert session.known_user is None
    assert session.accounts is None
    assert session.tokens is None
    assert session.store.load_entry(session.settings.store_key) is None


def test_names_from_the_api_carry_no_terminal_controls() -> None:
    """An account's name is chosen by whoever owns it, not by the signed-in person (an
    account they were invited to): `accounts`, `status` and `login` print it in a terminal,
    so escape sequences and other controls are dropped, as from a server's error text."""
    from frameio_desktop.core.accounts import parse_accounts_page
    from frameio_desktop.core.user import parse_user

    hostile = "Team\x1b]0;pwned\x07\x1b[2J\u202eevil\r\nX"
    accounts, _ = parse_accounts_page({"data": [{"id": "a1", "display_name": hostile}]})
    user = parse_user({"data": {"id": "u1", "name": hostile, "email": "ada@example.test"}})
    for text in (accounts[0].display_name, user.display_name):
        assert text.isprintable(), repr(text)
        assert "Team" in text
