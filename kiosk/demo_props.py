"""The demo's props: what a citizen would hold up to a simulated device (the demo citizen's card, an e-ID
on a phone, a printed receipt). Demo and tests only — the runtime knows devices, not demo data; with real
hardware every prop is a no-op."""

from __future__ import annotations

from typing import Any

DEMO_RECEIPTS = {"progress": "ZW20261101000002", "pickup": "ZW20261101000001"}  # seeded in the sandbox


class DemoProps:
    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime  # kiosk.runtime.KioskRuntime
        # Who stands in front of the camera when the demo card is placed: the holder ("self"), or, to show a
        # refusal, someone else ("other") or a printed photo of the holder ("photo").
        self.face_with_next_card = "self"

    @property
    def card_available(self) -> bool:
        return self.runtime.id_reader_is_simulated

    @property
    def camera_available(self) -> bool:
        return self.runtime.camera_is_simulated

    def present_card(self) -> None:
        """The fictitious demo citizen's card on the simulated reader (read over the real GA 467 protocol)."""
        self.runtime.present_demo_card()

    def card_read(self, id_number: str) -> None:
        """A card was read: in the demo, someone steps in front of the simulated camera for the face check."""
        who, self.face_with_next_card = self.face_with_next_card, "self"
        self.face(who, id_number)

    def identity_qr(self, kind: str = "eid") -> None:
        """A phone showing the demo citizen's e-ID (or e-social-card, provincial app code) to the camera."""
        from kiosk.demo_codes import demo_identity_payload, qr_image

        self.runtime.show_to_camera(qr_image(demo_identity_payload(kind)))

    def face(self, who: str, id_number: str | None) -> None:
        """人证比对 in the demo: the card holder's live face ("self": it blinks), another person's live face
        ("other": 他人冒用, refused by the platform), or a printed photo of the holder held up ("photo": it never
        blinks, refused by the liveness check). The frames are made on a worker thread (face landmarks)."""
        if not self.camera_available or not id_number:
            return
        self.runtime.run_in_background(self._play_face, who, id_number)

    def _play_face(self, who: str, id_number: str) -> None:
        from devices.face import demo

        person = demo.person_for(id_number) or demo.people()[0]
        if who == "other":
            frames = demo.live_sequence(demo.impostor_for(id_number))
        elif who == "photo":
            frames = demo.printed_photo_sequence(person)
        else:
            frames = demo.live_sequence(person)
        self.runtime.camera.simulator.play(frames)

    def receipt(self, mode: str) -> None:
        """A paper receipt of a seeded application under the camera: "progress" (under review) or "pickup"."""
        from kiosk.demo_codes import qr_image
        from kiosk.receipts import receipt_qr_payload

        self.runtime.show_to_camera(qr_image(receipt_qr_payload(DEMO_RECEIPTS[mode])))
