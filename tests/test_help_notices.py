"""Operator notices: published in the console with an expiry, fetched by the kiosk, gone when expired (even
offline), scoped to a service point, kept across a restart."""

from __future__ import annotations

import time

from help_support import kiosk_side, staff_session

from kiosk.notices import NoticeBoard, NoticePoller, spoken_text

DEVICE = "KIOSK-NOTICE-01"


def test_notice_reaches_the_kiosk_and_expires(sandbox, tmp_path):
    staff = staff_session(sandbox.url)
    created = staff.post(f"{sandbox.url}/console/api/notices", timeout=10, json={
        "title": "系统升级", "body": "今晚 22:00 至 24:00 社保业务暂停办理", "level": "emergency", "hours": 2})
    assert created.status_code == 201
    _outbox, adapter = kiosk_side(tmp_path, sandbox.url, DEVICE)
    now = [time.time()]
    board = NoticeBoard(adapter.client, tmp_path / "state", clock=lambda: now[0])

    assert board.refresh()
    (notice,) = board.current()
    assert (notice.title, notice.emergency) == ("系统升级", True)
    assert spoken_text(notice) == "紧急通知：系统升级。今晚 22:00 至 24:00 社保业务暂停办理"

    # Restarted with the platform unreachable: the cached notice still shows while in force.
    _o, offline = kiosk_side(tmp_path / "off", "http://127.0.0.1:9", DEVICE)
    restarted = NoticeBoard(offline.client, tmp_path / "state", clock=lambda: now[0])
    assert not restarted.refresh()
    assert [n.title for n in restarted.current()] == ["系统升级"]

    now[0] += 2 * 3600 + 1  # past the expiry: gone without asking anyone
    assert restarted.current() == ()
    sandbox.app.state.help.clock = lambda: now[0]
    assert board.refresh() and board.current() == ()


def test_notice_for_another_service_point_is_not_shown(sandbox, tmp_path):
    help_store = sandbox.app.state.help
    other = next(p for p in help_store.points if p != help_store.point_of(DEVICE).service_point)
    staff = staff_session(sandbox.url)
    staff.post(f"{sandbox.url}/console/api/notices", timeout=10,
               json={"title": "只给别处", "service_point": other, "hours": 1})
    staff.post(f"{sandbox.url}/console/api/notices", timeout=10, json={"title": "给所有终端", "hours": 1})
    _outbox, adapter = kiosk_side(tmp_path, sandbox.url, DEVICE)
    board = NoticeBoard(adapter.client)
    board.refresh()
    assert [n.title for n in board.current()] == ["给所有终端"]


def test_poller_reports_a_new_notice_without_a_restart(sandbox, tmp_path):
    _outbox, adapter = kiosk_side(tmp_path, sandbox.url, DEVICE)
    seen: list[tuple] = []
    poller = NoticePoller(NoticeBoard(adapter.client), seen.append, interval_s=0.1).start()
    try:
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seen[0] == ()
        staff_session(sandbox.url).post(f"{sandbox.url}/console/api/notices", timeout=10,
                                        json={"title": "国庆假期服务时间调整", "hours": 1})
        while len(seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        poller.stop()
    assert [n.title for n in seen[-1]] == ["国庆假期服务时间调整"]


def test_notice_published_and_withdrawn_with_the_console_form(sandbox, tmp_path):
    staff = staff_session(sandbox.url)
    page = staff.post(f"{sandbox.url}/console/notices", timeout=10,
                      data={"title": "春节期间 24 小时自助区照常开放", "body": "窗口服务 2 月 9 日恢复", "level": "info",
                            "service_point": "", "hours": "48"})
    assert page.status_code == 200 and "春节期间 24 小时自助区照常开放" in page.text  # after the redirect
    refused = staff.post(f"{sandbox.url}/console/notices", data={"title": "", "hours": "0"}, timeout=10)
    assert refused.status_code == 422 and "标题必填" in refused.text
    _outbox, adapter = kiosk_side(tmp_path, sandbox.url, DEVICE)
    board = NoticeBoard(adapter.client)
    board.refresh()
    (notice,) = board.current()
    staff.post(f"{sandbox.url}/console/notices/{notice.id}/withdraw", timeout=10)
    board.refresh()
    assert board.current() == ()
