"""Report cards as PDF: what a parent reads on the printed card (read back by text extraction),
the fetcher that keeps a render from reading server files or internal addresses, and the
generic print helpers the class summaries use."""

import hashlib
import http.server
import re
import threading
from dataclasses import replace
from io import BytesIO
from pathlib import Path

import pytest
import qrcode
from django.conf import settings
from django.template import engines
from pypdf import PdfReader

from reports import pdf
from reports.cards.model import Card, SubjectLine

SUBJECTS = [
    "Ngữ văn", "Toán", "Tiếng Anh", "Lịch sử", "Giáo dục thể chất", "Giáo dục quốc phòng và an ninh",
    "Hoạt động trải nghiệm, hướng nghiệp", "Nội dung giáo dục của địa phương", "Địa lí",
    "Giáo dục kinh tế và pháp luật", "Vật lí", "Hoá học", "Sinh học", "Công nghệ", "Tin học", "Âm nhạc",
]
RATED = {"Giáo dục thể chất", "Hoạt động trải nghiệm, hướng nghiệp", "Nội dung giáo dục của địa phương", "Âm nhạc"}
COMMENT = "Em học tập chăm chỉ, tiếp thu bài tốt; cần phát huy hơn nữa ở học kỳ sau."


def term_line(number: int, subject: str, comment: str = COMMENT) -> SubjectLine:
    if subject in RATED:
        return SubjectLine(number, subject, True, ("Đ", "Đ"), "Đ", "Đ", "Đ", "Hoàn thành tốt các nội dung.")
    regular = ("8", "7,5", "9", "6,5") if number <= 3 else ("8", "7,5", "9")
    return SubjectLine(number, subject, False, regular, "7", "8,5", "7,8", comment)


def make_card(full_name: str = "Nguyễn Thị Ánh Dương", *, subjects: int = 8, term: int | None = 1, **changes) -> Card:
    if term is None:
        lines = tuple(
            SubjectLine(n, s, s in RATED, term1="Đ" if s in RATED else "7,6", term2="Đ" if s in RATED else "8,3",
                        year="Đ" if s in RATED else "8,1")
            for n, s in enumerate(SUBJECTS[:subjects], 1)
        )
    else:
        lines = tuple(term_line(n, s) for n, s in enumerate(SUBJECTS[:subjects], 1))
    fields = dict(
        student_id=1, class_group_id=1, school_year_id=1, term_id=term,
        authority="SỞ GIÁO DỤC VÀ ĐÀO TẠO QUẢNG NINH", school="TRƯỜNG THPT HẠ LONG",
        title="PHIẾU BÁO KẾT QUẢ HỌC TẬP HỌC KỲ I" if term else "PHIẾU BÁO KẾT QUẢ HỌC TẬP CẢ NĂM",
        school_year="Năm học 2026–2027", full_name=full_name, class_name="10A1",
        date_of_birth="05/03/2011", sex="Nữ", student_code="2201234567", subjects=lines,
        regular_columns=4, learning="Khá", conduct="Tốt", absent_with_leave=2, absent_without_leave=1,
        homeroom_comment="Em ngoan, lễ phép, tích cực tham gia các hoạt động của lớp.",
        homeroom_teacher="Trần Văn Bình", principal="Lê Thị Hồng", principal_signs_as="HIỆU TRƯỞNG",
        dated="Hạ Long, ngày 16 tháng 01 năm 2027",
    )
    fields.update(changes)
    return Card(**fields)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def page_count(data: bytes) -> int:
    return len(PdfReader(BytesIO(data)).pages)


