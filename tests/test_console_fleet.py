"""The fleet view's rules on a real SQLite file: silence turns a kiosk red without any heartbeat, events are
written when what a kiosk reports changes, paging and counts hold at a few hundred kiosks."""

from __future__ import annotations

from kiosk.sandbox.help_store import HelpStore


def _beat(printer: str = "ok", dead: int = 0) -> dict:
    return {"versions": {"kiosk": "0.1.0"}, "uptime_s": 600, "outbox": {"pending": 0, "dead": dead},
            "devices": {"printer": {"state": printer, "reason": "", "required": True}}}


def test_silence_needs_attention_and_coming_back_is_an_event(tmp_path):
    now = [1_800_000_000.0]
    store = HelpStore(str(tmp_path / "fleet.db"), clock=lambda: now[0])
    store.observe_heartbeat("KIOSK-A", _beat())
    store.observe_heartbeat("KIOSK-B", _beat())
    assert store.kiosks(attention_only=True) == ([], 0)

    now[0] += 181  # A keeps reporting, B falls silent
    store.observe_heartbeat("KIOSK-A", _beat())
    rows, total = store.kiosks(attention_only=True)
    assert total == 1 and rows[0]["device_id"] == "KIOSK-B"
    assert rows[0]["problem_list"] == ["失联（超过 3 分钟没有心跳）"]
    assert store.counts() == {"kiosks": 2, "problems": 0, "silent": 1, "open_assists": 0}

    now[0] += 600
    store.observe_heartbeat("KIOSK-B", _beat(printer="fault", dead=2))
    events = [e["text"] for e in store.events("KIOSK-B")]
    assert events[0] == "需处理：打印机故障、2 笔待传数据被平台拒收"
    assert "恢复联系（失联约 13 分钟）" in events and "设备：打印机 故障" in events
    store.observe_heartbeat("KIOSK-B", _beat())
    assert store.events("KIOSK-B")[0]["text"] == "问题已消除"


def test_an_open_assist_request_needs_attention_until_closed(tmp_path):
    store = HelpStore(str(tmp_path / "fleet.db"))
    store.observe_heartbeat("KIOSK-C", _beat())
    number = store.add_assist("key-1", "KIOSK-C", "form", "stuck_errors").row["number"]
    (row,), _total = store.kiosks(attention_only=True)
    assert row["problem_list"] == ["1 个呼叫待处理"]
    store.accept_assist(number, "技术员 一号")
    assert store.kiosks(attention_only=True)[1] == 1  # accepted, not yet dealt with
    store.close_assist(number, "技术员 一号")
    assert store.kiosks(attention_only=True) == ([], 0)
    assert store.assist(number)["accepted_by"] == "技术员 一号"


def test_paging_puts_the_kiosks_needing_attention_first(tmp_path):
    store = HelpStore(str(tmp_path / "fleet.db"))
    for n in range(300):
        store.observe_heartbeat(f"KIOSK-{n:03d}", _beat(printer="fault" if n % 100 == 7 else "ok"))
    first, total = store.kiosks(offset=0, limit=50)
    assert total == 300 and len(first) == 50
    assert [r["device_id"] for r in first[:3]] == ["KIOSK-007", "KIOSK-107", "KIOSK-207"]
    last, _ = store.kiosks(offset=250, limit=50)
    assert last[-1]["device_id"] == "KIOSK-299"
