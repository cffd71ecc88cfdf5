from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0010_company_number'),
        ('billing', '0005_constraint_messages'),
        ('campaigns', '0009_campaign_workspace_count'),
        ('recipients', '0006_import_job_status'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='campaign',
            name='campaign_workspace_count',
        ),
        migrations.AddField(
            model_name='messagesettings',
            name='delivered_count',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='messagesettings',
            name='failed_count',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='messagesettings',
            name='last_error',
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name='messagesettings',
            name='sent_count',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='messagesettings',
            name='total_messages',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AlterField(
            model_name='campaign',
            name='selection',
            field=models.CharField(choices=[('none', 'None'), ('group', 'Group'), ('single', 'Single'), ('clients', 'Clients')], default='none', max_length=10),
        ),
        migrations.AddIndex(
            model_name='campaign',
            index=models.Index(condition=models.Q(('workspace__isnull', False)), fields=['workspace', 'company', 'channel', 'status', 'selection'], name='campaign_workspace_count'),
        ),
    ]
