"""The catalog cached on the kiosk (SQLite), so guides still show when the platform is unreachable."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from kiosk.catalog import Catalog, CatalogError, parse_catalog
from kiosk.platform_client import PlatformClient, PlatformError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CatalogState:
    catalog: Catalog | None
    fetched_at: str | None  # when the cached copy came from the platform
    from_cache: bool  # True when the platform could not be reached and the cached copy is shown
    error: str | None = None


class CatalogCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # Refreshed on a worker thread, read on the UI thread: one connection guarded by a lock.
        self._db = sqlite_utils.Database(sqlite3.connect(str(path), check_same_thread=False))
        self._lock = threading.Lock()
        self._db["catalog"].create({"id": int, "etag": str, "body": str, "fetched_at": str}, pk="id", if_not_exists=True)

    def _row(self) -> dict | None:
        with self._lock:
            rows = list(self._db["catalog"].rows_where("id = 1"))
        return rows[0] if rows else None

    def cached(self) -> CatalogState:
        row = self._row()
        if row is None:
            return CatalogState(None, None, True)
        try:
            catalog = parse_catalog(json.loads(row["body"]), str(self.path))
        except (CatalogError, json.JSONDecodeError) as error:
            log.error("cached catalog in %s is not valid, ignoring it: %s", self.path, error)
            return CatalogState(None, None, True, str(error))
        return CatalogState(catalog, row["fetched_at"], True)

    def refresh(self, client: PlatformClient) -> CatalogState:
        """Fetch from the platform (conditional on the cached ETag); fall back to the cache when offline.
        Runs on a worker thread."""
        row = self._row()
        etag = row["etag"] if row else None
        try:
            answer = client.catalog(etag)
        except PlatformError as error:
            log.warning("catalog refresh failed (%s); using the cached copy", error)
            state = self.cached()
            return CatalogState(state.catalog, state.fetched_at, True, str(error))
        now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        if answer.catalog is None:  # 304: the cached copy is current
            with self._lock:
                self._db["catalog"].update(1, {"fetched_at": now})
            state = self.cached()
            return CatalogState(state.catalog, now, False)
        with self._lock:
            self._db["catalog"].upsert(
                {"id": 1, "etag": answer.etag or "", "body": json.dumps(answer.raw, ensure_ascii=False),
                 "fetched_at": now},
                pk="id",
            )
        return CatalogState(answer.catalog, now, False)
