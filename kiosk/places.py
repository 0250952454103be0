"""The kiosk's own places (county → township → village), offered as taps before any free text in an address
field: in a village service station nearly every address starts the same way, and tapping beats typing.

Configured per kiosk in an optional ``[places]`` section (the line for ``KioskConfig`` is
``places: Places | None = None``)::

    [places]
    prefix = "河南省郑州市金水区"            # printed before the township; never typed
    [places.townships]
    "经八路街道" = ["经八路社区", "纬一路社区"]
    "丰产路街道" = ["丰产路社区", "黄河路社区"]

Without the section the demo (embedded sandbox) uses the list below (the sandbox centre is 金水区); a real
kiosk without it offers no choices and the whole address is typed.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

PlaceName = Annotated[str, Field(min_length=2, max_length=20)]


class Places(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    prefix: Annotated[str, Field(min_length=2, max_length=30)]
    townships: dict[PlaceName, tuple[PlaceName, ...]]

    @model_validator(mode="after")
    def _not_empty(self) -> Places:
        if not self.townships:
            raise ValueError("[places] lists no township; list at least one or leave the section out")
        for township, villages in self.townships.items():
            if not villages:
                raise ValueError(f"[places] township {township!r} lists no village (community)")
        return self

    def township_names(self) -> list[str]:
        return list(self.townships)

    def villages(self, township: str) -> list[str]:
        return list(self.townships.get(township, ()))

    def address(self, township: str, village: str, detail: str) -> str:
        return f"{self.prefix}{township}{village}{detail.strip()}"


DEMO_PLACES = Places(
    prefix="河南省郑州市金水区",
    townships={
        "经八路街道": ("经八路社区", "纬一路社区", "黄河路社区"),
        "丰产路街道": ("丰产路社区", "政一街社区", "工人新村社区"),
        "兴达路街道": ("兴达路社区", "庙李村", "张家村"),
        "祭城路街道": ("祭城村", "东赵村", "杨君刘村"),
    },
)


def places_for(config: object) -> Places | None:
    """The configured places; the demo list for the demo (embedded sandbox); otherwise None (a real kiosk
    without a ``[places]`` section types the whole address: a wrong county offered would be worse)."""
    configured = getattr(config, "places", None)
    if isinstance(configured, Places):
        return configured
    platform = getattr(config, "platform", None)
    return DEMO_PLACES if getattr(platform, "url", None) == "embedded" else None
