"""Sandbox: identity assurance. Verifies identity codes and faces, issues verification proofs, checks them.

Levels (DESIGN.md, "Identity assurance"), set only by how an identity was obtained:

    claimed    an ID number typed or scanned: anyone can know a number
    card       the resident ID card read through the SAM reader (the chip authenticated by the kiosk's SAM)
    verified   card + a live face matched here against the registered photo (POST /v1/identity/face), or an
               e-ID / e-social-card / provincial-app code verified here (POST /v1/identity/verify)

Only "verified" is proven to the platform: both endpoints answer a **verification proof**, a short string
the kiosk sends back as the ``X-Verification-Proof`` header on every request that returns or changes
personal data (eligibility, personal and enterprise queries, pickup, applications). The proof is

    v1.<base64url(JSON claims)>.<base64url(HMAC-SHA256(platform key, "v1." + claims part))>

with claims ``sub`` (a keyed hash of the ID number, so a proof seen in a header log does not give the number
away), ``dev`` (the signed device id it was issued to), ``lvl``, ``via`` (face | eid | social_card |
province_app), ``iat``/``exp`` (unix seconds; ``exp`` is ``iat`` + 5 minutes), ``auth`` (when the person was
verified: a refresh keeps it) and ``jti`` (random). The key is
the platform's own, kept in the sandbox database so proofs survive a restart; the kiosk never reads a proof,
it only carries it. Nothing in a proof can be changed without the key.

A session longer than 5 minutes (a long form) keeps its proof alive with ``POST /v1/identity/refresh``: a proof
still inside its minutes is exchanged for a new one, for at most ``max_session_s`` (30 minutes) after the
person was verified; then the person verifies again. A kiosk that stood idle past the expiry cannot refresh.

Refusals are 403 with a problem body (kiosk/sandbox/problems.py, ``application/problem+json``): ``type``,
``title``, ``status``, ``detail`` and ``required_level`` ("verified"), so the kiosk can ask for exactly the step
that is missing. Types (``https://kiosk.example/problems/<name>``): verification-required (no proof), proof-invalid,
proof-expired, proof-other-person, proof-other-device, not-authorised-for-enterprise, face-not-matched,
card-expired, card-read-stale; 429 too-many-face-attempts; 503 face-matching-unavailable.

Queued work (an application or a query saved in the kiosk's outbox while the network was down) reaches the
platform after the session's proof has expired. Those endpoints (``deferred=True`` in ``require_proof``)
accept a proof up to ``deferred_grace_s`` (7 days) after it was issued: the proof was issued while the
citizen stood at the kiosk, and the outbox keeps it encrypted with the entry (kiosk/outbox_adapter.py). It
still has to be this platform's, for this device and this applicant. Nothing that *returns* personal data to
the kiosk accepts an old proof: a live query, eligibility and pickup need a proof inside its 5 minutes.
Why not trust a "created at" the kiosk sends: a kiosk can write any time into a body; the grace is a limit the
platform sets from the time it signed itself.

``IdentitySettings.enforce``: while False (the default until the kiosk's desk sends proofs everywhere), a
request without a proof is still served and counted in ``unproven`` (path -> count); a proof that is sent is
always checked. Tests and ``kiosk sandbox`` set it on ``app.state.identity``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from pydantic import BaseModel, ConfigDict, Field

from kiosk.sandbox.judge import enterprise_role
from kiosk.sandbox.problems import ProblemError, problem_responses
from kiosk.sandbox.store import DATA_DIR, SandboxStore

log = logging.getLogger(__name__)

PROOF_HEADER = "X-Verification-Proof"
PROOF_VERSION = "v1"
Level = Literal["claimed", "card", "verified"]
Method = Literal["face", "eid", "social_card", "province_app"]
TokenKind = Literal["eid", "social_card", "province_app"]
ID_PATTERN = r"^[0-9]{17}[0-9X]$"  # resident cards, HK/Macau/Taiwan residence permits (81/82/83), 9-prefixed PR
# Whether the platform refuses proof-less personal-data requests by default. It becomes True once the kiosk's
# journeys carry proofs everywhere (issue #11); until then the sandbox serves them and counts them.
ENFORCED_BY_DEFAULT = True
FACE_ATTEMPTS = 5  # failed face matches per device and ID number ...
FACE_WINDOW_S = 600.0  # ... within this many seconds, then 429 until the window has passed
FACE_JPEG_MAX = 1_000_000  # bytes of JPEG (a 640x480 face crop is about 60 KB)


class ProofRefused(ProblemError):
    """An identity refusal: a problem body naming the level the request needs (``required_level``)."""

    def __init__(self, status: int, name: str, title: str, detail: str, **extra: Any) -> None:
        super().__init__(status, detail, kind=name, title=title, required_level="verified", **extra)


def proof_header(x_verification_proof: Annotated[str | None, Header(
        description="the verification proof from /v1/identity/face or /v1/identity/verify (level verified)",
        max_length=2048)] = None) -> str | None:
    """Declares the header in /openapi.json; ``require_proof`` reads it from the request."""
    return x_verification_proof


# For a route that returns or changes personal data: the header and the refusals, in the published contract.
NEEDS_PROOF: dict[str, Any] = {"dependencies": [Depends(proof_header)], "responses": problem_responses(403, 404, 409, 422)}


@dataclass(frozen=True, slots=True)
class IssuedProof:
    proof: str
    level: Level
    method: Method
    expires_at: dt.datetime


@dataclass
class IdentitySettings:
    """The platform's proof key and policy; live on ``app.state.identity``."""

    key: bytes
    enforce: bool = ENFORCED_BY_DEFAULT
    proof_ttl_s: int = 300
    max_session_s: int = 1800  # refreshes end this long after the face / e-ID check
    deferred_grace_s: int = 7 * 24 * 3600
    clock: Callable[[], float] = time.time
    unproven: dict[str, int] = field(default_factory=dict)
    _face_failures: dict[tuple[str, str], list[float]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _matcher: Any = field(default=None, repr=False)

    def subject(self, id_number: str) -> str:
        return hmac.new(self.key, b"subject:" + id_number.upper().encode(), hashlib.sha256).hexdigest()[:32]

    def _mac(self, signed_part: str) -> str:
        digest = hmac.new(self.key, signed_part.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def issue(self, id_number: str, device_id: str, method: Method, *, issued_at: float | None = None,
              verified_at: int | None = None) -> IssuedProof:
        """A verified-level proof for this person at this device. ``issued_at`` lets tests make an old one;
        ``verified_at`` (a refresh) keeps the time of the original check."""
        iat = int(self.clock() if issued_at is None else issued_at)
        claims = {"sub": self.subject(id_number), "dev": device_id, "lvl": "verified", "via": method,
                  "iat": iat, "exp": iat + self.proof_ttl_s, "auth": iat if verified_at is None else verified_at,
                  "jti": secrets.token_hex(8)}
        body = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).rstrip(b"=").decode()
        signed_part = f"{PROOF_VERSION}.{body}"
        expires = dt.datetime.fromtimestamp(claims["exp"]).astimezone()
        return IssuedProof(f"{signed_part}.{self._mac(signed_part)}", "verified", method, expires)

    def check(self, proof: str | None, id_number: str, device_id: str, *, what: str, deferred: bool = False,
              path: str = "") -> dict | None:
        """The proof's claims when it proves ``id_number`` at ``device_id`` now; raises ``ProofRefused``.
        Without a proof and with enforcement off: None (served, counted in ``unproven``)."""
        if not proof:
            if not self.enforce:
                with self._lock:
                    self.unproven[path] = self.unproven.get(path, 0) + 1
                return None
            raise ProofRefused(403, "verification-required", "Verification required",
                               f"{what} returns or changes personal data: it needs a verification proof of level "
                               f"'verified' (ID card and a live face, or an e-ID code the platform verified) in "
                               f"the {PROOF_HEADER} header", held_level="claimed")
        claims = self._claims(proof)
        if not hmac.compare_digest(str(claims.get("dev", "")), device_id):
            raise ProofRefused(403, "proof-other-device", "Proof issued to another device",
                               f"the verification proof for {what} was issued to another kiosk; verify the citizen "
                               "again at this kiosk")
        if not hmac.compare_digest(str(claims.get("sub", "")), self.subject(id_number)):
            raise ProofRefused(403, "proof-other-person", "Proof of another person",
                               f"the verification proof sent with {what} proves another person; only the verified "
                               "person's own records can be read or changed")
        now = self.clock()
        limit = int(claims["iat"]) + self.deferred_grace_s if deferred else int(claims["exp"])
        if now > limit:
            ended = dt.datetime.fromtimestamp(limit).astimezone().isoformat(timespec="seconds")
            raise ProofRefused(403, "proof-expired", "Verification proof expired",
                               f"the verification proof sent with {what} expired at {ended}; verify the citizen "
                               "again (ID card and face, or the e-ID code)")
        return claims

    def _claims(self, proof: str) -> dict:
        invalid = ProofRefused(403, "proof-invalid", "Verification proof not valid",
                               f"the {PROOF_HEADER} header is not a proof this platform issued; verify the citizen "
                               "again", held_level="claimed")
        version, _, rest = proof.partition(".")
        body, _, mac = rest.partition(".")
        if version != PROOF_VERSION or not body or not mac:
            raise invalid
        if not hmac.compare_digest(self._mac(f"{version}.{body}"), mac):
            raise invalid
        try:
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            int(claims["iat"]), int(claims["exp"])
        except (ValueError, KeyError, TypeError, binascii.Error):
            raise invalid from None
        if claims.get("lvl") != "verified" or int(claims["iat"]) > self.clock() + 60:
            raise invalid
        return claims

    def note_face_failure(self, device_id: str, id_number: str) -> None:
        with self._lock:
            self._face_failures.setdefault((device_id, self.subject(id_number)), []).append(self.clock())

    def face_attempts_left(self, device_id: str, id_number: str) -> int:
        since = self.clock() - FACE_WINDOW_S
        with self._lock:
            key = (device_id, self.subject(id_number))
            recent = [at for at in self._face_failures.get(key, []) if at > since]
            self._face_failures[key] = recent
            return FACE_ATTEMPTS - len(recent)

    def matcher(self) -> Any:
        """H4's FaceMatcher, imported and loaded on first use (the model is large and optional)."""
        with self._lock:
            if self._matcher is None:
                try:
                    from kiosk.sandbox.face_match import FaceMatcher
                except ImportError as error:
                    raise ProofRefused(503, "face-matching-unavailable", "Face matching unavailable",
                                       f"face matching is not installed on this platform ({error}); use an e-ID "
                                       "code or go to a window") from None
                self._matcher = FaceMatcher()
            return self._matcher

    def warm_up(self) -> threading.Thread:
        """Load the face model in the background now (``kiosk sandbox``, the demo), so the first citizen's
        face check does not wait for it (about 5 s on a busy 2-core box; then about 0.6 s per check)."""
        def load() -> None:
            try:
                self.matcher().preload()
            except ProofRefused as unavailable:
                log.warning("face matching unavailable: %s", unavailable.detail)

        thread = threading.Thread(target=load, name="face-model", daemon=True)
        thread.start()
        return thread


def platform_key(store: SandboxStore) -> bytes:
    """The platform's proof key, made once and kept in the sandbox database (table ``platform_keys``)."""
    table = store.db["platform_keys"]
    table.create({"name": str, "key": str}, pk="name", if_not_exists=True)
    rows = list(table.rows_where("name = ?", ["proof"]))
    if rows:
        return bytes.fromhex(rows[0]["key"])
    key = secrets.token_bytes(32)
    table.insert({"name": "proof", "key": key.hex()})
    return key


def settings_of(request: Request) -> IdentitySettings:
    return request.app.state.identity


def require_proof(request: Request, id_number: str, *, what: str, deferred: bool = False) -> dict | None:
    """For an endpoint that returns or changes ``id_number``'s data: check the request's proof."""
    device = request.headers.get("X-Kiosk-Device", "")
    return settings_of(request).check(request.headers.get(PROOF_HEADER), id_number, device, what=what,
                                      deferred=deferred, path=request.url.path)


def enterprise_authorisation(id_number: str, credit_code: str) -> None:
    """Raises 403 unless ``id_number`` is the enterprise's legal representative or an authorised agent."""
    enterprise = _enterprises().get(credit_code)
    if enterprise is None or enterprise_role(enterprise, id_number) is None:
        raise ProofRefused(403, "not-authorised-for-enterprise", "Not authorised for this enterprise",
                           f"the verified person is neither the legal representative of enterprise {credit_code} "
                           "nor an agent it has authorised; the enterprise can authorise an agent on the "
                           "provincial platform (企业授权) or the person goes to a window",
                           required_role="legal_representative or agent")


def _enterprises() -> dict[str, dict]:
    people = json.loads((DATA_DIR / "citizens.json").read_text(encoding="utf-8"))
    return {e["credit_code"]: e for e in people.get("enterprises", [])}


class VerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: TokenKind
    token: Annotated[str, Field(min_length=43, max_length=1024, pattern=r"^[A-Za-z0-9_-]+$")]


class VerifiedPerson(BaseModel):
    id_number: str
    name: str
    phone: str
    level: Level
    method: Method
    proof: str
    expires_at: dt.datetime


class CardEvidence(BaseModel):
    """What the kiosk read from the chip, as evidence that the card was on the reader (not typed)."""

    model_config = ConfigDict(extra="forbid")
    read_at: dt.datetime  # when the SAM reader read the chip (with offset)
    valid_until: dt.date | None = None  # None: long-term (长期)
    # SHA-256 of the chip's text fields as kiosk.platform_client.card_digest writes them. A real platform checks
    # it against the issuer's record; the sandbox only requires its form (it has no issuer records).
    card_digest: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class FaceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: Annotated[str, Field(pattern=ID_PATTERN)]
    card: CardEvidence
    face_jpeg: Annotated[str, Field(min_length=16, max_length=(FACE_JPEG_MAX * 4) // 3 + 4)]  # base64


class RefreshIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: Annotated[str, Field(pattern=ID_PATTERN)]


class Refreshed(BaseModel):
    level: Level
    method: Method
    proof: str
    expires_at: dt.datetime


class FaceVerified(BaseModel):
    level: Level
    method: Method
    proof: str
    expires_at: dt.datetime
    score: float


def identity_router(store: SandboxStore) -> APIRouter:
    tokens = json.loads((DATA_DIR / "identity_tokens.json").read_text(encoding="utf-8"))["tokens"]
    # The QR payload is PREFIX:TOKEN; the kiosk sends the kind and the bare token.
    known = {(t["kind"], t["payload"].rsplit(":", 1)[1]): t["id_number"] for t in tokens}
    router = APIRouter(prefix="/v1/identity")

    @router.post("/verify", responses=problem_responses(404, 422))
    def verify(body: VerifyIn, request: Request,
               x_kiosk_device: Annotated[str, Header()] = "unknown") -> VerifiedPerson:
        """The person an e-ID / e-social-card / provincial-app code belongs to, with a verification proof."""
        id_number = known.get((body.kind, body.token))
        citizen = store.citizen(id_number) if id_number else None
        if citizen is None:
            raise ProofRefused(404, "code-unknown", "Identity code unknown",
                               "the code is unknown or has expired; refresh it in the app and show it again")
        issued = settings_of(request).issue(citizen["id_number"], x_kiosk_device, body.kind)
        return VerifiedPerson(id_number=citizen["id_number"], name=citizen["name"], phone=citizen["phone"],
                              level=issued.level, method=issued.method, proof=issued.proof,
                              expires_at=issued.expires_at)

    @router.post("/face", responses=problem_responses(403, 413, 422, 429, 503))
    def face(body: FaceIn, request: Request, x_kiosk_device: Annotated[str, Header()] = "unknown") -> FaceVerified:
        """人证比对: the card was read at this kiosk and the live face matches the ID number's registered photo."""
        settings = settings_of(request)
        today = dt.date.today()
        if body.card.valid_until is not None and body.card.valid_until < today:
            raise ProofRefused(403, "card-expired", "ID card expired",
                               f"the ID card expired on {body.card.valid_until.isoformat()}; an expired card "
                               "cannot verify a person: renew it (派出所 / 出入境) or use an e-ID code",
                               held_level="claimed", valid_until=body.card.valid_until.isoformat())
        read_at = body.card.read_at if body.card.read_at.tzinfo else body.card.read_at.astimezone()
        age = settings.clock() - read_at.timestamp()
        if age > settings.proof_ttl_s or age < -60:
            raise ProofRefused(403, "card-read-stale", "Card read too long ago",
                               f"the ID card was read {age:.0f} s ago (at most {settings.proof_ttl_s} s); put the "
                               "card on the reader again", held_level="claimed")
        if settings.face_attempts_left(x_kiosk_device, body.id_number) <= 0:
            raise ProofRefused(429, "too-many-face-attempts", "Too many face attempts",
                               f"{FACE_ATTEMPTS} face checks for this card failed at this kiosk within "
                               f"{FACE_WINDOW_S / 60:.0f} minutes; go to a window, or try again later",
                               held_level="card")
        try:
            jpeg = base64.b64decode(body.face_jpeg, validate=True)
        except binascii.Error:
            raise ProofRefused(422, "face-not-jpeg", "Face image unreadable",
                               "face_jpeg is not base64; send the JPEG bytes base64-encoded",
                               held_level="card") from None
        if not jpeg.startswith(b"\xff\xd8") or len(jpeg) > FACE_JPEG_MAX:
            raise ProofRefused(422, "face-not-jpeg", "Face image unreadable",
                               f"face_jpeg is not a JPEG of at most {FACE_JPEG_MAX} bytes", held_level="card")
        result = settings.matcher().match(body.id_number, jpeg)
        del jpeg  # the photo is used for this decision only: never stored, never logged
        if not result.matched:
            settings.note_face_failure(x_kiosk_device, body.id_number)
            raise ProofRefused(403, "face-not-matched", "Face does not match",
                               f"the live face does not match the photo registered for this ID card "
                               f"({result.reason}); face the camera and try again, or go to a window",
                               held_level="card")
        issued = settings.issue(body.id_number, x_kiosk_device, "face")
        return FaceVerified(level=issued.level, method=issued.method, proof=issued.proof,
                            expires_at=issued.expires_at, score=float(result.score))

    @router.post("/refresh", responses=problem_responses(403, 422), dependencies=[Depends(proof_header)])
    def refresh(body: RefreshIn, request: Request,
                x_kiosk_device: Annotated[str, Header()] = "unknown") -> Refreshed:
        """A new proof for a proof still inside its minutes, while the session is under 30 minutes old."""
        settings = settings_of(request)
        proof = request.headers.get(PROOF_HEADER)
        if not proof:  # a refresh always needs a proof, enforced or not
            raise ProofRefused(403, "verification-required", "Verification required",
                               f"a proof refresh needs the current proof in the {PROOF_HEADER} header")
        claims = settings.check(proof, body.id_number, x_kiosk_device, what="a proof refresh")
        assert claims is not None
        verified_at = int(claims.get("auth", claims["iat"]))
        if settings.clock() - verified_at > settings.max_session_s:
            raise ProofRefused(403, "proof-expired", "Verification too old",
                               f"the citizen was verified more than {settings.max_session_s // 60} minutes ago; "
                               "verify again (ID card and face, or the e-ID code)")
        issued = settings.issue(body.id_number, x_kiosk_device, claims["via"], verified_at=verified_at)
        return Refreshed(level=issued.level, method=issued.method, proof=issued.proof, expires_at=issued.expires_at)

    return router


def install_identity(app: FastAPI, store: SandboxStore) -> IdentitySettings:
    """The identity endpoints and the proof settings on ``app.state.identity`` (refusals are ProblemErrors:
    kiosk/sandbox/problems.py answers them)."""
    settings = IdentitySettings(platform_key(store))
    app.state.identity = settings
    app.include_router(identity_router(store))
    return settings
