"""Which screens act on a scanned code, from the camera or a scanner. The camera's decoder runs on these only
(issue #16): elsewhere a code would be ignored, and searching 30 frames a second for it took CPU from drawing."""

CHECK_IN_SCREENS = ("home", "ticket", "appointment")  # an appointment slip's QR checks in
RECEIPT_SCREENS = ("progress",)  # a scanned receipt's QR is looked up
IDENTIFY_SCREENS = ("identify",)  # an e-ID, e-social-card or provincial-app code identifies the citizen
MAINTENANCE_SCREENS = ("maintenance",)  # a technician's scan test

CODE_SCREENS = frozenset(CHECK_IN_SCREENS + RECEIPT_SCREENS + IDENTIFY_SCREENS + MAINTENANCE_SCREENS)
