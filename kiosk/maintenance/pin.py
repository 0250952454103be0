"""The maintenance PIN: stored hashed, checked in constant time, guarded by a lockout that survives restarts.

A technician opens the maintenance screen with a PIN typed on the touchscreen, in a hall where anyone can walk
up and try. So:

- The config holds only ``scrypt$n$r$p$salt_b64$hash_b64`` (made by ``kiosk hash-pin``), never the PIN. A short
  numeric PIN cannot resist an offline brute force of its hash, whatever the KDF; the hash keeps the PIN out of
  backups, screenshots and support tickets, and /etc/kiosk is 0750 root:kiosk so nobody else can read it.
- The real defence is the lockout: after ``max_attempts`` wrong PINs entry is refused for a lock time that
  doubles with every lockout (1 min, 2, 4, ... capped at 1 h). A 6-digit PIN then takes centuries to guess.
- The lockout state lives in a small JSON file under the state directory, so pulling the plug does not reset
  the counter. It is written atomically (temp file + rename), so a power cut leaves the old or the new state.
- Every wrong and every refused attempt is logged (to the journal), never the PIN itself.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import json
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# scrypt cost: n=2**14, r=8 takes ~50 ms and 16 MiB on a small x86 kiosk board. More would only slow
# the touchscreen (the lockout, not the KDF, is what stops guessing a short PIN).
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_SALT_BYTES = 16
_HASH_BYTES = 32
# A hand-edited config must not make a PIN check allocate gigabytes: refuse costs above this.
_MAX_MEMORY = 64 * 1024 * 1024

MIN_PIN_DIGITS = 6
MAX_PIN_DIGITS = 12


class PinFormatError(ValueError):
    """A PIN that does not meet the policy, or a stored hash that cannot be read."""


def check_pin_policy(pin: str) -> None:
    """The policy for a real kiosk's PIN (``kiosk hash-pin`` enforces it; ``hash_pin`` does not, so the demo
    config may use a short PIN). The keypad is numeric; with 5 tries per lock, six digits keeps guessing
    out of reach."""
    if not pin.isascii() or not pin.isdigit():
        raise PinFormatError("the maintenance PIN must be digits only (it is typed on the on-screen keypad)")
    if not MIN_PIN_DIGITS <= len(pin) <= MAX_PIN_DIGITS:
        raise PinFormatError(f"the maintenance PIN must have {MIN_PIN_DIGITS} to {MAX_PIN_DIGITS} digits")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length, maxmem=_MAX_MEMORY)


def hash_pin(pin: str) -> str:
    """Hash a PIN for the config file: ``scrypt$n$r$p$salt_b64$hash_b64`` with a fresh random salt."""
    if not pin:
        raise PinFormatError("the maintenance PIN is empty")
    salt = secrets.token_bytes(_SALT_BYTES)
    digest = _scrypt(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, _HASH_BYTES)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


@dataclass(frozen=True)
class _StoredHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes


def _parse_hash(encoded: str) -> _StoredHash:
    fix = "make a new one with `kiosk hash-pin` and paste its line into the config"
    parts = encoded.strip().split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise PinFormatError(f"maintenance PIN hash is not of the form scrypt$n$r$p$salt$hash; {fix}")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error) as exc:
        raise PinFormatError(f"maintenance PIN hash is damaged ({exc}); {fix}") from exc
    if n < 2 or n & (n - 1) or r < 1 or p < 1 or 128 * n * r * p > _MAX_MEMORY:
        raise PinFormatError(f"maintenance PIN hash has unusable scrypt costs n={n} r={r} p={p}; {fix}")
    if len(salt) < 8 or len(digest) < 16:
        raise PinFormatError(f"maintenance PIN hash has a too short salt or digest; {fix}")
    return _StoredHash(n, r, p, salt, digest)


def verify_pin(pin: str, encoded: str) -> bool:
    """True if *pin* matches the stored hash. Comparison is constant-time; a damaged hash raises PinFormatError."""
    stored = _parse_hash(encoded)
    candidate = _scrypt(pin, stored.salt, stored.n, stored.r, stored.p, len(stored.digest))
    return hmac.compare_digest(candidate, stored.digest)


class PinOutcome(enum.StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass(frozen=True)
class PinResult:
    """What the keypad screen shows: open, "wrong, N tries left", or "locked until HH:MM"."""

    outcome: PinOutcome
    remaining_attempts: int = 0  # for WRONG: wrong PINs left before the lock
    locked_until: float | None = None  # for LOCKED: wall-clock seconds (time.time()) when entry reopens

    @property
    def ok(self) -> bool:
        return self.outcome is PinOutcome.OK

    @classmethod
    def wrong(cls, remaining_attempts: int) -> PinResult:
        return cls(PinOutcome.WRONG, remaining_attempts=remaining_attempts)

    @classmethod
    def locked(cls, until: float) -> PinResult:
        return cls(PinOutcome.LOCKED, locked_until=until)


@dataclass
class _LockState:
    failures: int = 0  # wrong PINs since the last lock (or success)
    lockouts: int = 0  # locks since the last success; sets the next lock time
    locked_until: float = 0.0
    last_failure: float = 0.0


class PinGate:
    """Checks maintenance PINs with a persistent, growing lockout.

    ``clock`` returns wall-clock seconds (``time.time`` by default: the lock must survive a reboot, which a
    monotonic clock does not). Tests pass a fake clock, or ``now`` to ``try_pin``.
    """

    def __init__(
        self,
        pin_hash: str,
        state_path: str | os.PathLike[str],
        *,
        clock: Callable[[], float] = time.time,
        max_attempts: int = 5,
        first_lock_seconds: float = 60.0,
        max_lock_seconds: float = 3600.0,
        forgive_after_seconds: float = 24 * 3600.0,
    ) -> None:
        _parse_hash(pin_hash)  # a broken hash in the config is reported at start-up, not at the first try
        self._pin_hash = pin_hash
        self._path = Path(state_path)
        self._clock = clock
        self.max_attempts = max_attempts
        self.first_lock_seconds = first_lock_seconds
        self.max_lock_seconds = max_lock_seconds
        # Passers-by poke the hidden maintenance corner too. Without forgiveness the lock time would
        # climb to the cap over weeks and greet the technician on the next visit; a quiet day resets it.
        self.forgive_after_seconds = forgive_after_seconds

    # -- public ---------------------------------------------------------------------------------------------

    def try_pin(self, pin: str, now: float | None = None) -> PinResult:
        """Check *pin*. Takes ~50 ms (scrypt) on a kiosk board; the lockout check before it is free."""
        now = self._clock() if now is None else now
        state = self._load(now)
        if now < state.locked_until:
            log.warning(
                "maintenance PIN attempt refused: entry is locked for %d more s (lockout %d)",
                round(state.locked_until - now),
                state.lockouts,
            )
            return PinResult.locked(state.locked_until)
        if verify_pin(pin, self._pin_hash):
            if state.failures or state.lockouts:
                log.info("maintenance PIN accepted after %d wrong attempt(s); lockout reset", state.failures)
            else:
                log.info("maintenance PIN accepted")
            self._save(_LockState())
            return PinResult(PinOutcome.OK)
        state.failures += 1
        state.last_failure = now
        if state.failures >= self.max_attempts:
            lock_seconds = self._lock_seconds(state.lockouts)
            state.lockouts += 1
            state.failures = 0
            state.locked_until = now + lock_seconds
            self._save(state)
            log.warning(
                "maintenance PIN wrong %d times: entry locked for %d s (lockout %d)",
                self.max_attempts,
                round(lock_seconds),
                state.lockouts,
            )
            return PinResult.locked(state.locked_until)
        self._save(state)
        remaining = self.max_attempts - state.failures
        log.warning("maintenance PIN wrong: %d attempt(s) left before lockout", remaining)
        return PinResult.wrong(remaining)

    def locked_until(self, now: float | None = None) -> float | None:
        """When entry reopens, or None if it is open (so the screen can show the lock before a try)."""
        now = self._clock() if now is None else now
        state = self._load(now)
        return state.locked_until if now < state.locked_until else None

    # -- internals ------------------------------------------------------------------------------------------

    def _lock_seconds(self, earlier_lockouts: int) -> float:
        # Cap the exponent too, so a huge counter from a hand-edited file cannot overflow the float.
        return min(self.first_lock_seconds * 2 ** min(earlier_lockouts, 32), self.max_lock_seconds)

    def _load(self, now: float) -> _LockState:
        try:
            raw = json.loads(self._path.read_text(encoding="utf-8"))
            state = _LockState(
                failures=int(raw["failures"]),
                lockouts=int(raw["lockouts"]),
                locked_until=float(raw["locked_until"]),
                last_failure=float(raw["last_failure"]),
            )
        except FileNotFoundError:
            return _LockState()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # Atomic writes make this unlikely (a disk fault, a bad hand edit). Be strict: one first-level lock,
            # saved so it runs out, rather than a silent reset that hands out five free tries.
            log.error("maintenance lockout state %s unreadable (%s); locking entry as a precaution", self._path, exc)
            state = _LockState(lockouts=1, locked_until=now + self.first_lock_seconds, last_failure=now)
            self._save(state)
            return state
        if now - state.last_failure > self.forgive_after_seconds and now >= state.locked_until:
            return _LockState()
        if state.locked_until > now + self.max_lock_seconds or state.last_failure > now:
            # The clock jumped back (dead RTC battery, NTP not yet synced). Re-base on the new clock and save,
            # or the kiosk would stay locked until the old future date, possibly years away.
            state.locked_until = min(state.locked_until, now + self.max_lock_seconds)
            state.last_failure = min(state.last_failure, now)
            self._save(state)
        return state

    def _save(self, state: _LockState) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_name(self._path.name + ".tmp")
        data = json.dumps(asdict(state)).encode("utf-8")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)  # the lock must survive the power cut that may follow a wrong PIN
        finally:
            os.close(fd)
        os.replace(tmp, self._path)
