"""What tells the demo's config from a real kiosk's: the embedded sandbox and the public demo secret.

Plain Python with no pydantic, so the start-up path (cli/first_frame.py) and the validated config
(kiosk/config.py) say the same words from one place.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

DEMO_DEVICE_SECRET = "demo-device-secret-change-me"  # public (README, sandbox): never a real kiosk's secret
EMBEDDED = "embedded"
# scrypt of the demo maintenance PIN 2468 (README); a real kiosk sets its own with `kiosk hash-pin`.
DEMO_PIN_HASH = "scrypt$16384$8$1$Cpqsmbw7VZN2w2RU0sGbCw==$KuJrdd5Yg5ZffTiIZ9tNsTgTKpp4/FJAPeC5weJgJ04="


def demo_raw_config(state_dir: Path, window_size: tuple[int, int] = (540, 960)) -> dict[str, Any]:
    """The built-in demo as a TOML document would give it: simulated devices, the sandbox embedded on loopback,
    a window that fits a laptop. kiosk.config.demo_config validates it; cli/first_frame.py reads it plainly."""
    return {
        "kiosk": {"state_dir": str(state_dir), "window_size": list(window_size), "fullscreen": False,
                  "idle_timeout_s": 120},
        "platform": {"url": EMBEDDED, "device_secret": DEMO_DEVICE_SECRET},
        "devices": {"printer": f"sim://{state_dir / 'printer'}", "idreader": "sim://", "camera": "sim://",
                    "doc_camera": "sim://",  # the 高拍仪 shows demo papers (material capture)
                    "scanner": "keyboard"},
        "maintenance": {"pin_hash": DEMO_PIN_HASH},
    }


def real_kiosk_problems(source: object, written_sections: Collection[str], url: str,
                        device_secret: str) -> list[str]:
    """What makes a config a demo rather than a real kiosk; ``kiosk run`` refuses it, ``kiosk diagnose``
    reports each as a fault. Empty for a real kiosk's config."""
    where = f"config {source}"
    problems: list[str] = []
    if "platform" not in written_sections:
        problems.append(f"{where}: [platform] is missing, so the kiosk would talk to the embedded demo sandbox; "
                        "add [platform] with url and device_secret (README, 'The config file'), or use "
                        "'kiosk demo' for the demo")
    elif url == EMBEDDED:
        problems.append(f"{where}: [platform] url = 'embedded' runs the demo sandbox inside the kiosk; set the "
                        "provincial platform's https URL (the embedded sandbox is only for 'kiosk demo')")
    if "platform" in written_sections and device_secret == DEMO_DEVICE_SECRET:
        problems.append(f"{where}: [platform] device_secret is the public demo secret; set the secret the "
                        "platform issued for this kiosk")
    return problems
