"""The citizen-flow rules from the municipal regulations, one module per rule, testable without a window.

Pure functions and frozen dataclasses over catalog items; no I/O except the offline ticket book
(``tickets``), which must survive a restart. Screens ask these and show the answer; the sandbox platform
applies the same rules, so the kiosk and the platform accept the same thing to the same standard.
Reasons a citizen reads are i18n keys under ``flows.*`` (kiosk/locale/<lang>/flows.toml).
"""
