"""The national programme's order of subjects, which the Ministry's forms list them in.

The 2018 general education programme (Circular 32/2018/TT-BGDĐT, "Kế hoạch giáo dục" of each
level) lists the subjects and activities of each level in one order, and the record templates
follow it: the học bạ of Circular 22/2021 (grades 6–9, 10–12) and of Circular 27/2020 (grades
1–5), the Sổ theo dõi và đánh giá học sinh. Cards, summaries and grade books print subjects in
this order, not alphabetically (which put "Giáo dục quốc phòng và an ninh" first).

`Subject.programme_order` holds the position (10, 20, …: room for a school's own subject in
between); `default_programme_order` gives it from the subject's name for the school's level.
Names are matched folded (no tone marks, lower case), with the names schools commonly use
("Tiếng Anh" is the programme's Ngoại ngữ 1). A subject the table does not know gets None and
sorts after the known ones, by name.
"""

from school.names import fold

# Grades 10–12 (Circular 13/2022): the compulsory subjects, the electives, then the local
# content and the experiential activities.
UPPER_SECONDARY = (
    "ngu van", "toan", "ngoai ngu 1", "lich su", "giao duc the chat",
    "giao duc quoc phong va an ninh",
    "dia li", "giao duc kinh te va phap luat", "vat li", "hoa hoc", "sinh hoc", "cong nghe",
    "tin hoc", "am nhac", "mi thuat",
    "noi dung giao duc cua dia phuong", "hoat dong trai nghiem, huong nghiep",
)
# Grades 6–9.
LOWER_SECONDARY = (
    "ngu van", "toan", "ngoai ngu 1", "giao duc cong dan", "lich su va dia li",
    "khoa hoc tu nhien", "cong nghe", "tin hoc", "giao duc the chat", "nghe thuat", "am nhac",
    "mi thuat", "noi dung giao duc cua dia phuong", "hoat dong trai nghiem, huong nghiep",
)
# Grades 1–5.
PRIMARY = (
    "tieng viet", "toan", "ngoai ngu 1", "dao duc", "tu nhien va xa hoi", "lich su va dia li",
    "khoa hoc", "tin hoc va cong nghe", "giao duc the chat", "nghe thuat", "am nhac",
    "mi thuat", "hoat dong trai nghiem",
)
# What schools call the programme's subjects (folded).
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
# Which lists a school of each level looks in, first match wins (a multi-level school keeps
# one order per subject row: the upper-secondary one, then lower, then primary).
_BY_LEVEL = {
    "primary": (PRIMARY,),
    "lower_secondary": (LOWER_SECONDARY,),
    "upper_secondary": (UPPER_SECONDARY,),
    "multi_level": (UPPER_SECONDARY, LOWER_SECONDARY, PRIMARY),
}
STEP = 10


def _key(name: str) -> str:
    folded = " ".join(fold(name).split())
    return ALIASES.get(folded, folded)


def default_programme_order(name: str, level: str) -> int | None:
    """The subject's place in the programme of a school of `level` (School.Level values):
    10 for the first subject, 20 for the second, …; None for a name the table does not know."""
    key = _key(name)
    for table in _BY_LEVEL.get(level, _BY_LEVEL["multi_level"]):
        if key in table:
            return (table.index(key) + 1) * STEP
    return None


def same_subject(name: str, programme_name: str) -> bool:
    """Whether a school's subject `name` is the programme's `programme_name` ("Tiếng Anh" is
    "Ngoại ngữ 1"), matched folded like `default_programme_order`."""
    return _key(name) == _key(programme_name)
