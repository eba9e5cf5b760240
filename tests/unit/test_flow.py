from __future__ import annotations

import base64
import hashlib
import string
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from frameio_desktop.core.errors import (
    AuthorizationDeniedError,
    AuthorizationServerError,
    DuplicateParameterError,
    FlowAlreadyUsedError,
    IssuerMismatchError,
    MissingCodeError,
    RedirectMismatchError,
    StateMismatchError,
)
from frameio_desktop.core.flow import PendingSignIn, begin_sign_in, redirect_matches
from tests.helpers.fakes import REDIRECT, make_settings


def test_rfc7636_appendix_b_vector() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert create_s256_code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_begin_builds_authorize_url_with_s256_challenge() -> None:
    pending = begin_sign_in(make_settings())
    url = urlsplit(pending.authorize_url)
    assert (url.scheme, url.netloc, url.path) == ("https", "auth.example.test", "/oauth2/auth")
    q = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert q["response_type"] == "code"
    assert q["client_id"] == "client-123"
    assert q["redirect_uri"] == REDIRECT
    assert q["scope"] == "offline account.read asset.read"
    assert q["state"] == pending.state
    assert q["code_challenge_method"] == "S256"
    digest = hashlib.sha256(pending.code_verifier.encode()).digest()
    assert q["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert "code_verifier" not in q


def test_each_begin_has_fresh_state_and_verifier() -> None:
    settings = make_settings()
    flows = [begin_sign_in(settings) for _ in range(20)]
    assert len({f.state for f in flows}) == 20
    assert len({f.code_verifier for f in flows}) == 20
    allowed = set(string.ascii_letters + string.digits + "-._~")
    for f in flows:
        assert 43 <= len(f.code_verifier) <= 128
        assert set(f.code_verifier) <= allowed
        assert len(f.state) >= 32


def _flow(**kw: str) -> PendingSignIn:
    return begin_sign_in(make_settings(**kw))


def _redirect(flow: PendingSignIn, base: str = REDIRECT, **params: str) -> str:
    params.setdefault("state", flow.state)
    return f"{base}?{urlencode(params)}"


def test_good_redirect_gives_code_once() -> None:
    flow = _flow()
    assert flow.take_code(_redirect(flow, code="abc")) == "abc"
    assert flow.claimed


@pytest.mark.parametrize("code", ["abc", "other"])
def test_second_redirect_is_refused(code: str) -> None:
    flow = _flow()
    flow.take_code(_redirect(flow, code="abc"))
    with pytest.raises(FlowAlreadyUsedError):
        flow.take_code(_redirect(flow, code=code))


def test_refused_redirect_does_not_use_up_the_flow() -> None:
    flow = _flow()
    with pytest.raises(StateMismatchError):
        flow.take_code(_redirect(flow, code="abc", state="forged"))
    assert flow.take_code(_redirect(flow, code="abc")) == "abc"


@pytest.mark.parametrize(
    "base",
    [
        "https://app.example.test/callback/",
        "https://app.example.test/callbackx",
        "https://app.example.test/callback/extra",
        "https://app.example.test/call",
        "http://app.example.test/callback",
        "https://app.example.test:8443/callback",
        "https://evil.example.test/callback",
        "https://app.example.test.evil.test/callback",
        "https://app.example.test@evil.test/callback",
        "https://user@app.example.test/callback",
        "https://app.example.test/%63allback",
        "https://app.example.test/CALLBACK",
    ],
)
def test_near_miss_redirects_are_refused(base: str) -> None:
    flow = _flow()
    with pytest.raises(RedirectMismatchError):
        flow.take_code(_redirect(flow, base, code="abc"))
    assert not flow.claimed


def test_default_port_and_host_case_are_the_same_uri() -> None:
    assert redirect_matches(REDIRECT, "https://APP.example.test:443/callback?code=1")


def test_fragment_instead_of_query_is_refused() -> None:
    flow = _flow()
    with pytest.raises(RedirectMismatchError):
        flow.take_code(f"{REDIRECT}#code=abc&state={flow.state}")


def test_custom_scheme_redirect_exact_match() -> None:
    uri = "adobe+abc123://adobeid/client-123"
    flow = _flow(redirect_uri=uri)
    assert flow.take_code(_redirect(flow, uri, code="c")) == "c"
    for other in (
        "adobe+abc124://adobeid/client-123",
        "adobe+abc123://adobeid/client-1234",
        "adobe+abc123://adobeid2/client-123",
        "adobe://adobeid/client-123",
    ):
        flow = _flow(redirect_uri=uri)
        with pytest.raises(RedirectMismatchError):
            flow.take_code(_redirect(flow, other, code="c"))


def test_registered_query_must_be_kept() -> None:
    uri = "https://app.example.test/callback?tenant=7"
    flow = _flow(redirect_uri=uri)
    with pytest.raises(RedirectMismatchError):
        flow.take_code(f"https://app.example.test/callback?tenant=8&code=c&state={flow.state}")
    assert flow.take_code(f"{uri}&code=c&state={flow.state}") == "c"


@pytest.mark.parametrize("dup", ["code", "state", "iss"])
def test_duplicated_parameters_are_refused(dup: str) -> None:
    flow = _flow()
    url = _redirect(flow, code="abc") + f"&{dup}=x&{dup}=y"
    with pytest.raises(DuplicateParameterError) as err:
        flow.take_code(url)
    assert err.value.name == dup


def test_missing_state() -> None:
    flow = _flow()
    with pytest.raises(StateMismatchError):
        flow.take_code(f"{REDIRECT}?code=abc")


def test_mismatched_state() -> None:
    flow = _flow()
    with pytest.raises(StateMismatchError):
        flow.take_code(_redirect(flow, code="abc", state=flow.state + "x"))


@pytest.mark.parametrize("state", ["é", "\u00a0", "☃" * 32, "\udcff"])
def test_non_ascii_state_is_a_mismatch_not_a_crash(state: str) -> None:
    # compare_digest raises TypeError for non-ASCII str; that escaped as a bare exception.
    flow = _flow()
    with pytest.raises(StateMismatchError):
        flow.take_code(f"{REDIRECT}?code=abc&state={state}")
    assert not flow.claimed


def test_missing_code() -> None:
    flow = _flow()
    with pytest.raises(MissingCodeError):
        flow.take_code(_redirect(flow))
    with pytest.raises(MissingCodeError):
        flow.take_code(_redirect(flow, code=""))


def test_access_denied_carries_description() -> None:
    flow = _flow()
    with pytest.raises(AuthorizationDeniedError) as err:
        flow.take_code(_redirect(flow, error="access_denied", error_description="User said no"))
    assert err.value.description == "User said no"
    assert "User said no" in err.value.user_message


def test_other_error_is_typed_with_description() -> None:
    flow = _flow()
    with pytest.raises(AuthorizationServerError) as err:
        flow.take_code(_redirect(flow, error="invalid_scope", error_description="bad scope"))
    assert (err.value.error, err.value.description) == ("invalid_scope", "bad scope")


def test_error_with_forged_state_is_a_state_error() -> None:
    flow = _flow()
    with pytest.raises(StateMismatchError):
        flow.take_code(_redirect(flow, error="access_denied", state="forged"))


def test_iss_must_match_issuer() -> None:
    flow = _flow(issuer="https://auth.example.test")
    with pytest.raises(IssuerMismatchError):
        flow.take_code(_redirect(flow, code="c", iss="https://evil.example.test"))
    assert flow.take_code(_redirect(flow, code="c", iss="https://auth.example.test")) == "c"


def test_iss_required_when_server_promises_it() -> None:
    flow = _flow(issuer="https://auth.example.test")
    flow.require_iss = True
    with pytest.raises(IssuerMismatchError):
        flow.take_code(_redirect(flow, code="c"))


# -- property: near misses are never accepted ---------------------------------------------

REGISTERED = [
    "https://app.example.test/callback",
    "http://127.0.0.1:43123/cb",
    "adobe+abc123://adobeid/client-123",
]

_mutations = st.sampled_from(
    ["scheme", "host", "port", "path_prefix", "path_suffix", "userinfo", "percent", "fragment"]
)


def _mutate(uri: str, how: str, junk: str) -> str:
    p = urlsplit(uri)
    host = p.hostname or ""
    port = f":{p.port}" if p.port else ""
    if how == "scheme":
        return f"{p.scheme}x{junk}://{p.netloc}{p.path}"
    if how == "host":
        return f"{p.scheme}://{host}{junk}x{port}{p.path}"
    if how == "port":
        return f"{p.scheme}://{host}:{(p.port or 443) + 1 + len(junk)}{p.path}"
    if how == "path_prefix":
        return f"{p.scheme}://{p.netloc}{p.path[: max(1, len(p.path) - 1 - len(junk) % 3)]}"
    if how == "path_suffix":
        return f"{p.scheme}://{p.netloc}{p.path}{junk or '/'}"
    if how == "userinfo":
        return f"{p.scheme}://{junk or 'u'}@{p.netloc}{p.path}"
    if how == "percent":
        i = len(junk) % len(p.path[1:]) + 1
        return f"{p.scheme}://{p.netloc}{p.path[:i]}%{ord(p.path[i]):02X}{p.path[i + 1 :]}"
    return f"{p.scheme}://{p.netloc}{p.path}#code=c&state=s{junk}"


@hsettings(max_examples=300, deadline=None)
@given(
    registered=st.sampled_from(REGISTERED),
    how=_mutations,
    junk=st.text(alphabet=string.ascii_lowercase + string.digits + "/.", max_size=6),
)
def test_property_near_miss_redirects_never_accepted(registered: str, how: str, junk: str) -> None:
    candidate = _mutate(registered, how, junk)
    target = candidate if how == "fragment" else candidate + "?code=c&state=s"
    assert not redirect_matches(registered, target), target


def test_prompt_none_asks_for_a_silent_answer_and_replaces_the_settings_prompt() -> None:
    settings = make_settings(
        provider="oidc", issuer="https://auth.example.test", scopes="openid offline_access"
    )
    assert dict(settings.authorize_params) == {"prompt": "consent"}
    query = parse_qs(urlsplit(begin_sign_in(settings, prompt="none").authorize_url).query)
    assert query["prompt"] == ["none"]
    assert "prompt" not in parse_qs(urlsplit(begin_sign_in(make_settings()).authorize_url).query)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        ("login_required", "LoginRequiredError"),
        ("interaction_required", "InteractionRequiredError"),
        ("consent_required", "ConsentRequiredError"),
        ("account_selection_required", "InteractionRequiredError"),
    ],
)
def test_silent_renewal_refusals_are_typed(error: str, expected: str) -> None:
    from frameio_desktop.core import errors

    pending = begin_sign_in(make_settings(), prompt="none")
    url = f"{REDIRECT}?{urlencode({'error': error, 'state': pending.state})}"
    with pytest.raises(errors.InteractionRequiredError) as caught:
        pending.take_code(url)
    assert type(caught.value).__name__ == expected
    assert isinstance(caught.value, AuthorizationServerError)
    assert caught.value.error == error
    assert "sign in again" in caught.value.user_message
    assert not pending.claimed  # a refusal does not use the flow up


