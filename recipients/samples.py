"""Sample recipients for demo companies (plausible UK addresses, made deterministically)."""

from recipients.models import RecipientGroup
from recipients.services import recipient_create

FIRST = ["Olivia", "George", "Amelia", "Harry", "Isla", "Noah", "Ava", "Jack", "Mia", "Leo"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Evans"]
STREETS = ["High Street", "Station Road", "Church Lane", "Victoria Road", "Green Lane"]
PLACES = [("London", "Greater London", "SW1A"), ("Manchester", "Greater Manchester", "M1"),
          ("Leeds", "West Yorkshire", "LS1"), ("Bristol", "Bristol", "BS1"), ("Cambridge", "Cambridgeshire", "CB2")]  # fmt: skip


def add_sample_recipients(*, company, count: int) -> RecipientGroup:
    """Adds `count` recipients to the company's default group and returns that group."""
    for i in range(count):
        city, county, area = PLACES[i % len(PLACES)]
        recipient_create(
            company=company,
            values={
                "title": "Mx",
                "first_name": FIRST[i % len(FIRST)],
                "last_name": LAST[(i * 3) % len(LAST)],
                "address1": f"{i + 1} {STREETS[i % len(STREETS)]}",
                "city": city,
                "county": county,
                "postcode": f"{area} {i % 9 + 1}AA",
                "country": "United Kingdom",
                "email": f"recipient{i + 1}@example.com",
                "mobile": f"+4477009{i:05d}",
                "custom_fields": {"MemberId": f"M{i + 1:04d}"},
            },
        )
    return RecipientGroup.objects.for_company(company).get(is_default=True)
