"""Chunked upload of material images to the sandbox, and material supplied after acceptance.

    PUT  /v1/uploads/{idempotency_key}/{image_index}?offset=N&total=M   body: the chunk (raw bytes)
         -> 200 {"acknowledged": bytes held, "total": M, "complete": bool, "material_id"?, "sha256"?}
         -> 409 {"detail", "acknowledged"} when N is beyond the bytes held (a gap): resume from "acknowledged"
    GET  /v1/uploads/{idempotency_key}/{image_index}  -> the same progress document (404 if nothing yet)
    GET  /v1/applications/{receipt_number}/materials  -> {"receipt_number", "pages": [{"index", "material",
         "bytes", "complete", "material_id", "sha256"}]}: the pages photographed at the kiosk, for staff
         (material names and sizes only: no personal data; the image bytes stay behind the store)
    POST /v1/materials  (Idempotency-Key)  {"receipt_number", "material_code", "material_ids": [...]}
         -> 201 {"status": "recorded", "material_ids": [...]} (200 with the same answer on a resend)

The idempotency key is the one of the outbox entry the images belong to: an application's images are
uploaded under the application's key before the application itself is posted, so the platform links them
without a field in the application body. A chunk is idempotent per (key, index, offset): a resend after
the kiosk died before recording the answer is accepted again and stored once.

Storage: tables ``upload_images`` and ``upload_chunks`` (and ``material_supplements``) in the sandbox's
SQLite file, on a connection of their own so the store's lock is not needed.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from kiosk.sandbox.problems import problem_response

MAX_CHUNK_BYTES = 4 * 1024 * 1024
MAX_IMAGE_BYTES = 20 * 1024 * 1024  # as offline.outbox.MAX_IMAGE_BYTES

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS upload_images (idempotency_key TEXT NOT NULL, image_index INTEGER NOT NULL,"
    " total INTEGER NOT NULL, acknowledged INTEGER NOT NULL DEFAULT 0, material_id TEXT, sha256 TEXT,"
    " device_id TEXT, PRIMARY KEY (idempotency_key, image_index))",
    "CREATE TABLE IF NOT EXISTS upload_chunks (idempotency_key TEXT NOT NULL, image_index INTEGER NOT NULL,"
    " offset INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (idempotency_key, image_index, offset))",
    "CREATE TABLE IF NOT EXISTS material_supplements (idempotency_key TEXT PRIMARY KEY, receipt_number TEXT,"
    " material_code TEXT, material_ids TEXT, device_id TEXT, response TEXT)",
)


class MaterialsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    receipt_number: Annotated[str, Field(min_length=1, max_length=40)]
    material_code: Annotated[str, Field(min_length=1, max_length=40)]
    material_ids: Annotated[list[str], Field(min_length=1, max_length=20)]


class UploadStore:
    """The upload tables; one connection, one lock (the endpoints run on uvicorn's thread pool)."""

    def __init__(self, path: str) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA busy_timeout=5000")
        self._lock = threading.Lock()
        with self._lock:
            for statement in _SCHEMA:
                self._conn.execute(statement)

    def put_chunk(self, key: str, index: int, offset: int, total: int, chunk: bytes, device: str) -> tuple[int, dict]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                answer = self._put_chunk(key, index, offset, total, chunk, device)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return answer

    def _put_chunk(self, key: str, index: int, offset: int, total: int, chunk: bytes, device: str) -> tuple[int, dict]:
        row = self._conn.execute(
            "SELECT total, acknowledged FROM upload_images WHERE idempotency_key = ? AND image_index = ?", (key, index)
        ).fetchone()
        if row is None:
            self._conn.execute(
                "INSERT INTO upload_images (idempotency_key, image_index, total, device_id) VALUES (?, ?, ?, ?)",
                (key, index, total, device),
            )
            held = 0
        else:
            if row[0] != total:
                return 422, {"detail": f"upload {key}/{index}: total {total} differs from the {row[0]} announced "
                                       "before; an upload's size cannot change"}
            held = row[1]
        if offset > held:
            return 409, {"detail": f"upload {key}/{index}: offset {offset} leaves a gap, {held} bytes held; "
                                   "resume at 'acknowledged'", "acknowledged": held}
        if offset + len(chunk) > held:
            # Stored once per offset: a resent chunk (the kiosk missed our answer) replaces itself.
            self._conn.execute("INSERT OR REPLACE INTO upload_chunks VALUES (?, ?, ?, ?)", (key, index, offset, chunk))
            held = offset + len(chunk)
            self._conn.execute(
                "UPDATE upload_images SET acknowledged = ? WHERE idempotency_key = ? AND image_index = ?",
                (held, key, index),
            )
        if held >= total:
            self._finish(key, index)
        return 200, self._progress(key, index)

    def _finish(self, key: str, index: int) -> None:
        if self._conn.execute(
            "SELECT material_id FROM upload_images WHERE idempotency_key = ? AND image_index = ?", (key, index)
        ).fetchone()[0]:
            return
        digest = hashlib.sha256(self._assemble(key, index)).hexdigest()
        self._conn.execute(
            "UPDATE upload_images SET material_id = ?, sha256 = ? WHERE idempotency_key = ? AND image_index = ?",
            (f"M-{key[:8]}-{index}-{digest[:8]}", digest, key, index),
        )

    def _assemble(self, key: str, index: int) -> bytes:
        data = bytearray()
        for offset, chunk in self._conn.execute(
            "SELECT offset, data FROM upload_chunks WHERE idempotency_key = ? AND image_index = ? ORDER BY offset",
            (key, index),
        ):
            data[offset : offset + len(chunk)] = chunk
        return bytes(data)

    def assembled(self, key: str, index: int) -> bytes:
        """The bytes held for one image (tests and integrators compare them with what was sent)."""
        with self._lock:
            return self._assemble(key, index)

    def progress(self, key: str, index: int) -> dict | None:
        with self._lock:
            return self._progress(key, index)

    def _progress(self, key: str, index: int) -> dict | None:
        row = self._conn.execute(
            "SELECT total, acknowledged, material_id, sha256 FROM upload_images"
            " WHERE idempotency_key = ? AND image_index = ?", (key, index),
        ).fetchone()
        if row is None:
            return None
        total, held, material_id, digest = row
        answer: dict[str, Any] = {"acknowledged": held, "total": total, "complete": material_id is not None}
        if material_id:
            answer.update(material_id=material_id, sha256=digest)
        return answer

    def pages_of(self, key: str) -> list[dict]:
        """Every image uploaded under an application's idempotency key, in order."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT image_index, total, acknowledged, material_id, sha256 FROM upload_images"
                " WHERE idempotency_key = ? ORDER BY image_index", (key,)).fetchall()
        return [{"index": index, "bytes": total, "complete": material_id is not None and held >= total,
                 "material_id": material_id or "", "sha256": digest or ""}
                for index, total, held, material_id, digest in rows]

    def supplement(self, key: str, body: MaterialsIn, device: str) -> tuple[int, dict]:
        with self._lock:
            row = self._conn.execute(
                "SELECT response FROM material_supplements WHERE idempotency_key = ?", (key,)
            ).fetchone()
            if row is not None:
                return 200, json.loads(row[0])
            marks = ", ".join("?" * len(body.material_ids))
            known = {r[0] for r in self._conn.execute(
                f"SELECT material_id FROM upload_images WHERE material_id IN ({marks})", body.material_ids)}
            unknown = [m for m in body.material_ids if m not in known]
            if unknown:
                return 422, {"detail": f"material ids not uploaded (or incomplete): {', '.join(unknown)}"}
            answer = {"status": "recorded", "material_ids": body.material_ids}
            self._conn.execute(
                "INSERT INTO material_supplements VALUES (?, ?, ?, ?, ?, ?)",
                (key, body.receipt_number, body.material_code, json.dumps(body.material_ids), device,
                 json.dumps(answer)),
            )
            return 201, answer


def _database_file(store: Any) -> str:
    rows = store.db.conn.execute("PRAGMA database_list").fetchall()
    path = next((row[2] for row in rows if row[1] == "main"), "")
    if not path:
        raise ValueError("sandbox uploads need a file-backed sandbox store (not ':memory:'); pass a --db path")
    return str(Path(path))


def _answer(status: int, answer: dict) -> JSONResponse:
    """A refusal is a problem body (kiosk/sandbox/problems.py); its extra members (``acknowledged``) stay."""
    if status >= 400:
        extra = {k: v for k, v in answer.items() if k != "detail"}
        return problem_response(status, str(answer.get("detail", "")), **extra)
    return JSONResponse(answer, status_code=status)


def uploads_router(store: Any) -> APIRouter:
    """The upload endpoints, storing into the sandbox store's SQLite file (``store.db`` is sqlite-utils)."""
    uploads = UploadStore(_database_file(store))
    router = APIRouter(prefix="/v1", tags=["uploads"])
    router.upload_store = uploads  # type: ignore[attr-defined]  # tests read the bytes back through it

    @router.put("/uploads/{idempotency_key}/{image_index}")
    async def put_chunk(
        idempotency_key: Annotated[str, PathParam(min_length=1, max_length=64)],
        image_index: Annotated[int, PathParam(ge=0, le=99)],
        request: Request,
        offset: Annotated[int, Query(ge=0)],
        total: Annotated[int, Query(gt=0, le=MAX_IMAGE_BYTES)],
        x_kiosk_device: Annotated[str, Header()] = "unknown",
    ) -> JSONResponse:
        chunk = await request.body()
        if not chunk:
            raise HTTPException(400, "empty chunk; send the image bytes [offset, offset + length) as the body")
        if len(chunk) > MAX_CHUNK_BYTES:
            raise HTTPException(413, f"chunk of {len(chunk)} bytes is over {MAX_CHUNK_BYTES}; send smaller chunks")
        if offset + len(chunk) > total:
            raise HTTPException(422, f"chunk ends at {offset + len(chunk)}, beyond total {total}")
        status, answer = await run_in_threadpool(
            uploads.put_chunk, idempotency_key, image_index, offset, total, chunk, x_kiosk_device
        )
        return _answer(status, answer)

    @router.get("/uploads/{idempotency_key}/{image_index}")
    def get_progress(idempotency_key: str, image_index: int) -> dict:
        answer = uploads.progress(idempotency_key, image_index)
        if answer is None:
            raise HTTPException(404, f"nothing uploaded for {idempotency_key}/{image_index}")
        return answer

    @router.get("/applications/{receipt_number}/materials")
    def application_pages(receipt_number: Annotated[str, PathParam(min_length=1, max_length=40)]) -> dict:
        record = store.application(receipt_number)
        if record is None:
            raise HTTPException(404, f"no application with receipt number {receipt_number}")
        body = json.loads(record.get("body") or "{}")
        names = body.get("photographed") or []  # the material each page shows, in image order
        pages = uploads.pages_of(record["idempotency_key"])
        for page in pages:
            page["material"] = names[page["index"]] if page["index"] < len(names) else ""
        return {"receipt_number": receipt_number, "pages": pages}

    @router.post("/materials", status_code=201)
    def supply_materials(
        body: MaterialsIn,
        idempotency_key: Annotated[str | None, Header()] = None,
        x_kiosk_device: Annotated[str, Header()] = "unknown",
    ) -> JSONResponse:
        if not idempotency_key or len(idempotency_key) > 64:
            raise HTTPException(400, "Idempotency-Key header (1 to 64 characters) is required")
        status, answer = uploads.supplement(idempotency_key, body, x_kiosk_device)
        return _answer(status, answer)

    return router
