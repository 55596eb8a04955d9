# TermEvent moves from contactbook to school without moving its table: this migration only
# tells Django's state that school now owns the model (the table contactbook_termevent was
# created by contactbook 0001 and stays); contactbook 0005 removes it from contactbook's state.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("school", "0006_classgroup_sort_key"),
        ("contactbook", "0004_primary_qualities"),  # the table exists from contactbook 0001
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TermEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("action", models.CharField(choices=[("closed", "Closed"), ("reopened", "Reopened")], max_length=10)),
                        ("at", models.DateTimeField(auto_now_add=True)),
                        ("reason", models.CharField(blank=True, max_length=300)),
                        ("by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("term", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="events", to="school.term")),
                    ],
                    options={
                        "db_table": "contactbook_termevent",
                        "ordering": ["at"],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
