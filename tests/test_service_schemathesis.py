"""schemathesis (a property-based API fuzzer) against the live app, with every check on.

The OpenAPI document is loaded from the running app, and each operation gets generated requests,
both valid ones (which must be accepted) and invalid ones (which must be refused with a 4xx);
every answer must have a documented status, content type, headers and body, no 5xx, a full
``Allow`` on 405 and OPTIONS, and no answer without the token where one is required. The run is
bounded by a number of examples per operation, so it takes seconds, not minutes.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="pip install 'matcher[test]'")

from hypothesis import HealthCheck, settings  # noqa: E402

from matcher.service import ServiceSettings, create_app  # noqa: E402

# every check on (the default), the coverage phase included: it probes each parameter and field
# with boundary and wrong-typed values and sends the methods a path does not serve
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({
    "seed": 16, "checks": {"enabled": True},
    "phases": {"coverage": {"enabled": True}},
})
_FOLDER = Path(tempfile.mkdtemp(prefix="matcher-fuzz-"))
APP = create_app(ServiceSettings(db=f"sqlite:///{_FOLDER / 'roles.db'}"))
REPOSITORY = APP.state.service.repository
REPOSITORY.add_account("Fuzz", "enterprise")
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)




@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    REPOSITORY.dispose()
    shutil.rmtree(_FOLDER, ignore_errors=True)


@schema.auth(refresh_interval=None)
class FreshToken:
    """A new token for every request: the fuzzer also revokes tokens (DELETE
    /api/account/tokens), and it must know which header carries the credentials, to check that
    a request without them is refused."""

    token = ""

    def get(self, case: schemathesis.Case, context: object) -> str:
        if REPOSITORY.account_by_token(FreshToken.token) is None:
            FreshToken.token = REPOSITORY.new_token("Fuzz").token
        return FreshToken.token

    def set(self, case: schemathesis.Case, data: str, context: object) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.parametrize()
@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_schemathesis_every_check_on(case: schemathesis.Case) -> None:
    case.call_and_validate()
