# TermEvent now belongs to school (school 0007 takes it over in Django's state); its table
# contactbook_termevent stays where it is, so nothing is done to the database here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("contactbook", "0004_primary_qualities"),
        ("school", "0007_termevent"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="TermEvent")],
            database_operations=[],
        ),
    ]
