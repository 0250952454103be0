"""The fleet console served by the sandbox under /console: HTML pages for a county's technicians and a
small JSON staff API (/console/api/…) for the same actions. Staff log in (console/auth.py); kiosks never
call these paths, so the kiosk signature check skips /console (kiosk/sandbox/security.py OPEN_PREFIXES).

Pages: /console/ (every kiosk; ?attention=1 only those needing attention; 50 per page), /console/kiosks/{id},
/console/assists, /console/complaints, /console/notices. Forms are urlencoded and parsed here (no
python-multipart dependency).
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import APIRouter, Cookie, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from kiosk.sandbox.console import pages
from kiosk.sandbox.console.auth import COOKIE_NAME, SESSION_S, Sessions, StaffAccount, load_accounts
from kiosk.sandbox.help_store import HelpStore

PAGE_SIZE = 50
CONSOLE_PREFIX = "/console"


class NoticeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Annotated[str, Field(min_length=1, max_length=40)]
    body: Annotated[str, Field(max_length=300)] = ""
    level: Annotated[str, Field(pattern=r"^(info|emergency)$")] = "info"
    service_point: str = ""
    hours: Annotated[float, Field(gt=0, le=720)] = 24


class ComplaintStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Annotated[str, Field(pattern=r"^(handling|answered|closed)$")]
    note: Annotated[str, Field(min_length=1, max_length=200)]


class _LoginNeeded(Exception):
    def __init__(self, next_url: str) -> None:
        self.next_url = next_url


async def _form(request: Request) -> dict[str, str]:
    raw = (await request.body()).decode("utf-8", errors="replace")
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


def _same_origin(request: Request) -> bool:
    """Cross-site form posts are refused: the cookie is SameSite=Strict, and the Origin must be ours."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _local(url: str, fallback: str = "/console/") -> str:
    """Only redirect inside the console (never to another site from a crafted ?next=)."""
    return url if url.startswith(f"{CONSOLE_PREFIX}/") and not url.startswith("//") else fallback