def expected_verify_url(code: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/verify/{code}/"


# --- What the card shows ----------------------------------------------------------------------


def test_term_card_shows_pupil_scores_results_and_code_on_one_page():
    [card] = pdf.render_cards([(make_card(), "K7Q2M9XD")])

    text = pdf_text(card.pdf)
    assert "Nguyễn Thị Ánh Dương" in text
    for expected in (
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO QUẢNG NINH", "TRƯỜNG THPT HẠ LONG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập – Tự do – Hạnh phúc",
        "PHIẾU BÁO KẾT QUẢ HỌC TẬP HỌC KỲ I", "Năm học 2026–2027", "10A1", "05/03/2011", "2201234567",
        "Ngữ văn", "Toán", "Giáo dục quốc phòng và an ninh",
        "1 Ngữ văn 8 7,5 9 6,5 7 8,5 7,8",  # the row as a reader sees it: TX1-TX4, GK, CK, TBM
        "5 Giáo dục thể chất Đ Đ Đ Đ Đ",
        "Kết quả học tập: Khá", "Kết quả rèn luyện: Tốt", "có phép 2, không phép 1",
        "Em ngoan, lễ phép", "Hạ Long, ngày 16 tháng 01 năm 2027",
        "PHỤ HUYNH HỌC SINH", "GIÁO VIÊN CHỦ NHIỆM", "Trần Văn Bình", "HIỆU TRƯỞNG", "Lê Thị Hồng",
        "K7Q2M9XD", expected_verify_url("K7Q2M9XD"), "Trang 1/1",
    ):
        assert expected in text, expected
    assert card.pages == page_count(card.pdf) == 1
    assert card.fingerprint == hashlib.sha256(card.pdf).hexdigest()
    assert card.signed is False


def test_sixteen_subject_card_with_comments_fits_one_page():
    [card] = pdf.render_cards([(make_card("Đặng Quốc Trường", subjects=16), "A1B2C3D4")])

    text = pdf_text(card.pdf)
    assert card.pages == page_count(card.pdf) == 1
    assert "Đặng Quốc Trường" in text
    for subject in ("Hoá học", "Tin học", "Âm nhạc"):
        assert subject in text
    assert "Trang 1/1" in text


def test_year_card_shows_both_terms_the_year_award_and_promotion():
    card = make_card(term=None, subjects=12, award="Học sinh Giỏi", promotion="Được lên lớp")
    [rendered] = pdf.render_cards([(card, "YEAR0001")])

    text = pdf_text(rendered.pdf)
    assert "PHIẾU BÁO KẾT QUẢ HỌC TẬP CẢ NĂM" in text
    assert "HK I HK II Cả năm" in text
    assert "2 Toán 7,6 8,3 8,1" in text
    assert "Khen thưởng: Học sinh Giỏi" in text
    assert "Kết quả xét lên lớp: Được lên lớp" in text
    assert rendered.pages == 1


def test_deputy_signature_and_blank_result_while_incomplete():
    card = make_card(
        principal_signs_as="KT. HIỆU TRƯỞNG\nPHÓ HIỆU TRƯỞNG", learning="",
        missing=("Toán: thiếu điểm cuối kỳ",),
    )
    text = pdf_text(pdf.render_cards([(card, "DEPUTY01")])[0].pdf)

    assert "KT. HIỆU TRƯỞNG\nPHÓ HIỆU TRƯỞNG" in text
    assert "Kết quả học tập: …" in text
    assert "Toán: thiếu điểm cuối kỳ" in text


def test_more_regular_scores_than_columns_are_all_printed():
    line = SubjectLine(1, "Toán", False, ("6", "7", "8", "9", "10"), "7", "8", "8,0")
    card = replace(make_card(), subjects=(line,), regular_columns=4)

    text = pdf_text(pdf.render_cards([(card, "MANYTX01")])[0].pdf)

    assert "TX5" in text
    assert "1 Toán 6 7 8 9 10 7 8 8,0" in text


def test_three_cards_give_three_pdfs_each_with_its_own_pupil():
    names = ["Nguyễn Thị Ánh Dương", "Đặng Quốc Trường", "Lý Thị Ngọc Ánh"]
    items = [(make_card(name, student_id=i), f"CODE000{i}") for i, name in enumerate(names)]

    rendered = pdf.render_cards(items)

    assert len(rendered) == 3
    for i, (card, name) in enumerate(zip(rendered, names, strict=True)):
        text = pdf_text(card.pdf)
        assert name in text
        assert f"CODE000{i}" in text
        assert [other for other in names if other != name and other in text] == []
        assert card.fingerprint == hashlib.sha256(card.pdf).hexdigest()
        assert card.pages == page_count(card.pdf) == 1
    assert len({card.fingerprint for card in rendered}) == 3


def test_a_long_card_numbers_its_own_pages():
    long_comment = "Em cần chú ý hơn khi làm bài kiểm tra và luyện tập thêm ở nhà. " * 12
    card = replace(make_card(), subjects=tuple(term_line(n, s, long_comment) for n, s in enumerate(SUBJECTS, 1)))

    [rendered] = pdf.render_cards([(card, "LONG0001")])

    pages = PdfReader(BytesIO(rendered.pdf)).pages
    assert rendered.pages == len(pages) > 1
    total = len(pages)
    for number, page in enumerate(pages, 1):
        text = page.extract_text()
        assert f"Trang {number}/{total}" in text
        assert "LONG0001" in text  # the verification code is on every page


def test_several_cards_in_one_html_start_each_on_a_new_page():
    html = pdf.card_html([(make_card("Nguyễn Văn An"), "MULTI001"), (make_card("Phạm Thu Hà"), "MULTI002")])

    data = pdf.html_to_pdf(html)

    reader = PdfReader(BytesIO(data))
    assert len(reader.pages) == 2
    assert "Nguyễn Văn An" in reader.pages[0].extract_text()
    assert "Phạm Thu Hà" in reader.pages[1].extract_text()
    assert "Trang 1/1" in reader.pages[1].extract_text()  # numbered per card, not per batch


# --- Nothing is fetched that the content names --------------------------------------------------


class RecordingServer:
    """A real HTTP server on loopback that records every request: a render must send none."""

    def __init__(self):
        self.requests: list[str] = []
        recorder = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                recorder.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1/",
        "http://localhost:8000/static/css/site.css",
        "http://169.254.169.254/latest/meta-data/",
        "https://example.com/logo.png",
        "ftp://example.com/x",
        "gopher://127.0.0.1:6379/_INFO",
        "http://[::1/static/css/site.css",
        "C:/Windows/win.ini",
        "/static/../truongso/settings/base.py",
        "/static/%2e%2e/truongso/settings/base.py",
        "/static//etc/passwd",
        "/media/anything.png",
        pdf.PRINT_BASE_URL + "etc/passwd",
        "https://print.truongso.invalid@169.254.169.254/static/css/site.css",
    ],
)
def test_fetcher_refuses_anything_but_our_static_files_and_data(url):
    with pytest.raises(pdf.FetchRefused):
        pdf.safe_url_fetcher(url)


