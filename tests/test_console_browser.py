"""The fleet console in a real headless Chromium (Debian's chromium + chromium-driver, driven by Selenium):
log in, watch a kiosk turn "needs attention" after a paper-out heartbeat, accept an assist request, and the
kiosk's poll sees it. Screenshots go to $CONSOLE_SCREENSHOTS (default: the test's tmp dir)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from help_support import STAFF_PASSWORD, STAFF_USER, kiosk_side, set_hours

from kiosk.assist import AssistService, AssistState

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium (the dev extra) is not installed")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian's chromium and chromium-driver (apt-get install chromium "
                                       "chromium-driver; run.sh adds them)")
PHONE_SIZE = (412, 915)


def _heartbeat(printer_state: str, reason: str = "") -> dict:
    return {"versions": {"kiosk": "0.1.0"}, "availability": "available" if printer_state == "ok" else "limited",
            "uptime_s": 7260, "outbox": {"pending": 2, "dead": 0},
            "devices": {"printer": {"state": printer_state, "reason": reason, "required": True},
                        "idreader": {"state": "ok", "reason": "", "required": False}},
            "consumables": {"paper": {"printed_mm": 31_500, "roll_mm": 50_000}}}


@pytest.fixture
def browser(tmp_path):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="console-chromium-")
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--lang=zh-CN", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(*PHONE_SIZE)
    driver.set_page_load_timeout(30)
    driver.implicitly_wait(10)  # after a click, the next page may still be loading on a busy machine
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("CONSOLE_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _wait_title(driver, text: str) -> None:
    WebDriverWait(driver, 15).until(lambda d: text in d.title, f"page title with {text!r}")


def _card(driver, device_id: str):
    return driver.find_element(By.ID, f"kiosk-{device_id}")


def test_console_login_attention_and_accepting_an_assist_request(sandbox, tmp_path, browser, shots):
    url = sandbox.url
    kiosks = {name: kiosk_side(tmp_path / name, url, name) for name in ("KIOSK-JINSHUI-07", "KIOSK-LIULIN-01")}
    for _outbox, adapter in kiosks.values():
        adapter.client.heartbeat(_heartbeat("ok"))

    browser.get(f"{url}/console/")
    assert "工作人员登录" in browser.title
    browser.find_element(By.ID, "user").send_keys(STAFF_USER)
    browser.find_element(By.ID, "password").send_keys(STAFF_PASSWORD)
    browser.save_screenshot(str(shots / "01-login.png"))
    browser.find_element(By.ID, "login").click()

    _wait_title(browser, "全部终端")
    assert _card(browser, "KIOSK-LIULIN-01").get_attribute("data-attention") == "0"
    browser.find_element(By.ID, "filter-attention").click()
    _wait_title(browser, "需处理的终端")
    assert browser.find_element(By.ID, "no-kiosks"), "a healthy fleet shows nothing to do"

    # The village kiosk runs out of paper: its next heartbeat says so.
    kiosks["KIOSK-LIULIN-01"][1].client.heartbeat(_heartbeat("fault", "paper end (DLE EOT 4 bit 5/6)"))
    browser.refresh()
    card = _card(browser, "KIOSK-LIULIN-01")
    assert card.get_attribute("data-attention") == "1"
    assert "打印机故障" in card.text and "打印机 故障" in card.text
    assert 'id="kiosk-KIOSK-JINSHUI-07"' not in browser.page_source
    browser.save_screenshot(str(shots / "02-needs-attention-phone.png"))

    # A citizen at the other kiosk presses 呼叫工作人员.
    set_hours(sandbox, "KIOSK-JINSHUI-07", staffed=True)
    outbox, adapter = kiosks["KIOSK-JINSHUI-07"]
    service = AssistService(outbox, adapter, lambda: sandbox.app.state.help.point_of("KIOSK-JINSHUI-07"))
    call = service.request("form")
    assert call.state is AssistState.WAITING

    browser.refresh()
    assert _card(browser, "KIOSK-JINSHUI-07").get_attribute("data-attention") == "1"
    assert "1 个呼叫待处理" in _card(browser, "KIOSK-JINSHUI-07").text
    _card(browser, "KIOSK-JINSHUI-07").find_element(By.TAG_NAME, "a").click()
    _wait_title(browser, "终端 KIOSK-JINSHUI-07")
    assert "最近事件" in browser.page_source and f"呼叫工作人员 {call.number}" in browser.page_source
    browser.set_window_size(1100, 1000)
    browser.save_screenshot(str(shots / "03-kiosk-page.png"))
    browser.find_element(By.ID, f"accept-{call.number}").click()
    WebDriverWait(browser, 15).until(lambda d: f"accept-{call.number}" not in d.page_source, "the page after 接单")
    status = browser.find_element(By.CSS_SELECTOR, f"#assist-{call.number} .status").text
    assert status == "已接单"
    assert service.poll().state is AssistState.ACCEPTED
    browser.save_screenshot(str(shots / "04-accepted.png"))

    browser.get(f"{url}/console/kiosks/KIOSK-LIULIN-01")
    detail = browser.find_element(By.ID, "kiosk-detail").text
    assert "打印机" in detail and "故障：打印纸用完了" in detail and "约剩 37%" in detail
    assert "paper end" not in detail  # raw reasons stay folded under 技术详情 until opened
    browser.find_element(By.TAG_NAME, "summary").click()
    assert "paper end" in browser.find_element(By.ID, "kiosk-detail").text
    browser.save_screenshot(str(shots / "05-technical-details.png"))
