"""Create a new demo company with an API user, an API key, an OAuth client of the services API,
a funded balance, a WhatsApp message template of campaign API v2, and for the messages export
API its api_code and an SMS campaign whose messages are generated, Ready to Publish.

The LAST line on stdout is one JSON object (with --json); scripts and `make run` read it.
Its keys are a stable contract: company_id, api_key, ... (later features add keys, never rename).
"""

import dataclasses
import json
import secrets
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import selectors as account_selectors
from accounts import services as account_services
from billing import services as billing_services
from billing.models import LedgerEntry, Voucher
from campaigns import services as campaign_services
from campaigns.models import MessageStatus
from campaigns.pdf import sample_template
from messaging import generation
from messaging import services as messaging_services
from messaging.services.firing import campaigns_fire_due
from recipients import samples as recipient_samples
from templates import services as template_services
from templates.formats import FORMATS

DEMO_BALANCE = "10000.00"
SAMPLE_RECIPIENTS = 50
# Vouchers every demo can use: (code, kind, amount, description). Made once, kept as staff set them.
DEMO_VOUCHERS = [("SAVE20", Voucher.Kind.PERCENT, "20.00", "Demo: 20% off")]
# Campaign API v2's TempMsgID of the demo: a WhatsApp template message with two BODY variables.
V2_TEMPLATE = {
    "name": "order_confirmation",
    "language": "en_US",
    "body": "Hello {{1}}, your order {{2}} is confirmed.",
    "json_text": json.dumps(
        {
            "to": "<accountID>",
            "type": "template",
            "template": {
                "namespace": "postroom_demo",
                "language": {"policy": "deterministic", "code": "en_US"},
                "name": "order_confirmation",
                "components": [],
            },
        }
    ),
}
# The messages export API's campaign: one SMS to every sample recipient, generated, never sent.
EXPORT_CAMPAIGN = messaging_services.CampaignFields(
    name="Demo SMS offer",
    status=MessageStatus.ACTIVE,
    sending_type="sms",
    schedule_type="now",
    template="Hi {first_name}, 20% off in store this week. Reply STOP to opt out.",
    sender="Postroom",
)


