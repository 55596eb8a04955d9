"""Vietnamese class-list order (CLDR vi) and tone-insensitive folding."""

import unicodedata

import pytest

from school import names


def by_key(full_names, tie_break=names.MIDDLE_FAMILY):
    return sorted(full_names, key=lambda n: names.full_name_sort_key(n, tie_break))


def test_letters_with_marks_are_letters_of_their_own():
    given = ["Ư", "Uyên", "Đức", "Dũng", "Âu", "Ăn", "An", "Ơn", "Ông", "Oanh", "Ê", "Em"]
    ordered = [n.split()[-1] for n in by_key([f"Lê Văn {g}" for g in given])]
    assert ordered == ["An", "Ăn", "Âu", "Dũng", "Đức", "Em", "Ê", "Oanh", "Ông", "Ơn", "Uyên", "Ư"]


def test_tones_break_ties_in_the_order_unmarked_huyen_hoi_nga_sac_nang():
    ordered = by_key(["Lê Ạnh", "Lê Ánh", "Lê Ãnh", "Lê Ảnh", "Lê Ành", "Lê Anh"])
    assert ordered == ["Lê Anh", "Lê Ành", "Lê Ảnh", "Lê Ãnh", "Lê Ánh", "Lê Ạnh"]


def test_letters_decide_before_tones():
    # "Ánh" < "Anhb" because the letters differ before the tone is looked at.
    assert by_key(["Lê Anhb", "Lê Ánh"]) == ["Lê Ánh", "Lê Anhb"]


def test_a_shorter_given_name_sorts_first():
    assert by_key(["Trần Anh", "Trần An"]) == ["Trần An", "Trần Anh"]


def test_the_given_name_decides_before_the_family_name():
    assert by_key(["An Văn Bình", "Vũ Thị An"]) == ["Vũ Thị An", "An Văn Bình"]


@pytest.mark.parametrize(
    "tie_break, expected",
    [
        (names.MIDDLE_FAMILY, ["Bùi Thị Hoa", "Anh Văn Hoa"]),
        (names.FAMILY_MIDDLE, ["Anh Văn Hoa", "Bùi Thị Hoa"]),
    ],
)
def test_the_tie_break_after_the_given_name_is_configurable(tie_break, expected):
    assert by_key(["Anh Văn Hoa", "Bùi Thị Hoa"], tie_break) == expected


def test_decomposed_input_sorts_like_composed_input():
    composed = "Nguyễn Thị Ánh"
    decomposed = unicodedata.normalize("NFD", composed)
    assert names.full_name_sort_key(composed) == names.full_name_sort_key(decomposed)


def test_the_key_is_digits_only_so_any_database_collation_orders_it_the_same():
    assert names.full_name_sort_key("Đặng Thị Ư-Ly").isdigit()


def test_fold_removes_tones_and_marks_for_search():
    assert names.fold("Nguyễn  Văn Ân Đức") == "nguyen van an duc"


def test_split_full_name():
    assert names.split_full_name("Nguyễn Thị Ánh Dương") == ("Nguyễn", "Thị Ánh", "Dương")
    assert names.split_full_name("Lan") == ("", "", "Lan")
