"""Kept so that databases which recorded it stay consistent: programs moved to accounts, whose 0007
creates their table where it is missing and takes it over where it exists."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('plays', '0003_base_manager_reads_like_unscoped'),
    ]

    operations = [
    ]
