# Gives every existing subject its place in the national programme's order (school/programme.py:
# the 2018 programme's list of subjects per level, which the học bạ and Sổ theo dõi follow),
# from its name and its school's level. A name the table does not know stays blank and sorts
# after the known subjects, by name; a school's manager can set it in the administration.
#
# The table is frozen here (copied, not imported) so that a later change to school/programme.py
# cannot change what this migration did.

import unicodedata

from django.db import migrations

UPPER_SECONDARY = (
    "ngu van", "toan", "ngoai ngu 1", "lich su", "giao duc the chat",
    "giao duc quoc phong va an ninh",
    "dia li", "giao duc kinh te va phap luat", "vat li", "hoa hoc", "sinh hoc", "cong nghe",
    "tin hoc", "am nhac", "mi thuat",
    "noi dung giao duc cua dia phuong", "hoat dong trai nghiem, huong nghiep",
)
LOWER_SECONDARY = (
    "ngu van", "toan", "ngoai ngu 1", "giao duc cong dan", "lich su va dia li",
    "khoa hoc tu nhien", "cong nghe", "tin hoc", "giao duc the chat", "nghe thuat", "am nhac",
    "mi thuat", "noi dung giao duc cua dia phuong", "hoat dong trai nghiem, huong nghiep",
)
PRIMARY = (
    "tieng viet", "toan", "ngoai ngu 1", "dao duc", "tu nhien va xa hoi", "lich su va dia li",
    "khoa hoc", "tin hoc va cong nghe", "giao duc the chat", "nghe thuat", "am nhac",
    "mi thuat", "hoat dong trai nghiem",
)
ALIASES = {
    "tieng anh": "ngoai ngu 1", "ngoai ngu": "ngoai ngu 1", "tieng phap": "ngoai ngu 1",
    "tieng trung": "ngoai ngu 1", "tieng nhat": "ngoai ngu 1", "tieng han": "ngoai ngu 1",
    "tieng nga": "ngoai ngu 1", "tieng duc": "ngoai ngu 1",
    "my thuat": "mi thuat", "dia ly": "dia li", "vat ly": "vat li", "the duc": "giao duc the chat",
    "gdtc": "giao duc the chat", "gdqp&an": "giao duc quoc phong va an ninh",
    "gdqp-an": "giao duc quoc phong va an ninh", "gdktpl": "giao duc kinh te va phap luat",
    "gdkt&pl": "giao duc kinh te va phap luat", "gdcd": "giao duc cong dan",
    "noi dung giao duc dia phuong": "noi dung giao duc cua dia phuong",
    "giao duc dia phuong": "noi dung giao duc cua dia phuong",
    "hoat dong trai nghiem huong nghiep": "hoat dong trai nghiem, huong nghiep",
    "hdtn-hn": "hoat dong trai nghiem, huong nghiep", "hdtn": "hoat dong trai nghiem",
    "tin hoc & cong nghe": "tin hoc va cong nghe", "lich su & dia li": "lich su va dia li",
    "tnxh": "tu nhien va xa hoi",
}
BY_LEVEL = {
    "primary": (PRIMARY,),
    "lower_secondary": (LOWER_SECONDARY,),
    "upper_secondary": (UPPER_SECONDARY,),
    "multi_level": (UPPER_SECONDARY, LOWER_SECONDARY, PRIMARY),
}


def _fold(text):
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).lower())
    decomposed = decomposed.replace("đ", "d")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def order_of(name, level):
    key = _fold(name)
    key = ALIASES.get(key, key)
    for table in BY_LEVEL.get(level, BY_LEVEL["multi_level"]):
        if key in table:
            return (table.index(key) + 1) * 10
    return None


def fill(apps, schema_editor):
    Subject = apps.get_model("school", "Subject")
    changed = []
    for subject in Subject.objects.select_related("school").filter(programme_order__isnull=True):
        subject.programme_order = order_of(subject.name, subject.school.level)
        if subject.programme_order is not None:
            changed.append(subject)
    Subject.objects.bulk_update(changed, ["programme_order"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [("school", "0009_subject_programme_order")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
