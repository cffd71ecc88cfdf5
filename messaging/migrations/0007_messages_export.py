import django.db.models.deletion
import django.db.models.manager
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0011_messages_export'),
        ('campaigns', '0010_message_counters_client_selection'),
        ('messaging', '0006_client_campaigns'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MessageExport',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, help_text='The job_id.', primary_key=True, serialize=False)),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=10)),
                ('is_current', models.BooleanField(default=False, help_text="The campaign's published pages.")),
                ('page_rows', models.PositiveIntegerField()),
                ('pages', models.PositiveIntegerField(default=0, help_text='Pages written (num_files once done).')),
                ('rows', models.PositiveBigIntegerField(default=0, help_text='Rows written (total_rows once done).')),
                ('checkpoint_message_id', models.BigIntegerField(blank=True, null=True)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('heartbeat_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('error', models.CharField(blank=True, max_length=300)),
                ('requested_ip', models.GenericIPAddressField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
                ('campaign', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='message_exports', to='campaigns.campaign')),
                ('company', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.company')),
                ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at'],
                'abstract': False,
                'base_manager_name': 'unscoped',
                'default_manager_name': 'unscoped',
                'indexes': [models.Index(fields=['campaign', '-created_at'], name='message_export_campaign')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('status__in', ['queued', 'running'])), fields=('campaign',), name='message_export_one_at_work'), models.UniqueConstraint(condition=models.Q(('is_current', True)), fields=('campaign',), name='message_export_one_current')],
            },
            managers=[
                ('unscoped', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='MessagesApiCall',
            fields=[
                ('id', models.BigAutoField(primary_key=True, serialize=False)),
                ('ip', models.GenericIPAddressField()),
                ('endpoint', models.CharField(max_length=50)),
                ('campaign_id', models.UUIDField(blank=True, null=True)),
                ('job_id', models.UUIDField(blank=True, null=True)),
                ('at', models.DateTimeField(default=django.utils.timezone.now)),
                ('company', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.company')),
                ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(fields=['company', '-at'], name='messages_api_call_company')],
            },
        ),
        migrations.CreateModel(
            name='MessagesUsage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(help_text='The first day of the month.')),
                ('rows_published', models.PositiveBigIntegerField(default=0)),
                ('pages_calls', models.PositiveIntegerField(default=0)),
                ('company', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.company')),
            ],
            options={
                'verbose_name_plural': 'messages usage',
                'constraints': [models.UniqueConstraint(fields=('company', 'month'), name='messages_usage_once_a_month')],
            },
        ),
    ]
