from billing.models import Balance


def balance_for_company(*, company) -> Balance:
    return Balance.objects.only("amount", "currency").get(company=company)
