"""What is wrong with this kiosk, in one report: devices, platform, outbox, disk, memory, version, uptime.

Two callers:

- the app, with what it already has open: ``collect(config, devices={"printer": printer, "idreader":
  reader}, client=runtime.client, outbox=outbox, started_at=app_start)``;
- ``kiosk diagnose``, with nothing open: ``collect(config)`` opens each configured device for a moment,
  talks to the platform with short timeouts and reads the outbox file.

The report is plain data (``to_dict()`` is JSON-ready) and carries a verdict: ``healthy`` is false when a
required device is in fault, or the outbox holds dead entries or entries pending longer than
``stale_after_s``; ``problems`` says why, ``warnings`` lists what a technician should look at but what does
not stop service (a degraded printer, an unreachable platform: the outbox covers outages by design).
No personal data is collected: device reasons, counts and sizes only.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import kiosk
from devices.status import DeviceState, DeviceStatus
from kiosk import sysinfo
from kiosk.config import DEVICE_NAMES, KioskConfig
from kiosk.device_probe import LABELS, StatusSource, check_devices, state_name

DEVICE_TIMEOUT_S = 4.0  # per device; the checks run in parallel, so the whole run stays within a few seconds
PLATFORM_TIMEOUT_S = (2.0, 4.0)  # connect, read: a health check, not an upload
# An entry still pending after this long means a citizen's application has not reached the platform: long
# enough to ride out a short network outage, short enough that a technician hears of it the same day.
STALE_PENDING_S = 2 * 3600.0
CLOCK_SKEW_WARN_S = 30.0  # signed requests carry a timestamp; a clock this far off gets them refused
LOW_DISK_BYTES = 200 * 1024 * 1024  # below this the outbox soon refuses new applications


@dataclass(frozen=True, slots=True)
class DeviceCheck:
    name: str  # printer | camera | doc_camera | idreader | scanner
    url: str
    state: str  # ok | degraded | fault | disabled
    reason: str
    required: bool
    kind: str = ""  # the URL's kind: usb, serial, v4l2, sim, keyboard … (none when switched off)


@dataclass(frozen=True, slots=True)
class PlatformCheck:
    url: str
    reachable: bool | None  # None: not checked (the embedded demo sandbox lives inside the app)
    rtt_ms: float | None = None
    clock_skew_s: float | None = None  # platform clock minus ours, from the HTTP Date header (±1 s)
    last_sync_at: str | None = None  # last upload the platform acknowledged (from the outbox), ISO 8601
    error: str = ""


@dataclass(frozen=True, slots=True)
class OutboxCheck:
    path: str
    available: bool  # False: no outbox could be read (see error)
    pending: int = 0
    sending: int = 0
    dead: int = 0
    oldest_pending_age_s: float | None = None
    last_success_at: str | None = None
    last_error: str | None = None
    error: str = ""


@dataclass(frozen=True, slots=True)
class SystemCheck:
    version: str
    python: str
    state_dir: str
    disk_free_bytes: int | None
    disk_total_bytes: int | None
    rss_bytes: int | None  # of the process that collected the report (the app, or the CLI)
    mem_available_bytes: int | None
    uptime_s: float | None  # of the app; None when the CLI collected the report
    system_uptime_s: float | None


@dataclass(frozen=True, slots=True)
class DiagnosticReport:
    device_id: str
    collected_at: str
    config: str
    devices: tuple[DeviceCheck, ...]
    platform: PlatformCheck
    outbox: OutboxCheck
    system: SystemCheck
    problems: tuple[str, ...] = ()  # why the kiosk is not healthy (empty when healthy)
    warnings: tuple[str, ...] = ()
    required_device_fault: bool = False
    outbox_unhealthy: bool = False
    demo_config: bool = False  # a real kiosk runs with the demo's platform settings (issue #14)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def device(self, name: str) -> DeviceCheck:
        for check in self.devices:
            if check.name == name:
                return check
        raise KeyError(f"no device {name!r} in the report; devices are {', '.join(DEVICE_NAMES)}")

    def device_states(self) -> dict[str, str]:
        return {check.name: check.state for check in self.devices}

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["healthy"] = self.healthy
        return data

    # One line each for the maintenance screen and the CLI table, in a technician's words.
    def platform_line(self) -> str:
        p = self.platform
        reach = {True: "reachable", False: "UNREACHABLE", None: "not checked"}[p.reachable]
        rtt = "-" if p.rtt_ms is None else f"{p.rtt_ms:.0f} ms"
        skew = "-" if p.clock_skew_s is None else f"{p.clock_skew_s:+.1f} s"
        line = f"{p.url}: {reach}; round trip {rtt}; clock skew {skew}; last sync {p.last_sync_at or 'never'}"
        return line + (f"; {p.error}" if p.error else "")

    def outbox_line(self) -> str:
        o = self.outbox
        if not o.available:
            return f"{o.path}: CANNOT BE READ: {o.error}"
        line = (f"{o.path}: pending {o.pending + o.sending}, dead {o.dead}, oldest "
                f"{format_duration(o.oldest_pending_age_s)}, last success {o.last_success_at or 'never'}")
        return line + (f"; {o.error}" if o.error else "")

    def system_line(self) -> str:
        s = self.system
        uptime = f"app up {format_duration(s.uptime_s)}; " if s.uptime_s is not None else ""
        return (f"gov-kiosk {s.version}, python {s.python}; disk free {format_bytes(s.disk_free_bytes)} of "
                f"{format_bytes(s.disk_total_bytes)} ({s.state_dir}); memory available "
                f"{format_bytes(s.mem_available_bytes)}, RSS {format_bytes(s.rss_bytes)}; {uptime}"
                f"system up {format_duration(s.system_uptime_s)}")


def format_bytes(value: int | None) -> str:
    if value is None:
        return "?"
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if value >= factor:
            return f"{value / factor:.1f} {unit}"
    return f"{value} B"


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


# -- parts ------------------------------------------------------------------------------------------------


def device_checks(
    config: KioskConfig, given: Mapping[str, StatusSource] | None, timeout: float, probe: bool
) -> tuple[DeviceCheck, ...]:
    urls = {name: str(getattr(config.devices, name)) for name in DEVICE_NAMES}
    statuses = check_devices(urls, given or {}, timeout, probe)
    required = set(config.devices.required)
    checks = []
    for name in DEVICE_NAMES:
        status = statuses[name]
        reason = status.reason if status is not None else f"{LABELS[name]} switched off in the config (\"none\")"
        kind = urls[name].split("://", 1)[0] if "://" in urls[name] else urls[name]
        checks.append(DeviceCheck(name, urls[name], state_name(status), reason, name in required, kind))
    return tuple(checks)


def probe_platform(client: Any, clock: Callable[[], float] = time.time) -> PlatformCheck:
    """One GET /v1/health: reachable, round trip, and clock skew from the answer's Date header."""
    from kiosk.platform_client import PlatformError

    url = client.base_url
    started, wall = time.monotonic(), clock()
    try:
        # The Response itself (not health()'s JSON) is needed for the Date header.
        response = client._request("GET", "/health")
    except PlatformError as exc:
        # "rejected"/"server": the platform answered, so the network path works; the reason still matters.
        return PlatformCheck(url, exc.kind in ("rejected", "server"), error=str(exc))
    rtt_s = time.monotonic() - started
    skew = None
    date = response.headers.get("Date")
    if date:
        try:
            # Date has whole seconds; compare with our clock halfway through the round trip.
            skew = round(email.utils.parsedate_to_datetime(date).timestamp() - (wall + rtt_s / 2), 1)
        except (TypeError, ValueError):
            skew = None
    return PlatformCheck(url, True, round(rtt_s * 1000, 1), skew)


