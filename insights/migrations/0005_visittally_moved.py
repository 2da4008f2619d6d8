"""VisitTally now lives in campaigns (campaigns/migrations/0004_visittally.py took over its table)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('insights', '0004_categorymonth'),
        ('campaigns', '0004_visittally'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name='VisitTally')]),
    ]
