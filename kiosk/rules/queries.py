"""Printing a platform document (a query result, or an application result collected at the kiosk) with
the query_result builder: the rows as key-values, then the verification code a counter clerk checks."""

from __future__ import annotations

import datetime as dt

from kiosk.i18n import translate
from kiosk.platform_client import ResultDocument
from kiosk.printing.documents import QueryResult


def printable(document: ResultDocument, *, centre_name: str, kiosk_id: str, applicant_id_number: str,
              applicant_name: str = "", language: str | None = None) -> QueryResult:
    """The input of kiosk.printing.documents.query_result. The applicant is whoever identified at the kiosk
    (the builder masks name and number); the document's own rows are printed as the platform gave them."""
    rows = [*document.rows,
            (translate("flows.query.verification_code", language), document.verification_code)]
    note = document.note or translate("flows.query.verify_hint", language)
    return QueryResult(
        centre_name=centre_name, title=document.title, applicant_name=applicant_name,
        applicant_id_number=applicant_id_number, queried_at=dt.datetime.fromisoformat(document.issued_at),
        kiosk_id=kiosk_id, fields=tuple(rows), table_headers=document.table_headers,
        table_rows=document.table_rows, note=note,
    )
