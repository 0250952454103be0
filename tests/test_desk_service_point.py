"""The service point a kiosk books appointments at is configured (``[kiosk] service_point``), not built in:
the sandbox serves the slots of the configured point, and a point id the platform does not have is a clear
message for the citizen and a log line for the technician, not a crash. The real runtime and sandbox."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from kiosk.config import KioskConfig, demo_config
from kiosk.desk import Desk
from kiosk.desk import outcomes as o
from kiosk.desk import outcomes_service as s
from kiosk.runtime import KioskRuntime
from kiosk.sandbox.store import DATA_DIR
from kiosk.session import Level

ZHANG = "410105195003152015"


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KioskRuntime]:
    started = KioskRuntime(demo_config(tmp_path_factory.mktemp("point"))).start()
    yield started
    started.stop()


def at_point(config: KioskConfig, point: str) -> KioskConfig:
    return config.model_copy(update={"kiosk": config.kiosk.model_copy(update={"service_point": point})})


def slots_at(runtime: KioskRuntime, point: str, code: str):  # noqa: ANN201 - the slots step's outcome
    desk = Desk(at_point(runtime.config, point), runtime)
    desk.catalog = runtime.refresh_catalog().catalog
    try:
        assert desk.apply.choose(code)
        assert isinstance(desk.apply.start(), o.NeedIdentity)
        tokens = json.loads((DATA_DIR / "identity_tokens.json").read_text(encoding="utf-8"))["tokens"]
        identified = desk.identity.verify_token(desk.identity.code(
            next(t["payload"] for t in tokens if t["id_number"] == ZHANG)))
        assert isinstance(identified, o.Identified) and identified.citizen.level is Level.VERIFIED
        assert isinstance(desk.apply.identified(), s.LoadSlots)
        return desk.finish.appointments.slots()
    finally:
        runtime.end_session(desk.end_session())


def test_the_demo_point_is_the_default() -> None:
    assert KioskConfig().kiosk.service_point == "JINSHUI-CENTRE"


def test_the_slots_are_those_of_the_configured_point(runtime: KioskRuntime) -> None:
    village = slots_at(runtime, "LIULIN-VILLAGE", "HJ-003")  # 户口 appointments are offered at the village too
    assert isinstance(village, s.ShowSlots) and village.point == "LIULIN-VILLAGE"
    assert [slot.label for slot in village.days[0].slots] == ["上午", "下午"]
    marriage = slots_at(runtime, "LIULIN-VILLAGE", "MZ-001")  # marriage only at the centre
    assert isinstance(marriage, s.AppointmentRefused)
    assert "LIULIN-VILLAGE" not in marriage.message.text()  # the item is not offered here: not a config error


def test_a_point_the_platform_does_not_have_is_said_plainly_and_logged(runtime: KioskRuntime,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="kiosk.desk.appointment"):
        refused = slots_at(runtime, "NOWHERE-POINT", "MZ-001")
    assert isinstance(refused, s.AppointmentRefused)
    assert refused.message.text() == "本机配置的服务点 NOWHERE-POINT 在平台上不存在，请联系管理员。"
    technician = [r.getMessage() for r in caplog.records if r.name == "kiosk.desk.appointment"]
    assert any("NOWHERE-POINT" in line and "[kiosk] service_point" in line for line in technician), technician


def test_a_malformed_point_is_refused_when_the_config_is_read() -> None:
    with pytest.raises(ValueError, match="service_point"):
        KioskConfig.model_validate({"kiosk": {"service_point": "jinshui centre"}})
