"""Staff login for the fleet console: scrypt password hashes, an HMAC-signed session cookie.

Hash format: ``scrypt$<log2 n>$<r>$<p>$<salt hex>$<hash hex>`` (hashlib.scrypt, n = 2**14: about 30 ms per
login on a small machine, so guessing is slow and logging in is not). ``kiosk sandbox`` ships the demo
accounts in staff_accounts.json (their passwords are in docs/FLEET.md); a real platform uses its own
identity provider.

The cookie holds ``<user>|<expiry unix s>|<hmac>``: no server-side session table, and a restart of the
sandbox (new random key) logs everybody out. SameSite=Strict and HttpOnly; POSTs also check the Origin.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

ACCOUNTS_FILE = Path(__file__).with_name("staff_accounts.json")
COOKIE_NAME = "kiosk_console"
SESSION_S = 8 * 3600  # one working shift
_N_LOG2, _R, _P = 14, 8, 1


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**_N_LOG2, r=_R, p=_P, dklen=32)
    return f"scrypt${_N_LOG2}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n_log2, r, p, salt, wanted = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=2 ** int(n_log2), r=int(r),
                                p=int(p), dklen=len(bytes.fromhex(wanted)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest.hex(), wanted)


@dataclass(frozen=True, slots=True)
class StaffAccount:
    user: str
    display_name: str
    password_hash: str


def load_accounts(path: Path = ACCOUNTS_FILE) -> dict[str, StaffAccount]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {a["user"]: StaffAccount(a["user"], a["display_name"], a["password_hash"]) for a in raw["accounts"]}


class Sessions:
    def __init__(self, accounts: dict[str, StaffAccount], key: bytes | None = None, clock=time.time) -> None:
        self.accounts = accounts
        self._key = key or secrets.token_bytes(32)
        self.clock = clock

    def login(self, user: str, password: str) -> str | None:
        """The cookie value for a correct user and password, else None (same work either way)."""
        account = self.accounts.get(user)
        ok = check_password(password, account.password_hash if account else _DUMMY_HASH)
        if not ok or account is None:
            return None
        payload = f"{user}|{int(self.clock()) + SESSION_S}"
        return base64.urlsafe_b64encode(f"{payload}|{self._sign(payload)}".encode()).decode()

    def user_of(self, cookie: str | None) -> StaffAccount | None:
        if not cookie:
            return None
        try:
            user, expires, sent = base64.urlsafe_b64decode(cookie.encode()).decode().split("|")
        except (ValueError, UnicodeDecodeError):
            return None
        if not hmac.compare_digest(self._sign(f"{user}|{expires}"), sent):
            return None
        if not expires.isdigit() or int(expires) < self.clock():
            return None
        return self.accounts.get(user)

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()


_DUMMY_HASH = hash_password("not-a-password", b"\0" * 16)
