from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from billing.models import BlockedDate, Voucher


class VoucherFactory(DjangoModelFactory):
    class Meta:
        model = Voucher
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"CODE{n}")
    kind = Voucher.Kind.PERCENT
    amount = Decimal("20.00")
    is_active = True

    @factory.post_generation
    def companies(self, create, extracted, **kwargs):
        if create and extracted:
            self.companies.set(extracted)


class BlockedDateFactory(DjangoModelFactory):
    class Meta:
        model = BlockedDate

    reason = "Staff training"
