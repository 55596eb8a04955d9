"""A principal's first sign-in on a phone: the password, then the page that sets up an
authenticator app (a QR code and the key to type), the first code, the backup codes; then the
school administration. Signed out and back, the code is asked for before anything: a wrong
one is refused, the app's next one lets her in. The "app" is the test computing the code from
the key the page shows, as the phone would.

Assertions go by data attributes, names, numbers and URLs, not by UI labels.
"""

import re
from base64 import b32decode
from urllib.parse import urlencode

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from school.models import StaffMembership
from tests import factories as f

pytestmark = pytest.mark.e2e

PHONE = "0912000111"
SLOW_MS = 15_000


@pytest.fixture
def principal(transactional_db):
    school = f.SchoolFactory(name="Trường THPT Hạ Long", code="thpt-ha-long")
    user = f.UserFactory(full_name="Phạm Thị Hiệu", phone=PHONE)
    f.StaffMembershipFactory(user=user, school=school, role=StaffMembership.Role.PRINCIPAL)
    return user


def fits_the_phone(page: Page) -> None:
    widths = page.evaluate("() => ({page: document.documentElement.scrollWidth, inner: window.innerWidth})")
    assert widths["page"] <= widths["inner"] + 1, widths


def password_step(page: Page, next_url: str) -> None:
    page.context.clear_cookies()
    page.goto("/tai-khoan/dang-nhap/?" + urlencode({"next": next_url}))
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill(PHONE)
    form.locator("input[name=password]").fill(f.TEST_PASSWORD)
    form.locator("button[type=submit]").click()


def test_a_principal_sets_up_the_app_then_is_asked_for_its_code_after_signing_out(
    phone_page: Page, principal, artifacts_dir
):
    page = phone_page
    password_step(page, "/quan-tri/")
    expect(page).to_have_url(re.compile(r"/tai-khoan/xac-thuc/cai-dat/\?next=%2Fquan-tri%2F$"), timeout=SLOW_MS)
    expect(page.locator("[data-required]")).to_be_visible()
    expect(page.locator("figure[data-qr] svg")).to_be_visible()
    box = page.locator("figure[data-qr] svg").bounding_box()
    assert box["width"] >= 150  # big enough for a phone camera to read
    fits_the_phone(page)
    page.screenshot(path=str(artifacts_dir / "second-factor-setup.png"), full_page=True)

    key = b32decode(page.locator("code[data-key]").inner_text().replace(" ", "")).hex()
    page.locator("input[name=code]").fill(f.totp_code(key))
    page.locator("main form button[type=submit]").click()
    codes = page.locator("[data-codes] code")
    expect(codes).to_have_count(10, timeout=SLOW_MS)
    assert all(re.fullmatch(r"[a-z2-7]{5}-[a-z2-7]{5}", c) for c in codes.all_inner_texts())
    fits_the_phone(page)
    page.locator("[data-continue]").click()
    expect(page).to_have_url(re.compile(r"/quan-tri/$"), timeout=SLOW_MS)
    expect(page.locator("#site-name, #header")).not_to_have_count(0)

    # Signed out and in again: the code first, wherever one was going.
    page.goto("/")
    page.locator("form[data-sign-out] button").click()
    expect(page).to_have_url(re.compile(r"/$|/tai-khoan/"), timeout=SLOW_MS)
    password_step(page, "/quan-tri/school/student/")
    expect(page).to_have_url(re.compile(r"/tai-khoan/xac-thuc/\?next="), timeout=SLOW_MS)
    page.goto("/quan-tri/")  # not past it by typing another address
    expect(page).to_have_url(re.compile(r"/tai-khoan/xac-thuc/\?next=%2Fquan-tri%2F$"))

    device = TOTPDevice.objects.get(user=principal)
    page.locator("input[name=code]").fill(f.totp_code(key, after_step=10**9))  # not the app's code
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".errorlist")).to_be_visible(timeout=SLOW_MS)
    expect(page).to_have_url(re.compile(r"/tai-khoan/xac-thuc/"))

    device.refresh_from_db()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # the wait is over
    page.locator("input[name=code]").fill(f.code_for(device))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/quan-tri/$"), timeout=SLOW_MS)
