"""What tells the demo's config from a real kiosk's: the embedded sandbox and the public demo secret.

Plain Python with no pydantic, so the start-up path (cli/first_frame.py) and the validated config
(kiosk/config.py) say the same words from one place.
"""

from __future__ import annotations

from collections.abc import Collection

DEMO_DEVICE_SECRET = "demo-device-secret-change-me"  # public (README, sandbox): never a real kiosk's secret
EMBEDDED = "embedded"


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
