"""Device drivers and simulators: printer, camera and decoders, scanners, ID card reader.

No Kivy and no ``kiosk`` imports here: devices are plain Python libraries with their own tests.
"""
