from __future__ import annotations

import pytest
import responses

from frameio_desktop.core.errors import ServerError, TokenRejectedError, UnexpectedResponseError
from frameio_desktop.core.http import HttpClient
from frameio_desktop.core.user import fetch_user, parse_user

ME = "https://api.example.test/v2/me"


def test_v2_shape() -> None:
    a = parse_user(
        {
            "id": "u1",
            "name": "Ada",
            "email": "ada@example.test",
            "account_id": "acc9",
            "upload_url": "x",
        }
    )
    assert (a.id, a.name, a.email, a.account_id) == ("u1", "Ada", "ada@example.test", "acc9")


def test_v4_shape() -> None:
    a = parse_user({"data": {"id": "u4", "name": "Bo", "email": "bo@example.test"}})
    assert (a.id, a.name, a.email, a.account_id) == ("u4", "Bo", "bo@example.test", None)


def test_oidc_userinfo_shape() -> None:
    a = parse_user(
        {"sub": "s-1", "given_name": "Cy", "family_name": "Ray", "email": "cy@example.test"}
    )
    assert (a.id, a.name, a.email) == ("s-1", "Cy Ray", "cy@example.test")


def test_no_identity_is_an_error() -> None:
    with pytest.raises(UnexpectedResponseError):
        parse_user({"name": "nobody"})


@responses.activate
def test_fetch_sends_bearer_and_parses() -> None:
    responses.get(ME, json={"id": "u1", "email": "a@example.test"})
    a = fetch_user(HttpClient(), ME, "AT")
    assert a.id == "u1"
    assert responses.calls[0].request.headers["Authorization"] == "Bearer AT"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, '{"errors": []}', TokenRejectedError),
        (500, "oops", ServerError),
        (403, "forbidden", UnexpectedResponseError),
        (200, "<html>", UnexpectedResponseError),
    ],
)
@responses.activate
def test_fetch_errors(status: int, body: str, error: type[Exception]) -> None:
    responses.get(ME, status=status, body=body)
    with pytest.raises(error):
        fetch_user(HttpClient(), ME, "AT")