class Command(BaseCommand):
    help = (
        "Create a new demo company (API user, API key, OAuth client, 10000.00 GBP balance) and print "
        "its credentials."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the result as one JSON line")
        parser.add_argument("--name", default="", help="company name (default: Demo Company <random>)")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="where the API is served")
        parser.add_argument(
            "--provisional-booking",
            action="store_true",
            help="let the company schedule without paying from the balance (an invoiced order)",
        )

    def handle(self, *args, **options):
        suffix = secrets.token_hex(3)
        with transaction.atomic():
            company = account_services.company_create(name=options["name"] or f"Demo Company {suffix}")
            user = account_services.user_create(
                company=company, email=f"demo-{suffix}@postroom.example", api_access_enabled=True
            )
            issued = account_services.api_key_issue(user=user)
            oauth = account_services.oauth_application_create(company=company, name="Demo services client")
            default_group = recipient_samples.add_sample_recipients(company=company, count=SAMPLE_RECIPIENTS)
            billing_services.balance_change(
                company=company,
                amount=DEMO_BALANCE,
                kind=LedgerEntry.Kind.TOP_UP,
                reason="Demo opening balance",
            )
            templates = self._templates(company)
            v2_template = template_services.message_template_create(company=company, **V2_TEMPLATE)
            campaign = campaign_services.campaign_create(
                company=company,
                by=user,
                spec=campaign_services.PrintCampaignInput(
                    name="Demo spring letter",
                    page_size="A4 Letter",
                    orientation="Portrait",
                    envelope="C5WIN",
                    stock_weight="100UNCOAT",
                    mail_class="First",
                    default_recipient_name="Customer",
                    recipients_type="group",
                    recipients_id=str(default_group.pk),
                ),
                template_id=templates["A4_LETTER_C5WIN"].pk,
            ).campaign
            if options["provisional_booking"]:
                company.provisional_booking_allowed = True
                company.save(update_fields=["provisional_booking_allowed"])
            vouchers = [
                billing_services.voucher_ensure(code=code, kind=kind, amount=amount, description=description)
                for code, kind, amount, description in DEMO_VOUCHERS
            ]
            messages_api_code = account_services.messages_api_code_rotate(company=company)
            export_campaign = self._export_campaign(company, default_group)
        result = {
            "company_id": str(company.pk),
            "company_name": company.name,
            "user_email": user.email,
            "api_key": issued.secret,
            "default_group_id": str(default_group.pk),
            "balance": DEMO_BALANCE,
            "currency": company.currency,
            "template_ids": [t.pk for t in templates.values()],
            "campaign_id": str(campaign.pk),
            "voucher_codes": [voucher.code for voucher in vouchers],
            "provisional_booking_allowed": company.provisional_booking_allowed,
            "service_uuid": str(account_selectors.default_workspace(company=company).pk),
            "oauth_client_id": oauth.application.client_id,
            "oauth_client_secret": oauth.client_secret,
            "v2_template_id": str(v2_template.pk),
            "messages_api_code": messages_api_code,
            "messages_campaign_id": str(export_campaign.pk),
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(self._banner(result, options["base_url"].rstrip("/")))

    def _export_campaign(self, company, group):
        """The SMS campaign of the messages export API: fired and generated here, in this
        transaction (a worker that gets the generation task later finds it done), then stopped,
        so nothing fires again and its messages wait, unsent, Ready to Publish."""
        workspace = account_selectors.default_workspace(company=company)
        fields = dataclasses.replace(EXPORT_CAMPAIGN, recipient_lists=[str(group.pk)])
        campaign = messaging_services.message_campaign_create(
            company=company, workspace=workspace, data=fields
        )
        for occurrence_id in campaigns_fire_due(only=[campaign.pk]).occurrences:
            generation.occurrence_generate(occurrence_id=occurrence_id)
        return messaging_services.message_campaign_set_status(
            company=company, workspace=workspace, campaign_id=campaign.pk, status=MessageStatus.STOPPED
        )

    def _templates(self, company) -> dict:
        """One sample template per supported format (reportlab), owned by the demo company."""
        made = {}
        with tempfile.TemporaryDirectory() as workdir:
            for fmt in FORMATS:
                path = Path(workdir) / f"{fmt.code}.pdf"
                sample_template(fmt=fmt, out=path, pages=2 if fmt.kind != "letter" else 1)
                made[fmt.code] = template_services.template_create(
                    company=company, name=f"Sample {fmt.page_size} {fmt.orientation} {fmt.envelope_label}",
                    fmt=fmt, source=path, file_name=f"{fmt.code.lower()}.pdf",
                )  # fmt: skip
        return made

    def _banner(self, result: dict, base: str) -> str:
        login = json.dumps({"ApiKey": result["api_key"]})
        return "\n".join(
            [
                "",
                f"Postroom demo company: {result['company_name']} ({result['company_id']})",
                f"  API key (shown once): {result['api_key']}",
                f"  balance:              {result['balance']} {result['currency']}",
                f"  templates:            {', '.join(map(str, result['template_ids']))}",
                f"  campaign in Preview:  {result['campaign_id']}",
                f"  voucher codes:        {', '.join(result['voucher_codes'])}",
                f"  provisional booking:  {'on' if result['provisional_booking_allowed'] else 'off'}",
                f"  default workspace:    {result['service_uuid']} (the services API's serviceUuid)",
                f"  OAuth client id:      {result['oauth_client_id']}",
                f"  OAuth client secret:  {result['oauth_client_secret']} (shown once)",
                f"  v2 template:          {result['v2_template_id']} (campaign API v2's TempMsgID: "
                f"{V2_TEMPLATE['name']}, {V2_TEMPLATE['language']}, 2 variables)",
                f"  default group:        {result['default_group_id']} (50 recipients, with email and mobile)",
                f"  log in:   curl -s -X POST {base}/api/v1/account/login "
                f"-H 'Content-Type: application/json' -d '{login}'",
                f"  services token: curl -s -u '{result['oauth_client_id']}:{result['oauth_client_secret']}' "
                f"-d grant_type=client_credentials {base}/oauth/token/",
                f"  messages walkthrough: BASE={base} CLIENT_ID={result['oauth_client_id']} "
                f"CLIENT_SECRET={result['oauth_client_secret']} SERVICE={result['service_uuid']} "
                f"GROUP={result['default_group_id']} examples/messages.sh",
                f"  campaign v2 walkthrough: BASE={base} KEY={result['api_key']} "
                f"TEMPLATE={result['v2_template_id']} examples/campaign-v2.sh",
                f"  messages api_code:    {result['messages_api_code']} (shown once; the x-auth-context api_code)",
                f"  export campaign:      {result['messages_campaign_id']} (SMS, 50 messages, Ready to Publish)",
                f"  messages export walkthrough: BASE={base} KEY={result['api_key']} "
                f"CODE={result['messages_api_code']} CAMPAIGN={result['messages_campaign_id']} examples/export.sh",
                f"  API docs: {base}/api/docs/   schema: {base}/api/schema/",
                f"  admin:    {base}/admin/   (create a staff login: python manage.py createsuperuser)",
                "",
            ]
        )
