import django.db.models.deletion
import django.db.models.manager
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0010_company_number'),
        ('campaigns', '0010_message_counters_client_selection'),
        ('messaging', '0005_message_campaign_proxy'),
    ]

    operations = [
        migrations.CreateModel(
            name='CampaignClient',
            fields=[
                ('pk', models.CompositePrimaryKey('campaign', 'position', blank=True, editable=False, primary_key=True, serialize=False)),
                ('campaign', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
                ('position', models.PositiveIntegerField()),
                ('account_id', models.CharField(max_length=16)),
                ('params', models.JSONField(default=list)),
            ],
        ),
        migrations.CreateModel(
            name='ClientCampaign',
            fields=[
                ('id', models.BigAutoField(help_text='The campaign API v2 ID.', primary_key=True, serialize=False)),
                ('template_id', models.UUIDField(blank=True, help_text='The TempMsgID.', null=True)),
                ('template_name', models.CharField(blank=True, max_length=200)),
                ('language', models.CharField(blank=True, max_length=20)),
                ('message', models.TextField(blank=True, help_text='The text, with {{1}}..{{n}} variables.')),
                ('json', models.TextField(blank=True, help_text='The JSON message, with <accountID> and {{n}}.')),
                ('send_at', models.DateTimeField()),
                ('client_count', models.PositiveIntegerField(default=0)),
            ],
            options={
                'abstract': False,
                'base_manager_name': 'unscoped',
                'default_manager_name': 'unscoped',
            },
            managers=[
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.AddField(
            model_name='message',
            name='client',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='occurrence',
            name='checkpoint_client',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='message',
            name='recipient_id',
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name='message',
            constraint=models.UniqueConstraint(condition=models.Q(('client__isnull', False)), fields=('campaign', 'occurrence', 'client'), name='message_once_per_client'),
        ),
        migrations.AddField(
            model_name='clientcampaign',
            name='campaign',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='client_campaign', to='campaigns.campaign'),
        ),
        migrations.AddField(
            model_name='clientcampaign',
            name='company',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.company'),
        ),
        migrations.AddIndex(
            model_name='clientcampaign',
            index=models.Index(fields=['company', '-id'], name='client_campaign_company'),
        ),
    ]
