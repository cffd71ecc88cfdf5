"""Seeds the product catalogue with default combinations and GBP prices; staff edit it in the admin.

Letters print on 100/120gsm uncoated; postcards and greeting cards on the heavier stocks. Every
format takes First and Second class, single- or double-sided, admail or not; confidential handling
is for enveloped items only (a postcard has no envelope to seal). The values are written out here
(not imported from the app) so this migration means the same thing forever.
"""

from decimal import Decimal
from itertools import product

from django.db import migrations

# format code, product code prefix, base price (First class, lightest stock, single-sided), enveloped
FORMATS = [
    ("A5_TABBED_GREETING_CARD", "A5TGC", "1.20", False),
    ("A5_POSTCARD_LANDSCAPE", "A5PCL", "0.65", False),
    ("A5_ENVELOPED_POSTCARD_C5NONWINDOW", "A5EPC", "0.85", True),
    ("A4_LETTER_C4WIN", "A4LC4W", "1.05", True),
    ("A5_ENVELOPED_GREETING_CARD_C5NONWINDOW", "A5EGC", "1.35", True),
    ("A4_LETTER_C5NONWINDOW", "A4LC5N", "0.98", True),
    ("A5_POSTCARD_PORTRAIT", "A5PCP", "0.65", False),
    ("A4_LETTER_C5WIN", "A4LC5W", "0.95", True),
    ("A6_POSTCARD", "A6PC", "0.55", False),
    ("DL_POSTCARD", "DLPC", "0.60", False),
]
LETTER_STOCKS = {"100UNCOAT": "0.00", "120UNCOAT": "0.03"}
CARD_STOCKS = {"250SILK": "0.00", "300GLOSS": "0.04", "350SILK": "0.06", "350UNCOAT": "0.06"}
MAIL_CLASSES = {"First": "0.00", "Second": "-0.18"}
DUPLEX = "0.05"
ADMAIL = "-0.10"
CONFIDENTIAL = "0.10"


def seed(apps, schema_editor):
    Product = apps.get_model("billing", "Product")
    rows = []
    for code, prefix, base, enveloped in FORMATS:
        stocks = LETTER_STOCKS if code.startswith("A4_LETTER") else CARD_STOCKS
        confidential_options = (False, True) if enveloped else (False,)
        for stock, mail, duplex, admail, confidential in product(
            stocks, MAIL_CLASSES, (False, True), (False, True), confidential_options
        ):
            price = Decimal(base) + Decimal(stocks[stock]) + Decimal(MAIL_CLASSES[mail])
            price += Decimal(DUPLEX) if duplex else 0
            price += Decimal(ADMAIL) if admail else 0
            price += Decimal(CONFIDENTIAL) if confidential else 0
            flags = ("D" if duplex else "S") + ("A" if admail else "") + ("C" if confidential else "")
            rows.append(
                Product(
                    format_code=code,
                    stock_weight=stock,
                    mail_class=mail,
                    is_duplex=duplex,
                    is_admail=admail,
                    is_confidential=confidential,
                    product_code=f"{prefix}-{stock}-{mail[0]}-{flags}",
                    unit_price=price,
                )
            )
    Product.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    apps.get_model("billing", "Product").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_product_catalogue")]

    operations = [migrations.RunPython(seed, unseed)]
