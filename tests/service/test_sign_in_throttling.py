"""Sign-in and pairing under attack: a TOTP code signs in once, and repeated failures per
account or per address are refused with 429 and a doubling Retry-After, alike for real and
unknown logins."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from confide.errors import AccessDenied, TooManyAttempts
from confide.service.accounts import log_in, start_pairing
from confide.service.app import create_app
from confide.service.throttle import ACCOUNT_FREE_FAILURES, ADDRESS_FREE_FAILURES, guarded
from confide.store.tables import SignInFailure

HTTPS = "https://testserver"
"""Outside dev mode the sign-in cookies are Secure."""
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
DOORS = {"customer": ("/login", "person", "alice"), "staff": ("/review/login", "staff", "rhea")}
"""Each side's sign-in form, its kind of account, and who signs in there."""


def credentials(household, team, door: str) -> tuple[str, str, str]:
    """The login, password and TOTP secret of the account that signs in at `door`."""
    _, _, who = DOORS[door]
    if door == "staff":
        return team[who].login, team[who].password, team[who].totp_secret
    secret = household.people[who].totp_secret
    assert secret is not None
    return who, household.passwords[who], secret


def post_form(client: TestClient, path: str, login: str, password: str, code: str):
    form = client.get(path)
    data = {"login": login, "password": password, "code": code, "csrf": CSRF.findall(form.text)[0]}
    return client.post(path, data=data, follow_redirects=False)


@pytest.fixture
def client(runtime) -> TestClient:
    return TestClient(create_app(runtime), base_url=HTTPS)


@pytest.mark.parametrize("kind", ["person", "staff"])
@pytest.mark.parametrize(
    ("later", "heard"),
    [(0, False), (-30, False), (30, True)],
    ids=["the-same-step-again", "an-earlier-step", "the-next-step"],
)
def test_a_totp_code_signs_in_once(session, keyring, household, team, kind, later, heard) -> None:
    door = "customer" if kind == "person" else "staff"
    login, password, secret = credentials(household, team, door)
    totp, now = pyotp.TOTP(secret), time.time()
    assert log_in(session, keyring, kind, login, password, totp.at(now))
    if heard:
        assert log_in(session, keyring, kind, login, password, totp.at(now + later))
    else:
        with pytest.raises(AccessDenied):
            log_in(session, keyring, kind, login, password, totp.at(now + later))


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("exists", [True, False], ids=["known-login", "unknown-login"])
def test_repeated_failures_lock_the_account_alike_whether_it_exists(
    client, household, team, door, exists
) -> None:
    path = DOORS[door][0]
    login, password, secret = credentials(household, team, door)
    login = login if exists else "nobody-by-this-name"
    for _ in range(ACCOUNT_FREE_FAILURES):
        assert post_form(client, path, login, "not the password", "000000").status_code == 401
    refused = post_form(client, path, login, password, pyotp.TOTP(secret).now())
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert "Too many attempts" in refused.text
    assert 'role="alert"' in refused.text


@pytest.mark.parametrize("door", DOORS)
def test_a_success_resets_the_accounts_count(runtime, household, team, door) -> None:
    path = DOORS[door][0]
    login, password, secret = credentials(household, team, door)
    app, totp, now = create_app(runtime), pyotp.TOTP(secret), time.time()
    for code in (totp.at(now), totp.at(now + 30)):
        client = TestClient(app, HTTPS)  # signed out, as a new browser
        for _ in range(ACCOUNT_FREE_FAILURES - 1):
            assert post_form(client, path, login, "not the password", "000000").status_code == 401
        assert post_form(client, path, login, password, code).status_code == 303


@pytest.mark.parametrize("door", DOORS)
def test_one_address_is_throttled_across_logins_and_no_other(runtime, door) -> None:
    path = DOORS[door][0]
    app = create_app(runtime)
    guesser = TestClient(app, HTTPS, client=("203.0.113.9", 40000))
    for n in range(ADDRESS_FREE_FAILURES):
        assert post_form(guesser, path, f"guess-{n}", "wrong", "000000").status_code == 401
    assert post_form(guesser, path, "yet-another", "wrong", "000000").status_code == 429
    other = TestClient(app, HTTPS, client=("198.51.100.7", 40000))
    assert post_form(other, path, "yet-another", "wrong", "000000").status_code == 401


def test_the_counts_name_no_login_and_no_address(client, runtime) -> None:
    post_form(client, "/login", "alice-secret-login", "wrong", "000000")
    with runtime.sessions() as session:
        keys = session.scalars(select(SignInFailure.key)).all()
    assert len(keys) == 2
    assert all(re.fullmatch(r"[0-9a-f]{64}", key) for key in keys)
    assert not any("alice" in key or "testclient" in key for key in keys)


@pytest.mark.parametrize(
    ("failures", "retry_after"),
    [(ACCOUNT_FREE_FAILURES - 1, None), (5, 30), (6, 60), (7, 120), (11, 1920), (12, 3600)],
)
def test_the_delay_doubles_up_to_a_cap(session, keyring, failures, retry_after) -> None:
    """Each failure comes an hour after the last, when any delay before it has run out."""
    account = ("person", "alice")
    for hour in range(failures):
        now = datetime(2030, 1, 1, hour, tzinfo=UTC)
        with pytest.raises(AccessDenied), guarded(session, keyring, "a", account, now=now):
            raise AccessDenied("wrong")
    if retry_after is None:
        with guarded(session, keyring, "a", account, now=now):
            pass
    else:
        with (
            pytest.raises(TooManyAttempts) as refused,
            guarded(session, keyring, "a", account, now=now),
        ):
            pass
        assert refused.value.retry_after == retry_after


def test_pairing_guesses_are_throttled(client, session, household) -> None:
    _, code = start_pairing(session, household.id, household.people["alice"].id, "kitchen")
    session.commit()
    for _ in range(ADDRESS_FREE_FAILURES):
        assert client.post("/api/devices/pair", json={"code": "0000000000"}).status_code == 401
    refused = client.post("/api/devices/pair", json={"code": code})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "30"
    assert "Too many attempts" in refused.json()["detail"]
