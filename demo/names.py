"""Vietnamese names for the demo's people: family, middle and given names drawn with roughly
the national frequencies, for children and adults (school/names.py holds the rules every name
follows; this module only invents them)."""

import random
import re

from school import names
from school.models import Student

# ---------------------------------------------------------------------------------- names


def _weighted(spec: str) -> tuple[list[str], list[int]]:
    """"Nguyễn:31, Trần:11" -> (["Nguyễn", "Trần"], cumulative weights [31, 42])."""
    pairs = [(n.strip(), int(w)) for n, w in re.findall(r"([^,:]+):(\d+)", spec)]
    total, cumulative = 0, []
    for _, weight in pairs:
        total += weight
        cumulative.append(total)
    return [names.nfc(n) for n, _ in pairs], cumulative


# Roughly the national shares (Nguyễn about a third), with the northern spellings (Vũ, Hoàng)
# a Quảng Ninh school has; Uông and Ưng are rare but real, and test the u < ư order.
FAMILY = _weighted(
    "Nguyễn:310, Trần:110, Lê:95, Phạm:75, Hoàng:50, Vũ:50, Phan:30, Đặng:25, Bùi:25, Đỗ:25,"
    "Ngô:18, Dương:15, Đinh:12, Đoàn:10, Trịnh:10, Đào:8, Hà:8, Lương:8, Lý:6, Mai:6, Cao:6,"
    "Lưu:5, Chu:4, Tô:4, Tạ:4, Lại:4, Nông:3, Triệu:3, Vương:3, Kiều:3, Uông:3, Ưng:1"
)
BOY_MIDDLE = _weighted(
    "Minh:12, Đức:10, Quang:8, Gia:8, Văn:8, Bảo:6, Hoàng:6, Tuấn:5, Anh:5, Đăng:4, Duy:4,"
    "Hữu:4, Thành:4, Trung:4, Việt:4, Quốc:4, Nhật:4, Hải:4, Xuân:3, Tiến:3, Mạnh:3, Công:3,"
    "Đình:3, Khánh:3, Ngọc:2"
)
GIRL_MIDDLE = _weighted(
    "Thị:14, Ngọc:10, Thu:6, Thanh:6, Phương:6, Minh:6, Khánh:5, Bảo:5, Thùy:5, Hồng:4, Hà:4,"
    "Mai:3, Diệu:3, Hải:3, Kim:3, Quỳnh:3, Ánh:2, Tú:2, Hoài:2, Lan:2, Thị Thu:2, Thị Ngọc:2,"
    "Thị Thanh:2, Thị Ánh:1"
)
BOY_GIVEN = _weighted(
    "An:3, Anh:6, Bách:2, Bảo:5, Bình:3, Cường:2, Dũng:3, Duy:4, Dương:3, Đạt:5, Đăng:2, Đức:5,"
    "Hải:3, Hiếu:3, Hoàng:3, Huy:6, Hưng:3, Khang:4, Khánh:3, Khoa:4, Khôi:4, Kiên:2, Lâm:3,"
    "Long:4, Mạnh:2, Minh:7, Nam:5, Nghĩa:2, Nguyên:3, Nhật:3, Phong:4, Phúc:4, Quân:5, Quang:3,"
    "Sơn:4, Tài:2, Thắng:2, Thành:3, Thịnh:2, Tiến:2, Toàn:2, Trí:3, Trung:3, Trường:3, Tú:2,"
    "Tuấn:4, Tùng:3, Việt:3, Vinh:2, Vũ:2"
)
GIRL_GIVEN = _weighted(
    "An:3, Anh:8, Ánh:3, Châu:3, Chi:5, Diệp:2, Dung:2, Dương:3, Giang:3, Hà:4, Hân:4, Hằng:3,"
    "Hiền:3, Hoa:2, Hương:4, Huyền:4, Lan:3, Linh:8, Ly:4, Mai:4, My:5, Nga:2, Ngân:4, Ngọc:5,"
    "Nhi:5, Nhung:2, Oanh:2, Phương:4, Quyên:2, Quỳnh:4, Tâm:3, Thảo:5, Thư:5, Thu:2, Thủy:2,"
    "Trang:6, Trâm:3, Uyên:3, Vân:3, Vy:5, Yến:3"
)
MAN_MIDDLE = _weighted(
    "Văn:30, Đức:10, Minh:8, Quang:6, Hữu:6, Thanh:5, Xuân:5, Đình:5, Công:5, Ngọc:4, Anh:4,"
    "Quốc:4, Mạnh:3, Tiến:3, Trọng:3, Duy:3"
)
WOMAN_MIDDLE = _weighted(
    "Thị:45, Thu:6, Thanh:5, Ngọc:5, Thị Thu:4, Thị Thanh:4, Thị Hồng:4, Hồng:4, Minh:3, Kim:3,"
    "Thị Ngọc:3, Phương:3, Thùy:3, Lan:2, Diệu:2"
)
MAN_GIVEN = _weighted(
    "Hùng:4, Dũng:4, Tuấn:5, Hải:4, Thắng:3, Cường:3, Sơn:4, Long:3, Hòa:2, Bình:3, Quang:3,"
    "Thành:4, Trung:4, Hưng:3, Tùng:3, Hiếu:3, Toàn:2, Khoa:2, Nam:4, Việt:3, Phong:2, Đức:4,"
    "Minh:4, Thịnh:2, Lực:1, Chiến:2, Hoàng:2, Tâm:2, Huy:3, Kiên:2, Vinh:2, Lâm:2, Tú:2"
)
WOMAN_GIVEN = _weighted(
    "Hương:5, Lan:4, Hoa:4, Hằng:4, Thủy:4, Hà:4, Mai:3, Linh:4, Nga:4, Huyền:4, Trang:4, Thảo:4,"
    "Yến:3, Oanh:2, Hạnh:3, Nhung:3, Dung:3, Phượng:2, Loan:3, Vân:3, Hiền:3, Thu:2, Tâm:2,"
    "Liên:2, Quyên:2, Ngân:2, Giang:3, Ly:2, Anh:3, Thư:2"
)

# Mobile prefixes of Viettel, Vinaphone and MobiFone (09x, 03x, 08x). 090 is left out: the demo
# logins live in 0900/0901/0902, and a generated number must never look like one of them.
MOBILE_PREFIXES = (
    "096 097 098 086 032 033 034 035 036 037 038 039 091 094 088 081 082 083 084 085 093 089"
).split()


def _pick(rng: random.Random, pool: tuple[list[str], list[int]]) -> str:
    return rng.choices(pool[0], cum_weights=pool[1])[0]


def child_name(rng: random.Random, sex: str, family: str | None = None) -> tuple[str, str, str]:
    boy = sex == Student.Sex.MALE
    middle = _pick(rng, BOY_MIDDLE if boy else GIRL_MIDDLE)
    while (given := _pick(rng, BOY_GIVEN if boy else GIRL_GIVEN)) in middle.split():
        pass  # no "Minh Minh"
    return family or _pick(rng, FAMILY), middle, given


def adult_name(rng: random.Random, male: bool, family: str | None = None) -> str:
    middle = _pick(rng, MAN_MIDDLE if male else WOMAN_MIDDLE)
    while (given := _pick(rng, MAN_GIVEN if male else WOMAN_GIVEN)) in middle.split():
        pass
    return f"{family or _pick(rng, FAMILY)} {middle} {given}"
