"""Vietnamese names: NFC normalisation, splitting, tone-insensitive folding and the sort key
that puts class lists in Vietnamese alphabetical order (DOMAIN.md, "Names and sorting").

The sort key is a string of digits so that the database can ORDER BY it under any collation
(PostgreSQL's default collation, SQLite's binary one) and get the same order as Python.
"""

import re
import unicodedata

# CLDR `vi` letter order; ă â đ ê ô ơ ư are letters of their own. f j w z appear in foreign
# names and take their Latin places.
_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_LETTER_CODE = {letter: f"{index + 10:02d}" for index, letter in enumerate(_ALPHABET)}
_DIGIT_CODE = {str(d): f"{d + 50:02d}" for d in range(10)}
_SEPARATOR = "01"  # spaces and hyphens inside a name sort before any letter
_OTHER = "99"
_PART_END = "00"  # ends one name part, so "An" sorts before "Anh"

# Tone marks in the order that breaks ties: unmarked, huyền, hỏi, ngã, sắc, nặng.
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}

FAMILY_MIDDLE = "family_middle"
MIDDLE_FAMILY = "middle_family"


def nfc(text: str) -> str:
    """NFC-normalise and collapse inner whitespace; None becomes ""."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _split_tone(char: str) -> tuple[str, str]:
    """("ế") -> ("ê", "4"): the letter without its tone, and the tone's rank."""
    decomposed = unicodedata.normalize("NFD", char)
    tone = "0"
    kept = []
    for c in decomposed:
        if c in _TONES:
            tone = _TONES[c]
        else:
            kept.append(c)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _part_key(part: str) -> str:
    letters, tones = [], []
    for char in nfc(part).lower():
        base, tone = _split_tone(char)
        if base in _LETTER_CODE:
            letters.append(_LETTER_CODE[base])
        elif base in _DIGIT_CODE:
            letters.append(_DIGIT_CODE[base])
        elif base in " -'":
            letters.append(_SEPARATOR)
        else:
            letters.append(_OTHER)
        tones.append(tone)
    # Letters first (primary strength), then tones (secondary): "Anh" < "Ảnh" < "Ánh" < "Bình".
    return "".join(letters) + _PART_END + "".join(tones)


def text_sort_key(text: str) -> str:
    """Sort key for any short text in Vietnamese order (a place's name, an area)."""
    return _part_key(text)


def sort_key(family: str, middle: str, given: str, tie_break: str = MIDDLE_FAMILY) -> str:
    """The class-list key: given name, then middle and family name (or family then middle)."""
    rest = (middle, family) if tie_break == MIDDLE_FAMILY else (family, middle)
    return "".join(_part_key(p) for p in (given, *rest))


def full_name_sort_key(full_name: str, tie_break: str = MIDDLE_FAMILY) -> str:
    """Sort key for a full name in one string, such as a teacher's or a guardian's."""
    family, middle, given = split_full_name(full_name)
    return sort_key(family, middle, given, tie_break)


_DIGIT_RUN = re.compile(r"(\d+)")
_SPACES = re.compile(r"(\s+)")
_NUMBER = "05"  # a number inside a class name sorts after a separator, before any letter


def class_sort_key(grade: int, name: str) -> str:
    """The natural order of classes: by grade, then the name with each run of digits read as
    a number, so 10A2 comes before 10A10 (and 6A before 10A). Digits only, like `sort_key`,
    so ORDER BY gives the same order under any collation; the letters between the numbers
    keep the Vietnamese order ("10 Toán" < "10 Văn")."""
    parts = [f"{grade:02d}"]
    for index, run in enumerate(_DIGIT_RUN.split(nfc(name))):
        if index % 2:  # a run of digits: its length first, so 2 < 10 (at most 9 digits)
            number = run.lstrip("0") or "0"
            parts.append(f"{_NUMBER}{min(len(number), 9)}{number}")
        else:  # text: each word by `_part_key`, spaces as separators ("10 Anh" < "10A1")
            parts += [_SEPARATOR if word.isspace() else _part_key(word)
                      for word in _SPACES.split(run) if word]
    return "".join(parts)


def split_full_name(full_name: str) -> tuple[str, str, str]:
    """"Nguyễn Thị Ánh Dương" -> ("Nguyễn", "Thị Ánh", "Dương")."""
    words = nfc(full_name).split(" ")
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def fold(text: str) -> str:
    """Lower-case text with tone and letter marks removed, for searching: "Nguyễn Văn Ân" ->
    "nguyen van an"; đ folds to d."""
    decomposed = unicodedata.normalize("NFD", nfc(text).lower().replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


MASK = "***"


def _first_letter(word: str) -> str:
    """The first letter with its marks ("Ánh" → "Á"), whatever the normal form typed."""
    word = unicodedata.normalize("NFC", word)
    end = 1
    while end < len(word) and unicodedata.combining(word[end]):
        end += 1
    return word[:end].upper()


def mask_name(full_name: str) -> str:
    """A pupil's name as the public verification page shows it: the initials of the family
    and middle names, and the given name's first letter followed by a fixed "***":
    "Nguyễn Thị Ánh Dương" → "N. T. Á. D***".

    Why this masking: a family holding the card recognises the initials at once, while the
    page cannot be searched or scraped for names (the given name, the part Vietnamese people
    are known by, is never shown, and the fixed mask does not leak its length)."""
    words = unicodedata.normalize("NFC", full_name or "").split()
    if not words:
        return ""
    initials = [f"{_first_letter(w)}." for w in words[:-1]]
    return " ".join([*initials, _first_letter(words[-1]) + MASK])
