"""A card keeps who signed it (ReportCard.deputy); cards already issued by a deputy's run get
that run's deputy, so opening one of them later re-issues it under the same name."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def signers_from_runs(apps, schema_editor):
    ReportCard = apps.get_model("reports", "ReportCard")
    ReportRun = apps.get_model("reports", "ReportRun")
    deputy = ReportRun.objects.filter(pk=OuterRef("run_id")).values("deputy_id")[:1]
    ReportCard.objects.filter(run__deputy__isnull=False).update(deputy=Subquery(deputy))


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0004_school_record_runs'),
        ('school', '0014_department_membership'),
    ]

    operations = [
        migrations.AddField(
            model_name='reportcard',
            name='deputy',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='school.staffmembership'),
        ),
        migrations.RunPython(signers_from_runs, migrations.RunPython.noop),
    ]
