"""`sitrep edit` in a real browser: headless chromium over the DevTools protocol (the `browser`
fixture, as the preview's browser tests use it). The pages' content policy is enforced by the
browser here, so the check as you type shows only if the editor's script is allowed by its hash,
and the preview shows only if the editor may frame it.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from sitrep.edit.forms import field_id
from support import copy_example, wait_until

FILE = "facts/2016-06-fallujah.yaml"
ENTRY_ID = "fallujah-fleeing-killed-2016-06"
ENTRY = f"/entry/figures/{ENTRY_ID}"


@pytest.fixture
def editor(tmp_path, monkeypatch):
    from sitrep.edit.server import EditorServer

    workspace = copy_example(tmp_path / "ws")
    monkeypatch.chdir(workspace)
    server = EditorServer("config.yaml", log=lambda line: None).start()
    yield server
    server.close()


def policy_violations(browser) -> list[str]:
    """What the page's console said about the content policy (a blocked script, frame or fetch)."""
    said = []
    for event in browser.events:
        params = event.get("params", {})
        text = params.get("entry", {}).get("text", "") or json.dumps(params.get("args", ""))
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            said.append(text)
    return said


def set_value(browser, name: str, value: str) -> None:
    """Type into a field as a person does: its value set, then the input event a keystroke fires."""
    browser.evaluate(f"(function () {{ var input = document.querySelector('#entry [name=\"{name}\"]');"
                     f" input.value = {json.dumps(value)};"
                     " input.dispatchEvent(new Event('input', {bubbles: true})); return true; })()")


def live_problems(browser, name: str) -> str:
    return browser.evaluate(f"(function () {{ var input = document.getElementById('{field_id(name)}');"
                            " var box = input && input.closest('.field, fieldset');"
                            " var list = box && box.querySelector('ul.live-problems');"
                            " return list ? list.textContent : ''; })()") or ""


def open_entry_from_the_desk(browser, editor) -> None:
    browser.call("Log.enable")
    browser.call("Runtime.enable")
    browser.call("Page.navigate", url=editor.url)
    browser.wait_for_text("The desk", "Needs attention", ENTRY_ID)
    browser.evaluate(f"document.querySelector('a[href=\"{ENTRY}\"]').click()")
    browser.wait_for_text(f"Figure {ENTRY_ID}")


def test_the_desk_an_entry_the_check_as_you_type_and_a_save(editor, browser):
    before = Path(FILE).read_text(encoding="utf-8")
    open_entry_from_the_desk(browser, editor)
    # The preview beside the form: framed from the preview's own loopback origin.
    assert browser.evaluate("document.querySelector('iframe').src") == editor.preview.url
    set_value(browser, "value", "thirty")
    wait_until(lambda: "'thirty'" in live_problems(browser, "value"), message="the problem at its field")
    assert "is not a number" in live_problems(browser, "value")  # what the form cannot read, said at its field
    set_value(browser, "value", "31")
    wait_until(lambda: live_problems(browser, "value") == "", message="the problem gone once fixed")
    browser.evaluate("document.querySelector('#entry form').requestSubmit()")
    browser.wait_for_text("Saved to 2016-06-fallujah.yaml")
    after = Path(FILE).read_text(encoding="utf-8")
    assert after.count("value: 31\n") == before.count("value: 31\n") + 1
    assert policy_violations(browser) == []


def test_a_save_in_the_browser_changes_only_the_lines_it_edits(editor, browser):
    before = Path(FILE).read_text(encoding="utf-8")
    open_entry_from_the_desk(browser, editor)
    set_value(browser, "value", "31")
    browser.evaluate("document.querySelector('#entry form').requestSubmit()")
    browser.wait_for_text("Saved to 2016-06-fallujah.yaml")
    diff = [line for line in difflib.unified_diff(before.splitlines(), Path(FILE).read_text(encoding="utf-8")
                                                  .splitlines(), lineterm="", n=0) if line[:1] in "+-"]
    assert diff == ["--- ", "+++ ", "-    value: 30", "+    value: 31"]
    assert policy_violations(browser) == []


def test_a_text_editor_changing_the_file_under_an_open_form_is_a_conflict_shown(editor, browser):
    open_entry_from_the_desk(browser, editor)
    changed = Path(FILE).read_text(encoding="utf-8").replace("value: 30\n", "value: 35\n", 1)
    Path(FILE).write_text(changed, encoding="utf-8")  # as a text editor saves it, meanwhile
    set_value(browser, "value", "31")
    browser.evaluate("document.querySelector('#entry form').requestSubmit()")
    text = browser.wait_for_text("changed on disk since you opened this form", "Re-open the entry")
    assert "31" in text and "35" in text  # both versions, side by side
    assert Path(FILE).read_text(encoding="utf-8") == changed  # the text editor's save stands
    browser.evaluate("document.querySelector('a[href=\"%s\"]').click()" % ENTRY)
    wait_until(lambda: browser.evaluate("document.querySelector('#entry [name=\"value\"]').value") == "35",
               message="the re-opened form to hold the file's current value")
    assert policy_violations(browser) == []
