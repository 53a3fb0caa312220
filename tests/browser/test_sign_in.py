"""Signing in through the browser: password, then two-factor authentication with an authenticator
app whose codes the test computes itself (RFC 6238), as the phone would."""

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PERIOD = 30


def totp_code(secret: str) -> str:
    """The authenticator app's code now; waits for the next period when this one is about to end,
    so that the code is still valid when the server reads it."""
    left = PERIOD - time.time() % PERIOD
    if left < 3:
        time.sleep(left)
    counter = int(time.time()) // PERIOD
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**6:06d}"


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".messages")).to_contain_text("You have signed out.")


def test_staff_set_up_an_authenticator_and_the_next_sign_in_asks_for_its_code(page, tenant, manager_user):
    tenant.require_mfa_for_staff = True
    tenant.save()

    sign_in(page, "pm@northwind.example", PASSWORD)
    # The tenant requires two-factor authentication of its staff: they set it up first, after
    # confirming their password (allauth asks for it before any change of the account's security).
    expect(page.locator(".messages")).to_contain_text("requires two-factor authentication for staff")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill("000000" if totp_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Activate").click()
    expect(page.locator(".errorlist")).to_contain_text("Incorrect code")
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.goto("/t/northwind/partners/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partners")

    sign_out(page)
    sign_in(page, "pm@northwind.example", PASSWORD)
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_placeholder("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/t/northwind/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Northwind Cloud")


def test_a_wrong_password_is_refused_on_the_sign_in_page(page, tenant, manager_user):
    sign_in(page, "pm@northwind.example", "not the password")
    expect(page.locator(".errorlist")).to_contain_text("not correct")
    page.goto("/t/northwind/")
    expect(page.get_by_role("button", name="Sign In")).to_be_visible()
