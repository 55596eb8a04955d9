import django.db.models.deletion
from django.db import migrations, models


def link_published_images(apps, schema_editor):
    """The images of lessons published before LessonImage existed (LessonPage._sync_image_links:
    images of the lesson's school's collection, or of no school's)."""
    LessonPage = apps.get_model("lms", "LessonPage")
    LessonImage = apps.get_model("lms", "LessonImage")
    Image = apps.get_model("wagtailimages", "Image")
    Collection = apps.get_model("wagtailcore", "Collection")
    SchoolLibraryPage = apps.get_model("lms", "SchoolLibraryPage")
    school_by_path = dict(SchoolLibraryPage.objects.values_list("collection__path", "school_id"))
    steplen = 4  # treebeard's MP_Node.steplen, as Wagtail's collections use

    def school_of(collection_path):
        for n in range(steplen, len(collection_path) + 1, steplen):
            if collection_path[:n] in school_by_path:
                return school_by_path[collection_path[:n]]
        return None

    paths = dict(Collection.objects.values_list("id", "path"))
    links = []
    for lesson in LessonPage.objects.filter(live=True).iterator():
        ids = {
            int(item["value"]["image"])
            for item in lesson.body.raw_data
            if item["type"] == "image" and (item.get("value") or {}).get("image")
        }
        for image_id, collection_id in Image.objects.filter(id__in=ids).values_list("id", "collection_id"):
            if school_of(paths.get(collection_id, "")) in (lesson.school_id, None):
                links.append(LessonImage(lesson_id=lesson.pk, image_id=image_id))
    LessonImage.objects.bulk_create(links, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('lms', '0001_initial'),
        ('wagtailimages', '0027_image_description'),
    ]

    operations = [
        migrations.CreateModel(
            name='LessonImage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('image', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='lesson_links', to='wagtailimages.image')),
                ('lesson', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='image_links', to='lms.lessonpage')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('lesson', 'image'), name='lessonimage_unique')],
            },
        ),
        migrations.RunPython(link_published_images, migrations.RunPython.noop),
    ]
