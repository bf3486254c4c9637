"""`sitrep edit`'s server (sitrep/edit/server.py), over HTTP as a browser talks to it: the token,
the Host check, the content policy, a save check refuses, a conflict, no write outside the store."""

from __future__ import annotations

import base64
import difflib
import hashlib
import http.client
import json
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from support import busy_port, copy_example, posted_by_browser, wait_until

FILE = "facts/2016-06-fallujah.yaml"
ENTRY = "/entry/figures/fallujah-fleeing-killed-2016-06"


@pytest.fixture
def editor(tmp_path, monkeypatch):
    from sitrep.edit.server import EditorServer

    workspace = copy_example(tmp_path / "ws")
    monkeypatch.chdir(workspace)
    server = EditorServer("config.yaml", preview=False, log=lambda line: None).start()
    yield server
    server.close()


class Answer:
    def __init__(self, response: http.client.HTTPResponse):
        self.status = response.status
        self.headers = response.headers
        self.body = response.read().decode("utf-8")


def ask(editor, method: str, path: str, body: bytes | None = None, *, host: str = "127.0.0.1",
        content_type: str = "application/x-www-form-urlencoded") -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", editor.port, timeout=60)
    try:
        connection.putrequest(method, path, skip_host=True)
        connection.putheader("Host", f"{host}:{editor.port}")
        if body is not None:
            connection.putheader("Content-Type", content_type)
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        return Answer(connection.getresponse())
    finally:
        connection.close()


def form_fields(page: str) -> dict[str, str]:
    """The fields a browser would post from the page's entry form."""
    from sitrep.render.htmltree import parse

    return posted_by_browser(parse(page))


def post_form(editor, path: str, fields: dict[str, str]) -> Answer:
    return ask(editor, "POST", path, urlencode(fields).encode())


def opened(editor, path: str = ENTRY) -> dict[str, str]:
    answer = ask(editor, "GET", path)
    assert answer.status == 200, answer.body
    return form_fields(answer.body)


