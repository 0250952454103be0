"""Core of the self-service kiosk: config, session, catalog, flows, identity rules, receipts, platform client.

Nothing in this package imports Kivy or screens (the App module is screens/app.py; the journeys are the
desk, kiosk/desk), so the core runs in tests, in the CLI and in services without a window.
"""

__version__ = "0.1.0"