def console_router(help_store: HelpStore, sessions: Sessions | None = None) -> APIRouter:
    sessions = sessions or Sessions(load_accounts())
    router = APIRouter(prefix=CONSOLE_PREFIX, include_in_schema=False)
    names = lambda: {k: v.service_point_name for k, v in help_store.points.items()}  # noqa: E731

    def staff(request: Request, cookie: str | None) -> StaffAccount:
        account = sessions.user_of(cookie)
        if account is None:
            raise _LoginNeeded(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return account

    def api_staff(cookie: str | None) -> StaffAccount:
        account = sessions.user_of(cookie)
        if account is None:
            raise HTTPException(401, "console: log in first (POST /console/login with user and password)")
        return account

    def html(text: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(text, status_code=status, headers={"Cache-Control": "no-store",
                                                               "X-Frame-Options": "DENY"})

    @router.get("/login")
    def login_form(next: str = "/console/") -> HTMLResponse:  # noqa: A002
        return html(pages.login_page(next_url=_local(next)))

    @router.post("/login")
    async def login(request: Request) -> Response:
        form = await _form(request)
        if not _same_origin(request):
            raise HTTPException(403, "console: cross-site login refused")
        cookie = sessions.login(form.get("user", "").strip(), form.get("password", ""))
        wants_json = "application/json" in request.headers.get("accept", "")
        if cookie is None:
            if wants_json:
                raise HTTPException(401, "console: wrong user or password")
            return html(pages.login_page("工号或密码不对，请重新输入。", _local(form.get("next", ""))), 401)
        response: Response = (JSONResponse({"user": form.get("user", "")}) if wants_json
                              else RedirectResponse(_local(form.get("next", "")), status_code=303))
        response.set_cookie(COOKIE_NAME, cookie, max_age=SESSION_S, httponly=True, samesite="strict",
                            path=CONSOLE_PREFIX)
        return response

    @router.post("/logout")
    def logout() -> Response:
        response = RedirectResponse(f"{CONSOLE_PREFIX}/login", status_code=303)
        response.delete_cookie(COOKIE_NAME, path=CONSOLE_PREFIX)
        return response

    # ------------------------------------------------------------------ pages

    @router.get("/")
    def kiosk_list(request: Request, attention: int = 0, offset: int = 0,
                   kiosk_console: Annotated[str | None, Cookie()] = None) -> Response:
        account = staff(request, kiosk_console)
        offset = max(0, offset)
        rows, total = help_store.kiosks(bool(attention), offset, PAGE_SIZE)
        return html(pages.kiosk_list(rows, total, help_store.counts(), bool(attention), offset, PAGE_SIZE,
                                     help_store.clock(), account.display_name))

    @router.get("/kiosks/{device_id}")
    def kiosk_detail(request: Request, device_id: str,
                     kiosk_console: Annotated[str | None, Cookie()] = None) -> Response:
        account = staff(request, kiosk_console)
        row = help_store.kiosk(device_id)
        if row is None:
            return html(pages.page("没有这台终端", f"<p>没有编号为 {pages.escape(device_id)} 的终端上报过心跳。</p>",
                                   account.display_name), 404)
        return html(pages.kiosk_page(row, help_store.open_assists(device_id), help_store.events(device_id),
                                     help_store.point_of(device_id).service_point_name, json.loads(row["body"]),
                                     help_store.clock(), account.display_name))

    @router.get("/assists")
    def assists(request: Request, kiosk_console: Annotated[str | None, Cookie()] = None) -> Response:
        account = staff(request, kiosk_console)
        return html(pages.assists_page(help_store.open_assists(), names(), help_store.clock(), account.display_name))

    @router.post("/assist/{number}/{action}")
    async def assist_action(request: Request, number: str, action: str,
                            kiosk_console: Annotated[str | None, Cookie()] = None) -> Response:
        account = staff(request, kiosk_console)
        if not _same_origin(request):
            raise HTTPException(403, "console: cross-site form refused")
        form = await _form(request)
        row = _assist_change(number, action, account)
        back = _local(form.get("back", ""), f"{CONSOLE_PREFIX}/assists")
        return RedirectResponse(back if row else f"{CONSOLE_PREFIX}/assists", status_code=303)

    @router.get("/complaints")
    def complaints(request: Request, kiosk_console: Annotated[str | None, Cookie()] = None) -> Response:
        account = staff(request, kiosk_console)
        return html(pages.complaints_page(help_store.complaints(), account.display_name))

    @router.get("/notices")
    def notices(request: Request, kiosk_console: Annotated[str | None, Cookie()] = None) -> Response:
        account = staff(request, kiosk_console)
        return html(pages.notices_page(help_store.current_notices(), names(), account.display_name))

    @router.post("/notices")
    async def publish_notice(request: Request, kiosk_console: Annotated[str | None, Cookie()] = None) -> Response:
        account = staff(request, kiosk_console)
        if not _same_origin(request):
            raise HTTPException(403, "console: cross-site form refused")
        form = await _form(request)
        try:
            notice = NoticeIn(title=form.get("title", "").strip(), body=form.get("body", "").strip(),
                              level=form.get("level", "info"), service_point=form.get("service_point", ""),
                              hours=float(form.get("hours") or 24))
        except ValueError:
            return html(pages.notices_page(help_store.current_notices(), names(), account.display_name,
                                           "标题必填（40 字以内），有效时间 1 到 720 小时。"), 422)
        _publish(notice, account)
        return RedirectResponse(f"{CONSOLE_PREFIX}/notices", status_code=303)

    @router.post("/notices/{notice_id}/withdraw")
    def withdraw(request: Request, notice_id: int, kiosk_console: Annotated[str | None, Cookie()] = None) -> Response:
        staff(request, kiosk_console)
        if not _same_origin(request):
            raise HTTPException(403, "console: cross-site form refused")
        help_store.withdraw_notice(notice_id)
        return RedirectResponse(f"{CONSOLE_PREFIX}/notices", status_code=303)

    # ------------------------------------------------------------------ staff JSON API

    def _assist_change(number: str, action: str, account: StaffAccount) -> dict[str, Any] | None:
        if action == "accept":
            return help_store.accept_assist(number, account.display_name)
        if action == "close":
            return help_store.close_assist(number, account.display_name)
        raise HTTPException(404, f"console: no assist action {action!r} (accept or close)")

    def _publish(notice: NoticeIn, account: StaffAccount) -> int:
        if notice.service_point and notice.service_point not in help_store.points:
            raise HTTPException(422, f"console: no service point {notice.service_point!r}")
        return help_store.add_notice(notice.level, notice.title, notice.body,
                                     help_store.clock() + notice.hours * 3600, account.display_name,
                                     notice.service_point)

    @router.get("/api/kiosks")
    def api_kiosks(attention: int = 0, offset: int = 0, limit: int = 100,
                   kiosk_console: Annotated[str | None, Cookie()] = None) -> dict:
        api_staff(kiosk_console)
        rows, total = help_store.kiosks(bool(attention), max(0, offset), max(1, min(limit, 500)))
        for row in rows:
            row.pop("body", None)
        return {"total": total, "kiosks": rows, "counts": help_store.counts()}

    @router.get("/api/assists")
    def api_assists(kiosk_console: Annotated[str | None, Cookie()] = None) -> dict:
        api_staff(kiosk_console)
        return {"assists": help_store.open_assists()}

    @router.post("/api/assist/{number}/{action}")
    def api_assist_action(request: Request, number: str, action: str,
                          kiosk_console: Annotated[str | None, Cookie()] = None) -> dict:
        account = api_staff(kiosk_console)
        if not _same_origin(request):
            raise HTTPException(403, "console: cross-site request refused")
        row = _assist_change(number, action, account)
        if row is None:
            raise HTTPException(404, f"console: no assist request {number}")
        return {"number": row["number"], "status": row["status"], "accepted_by": row["accepted_by"]}

    @router.post("/api/notices", status_code=201)
    def api_notice(request: Request, notice: NoticeIn,
                   kiosk_console: Annotated[str | None, Cookie()] = None) -> dict:
        account = api_staff(kiosk_console)
        if not _same_origin(request):
            raise HTTPException(403, "console: cross-site request refused")
        return {"id": _publish(notice, account)}

    @router.post("/api/complaints/{number}/status")
    def api_complaint_status(request: Request, number: str, change: ComplaintStatusIn,
                             kiosk_console: Annotated[str | None, Cookie()] = None) -> dict:
        api_staff(kiosk_console)
        if not _same_origin(request):
            raise HTTPException(403, "console: cross-site request refused")
        if not help_store.advance_complaint(number, change.status, change.note):
            raise HTTPException(404, f"console: no complaint {number}")
        return {"number": number, "status": change.status}

    return router


def install_console(app: Any, help_store: HelpStore, sessions: Sessions | None = None) -> None:
    """The console's router, and the redirect to the login page for a page asked without a session."""
    app.include_router(console_router(help_store, sessions))

    @app.exception_handler(_LoginNeeded)
    async def _to_login(_request: Request, error: _LoginNeeded) -> Response:
        return RedirectResponse(f"{CONSOLE_PREFIX}/login?next={quote(error.next_url, safe='')}", status_code=303)