def test_pages_carry_the_reports_policy_with_the_editors_script_by_hash(editor):
    answer = ask(editor, "GET", "/")
    assert answer.status == 200
    policy = answer.headers["Content-Security-Policy"]
    for directive in ("default-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'",
                      "connect-src 'self'"):
        assert directive in policy
    scripts = re.findall(r"<script>(.*?)</script>", answer.body, re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy
    assert "frame-src" not in policy  # no preview, nothing to frame
    assert "fallujah-fleeing-killed-2016-06" in answer.body  # this week's entries
    assert "Needs attention" in answer.body and "single source of low reliability" in answer.body
    entry = ask(editor, "GET", ENTRY)
    assert entry.headers["Content-Security-Policy"] == policy


def test_a_request_for_another_host_is_refused(editor):
    answer = ask(editor, "GET", "/", host="attacker.example")
    assert answer.status == 403 and "--allow-host attacker.example" in answer.body
    fields = opened(editor)
    before = Path(FILE).read_bytes()
    refused = ask(editor, "POST", ENTRY, urlencode({**fields, "value": "31"}).encode(), host="attacker.example")
    assert refused.status == 403 and Path(FILE).read_bytes() == before


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
def test_a_post_without_the_sessions_token_is_refused_and_writes_nothing(editor, token):
    fields = opened(editor)
    fields.pop("_token")
    if token is not None:
        fields["_token"] = token
    before = Path(FILE).read_bytes()
    answer = post_form(editor, ENTRY, {**fields, "value": "31"})
    assert answer.status == 403 and "session token" in answer.body
    assert Path(FILE).read_bytes() == before
    check = ask(editor, "POST", "/api/check", json.dumps({"kind": "figures", "id": "x", "fields": {}}).encode(),
                content_type="application/json")
    assert check.status == 403


def test_a_save_is_written_and_only_the_entrys_lines_change(editor):
    before = Path(FILE).read_text(encoding="utf-8").splitlines()
    answer = post_form(editor, ENTRY, {**opened(editor), "value": "31"})
    assert answer.status == 303 and answer.headers["Location"].startswith(ENTRY + "?saved=")
    after = Path(FILE).read_text(encoding="utf-8").splitlines()
    assert after.count("    value: 31") == before.count("    value: 31") + 1
    assert after.count("    value: 30") == before.count("    value: 30") - 1
    start = before.index("  - id: fallujah-fleeing-killed-2016-06")
    assert before[:start] == after[:start]  # nothing before the entry moved
    tail = before.index("  - id: fallujah-meals-2016-06")
    assert before[tail:] == after[len(after) - (len(before) - tail):]  # nor after it
    assert "Saved to" in ask(editor, "GET", answer.headers["Location"]).body


def test_a_save_check_refuses_gets_its_words_at_the_field_and_writes_nothing(editor, sitrep_cli):
    # A form the editor can read but `sitrep check` would refuse (a place the store does not hold):
    # refused with check's own words, at the field, and nothing written.
    before = Path(FILE).read_bytes()
    answer = post_form(editor, ENTRY, {**opened(editor), "place": "no-such-place"})
    assert answer.status == 422
    assert Path(FILE).read_bytes() == before
    Path(FILE).write_text(before.decode().replace("place: fallujah\n", "place: no-such-place\n", 2)
                          .replace("place: no-such-place\n", "place: fallujah\n", 1), encoding="utf-8")
    words = [line for line in sitrep_cli("check").output.splitlines() if ": error: " in line]
    Path(FILE).write_bytes(before)
    assert len(words) == 1, words
    import html

    page = html.unescape(answer.body)
    message = words[0].split(": error: ", 1)[1]
    assert words[0] in page  # the refusal, as check says it
    field = re.search(r'id="f-place".*?</div>', page, re.S).group(0)
    assert message.split("] ", 1)[-1] in field  # and at its field


def test_a_value_the_form_cannot_read_is_refused_at_its_field_and_writes_nothing(editor):
    before = Path(FILE).read_bytes()
    answer = post_form(editor, ENTRY, {**opened(editor), "value": "thirty"})
    assert answer.status == 422 and Path(FILE).read_bytes() == before
    import html

    field = re.search(r'id="f-value".*?</div>', html.unescape(answer.body), re.S).group(0)
    assert "'thirty' is not a number" in field and 'value="thirty"' in field  # shown again as typed


def test_a_file_changed_since_the_form_opened_is_a_conflict_never_a_lost_update(editor):
    fields = opened(editor)
    by_text_editor = Path(FILE).read_text(encoding="utf-8").replace("value: 30\n", "value: 35\n", 1)
    Path(FILE).write_text(by_text_editor, encoding="utf-8")
    answer = post_form(editor, ENTRY, {**fields, "value": "31"})
    assert answer.status == 409
    assert Path(FILE).read_text(encoding="utf-8") == by_text_editor  # the other save stands
    assert "changed on disk since you opened this form" in answer.body
    row = re.search(r"<tr[^>]*><th>value</th>.*?</tr>", answer.body, re.S).group(0)
    assert "<code>31</code>" in row and "<code>35</code>" in row  # both versions shown
    assert f'href="{ENTRY}"' in answer.body  # re-open
    # Re-opened, the form carries the new digest, and the save goes through.
    assert post_form(editor, ENTRY, {**opened(editor), "value": "31"}).status == 303


def test_two_editors_saving_the_same_file_the_second_sees_a_conflict(editor):
    first, second = opened(editor), opened(editor)
    assert post_form(editor, ENTRY, {**first, "value": "31"}).status == 303
    assert post_form(editor, ENTRY, {**second, "value": "32"}).status == 409
    assert "value: 31" in Path(FILE).read_text(encoding="utf-8")


@pytest.mark.parametrize("file", ["../config.yaml", "/etc/passwd", "../../outside.yaml", "sitrep.schema.json"])
def test_nothing_is_written_outside_the_stores_files(editor, file):
    fields = opened(editor, "/new/figures")
    before = Path("config.yaml").read_bytes()
    answer = post_form(editor, f"/new/figures?file={file}", {**fields, "id": "new-figure"})
    assert answer.status == 400 and "is not a file of the store folder" in answer.body
    assert Path("config.yaml").read_bytes() == before
    assert not Path("../outside.yaml").exists()


def test_a_new_entry_goes_to_the_newest_month_file(editor):
    page = ask(editor, "GET", "/new/figures").body
    assert "In <code>2016-06-fallujah.yaml</code>" in page
    fields = {**form_fields(page), "id": "fallujah-new-2016-06", "metric": "civilians_killed", "place": "fallujah",
              "as_of": "2016-06", "value": "3", "qualifier": "exact", "unit": "people",
              "cited.0.source": "nbc-news"}
    answer = post_form(editor, "/new/figures?file=2016-06-fallujah.yaml", fields)
    assert answer.status == 303, answer.body
    assert "fallujah-new-2016-06" in Path(FILE).read_text(encoding="utf-8")


def test_a_body_over_the_limit_is_refused(editor):
    from sitrep.edit.server import MAX_BODY

    before = Path(FILE).read_bytes()
    connection = http.client.HTTPConnection("127.0.0.1", editor.port, timeout=60)
    try:  # refused on its Content-Length, before a byte of the body is read
        connection.putrequest("POST", ENTRY, skip_host=True)
        connection.putheader("Host", f"127.0.0.1:{editor.port}")
        connection.putheader("Content-Type", "application/x-www-form-urlencoded")
        connection.putheader("Content-Length", str(MAX_BODY + 1))
        connection.endheaders(b"_token=" + editor.token.encode())
        answer = Answer(connection.getresponse())
    finally:
        connection.close()
    assert answer.status == 413 and f"at most {MAX_BODY} bytes" in answer.body
    assert Path(FILE).read_bytes() == before


def test_the_api_checks_a_form_as_it_is_filled_and_lists_the_entries(editor):
    fields = opened(editor)
    request = {"token": fields.pop("_token"), "kind": "figures", "id": "fallujah-fleeing-killed-2016-06",
               "fields": {**fields, "value": "thirty"}}
    answer = ask(editor, "POST", "/api/check", json.dumps(request).encode(), content_type="application/json")
    assert answer.status == 200
    result = json.loads(answer.body)
    assert result["errors"] == 1 and "'thirty'" in result["fields"]["value"][0]
    entries = json.loads(ask(editor, "GET", "/api/entries").body)
    assert {"kind": "figures", "id": "fallujah-fleeing-killed-2016-06", "file": "2016-06-fallujah.yaml",
            "line": 23, "restricted": False} in entries


def test_the_preview_is_framed_from_its_own_loopback_origin(tmp_path, monkeypatch):
    from sitrep.edit.server import EditorServer

    workspace = copy_example(tmp_path / "ws")
    monkeypatch.chdir(workspace)
    with EditorServer("config.yaml", log=lambda line: None) as server:
        page = ask(server, "GET", ENTRY)
        preview = server.preview.url.rstrip("/")
        assert f"frame-src {preview}" in page.headers["Content-Security-Policy"]
        assert f'<iframe src="{preview}/"' in page.body
        connection = http.client.HTTPConnection("127.0.0.1", server.preview.port, timeout=60)
        connection.request("GET", "/")
        framed = connection.getresponse().headers["Content-Security-Policy"]
        connection.close()
        assert f"frame-ancestors http://127.0.0.1:{server.port} http://localhost:{server.port}" in framed
        # A save lands on disk: the preview hears it and rebuilds (its page then reloads by itself).
        generation = server.preview.page.generation
        assert post_form(server, ENTRY, {**opened(server), "value": "31"}).status == 303
        wait_until(lambda: server.preview.page.generation != generation, message="the preview to rebuild")
        assert "At least 31 people" in server.preview.page.body


def test_the_command_prints_its_url_and_ctrl_c_stops_it_with_one_line(tmp_path):
    """`sitrep edit --port 0` as a user runs it: the URL printed, the desk answered there, Ctrl+C one line, 130."""
    import signal
    import subprocess
    import sys
    import urllib.request

    workspace = copy_example(tmp_path / "ws")
    proc = subprocess.Popen([sys.executable, "-m", "sitrep", "edit", "--port", "0"], cwd=workspace, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if match := re.match(r"Editing facts/ at (http://127\.0\.0\.1:\d+/) — Ctrl\+C to stop$", line):
                break
        else:
            raise AssertionError(f"sitrep edit printed no URL: {lines}")
        with urllib.request.urlopen(match.group(1), timeout=60) as answer:
            assert "The desk" in answer.read().decode()
        proc.send_signal(signal.SIGINT)
        rest = proc.communicate(timeout=60)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert [line for line in rest.splitlines() if not line.startswith("[")] == ["stopped"], rest


def test_the_editors_pages_are_not_listed_as_report_templates():
    """templates/editor/ holds sitrep edit's pages: `sitrep templates` lists the report's only."""
    from sitrep.commands.templates import builtin_template_names, list_templates
    from sitrep.render.templates import builtin_templates_dir

    assert (builtin_templates_dir() / "editor" / "page.html").is_file()
    assert not [name for name in builtin_template_names() if name.startswith("editor/")]
    assert not [entry for entry in list_templates() if entry.name.startswith("editor/")]


def test_the_command_refuses_a_missing_config_and_a_busy_port_in_one_line(sitrep_cli, tmp_path):
    workspace = copy_example(tmp_path / "ws")
    result = sitrep_cli("edit", "--config", workspace / "nope.yaml")
    assert result.exit_code == 1 and "nope.yaml" in result.stderr and "Traceback" not in result.output
    with busy_port() as port:
        result = sitrep_cli("edit", "--port", port, "--config", workspace / "config.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (f"--port: error: cannot listen on 127.0.0.1:{port}: Address already in use; "
                                             "pass --port 0 to pick a free port")


def test_the_desk_shows_the_week_what_it_brings_restricted_entries_and_links_to_fields(editor):
    import html

    page = html.unescape(ask(editor, "GET", "/").body)
    assert "The report brings 6 figures, 8 incidents, 1 route, 2 areas, 1 movement." in page
    text = Path(FILE).read_text(encoding="utf-8")
    Path(FILE).write_text(text.replace("  - id: fallujah-meals-2016-06\n",
                                       "  - id: fallujah-meals-2016-06\n    sensitivity: restricted\n", 1), encoding="utf-8")
    page = html.unescape(ask(editor, "GET", "/").body)
    assert "This week: report 2, 2016-W26" in page
    assert "The report brings 5 figures, 8 incidents" in page  # the public report leaves it out
    row = re.search(r"<tr><td><a href=\"/entry/figures/fallujah-meals-2016-06\">.*?</tr>", page, re.S).group(0)
    assert "restricted" in row
    assert "restricted" not in re.search(r"<tr><td><a href=\"/entry/figures/fallujah-trapped-2016-06\">.*?</tr>",
                                         page, re.S).group(0)
    # check's warning of a single weak source, linked to the citation's field that fixes it
    links = re.findall(r'<a href="(/entry/[^"]+)">([^<]*single source of low reliability[^<]*)</a>', page)
    assert links and all(re.fullmatch(r"/entry/incidents/[\w-]+#f-cited(-0(-source)?)?", link)
                         for link, _ in links), links


def test_an_incident_with_a_new_source_and_a_citation_adds_only_their_lines(editor):
    # The first case, posted as a browser posts the forms: a new source in sources.yaml,
    # then a new incident whose citation ("Add to cited", then the source picked) names it.
    sources, facts = Path("facts/sources.yaml"), Path(FILE)
    before = {path: path.read_text(encoding="utf-8") for path in (sources, facts)}
    page = ask(editor, "GET", "/new/sources").body
    assert "In <code>sources.yaml</code>" in page
    answer = post_form(editor, "/new/sources?file=sources.yaml", {
        **form_fields(page), "id": "camp-monitor", "name": "Camp monitor (invented)", "kind": "ngo",
        "reliability": "B"})
    assert answer.status == 303, answer.body
    page = ask(editor, "GET", "/new/incidents").body
    fields = {**form_fields(page), "id": "fallujah-checkpoint-2016-06", "type": "killing_of_fleeing_civilians",
              "date": "2016-06-20", "place": "fallujah", "status": "alleged", "summary": "Shots at a checkpoint."}
    added = post_form(editor, "/new/incidents?file=2016-06-fallujah.yaml", {**fields, "_add": "cited"})
    assert added.status == 200 and Path(FILE).read_text(encoding="utf-8") == before[facts]  # nothing written
    fields = {**form_fields(added.body), "cited.0.source": "camp-monitor", "cited.0.date": "2016-06-21",
              "cited.0.credibility": "2"}
    answer = post_form(editor, "/new/incidents?file=2016-06-fallujah.yaml", fields)
    assert answer.status == 303, answer.body
    for path, text in before.items():  # every old line still there, in order: only lines were added
        diff = [line for line in difflib.ndiff(text.splitlines(), path.read_text(encoding="utf-8").splitlines())
                if line[:1] in "+-"]
        assert diff and all(line.startswith("+ ") for line in diff), diff
    new_incident = "\n".join(line[2:] for line in difflib.ndiff(before[facts].splitlines(),
                                                                 facts.read_text(encoding="utf-8").splitlines())
                             if line.startswith("+ "))
    assert "  - id: fallujah-checkpoint-2016-06" in new_incident
    assert "{source: camp-monitor, date: 2016-06-21, credibility: 2}" in new_incident


def lines_changed(before: str, after: str) -> list[str]:
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:1] in "+-"]