@pytest.mark.parametrize(
    ("registered", "sent"),
    [
        # Chromium adds the `/` a registered URI without a path leaves out.
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000/?code=x"),
        ("https://app.example.test", "https://app.example.test/?code=x"),
        # ... and percent-encodes a non-ASCII path, and sends an IDN host as punycode.
        ("http://127.0.0.1:5000/rückruf", "http://127.0.0.1:5000/r%C3%BCckruf?code=x"),
        ("http://127.0.0.1:5000/r%c3%bcckruf", "http://127.0.0.1:5000/r%C3%BCckruf?code=x"),
        ("http://127.0.0.1:5000/call back", "http://127.0.0.1:5000/call%20back?code=x"),
        ("https://bücher.example.test/cb", "https://xn--bcher-kva.example.test/cb?code=x"),
    ],
)
def test_what_chromium_sends_for_a_registered_uri_is_accepted(registered: str, sent: str) -> None:
    assert redirect_matches(registered, sent)


@pytest.mark.parametrize(
    "sent",
    [
        "http://localhost:5000/callback?code=x",
        "http://127.0.0.1:5000/callback;x?code=x",
        "http://127.0.0.1:5000/callback%2Fx?code=x",
        "ws://127.0.0.1:5000/callback?code=x",
        "http://127.0.0.1.:5000/callback?code=x",
        "http://127.0.0.1%2e:5000/callback?code=x",
    ],
)
def test_caught_variants_are_still_refused_by_the_exact_check(sent: str) -> None:
    assert not redirect_matches("http://127.0.0.1:5000/callback", sent)
