"""The published contract against the real sandbox on loopback (issue #14): schemathesis generates requests from
/openapi.json (valid and invalid), signs each with the kiosk's own signer (kiosk/signing.py), sends it over real
HTTP and fails on any 5xx or any answer /openapi.json does not describe (status code, content type, schema).

Bounded: at most MAX_EXAMPLES cases per operation, no shrinking, no example database; the whole run takes well
under a minute on the 2-core machine. Before issue #14 the heartbeat alone answered 500 to 75 such requests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

schemathesis = pytest.importorskip("schemathesis")

import requests  # noqa: E402
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis import checks  # noqa: E402

from kiosk.sandbox.app import DEMO_DEVICE_SECRET  # noqa: E402
from kiosk.sandbox.server import EmbeddedSandbox  # noqa: E402
from kiosk.signing import HmacSigner  # noqa: E402

MAX_EXAMPLES = 25
DEVICE = "KIOSK-SCHEMA-01"
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedSandbox]:
    server = EmbeddedSandbox(tmp_path_factory.mktemp("schemathesis") / "sandbox.db").start()
    yield server
    server.stop()


def _signed_session() -> requests.Session:
    session = requests.Session()
    session.auth = HmacSigner(DEVICE, DEMO_DEVICE_SECRET)
    return session


@pytest.mark.slow
def test_every_operation_answers_as_published_and_never_5xx(sandbox: EmbeddedSandbox) -> None:
    schema = schemathesis.openapi.from_url(f"{sandbox.url}/openapi.json")
    session = _signed_session()
    failures: list[str] = []
    statuses: dict[int, int] = {}
    operations = 0
    for result in schema.get_all_operations():
        operations += 1
        _exercise(result.ok(), sandbox.url, session, statuses, failures)
    print(f"schemathesis: {operations} operations, answers by status {dict(sorted(statuses.items()))}")
    assert operations >= 10
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    assert server_errors == 0, statuses
    assert not failures, "\n".join(sorted(set(failures))[:30])


def _exercise(operation, url: str, session: requests.Session, statuses: dict[int, int], failures: list[str]) -> None:
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def exercise(case) -> None:
        response = case.call(base_url=url, session=session, timeout=20)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as failure:  # a FailureGroup: note it, go on, report all
            failures.append(f"{operation.method.upper()} {operation.path} -> {response.status_code}: "
                            f"{' '.join(str(failure).split())[:400]}")

    exercise()
