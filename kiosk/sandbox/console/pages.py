"""The fleet console's HTML: plain server-rendered pages (no template engine, no script, no build step),
in Chinese, one column on a phone. Every value goes through ``escape``. No page shows personal data: the
tables they read hold none, except a complaint's callback phone, which is never rendered."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any
from urllib.parse import quote

from kiosk.maintenance_view import device_words
from kiosk.sandbox.fleet_status import (
    DEVICE_NAMES,
    STATE_WORDS,
    ago_words,
    paper_words,
    uptime_words,
)

ASSIST_STATUS = {"open": "待接单", "accepted": "已接单", "closed": "已处理"}
ASSIST_REASON = {"button": "群众按了呼叫按钮", "stuck_errors": "同一页面连续出错", "stuck_idle": "办理中长时间无操作"}
SCREEN_WORDS = {"home": "首页", "catalog": "事项目录", "guide": "办事指南", "identify": "身份核验", "materials": "材料确认",
                "form": "填写表单", "confirm": "确认提交", "result": "办理结果", "rating": "服务评价",
                "progress": "进度查询", "pickup": "结果领取", "query": "查询打印", "ticket": "取号排队",
                "commitment": "承诺确认", "notice": "告知单", "complaint": "诉求反映"}
COMPLAINT_KIND = {"complaint": "投诉", "cannot_do": "办不成事"}
COMPLAINT_STATUS = {"recorded": "已登记", "handling": "办理中", "answered": "已答复", "closed": "已办结"}

_CSS = """
*{box-sizing:border-box}body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;background:#f3f5f8;
color:#1d2733;font-size:16px;line-height:1.5}header{background:#0b4f9c;color:#fff;padding:10px 14px;display:flex;
flex-wrap:wrap;gap:6px 16px;align-items:center}header a{color:#fff}header h1{font-size:18px;margin:0 auto 0 0}
main{padding:12px;max-width:1100px;margin:auto}.summary{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:10px}
.summary a,.summary span{background:#fff;border:1px solid #c9d2dc;border-radius:6px;padding:6px 10px;
text-decoration:none;color:inherit}.summary .on{border:2px solid #0b4f9c;font-weight:bold}
.card{background:#fff;border:1px solid #c9d2dc;border-radius:8px;padding:10px 12px;margin-bottom:10px}
.card.attention{border-left:8px solid #c82121}.card.fine{border-left:8px solid #1a8545}
.card h2{font-size:17px;margin:0 0 4px}.tag{display:inline-block;padding:1px 8px;border-radius:10px;font-size:14px;
margin:2px 4px 2px 0}.tag.bad{background:#fde2e2;color:#8f1616}.tag.good{background:#ddf3e4;color:#135e31}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:4px 0}dt{color:#5c6675}dd{margin:0}
button,input[type=submit]{font-size:16px;padding:8px 16px;border-radius:6px;border:0;background:#0b4f9c;color:#fff;
cursor:pointer}button.secondary{background:#5c6675}form.inline{display:inline}label{display:block;margin:8px 0 2px}
input[type=text],input[type=password],input[type=number],textarea,select{font-size:16px;padding:6px;width:100%;
max-width:420px}.pager{margin:12px 0}.pager a{margin-right:12px}.error{color:#8f1616;font-weight:bold}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #dde3ea;padding:4px 6px;text-align:left}
"""


def when(seconds: float | None) -> str:
    if not seconds:
        return "—"
    return dt.datetime.fromtimestamp(seconds).strftime("%m-%d %H:%M:%S")


def page(title: str, body: str, user: str = "", refresh_s: int = 0) -> str:
    nav = ""
    if user:
        nav = ('<a href="/console/">终端</a><a href="/console/?attention=1">需处理</a><a href="/console/assists">呼叫</a>'
               '<a href="/console/complaints">投诉与办不成事</a><a href="/console/notices">通知</a>'
               f'<form class="inline" method="post" action="/console/logout"><button class="secondary" '
               f'id="logout">退出（{escape(user)}）</button></form>')
    refresh = f'<meta http-equiv="refresh" content="{refresh_s}">' if refresh_s else ""
    return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">{refresh}'
            f"<title>{escape(title)} · 自助终端运维台</title><style>{_CSS}</style></head><body>"
            f"<header><h1>自助终端运维台</h1>{nav}</header><main><h2>{escape(title)}</h2>{body}</main></body></html>")


def login_page(error: str = "", next_url: str = "/console/") -> str:
    problem = f'<p class="error" id="login-error">{escape(error)}</p>' if error else ""
    body = (f'{problem}<form method="post" action="/console/login" class="card">'
            f'<input type="hidden" name="next" value="{escape(next_url)}">'
            '<label for="user">工号</label><input type="text" id="user" name="user" autocomplete="username">'
            '<label for="password">密码</label><input type="password" id="password" name="password" '
            'autocomplete="current-password"><p><button type="submit" id="login">登录</button></p></form>')
    return page("工作人员登录", body)


def _problems(row: dict[str, Any]) -> str:
    if not row["problem_list"]:
        return '<span class="tag good">正常</span>'
    return "".join(f'<span class="tag bad">{escape(p)}</span>' for p in row["problem_list"])


def kiosk_list(rows: list[dict[str, Any]], total: int, counts: dict[str, int], attention: bool, offset: int,
               limit: int, now: float, user: str) -> str:
    summary = (f'<div class="summary"><a href="/console/" class="{"" if attention else "on"}" id="filter-all">'
               f'全部终端 {counts["kiosks"]}</a><a href="/console/?attention=1" id="filter-attention" '
               f'class="{"on" if attention else ""}">需处理</a><span>设备或数据有问题 {counts["problems"]}</span>'
               f'<span>失联 {counts["silent"]}</span><a href="/console/assists">待处理呼叫 {counts["open_assists"]}</a></div>')
    cards = []
    for row in rows:
        cls = "attention" if row["needs_attention"] else "fine"
        cards.append(
            f'<div class="card {cls}" id="kiosk-{escape(row["device_id"])}" data-attention="{int(row["needs_attention"])}">'
            f'<h2><a href="/console/kiosks/{quote(row["device_id"], safe="")}">{escape(row["device_id"])}</a></h2>'
            f"{_problems(row)}<dl><dt>最近心跳</dt><dd>{ago_words(now - row['last_seen'])}</dd>"
            f"<dt>设备</dt><dd>{escape(row['devices_text'] or '未上报')}</dd>"
            f"<dt>打印纸</dt><dd>{escape(paper_words(row['paper_printed_mm'], row['paper_roll_mm']))}</dd>"
            f"<dt>待上传 / 被拒收</dt><dd>{_n(row['outbox_pending'])} / {_n(row['outbox_dead'])}</dd>"
            f"<dt>版本 · 运行</dt><dd>{escape(row['version'] or '—')} · {uptime_words(row['uptime_s'])}</dd>"
            f"<dt>待处理呼叫</dt><dd>{row['open_assists']}</dd></dl></div>")
    if not cards:
        cards.append('<p class="card" id="no-kiosks">没有需要处理的终端。</p>' if attention else
                     '<p class="card" id="no-kiosks">还没有终端上报心跳。</p>')
    base = "/console/?attention=1&" if attention else "/console/?"
    pager = []
    if offset > 0:
        pager.append(f'<a href="{base}offset={max(0, offset - limit)}">上一页</a>')
    if offset + limit < total:
        pager.append(f'<a href="{base}offset={offset + limit}">下一页</a>')
    shown = f"第 {offset + 1}–{min(total, offset + limit)} 台，共 {total} 台" if total else ""
    body = f'{summary}{"".join(cards)}<div class="pager">{shown} {" ".join(pager)}</div>'
    return page("需处理的终端" if attention else "全部终端", body, user, refresh_s=30)


def _n(value: int | None) -> str:
    return "未上报" if value is None else str(value)


def _assist_actions(row: dict[str, Any], back: str) -> str:
    number = escape(row["number"])
    buttons = []
    if row["status"] == "open":
        buttons.append(f'<form class="inline" method="post" action="/console/assist/{number}/accept">'
                       f'<input type="hidden" name="back" value="{escape(back)}">'
                       f'<button id="accept-{number}">接单</button></form>')
    if row["status"] != "closed":
        buttons.append(f'<form class="inline" method="post" action="/console/assist/{number}/close">'
                       f'<input type="hidden" name="back" value="{escape(back)}">'
                       f'<button class="secondary" id="close-{number}">已处理</button></form>')
    return " ".join(buttons)


def assist_card(row: dict[str, Any], now: float, point_name: str, back: str) -> str:
    staffed = "值班时间内" if row["staffed"] else "非值班时间（终端已提示拨打电话）"
    accepted = (f"<dt>接单</dt><dd>{escape(row['accepted_by'])}，{when(row['accepted_at'])}</dd>"
                if row["accepted_by"] else "")
    return (f'<div class="card {"attention" if row["status"] == "open" else "fine"}" id="assist-{escape(row["number"])}">'
            f'<h2>{escape(row["number"])} · <span class="status">{ASSIST_STATUS.get(row["status"], row["status"])}</span></h2>'
            f'<dl><dt>终端</dt><dd><a href="/console/kiosks/{quote(row["device_id"], safe="")}">'
            f'{escape(row["device_id"])}</a>（{escape(point_name)}）</dd>'
            f"<dt>发起</dt><dd>{when(row['created_at'])}（已等 {ago_words(now - row['created_at']).replace('前', '')}）</dd>"
            f"<dt>原因</dt><dd>{ASSIST_REASON.get(row['reason'], escape(row['reason']))}；页面："
            f"{escape(SCREEN_WORDS.get(row['screen'], row['screen']))}</dd>"
            f"<dt>值班</dt><dd>{staffed}</dd>{accepted}</dl>{_assist_actions(row, back)}</div>")


def kiosk_page(row: dict[str, Any], assists: list[dict[str, Any]], events: list[dict[str, Any]], point_name: str,
               body: dict[str, Any], now: float, user: str) -> str:
    device_rows = []
    for name, device in sorted((body.get("devices") or {}).items()):
        state = str((device or {}).get("state", ""))
        required = "（必需）" if (device or {}).get("required") else ""
        what, fix = device_words(name, state, str((device or {}).get("reason", "")))
        advice = f"：{escape(what)}。{escape(fix)}" if what else ""
        device_rows.append(f"<dt>{escape(DEVICE_NAMES.get(name, name))}{required}</dt>"
                           f"<dd>{escape(STATE_WORDS.get(state, state))}{advice}</dd>")
    consumables = (body.get("consumables") or {}).get("items") or []
    consumable_rows = "".join(
        f"<dt>{escape(str(c.get('name', '')))}</dt><dd>已用 {escape(str(c.get('used', '')))} / "
        f"{escape(str(c.get('limit', '')))} {escape(str(c.get('unit', '')))}</dd>" for c in consumables)
    raw_reasons = "".join(
        f"<tr><td>{escape(name)}</td><td>{escape(str((d or {}).get('state', '')))}</td>"
        f"<td>{escape(str((d or {}).get('reason', '')))}</td></tr>" for name, d in sorted((body.get("devices") or {}).items()))
    outbox = body.get("outbox") or {}
    assist_html = "".join(assist_card(a, now, point_name, f"/console/kiosks/{row['device_id']}") for a in assists) \
        or "<p>没有待处理的呼叫。</p>"
    event_html = "".join(f"<tr><td>{when(e['at'])}</td><td>{escape(e['text'])}</td></tr>" for e in events) \
        or "<tr><td colspan=2>暂无记录</td></tr>"
    html = (
        f'<div class="card {"attention" if row["needs_attention"] else "fine"}" id="kiosk-detail">{_problems(row)}'
        f"<dl><dt>服务点</dt><dd>{escape(point_name)}</dd><dt>最近心跳</dt><dd>{when(row['last_seen'])}"
        f"（{ago_words(now - row['last_seen'])}）</dd>{''.join(device_rows)}"
        f"<dt>打印纸</dt><dd>{escape(paper_words(row['paper_printed_mm'], row['paper_roll_mm']))}</dd>{consumable_rows}"
        f"<dt>待上传</dt><dd>{_n(row['outbox_pending'])} 笔</dd><dt>被拒收</dt><dd>{_n(row['outbox_dead'])} 笔</dd>"
        f"<dt>版本</dt><dd>{escape(row['version'] or '—')}</dd><dt>已运行</dt><dd>{uptime_words(row['uptime_s'])}</dd></dl>"
        f"<details><summary>技术详情</summary><table><tr><th>设备</th><th>状态</th><th>原因</th></tr>{raw_reasons}</table>"
        f"<p>可用性 {escape(row['availability'] or '—')}；最早待传 {_n(outbox.get('oldest_pending_age_s'))} 秒；"
        f"磁盘剩余 {_n(body.get('disk_free_bytes'))} 字节</p></details></div>"
        f"<h2>待处理呼叫</h2>{assist_html}"
        f'<h2>最近事件</h2><div class="card"><table id="events">{event_html}</table></div>')
    return page(f"终端 {row['device_id']}", html, user, refresh_s=30)


def assists_page(rows: list[dict[str, Any]], names: dict[str, str], now: float, user: str) -> str:
    cards = "".join(assist_card(r, now, names.get(r["service_point"], r["service_point"]), "/console/assists")
                    for r in rows) or '<p class="card">没有待处理的呼叫。</p>'
    return page("待处理呼叫", cards, user, refresh_s=15)


def complaints_page(rows: list[dict[str, Any]], user: str) -> str:
    lines = "".join(
        f"<tr><td>{escape(r['number'])}</td><td>{COMPLAINT_KIND.get(r['kind'], escape(r['kind']))}</td>"
        f"<td>{escape(r['category'])}</td><td>{escape(r['item_code'] or '—')}</td>"
        f"<td>{'需回访' if r['callback'] else '—'}</td><td>{escape(r['device_id'])}</td><td>{when(r['created_at'])}</td>"
        f"<td>{COMPLAINT_STATUS.get(r['status'], escape(r['status']))}</td></tr>" for r in rows)
    table = ("<div class=\"card\"><table><tr><th>编号</th><th>类别</th><th>问题</th><th>事项</th><th>回访</th>"
             f"<th>终端</th><th>时间</th><th>状态</th></tr>{lines or '<tr><td colspan=8>暂无</td></tr>'}</table></div>")
    return page("投诉与办不成事", table, user)


def notices_page(rows: list[dict[str, Any]], points: dict[str, str], user: str, error: str = "") -> str:
    current = "".join(
        f'<div class="card"><h2>{"【紧急】" if r["level"] == "emergency" else ""}{escape(r["title"])}</h2>'
        f"<p>{escape(r['body'])}</p><dl><dt>范围</dt><dd>{escape(points.get(r['service_point'], '全部服务点'))}</dd>"
        f"<dt>有效至</dt><dd>{when(r['expires_at'])}</dd><dt>发布人</dt><dd>{escape(r['created_by'])}</dd></dl>"
        f'<form class="inline" method="post" action="/console/notices/{r["id"]}/withdraw">'
        f'<button class="secondary">撤下</button></form></div>' for r in rows) or '<p class="card">当前没有通知。</p>'
    options = '<option value="">全部服务点</option>' + "".join(
        f'<option value="{escape(k)}">{escape(v)}</option>' for k, v in points.items())
    problem = f'<p class="error">{escape(error)}</p>' if error else ""
    form = (f'{problem}<form method="post" action="/console/notices" class="card"><h2>发布通知</h2>'
            '<label for="title">标题</label><input type="text" id="title" name="title" maxlength="40">'
            '<label for="body">内容</label><textarea id="body" name="body" rows="3" maxlength="300"></textarea>'
            '<label for="level">级别</label><select id="level" name="level"><option value="info">一般</option>'
            '<option value="emergency">紧急</option></select>'
            f'<label for="point">范围</label><select id="point" name="service_point">{options}</select>'
            '<label for="hours">有效小时数</label><input type="number" id="hours" name="hours" value="24" min="1" max="720">'
            '<p><button type="submit" id="publish">发布</button></p></form>')
    return page("运营通知", current + form, user)