def check_platform(config: KioskConfig, client: Any | None, clock: Callable[[], float]) -> PlatformCheck:
    if client is not None:
        return probe_platform(client, clock)
    if config.platform.url == "embedded":
        return PlatformCheck("embedded", None, error="the embedded demo sandbox runs inside the app; not checked")
    from kiosk.platform_client import PlatformClient

    own = PlatformClient(config.platform.url, config.kiosk.device_id,
                         min(config.platform.connect_timeout_s, PLATFORM_TIMEOUT_S[0]),
                         min(config.platform.read_timeout_s, PLATFORM_TIMEOUT_S[1]),
                         device_secret=config.platform.device_secret)
    try:
        return probe_platform(own, clock)
    finally:
        own.close()


def outbox_paths(config: KioskConfig) -> tuple[Path, Path]:
    """Where the app keeps its outbox database and the device key (under [kiosk] state_dir)."""
    return config.outbox_dir / "outbox.db", config.outbox_dir / "device.key"


OutboxSource = Any  # an offline.outbox.Outbox, an OutboxStatus, or a callable returning an OutboxStatus


def check_outbox(config: KioskConfig, source: OutboxSource | None) -> OutboxCheck:
    db_path, key_path = outbox_paths(config)
    try:
        status = _outbox_status(source, db_path, key_path)
    except Exception as exc:  # OutboxError and friends: the message names the file and the fix
        return OutboxCheck(str(db_path), False, error=str(exc))
    if status is None:
        return OutboxCheck(str(db_path), True, error="no outbox yet (nothing was ever queued on this kiosk)")
    path = str(getattr(source, "path", db_path))
    age = None if status.oldest_pending_age is None else round(status.oldest_pending_age, 1)
    return OutboxCheck(path, True, status.depth, status.sending, status.dead, age,
                       iso(status.last_success_at), status.last_error)