def test_a_route_gets_a_new_update_and_only_its_lines_are_added(editor):
    # A route's state changes: "Add to updates", then the new update filled in and saved.
    route = "/entry/routes/fallujah-south-to-amiriyat"
    before = Path(FILE).read_text(encoding="utf-8")
    added = post_form(editor, route, {**opened(editor, route), "_add": "updates"})
    assert added.status == 200 and Path(FILE).read_text(encoding="utf-8") == before
    fields = {**form_fields(added.body), "updates.1.as_of": "2016-06-25", "updates.1.status": "closed",
              "_add": "updates.1.cited"}
    added = post_form(editor, route, fields)
    assert added.status == 200, added.body
    fields = {**form_fields(added.body), "updates.1.cited.0.source": "nbc-news", "updates.1.cited.0.date": "2016-06-26"}
    answer = post_form(editor, route, fields)
    assert answer.status == 303, answer.body
    diff = lines_changed(before, Path(FILE).read_text(encoding="utf-8"))
    assert all(line.startswith("+ ") for line in diff), diff  # the first update untouched, byte for byte
    assert [line[2:] for line in diff] == ["      - as_of: 2016-06-25", "        status: closed", "        cited:",
                                           "          - {source: nbc-news, date: 2016-06-26}"]


def test_a_translation_brought_up_to_date_changes_its_own_line_only(editor):
    # fr's note was made from the original as it is (its fingerprint matches): edited, and ticked
    # "made from the original as it is now", only the fr line changes, with the fingerprint kept.
    before = Path(FILE).read_text(encoding="utf-8")
    fields = opened(editor)
    fr = next(name for name, value in fields.items() if name.startswith("note._tr.") and name.endswith(".lang")
              and value == "fr")
    item = fr[: -len(".lang")]
    fields.update({f"{item}.text": "Civils abattus par l'EI en un seul jour (un vendredi) ; beaucoup de femmes et "
                                    "d'enfants.", f"{item}.current": "on"})
    answer = post_form(editor, ENTRY, fields)
    assert answer.status == 303, answer.body
    diff = lines_changed(before, Path(FILE).read_text(encoding="utf-8"))
    assert len(diff) == 2 and diff[0].startswith("-       fr@cab50ae4: Civils abattus par l'EI en une seule")
    assert diff[1] == "+       fr@cab50ae4: Civils abattus par l'EI en un seul jour (un vendredi) ; beaucoup de " \
                      "femmes et d'enfants."
