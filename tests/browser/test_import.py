"""A CSV import in a browser: the job page follows the worker (htmx polling) from the queue to the
report of rejected rows, without a reload. A real Celery worker takes the job from the broker."""

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import expect

from partnerhub.celery import app
from tests.accounts.test_imports import ACCOUNTS_CSV

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_uploaded_file_shows_its_progress_then_its_report(signed_in, tenant, manager_user, broker_queue):
    page = signed_in(manager_user)
    page.goto("/t/northwind/imports/new/")
    page.get_by_label("Target accounts").check()
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "crm-accounts.csv", "mimeType": "text/csv", "buffer": ACCOUNTS_CSV.encode()}]
    )
    page.get_by_role("button", name="Upload and map columns").click()

    # The mapping step: the columns are matched by name, nothing is written before Import.
    expect(page.get_by_role("heading", level=1)).to_have_text("Map the columns of crm-accounts.csv")
    expect(page.get_by_label("Domain", exact=True)).to_have_value("domain")
    page.get_by_role("button", name="Import 5 rows").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("crm-accounts.csv")
    progress = page.locator("#import-progress")
    # No worker yet: the job waits in the queue, and the page says so.
    expect(progress).to_contain_text("Waiting for a worker to start")
    assert broker_queue() == 1
    page.evaluate("window.notReloaded = true")

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        expect(progress).to_contain_text("5 rows read", timeout=20_000)
    expect(progress.get_by_role("progressbar")).to_have_attribute("value", "100")
    stats = progress.locator(".stat")
    expect(stats).to_have_text(["3Created", "0Updated", "0Unchanged", "2Rejected"])
    # Each problem by row (as the file counts them, the header being row 1) and column.
    rows = progress.get_by_role("table").locator("tbody tr")
    expect(rows.locator("td:nth-child(-n+2)")).to_have_text(
        ["3", "domain", "5", "segment", "5", "senior_buyers_engaged"]
    )
    expect(
        progress.get_by_role("link", name="Download the rejected rows as the file had them")
    ).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
