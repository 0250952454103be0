"""The demo's props: what a citizen would hold up to a simulated device (the demo citizen's card, an e-ID
on a phone, a printed receipt). Demo and tests only — the runtime knows devices, not demo data; with real
hardware every prop is a no-op."""

from __future__ import annotations

from typing import Any

DEMO_RECEIPTS = {"progress": "ZW20261101000002", "pickup": "ZW20261101000001"}  # seeded in the sandbox


class DemoProps:
    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime  # kiosk.runtime.KioskRuntime

    @property
    def card_available(self) -> bool:
        return self.runtime.id_reader_is_simulated

    @property
    def camera_available(self) -> bool:
        return self.runtime.camera_is_simulated

    def present_card(self) -> None:
        """The fictitious demo citizen's card on the simulated reader (read over the real GA 467 protocol)."""
        self.runtime.present_demo_card()

    def identity_qr(self, kind: str = "eid") -> None:
        """A phone showing the demo citizen's e-ID (or e-social-card, provincial app code) to the camera."""
        from kiosk.demo_codes import demo_identity_payload, qr_image

        self.runtime.show_to_camera(qr_image(demo_identity_payload(kind)))

    def receipt(self, mode: str) -> None:
        """A paper receipt of a seeded application under the camera: "progress" (under review) or "pickup"."""
        from kiosk.demo_codes import qr_image
        from kiosk.receipts import receipt_qr_payload

        self.runtime.show_to_camera(qr_image(receipt_qr_payload(DEMO_RECEIPTS[mode])))