def _outbox_status(source: OutboxSource | None, db_path: Path, key_path: Path) -> Any:
    if source is not None:
        status = getattr(source, "status", source)
        return status() if callable(status) else status
    if not db_path.exists():
        return None  # diagnosing must not create an outbox (and a key) that the app would then inherit
    if not key_path.exists():
        raise FileNotFoundError(
            f"outbox {db_path}: its key file {key_path} is missing, so queued entries cannot be read or sent; "
            "restore the key file from the backup of this kiosk"
        )
    from offline.outbox import Outbox

    # reserve_bytes=0: a look at the queue must not allocate the app's disk reserve.
    with Outbox(db_path, key_path, reserve_bytes=0) as outbox:
        return outbox.status()


def check_system(config: KioskConfig, started_at: float | None, clock: Callable[[], float]) -> SystemCheck:
    disk = sysinfo.disk_space(config.kiosk.state_dir)
    return SystemCheck(
        version=kiosk.__version__,
        python=sys.version.split()[0],
        state_dir=str(config.kiosk.state_dir),
        disk_free_bytes=disk.free_bytes if disk else None,
        disk_total_bytes=disk.total_bytes if disk else None,
        rss_bytes=sysinfo.process_rss_bytes(),
        mem_available_bytes=sysinfo.mem_available_bytes(),
        uptime_s=None if started_at is None else round(max(0.0, clock() - started_at), 1),
        system_uptime_s=sysinfo.system_uptime_s(),
    )


# -- verdict ----------------------------------------------------------------------------------------------


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    required_device_fault: bool = False
    outbox_unhealthy: bool = False


def judge(
    devices: tuple[DeviceCheck, ...], platform: PlatformCheck, outbox: OutboxCheck, system: SystemCheck,
    stale_after_s: float,
) -> Verdict:
    verdict = Verdict()
    for check in devices:
        label = f"{LABELS[check.name]} {check.url}"
        if check.state in ("fault", "disabled") and check.required:
            verdict.required_device_fault = True
            state = "in fault" if check.state == "fault" else "disabled"
            verdict.problems.append(f"required {label} is {state}: {check.reason}")
        elif check.state == "fault":
            verdict.warnings.append(f"{label} is in fault (not required): {check.reason}")
        elif check.state == "degraded":
            verdict.warnings.append(f"{label} is degraded: {check.reason}")
    if not outbox.available:
        verdict.outbox_unhealthy = True
        verdict.problems.append(f"outbox cannot be read: {outbox.error}")
    if outbox.dead:
        verdict.outbox_unhealthy = True
        verdict.problems.append(
            f"outbox has {outbox.dead} dead entr{'y' if outbox.dead == 1 else 'ies'} the platform refused or "
            f"that cannot be read; last error: {outbox.last_error or 'none recorded'}; a technician must retry "
            "or purge them"
        )
    if outbox.oldest_pending_age_s is not None and outbox.oldest_pending_age_s > stale_after_s:
        verdict.outbox_unhealthy = True
        verdict.problems.append(
            f"outbox: the oldest of {outbox.pending + outbox.sending} queued entries has waited "
            f"{format_duration(outbox.oldest_pending_age_s)} (limit {format_duration(stale_after_s)}); last error: "
            f"{outbox.last_error or 'none recorded'}"
        )
    if platform.reachable is False:
        verdict.warnings.append(f"platform not reachable: {platform.error} (the outbox keeps work until it is)")
    elif platform.error and platform.reachable:
        verdict.warnings.append(f"platform answered with an error: {platform.error}")
    if platform.clock_skew_s is not None and abs(platform.clock_skew_s) > CLOCK_SKEW_WARN_S:
        ahead = "behind" if platform.clock_skew_s > 0 else "ahead of"
        verdict.warnings.append(
            f"this kiosk's clock is {abs(platform.clock_skew_s):.0f} s {ahead} the platform's; signed requests "
            "may be refused; check NTP (timedatectl status)"
        )
    from kiosk.rules.holidays import calendar_warning

    holidays = calendar_warning()  # a deadline or slot ahead falls in a year with no 放假/调休 schedule yet
    if holidays:
        verdict.warnings.append(holidays)
    if system.disk_free_bytes is not None and system.disk_free_bytes < LOW_DISK_BYTES:
        verdict.warnings.append(
            f"only {system.disk_free_bytes // (1024 * 1024)} MB free for {system.state_dir}; the outbox refuses "
            "new applications when the disk is full; free space (journalctl --vacuum-size=100M)"
        )
    return verdict


