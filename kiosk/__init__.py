"""Core of the self-service kiosk: config, session, catalog, flows, identity rules, receipts, platform client.

Nothing in this package imports Kivy except ``kiosk.app`` (the App module), so the core runs in tests,
in the CLI and in services without a window.
"""

__version__ = "0.1.0"
