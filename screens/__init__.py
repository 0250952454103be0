"""Kivy screens and widgets (presentation only; the rules live in ``kiosk``)."""