def test_fetcher_serves_a_real_static_file_and_data_uris():
    site_css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_bytes()

    for url in ("/static/css/site.css", pdf.PRINT_BASE_URL + "static/css/site.css"):
        response = pdf.safe_url_fetcher(url)
        assert response.read() == site_css
        assert response.content_type == "text/css"

    response = pdf.safe_url_fetcher("data:text/plain;base64,eGluIGNow6Bv")
    assert response.read() == "xin chào".encode()


def test_markup_in_a_comment_is_printed_as_text_and_fetches_nothing():
    with RecordingServer() as server:
        comment = f'<img src="file:///etc/passwd"><img src="{server.url}/pixel.png">'
        name = "<b>Nguyễn</b> Văn <script>An</script>"
        card = make_card(name, homeroom_comment=comment)

        html = pdf.card_html([(card, "ESCAPE01")])
        rendered = pdf.render_cards([(card, "ESCAPE01")])[0]

    assert "<img" not in html and "<b>" not in html and "<script>" not in html
    text = pdf_text(rendered.pdf)
    assert '<img src="file:///etc/passwd">' in text
    assert "<b>Nguyễn</b> Văn <script>An</script>" in text
    assert "root:x:0:0" not in text
    assert server.requests == []


def test_a_template_that_names_urls_renders_without_fetching_them(caplog):
    with RecordingServer() as server:
        html = (
            "<html><head>"
            f'<link rel="stylesheet" href="{server.url}/evil.css">'
            '<link rel="stylesheet" href="file:///etc/passwd">'
            "</head><body><p>Bảng tổng hợp</p>"
            f'<img src="{server.url}/pixel.png"><img src="file:///usr/share/pixmaps/debian-logo.png">'
            '<img src="http://169.254.169.254/latest/meta-data/">'
            "</body></html>"
        )
        data = pdf.html_to_pdf(html)

    assert server.requests == []
    assert "Bảng tổng hợp" in pdf_text(data)
    reader = PdfReader(BytesIO(data))
    assert all(not page.images for page in reader.pages)
    assert "refused" in caplog.text.lower()


