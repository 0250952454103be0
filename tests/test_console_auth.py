"""The fleet console's access rules over real HTTP: login with the demo account, wrong passwords refused,
no page or staff API without a session, cross-site posts refused, a forged cookie ignored."""

from __future__ import annotations

import requests
from help_support import STAFF_PASSWORD, STAFF_USER, kiosk_side, staff_session

from kiosk.sandbox.console.auth import Sessions, check_password, hash_password, load_accounts


def test_pages_and_api_need_a_login(sandbox):
    page = requests.get(f"{sandbox.url}/console/?attention=1", allow_redirects=False, timeout=10)
    assert page.status_code == 303
    assert page.headers["location"] == "/console/login?next=%2Fconsole%2F%3Fattention%3D1"
    assert requests.get(f"{sandbox.url}/console/api/kiosks", timeout=10).status_code == 401
    assert requests.post(f"{sandbox.url}/console/api/assist/HJ1/accept", timeout=10).status_code == 401


def test_wrong_password_is_refused_in_words(sandbox):
    answer = requests.post(f"{sandbox.url}/console/login", data={"user": STAFF_USER, "password": "guess"}, timeout=10)
    assert answer.status_code == 401 and "工号或密码不对" in answer.text
    assert "kiosk_console" not in answer.cookies


def test_login_redirects_only_inside_the_console(sandbox):
    answer = requests.post(f"{sandbox.url}/console/login", allow_redirects=False, timeout=10,
                           data={"user": STAFF_USER, "password": STAFF_PASSWORD, "next": "https://evil.example/"})
    assert answer.status_code == 303 and answer.headers["location"] == "/console/"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie


def test_cross_site_post_and_forged_cookie_are_refused(sandbox, tmp_path):
    staff = staff_session(sandbox.url)
    cross = staff.post(f"{sandbox.url}/console/api/notices", json={"title": "x"}, timeout=10,
                       headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    forged = requests.get(f"{sandbox.url}/console/api/kiosks", timeout=10,
                          cookies={"kiosk_console": "amlzaHUwMXw5OTk5OTk5OTk5fGZvcmdlZA=="})
    assert forged.status_code == 401


def test_kiosk_requests_stay_signed_while_the_console_is_open(sandbox, tmp_path):
    unsigned = requests.get(f"{sandbox.url}/v1/notices", timeout=10)
    assert unsigned.status_code == 401
    _outbox, adapter = kiosk_side(tmp_path, sandbox.url, "KIOSK-AUTH-01")
    assert adapter.client._request("GET", "/notices").status_code == 200


def test_password_hashes_are_scrypt_and_sessions_expire():
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$14$8$1$") and "correct" not in stored
    assert check_password("correct horse", stored) and not check_password("wrong", stored)
    now = [1_000_000.0]
    sessions = Sessions(load_accounts(), clock=lambda: now[0])
    cookie = sessions.login(STAFF_USER, STAFF_PASSWORD)
    assert sessions.user_of(cookie).user == STAFF_USER
    now[0] += 9 * 3600
    assert sessions.user_of(cookie) is None
