"""Subcommands of the ``kiosk`` CLI; each module defines ``register(subparsers)``.

A handler is set with ``parser.set_defaults(handler=func)``; ``func(args) -> int`` returns the exit code.
Heavy imports (Kivy, FastAPI, OpenCV) go inside the handler so ``kiosk --help`` stays fast.
"""
