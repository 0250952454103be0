"""Steps a citizen takes, shared by the UI tests (the pilot taps the real window)."""

from __future__ import annotations

from kiosk.i18n import translate as _


def open_item(ui, name: str) -> None:
    """Home → browse the catalog (no identification needed) → the item's office guide."""
    pilot = ui.pilot
    if pilot.current == "home":
        pilot.tap_text(_("home.start"))
        pilot.wait_for_screen("catalog")
    pilot.tap_text(name)
    pilot.wait_for_screen("guide")


def apply_from_guide(ui) -> None:
    ui.pilot.tap(ui.app.screen("guide").ids.apply_button)


def identify_by_typing(ui, id_number: str) -> None:
    ui.pilot.wait_for_screen("identify")
    ui.pilot.type_keys(id_number)
    ui.pilot.tap_text(_("identify.confirm"), exact=True)


def go_identify(ui, item: str = "户籍证明开具") -> None:
    open_item(ui, item)
    apply_from_guide(ui)
    ui.pilot.wait_for_screen("identify")


def tick_materials(ui, names: list[str]) -> None:
    pilot = ui.pilot
    pilot.wait_for_screen("materials")
    pilot.wait_until(lambda: not ui.app.screen("materials").loading, "the materials list")
    for name in names:
        pilot.tap_text(name)


def materials_next(ui) -> None:
    ui.pilot.tap(ui.app.screen("materials").ids.materials_next)


def fill_form(ui, entries: list[str]) -> None:
    """Each entry is typed on the number pad, or tapped as a choice; then 下一项 / 填好了."""
    pilot = ui.pilot
    pilot.wait_for_screen("form")
    for entry in entries:
        field = ui.app.screen("form").field
        if field.type == "choice":
            pilot.tap_text(entry, exact=True)
        else:
            pilot.type_keys(entry)
            pilot.tap(ui.app.screen("form").ids.form_next)
    pilot.wait_until(lambda: pilot.current != "form", "the form to be done")


def submit(ui) -> None:
    ui.pilot.wait_for_screen("confirm")
    ui.pilot.tap_text(_("confirm.submit"))


def identify_with_card_and_face(ui) -> None:
    """The demo card on the simulated reader, then the card holder's live face in front of the simulated
    camera (人证比对): the identity is verified and the journey goes on."""
    pilot = ui.pilot
    pilot.wait_for_screen("identify")
    pilot.tap_text(_("identify.demo_card"))
    pilot.wait_for_screen("face")
    pilot.wait_until(lambda: pilot.current != "face", "the face check", 60)


def identify_with_code(ui, id_number: str) -> None:
    """A phone showing the citizen's e-ID (or e-social-card, provincial app) code to the camera."""
    import json

    from kiosk.demo_codes import qr_image
    from kiosk.sandbox.store import DATA_DIR

    tokens = json.loads((DATA_DIR / "identity_tokens.json").read_text(encoding="utf-8"))["tokens"]
    payload = next(t["payload"] for t in tokens if t["id_number"] == id_number)
    ui.pilot.wait_for_screen("identify")
    ui.runtime.show_to_camera(qr_image(payload))
    ui.pilot.wait_until(lambda: ui.pilot.current != "identify", "the code to be verified", 30)
    ui.runtime.camera.simulator.hide()
