from django.db import migrations, models


def number_companies(apps, schema_editor):
    Company = apps.get_model("accounts", "Company")
    for number, company in enumerate(Company.objects.order_by("created_at", "id"), start=1):
        Company.objects.filter(pk=company.pk).update(number=number)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_oauth_application")]

    operations = [
        migrations.AddField(
            model_name="company",
            name="number",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(number_companies, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="company",
            name="number",
            field=models.PositiveIntegerField(editable=False, unique=True),
        ),
    ]