# --- The QR code --------------------------------------------------------------------------------


def qr_matrix_from_svg(svg: str) -> list[list[bool]]:
    """The dark modules drawn by our SVG path (one rectangle per run of a row)."""
    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    matrix = [[False] * size for _ in range(size)]
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\3z", svg):
        for dx in range(int(width)):
            matrix[int(y)][int(x) + dx] = True
    return matrix


def test_the_qr_code_encodes_the_verification_url():
    code = "QRCODE42"
    html = pdf.card_html([(make_card(), code)])
    url = expected_verify_url(code)

    assert f'data-url="{url}"' in html
    svg = re.search(r'<div class="qr"[^>]*>(<svg.*?</svg>)</div>', html, re.S).group(1)
    # No decoder is installed: compare the modules drawn with the QR encoding of the URL.
    reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    reference.add_data(url)
    reference.make(fit=True)
    assert qr_matrix_from_svg(svg) == reference.get_matrix()


# --- Generic print helpers ----------------------------------------------------------------------


def summary_html() -> str:
    template = engines["django"].from_string(
        '{% extends "reports/base_print.html" %}{% block content %}<h1>Bảng tổng hợp kết quả đánh giá</h1>'
        "<table class='grid'><tr><th>Lớp</th><th>Tốt</th></tr><tr><td>10A1</td><td>12,5%</td></tr></table>"
        "{% endblock %}"
    )
    return template.render({})


def test_html_to_pdf_prints_a4_portrait_or_landscape_with_page_numbers():
    portrait = PdfReader(BytesIO(pdf.html_to_pdf(summary_html()))).pages[0]
    landscape = PdfReader(BytesIO(pdf.html_to_pdf(summary_html(), landscape=True))).pages[0]

    mm = 72 / 25.4
    assert (round(float(portrait.mediabox.width) / mm), round(float(portrait.mediabox.height) / mm)) == (210, 297)
    assert (round(float(landscape.mediabox.width) / mm), round(float(landscape.mediabox.height) / mm)) == (297, 210)
    text = portrait.extract_text()
    assert "Bảng tổng hợp kết quả đánh giá" in text
    assert "12,5%" in text
    assert "Trang 1/1" in text


def test_merge_pdfs_keeps_every_page_in_order():
    rendered = pdf.render_cards([(make_card("Nguyễn Văn An"), "MERGE001"), (make_card("Phạm Thu Hà"), "MERGE002")])
    summary = pdf.html_to_pdf(summary_html())

    merged = pdf.merge_pdfs([card.pdf for card in rendered] + [summary])

    reader = PdfReader(BytesIO(merged))
    assert len(reader.pages) == sum(page_count(card.pdf) for card in rendered) + page_count(summary) == 3
    assert "Nguyễn Văn An" in reader.pages[0].extract_text()
    assert "Phạm Thu Hà" in reader.pages[1].extract_text()
    assert "Bảng tổng hợp" in reader.pages[2].extract_text()


def test_bare_render_is_plain_weasyprint():
    data = pdf.bare_render(pdf.card_html([(make_card(), "BARE0001")]))

    assert data.startswith(b"%PDF")
    assert "Nguyễn Thị Ánh Dương" in pdf_text(data)


def test_harfbuzz_subsetter_is_installed():
    # scripts/system-deps.sh installs libharfbuzz-subset0; without it every render is ~5x slower.
    assert pdf.subsetter_available() is True
