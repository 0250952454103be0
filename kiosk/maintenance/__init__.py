"""Technician access to the kiosk: the maintenance PIN (hashed in the config) and its lockout gate."""

from kiosk.maintenance.pin import PinGate, PinOutcome, PinResult, hash_pin, verify_pin

__all__ = ["PinGate", "PinOutcome", "PinResult", "hash_pin", "verify_pin"]
