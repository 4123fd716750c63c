import pytest

from reintegra.access.models import Organisation
from reintegra.testing import factories


@pytest.fixture
def other_org(db: None) -> Organisation:
    """The receiving organisation of these tests' shares works in the sending one's country (its office in
    Mexico): sharing across a border needs a cross-border consent, tested in test_cross_border.py."""
    return factories.organisation("ong-gt", country="MX", name="ONG Guatemala")
