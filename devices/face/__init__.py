"""Face capture for identity verification (人证比对): guidance, blink liveness, the best frame as JPEG.

    from devices.face import FaceCapture, FaceCaptureWorker, FaceModels, Stage, Message
    FaceModels.shared().preload()                  # optional, at start-up on a worker thread (~1-2 s)
    worker = FaceCaptureWorker(camera, FaceCapture(), on_update)   # on_update(CaptureUpdate), worker thread
    worker.start(); ...; worker.stop()

Matching is the platform's job (kiosk/sandbox/face_match.py in the sandbox). Demo faces for the camera
simulator: devices.face.demo.
"""

from devices.face.capture import CaptureSettings, CaptureUpdate, FaceCapture, Message, Stage
from devices.face.models import FaceBox, FaceModelError, FaceModels
from devices.face.worker import FaceCaptureWorker

__all__ = [
    "CaptureSettings",
    "CaptureUpdate",
    "FaceBox",
    "FaceCapture",
    "FaceCaptureWorker",
    "FaceModelError",
    "FaceModels",
    "Message",
    "Stage",
]
