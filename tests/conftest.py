"""The project's fixtures (src/reintegra/conftest.py) for the tests under tests/ as well: pytest only
applies a conftest to the directory it sits in, so without this each file here copied them."""

from reintegra.conftest import (  # noqa: F401  (fixtures are found by name)
    _empty_cache,
    _english_outside_requests,
    case_manager,
    coordinator,
    dpo,
    me_officer,
    org,
    other_case_manager,
    other_org,
    other_supervisor,
    places,
    psychologist,
    supervisor,
    team,
)
