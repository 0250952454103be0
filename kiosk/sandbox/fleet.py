"""The fleet side of the platform contract: a kiosk's help settings (staffed hours, duty phone) and the
console's view of every heartbeat.

    GET /v1/devices/{device_id}/help-settings   signed, own device only -> kiosk.staffed_hours.HelpSettings

``observe(app)`` is what the heartbeat endpoint calls after storing a heartbeat (one line in app.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException

from kiosk.sandbox.help_store import HelpStore


def fleet_router(help_store: HelpStore) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["help"])

    @router.get("/devices/{device_id}/help-settings")
    def help_settings(device_id: str, x_kiosk_device: Annotated[str, Header()] = "unknown") -> dict:
        if device_id != x_kiosk_device:
            raise HTTPException(403, f"device {x_kiosk_device} may read only its own help settings")
        return help_store.point_of(device_id).model_dump(mode="json")

    return router
