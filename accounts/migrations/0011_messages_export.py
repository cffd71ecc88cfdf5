from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0010_company_number'),
    ]

    operations = [
        migrations.AddField(
            model_name='company',
            name='messages_api_code_hash',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='company',
            name='messages_api_code_prefix',
            field=models.CharField(blank=True, editable=False, max_length=12),
        ),
        migrations.AddField(
            model_name='company',
            name='messages_monthly_row_limit',
            field=models.PositiveBigIntegerField(blank=True, help_text='Messages export: rows a month of publishing may write (empty: no limit).', null=True),
        ),
    ]
