"""Classes get their natural sort key (school.names.class_sort_key): 10A2 before 10A10."""

from django.db import migrations, models

from school.names import class_sort_key


def fill_sort_keys(apps, schema_editor):
    ClassGroup = apps.get_model("school", "ClassGroup")
    classes = list(ClassGroup.objects.only("pk", "grade", "name"))
    for class_group in classes:
        class_group.sort_key = class_sort_key(class_group.grade, class_group.name)
    ClassGroup.objects.bulk_update(classes, ["sort_key"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("school", "0005_guardian_link_request"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="classgroup",
            options={
                "ordering": ["sort_key", "name"],
                "verbose_name": "class",
                "verbose_name_plural": "classes",
            },
        ),
        migrations.AddField(
            model_name="classgroup",
            name="sort_key",
            field=models.CharField(default="", editable=False, max_length=200),
        ),
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop),
    ]
