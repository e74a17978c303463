"""A reviewer at the pace of the job, in a real browser (Debian's chromium, Playwright): a
scripted reviewer labels 20 clips by keyboard alone, each a one-word fix of what the recogniser
doubted, and the test counts every key pressed.

Also here: saving is refused until the clip was heard to its end, the catalog field searches
as the reviewer types and adds a name it lacks only when asked, the flags and the distress
procedure sit behind a second press, and a stretch marked on the waveform goes with a flag.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from confide.review.tasks import open_annotation
from confide.store.tables import Annotation, CatalogAddition
from confide_testing import CHROMIUM, shot
from scripted_reviewer import (
    DOUBTED,
    EXTRA_REVIEWER,
    SAID,
    Keyboard,
    Queue,
    next_clip_shown,
    one_word_fix,
    review_queue,
    sign_in,
    wait_until_heard,
)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt install chromium)",
)
sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the dev extra)")
expect = sync_api.expect

CLIP_SECONDS = 1.0
TASKS = 20
MAX_KEYS_PER_FIX = 8
"""Issue 14's target for a one-word fix by keyboard alone (31 before)."""


@pytest.fixture(scope="module")
def queue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Queue]:
    """Enough clips for every test here; one reviewer per test, since a TOTP code is taken
    once and no one may sign in twice in one window."""
    with review_queue(tmp_path_factory.mktemp("keyboard") / "data", TASKS + 8, CLIP_SECONDS) as q:
        yield q


def test_twenty_one_word_fixes_by_keyboard_alone(page, queue) -> None:
    sign_in(page, queue, "rhea")
    keys = Keyboard(page)
    keys.press("Enter")  # "Take the next task" has the focus on the home page
    next_clip_shown(page, f"{queue.url}/review/")
    per_task = []
    for done in range(TASKS):
        expect(page.get_by_role("heading", level=1)).to_contain_text("Clip from Speaker")
        expect(page.locator("#shift")).to_contain_text(f"{done + 1} of 150 clips this shift")
        expect(page.locator("mark.doubt")).to_have_text(DOUBTED)
        if done == 0:
            shot(page, "workbench-keyboard-task")
        before, url = keys.count, page.url
        one_word_fix(keys)
        per_task.append(keys.count - before)
        next_clip_shown(page, url)
    assert per_task == [MAX_KEYS_PER_FIX] * TASKS

    with queue.runtime.sessions() as session:
        mine = session.query(Annotation).filter_by(reviewer_id=queue.team["rhea"].id).all()
        labels = [open_annotation(session, queue.runtime.keyring, row) for row in mine]
    assert len(mine) == TASKS
    assert {label["transcript"] for label in labels} == {SAID}
    assert {(row.rating, row.intent) for row in mine} == {(4, "SetTimer")}


def test_saving_waits_for_the_clip_to_be_heard_to_its_end(page, queue) -> None:
    sign_in(page, queue, "remy")
    page.get_by_role("button", name="Take the next task").click()
    task_url = page.url
    expect(page.locator("#play")).to_be_focused()
    page.keyboard.press("5")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("status")).to_have_text("Play the clip to its end before saving.")
    assert page.url == task_url
    page.keyboard.press(" ")
    wait_until_heard(page)
    page.keyboard.press("Control+Enter")
    expect(page).not_to_have_url(task_url)


def test_the_catalog_field_links_real_entries_or_adds_on_request(page, queue) -> None:
    sign_in(page, queue, "lena")
    page.get_by_role("button", name="Take the next task").click()
    expect(page.locator("#play")).to_be_focused()
    page.keyboard.press(" ")
    page.get_by_label("Name").first.fill("artist")
    page.get_by_label("Value", exact=True).first.fill("beatles")
    page.keyboard.press("Escape")
    page.keyboard.press("l")
    expect(page.get_by_label("Catalog entry").first).to_be_focused()
    page.keyboard.type("beatl")
    choices = page.get_by_role("listbox", name="Catalog entries").first
    expect(choices.get_by_role("option").first).to_have_text("The Beatles · artist")
    shot(page, "workbench-catalog-search")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Catalog entry").first).to_have_value("artist:the-beatles")

    row = 2
    page.locator(f"#slot-name-{row}").fill("artist")
    page.locator(f"#slot-value-{row}").fill("Zorblax Quartet")
    page.locator(f"#slot-link-{row}").focus()
    page.keyboard.type("zorblax")
    added = page.get_by_role("option", name="Add “Zorblax Quartet” as a new artist")
    expect(added).to_be_visible()
    while (
        page.locator(f"#slot-choices-{row} [aria-selected='true']").inner_text()
        != added.inner_text()
    ):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator(f"#slot-new-{row}")).to_be_checked()
    page.keyboard.press("Escape")
    page.keyboard.press("3")
    wait_until_heard(page)
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clip from Speaker")

    with queue.runtime.sessions() as session:
        row_ = session.query(Annotation).filter_by(reviewer_id=queue.team["lena"].id).one()
        slots = open_annotation(session, queue.runtime.keyring, row_)["slots"]
        names = [name for (name,) in session.query(CatalogAddition.name)]
    assert [slot.get("link") for slot in slots] == ["artist:the-beatles", "artist:zorblax-quartet"]
    assert names == ["Zorblax Quartet"]


def test_flags_and_distress_take_a_second_press(page, queue) -> None:
    sign_in(page, queue, EXTRA_REVIEWER)
    page.get_by_role("button", name="Take the next task").click()
    expect(page.locator("#play")).to_be_focused()
    page.keyboard.press(" ")
    page.keyboard.press("[")  # a stretch marked as it plays
    page.wait_for_timeout(400)
    page.keyboard.press("]")
    expect(page.locator("#span-words")).to_contain_text("Marked for a flag")
    page.keyboard.press("d")  # distress asks first
    confirm = page.get_by_role("button", name="Distressing: stop and send to safety")
    expect(confirm).to_be_focused()
    page.keyboard.press("Escape")  # and is undone by Escape
    expect(confirm).to_be_hidden()
    page.keyboard.press("f")
    expect(page.get_by_label("Personal data is still audible or readable")).to_be_focused()
    page.keyboard.press(" ")
    page.keyboard.press("Escape")
    page.keyboard.press("2")
    wait_until_heard(page)
    shot(page, "workbench-flag-span")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clip from Speaker")

    with queue.runtime.sessions() as session:
        last = (
            session.query(Annotation)
            .filter_by(reviewer_id=queue.team[EXTRA_REVIEWER].id)
            .order_by(Annotation.submitted_at.desc())
            .first()
        )
        span = open_annotation(session, queue.runtime.keyring, last)["span"]
    assert last.flags == "critical_data"
    assert 0 <= span[0] < span[1] <= CLIP_SECONDS
