"""The ``kiosk`` command: the entry point above both the UI (screens/) and the core (kiosk/). Commands that
open the window import screens; the core never does (docs/ARCHITECTURE.md)."""