# -- the report -------------------------------------------------------------------------------------------


def collect(
    config: KioskConfig,
    *,
    devices: Mapping[str, StatusSource] | None = None,
    client: Any | None = None,
    outbox: OutboxSource | None = None,
    started_at: float | None = None,
    probe_devices: bool = True,
    device_timeout: float = DEVICE_TIMEOUT_S,
    stale_after_s: float = STALE_PENDING_S,
    clock: Callable[[], float] = time.time,
    real_kiosk: bool = False,
) -> DiagnosticReport:
    """Check everything and return the report (see the module docstring for the two ways to call it).

    ``devices``: the app's open devices by name (objects, DeviceStatus values or status callables); any
    configured device not given is opened from its URL for the check (``probe_devices=False``: reported as
    not checked). ``client``: a PlatformClient (default: a short-lived one from the config). ``outbox``: an
    Outbox or a source of OutboxStatus (default: the outbox file under the state dir, if there is one).
    ``started_at``: when the app started (unix time), for its uptime. ``real_kiosk``: the config is a real
    kiosk's (``kiosk diagnose``), so the demo's platform settings (no [platform], the embedded sandbox, the
    public demo secret) are faults, not the demo working as meant.
    """
    # The platform check waits on the network and the device checks on hardware: run them side by side.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="diagnose-platform") as pool:
        platform_future = pool.submit(check_platform, config, client, clock)
        device_results = device_checks(config, devices, device_timeout, probe_devices)
        outbox_result = check_outbox(config, outbox)
        platform_result = platform_future.result()
    if outbox_result.last_success_at:
        platform_result = PlatformCheck(**{**asdict(platform_result), "last_sync_at": outbox_result.last_success_at})
    system = check_system(config, started_at, clock)
    verdict = judge(device_results, platform_result, outbox_result, system, stale_after_s)
    demo_problems = config.real_kiosk_problems() if real_kiosk else []
    verdict.problems[:0] = demo_problems
    return DiagnosticReport(
        device_id=config.kiosk.device_id,
        collected_at=iso(clock()) or "",
        config=config.source,
        devices=device_results,
        platform=platform_result,
        outbox=outbox_result,
        system=system,
        problems=tuple(verdict.problems),
        warnings=tuple(verdict.warnings),
        required_device_fault=verdict.required_device_fault,
        outbox_unhealthy=verdict.outbox_unhealthy,
        demo_config=bool(demo_problems),
    )


def collect_from_runtime(runtime: Any, **options: Any) -> DiagnosticReport:
    """``collect()`` with what a running KioskRuntime has open: its devices (or the status it recorded when a
    device could not be opened), its platform client, its outbox and its start time, where it has them."""
    printer = runtime.print_service.printer if getattr(runtime, "print_service", None) is not None else None
    objects = {"printer": printer, "idreader": getattr(runtime, "id_reader", None),
               "camera": getattr(runtime, "camera", None), "scanner": getattr(runtime, "scanner", None),
               "doc_camera": _doc_camera_source(getattr(runtime, "doc_camera", None))}
    recorded = dict(getattr(runtime, "device_status", {}) or {})
    devices: dict[str, StatusSource] = {}
    for name in DEVICE_NAMES:
        source = objects[name] if objects[name] is not None else recorded.get(name)
        if source is not None:
            devices[name] = source
    options.setdefault("client", getattr(runtime, "client", None))
    options.setdefault("outbox", getattr(runtime, "outbox", None))
    options.setdefault("started_at", getattr(runtime, "started_at", None))
    return collect(runtime.config, devices=devices, **options)


def _doc_camera_source(camera: Any) -> StatusSource | None:
    """The 高拍仪 runs only while materials are photographed: idle is ok, not "not started"."""
    if camera is None:
        return None
    from devices.doccam import doc_camera_status

    return lambda: doc_camera_status(camera)


def statuses_from_report(report: DiagnosticReport) -> dict[str, DeviceStatus | None]:
    """Device statuses as availability.assess() takes them (None for a disabled device)."""
    out: dict[str, DeviceStatus | None] = {}
    for check in report.devices:
        out[check.name] = None if check.state == "disabled" else DeviceStatus(DeviceState(check.state), check.reason)
    return out
