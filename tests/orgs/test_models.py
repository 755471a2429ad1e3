import pytest

from accord.orgs.models import day_ranges


@pytest.mark.parametrize(
    ("days", "label"),
    [
        ("12345", "Mon–Fri"),
        ("1235", "Mon–Wed, Fri"),
        ("7", "Sun"),
        ("12", "Mon, Tue"),
        ("1234567", "Mon–Sun"),
    ],
)
def test_working_days_read_as_ranges(days, label):
    assert day_ranges(days) == label
