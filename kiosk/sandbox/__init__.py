"""The sandbox: the reference implementation of the provincial platform's /v1 contract, on loopback.

Used by the demo (embedded), by the tests, and by platform integrators who read it to learn the contract.
It needs the ``sandbox`` extra (FastAPI, uvicorn).
"""
