"""VisitTally moves from insights to campaigns, which maintains it (DESIGN §8: a model lives in the app that
keeps it). The rows stay: the model enters this app's state over the existing table, which is then renamed."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0003_visit_plausibility'),
        ('geo', '0002_region_location'),
        ('insights', '0004_categorymonth'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='VisitTally',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('enterprise_id', models.PositiveBigIntegerField(default=0)),
                        ('visits', models.PositiveIntegerField(default=0)),
                        ('households', models.PositiveIntegerField(default=0)),
                        ('disputes', models.PositiveIntegerField(default=0)),
                        ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaigns.campaign')),
                        ('region', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='geo.region')),
                        ('visitor', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'visit tally',
                        'db_table': 'insights_visittally',
                        'constraints': [models.UniqueConstraint(fields=('campaign', 'visitor', 'region', 'enterprise_id'), name='visittally_key')],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name='visittally', table=None),
    ]
