"""`sitrep edit`: the fact store edited in the browser, on a server of the user's own machine.

Pages are rendered on the server (Jinja, autoescaped: templates/editor/) and posted as plain
forms; the one script (templates/editor/editor.js) only asks `POST /api/check` as a form is
filled, to show each problem at its field. The store's files stay the single source of truth:
every page reads them afresh, and a save goes through the round-trip writer (yamledit.py), which
rewrites the lines of one entry and nothing else.

A save is checked before it is written, by `sitrep check` itself on a mirror holding the new
text (validate.py): an error refuses it with check's words, shown at the field its line holds,
and nothing is written. It is written only if the file is still the one the form was opened
on (its SHA-256, carried by the form): otherwise a conflict page shows both versions and the
user re-opens, so an update is never lost to another editor or a text editor.

Safe by default (docs/editor.md, "Safety"): it listens on 127.0.0.1 only, with no option to
listen elsewhere (a team puts an authenticating reverse proxy in front: docs/editor.md); it
answers only requests addressed to localhost, an IP address or a name given with --allow-host
(servehosts.py, against DNS rebinding); every POST carries the session's random token (403 and
nothing written otherwise); a body is at most MAX_BODY bytes; only the store's own files are
ever written; every page carries the reports' Content-Security-Policy, lifted only as far as
the editor needs: its own script by hash, posting forms to itself, fetching from itself, and
framing the preview's origin. The preview is `sitrep serve`'s ReportServer, run in-process on a
loopback port of its own; it hears each save as a file event and the framed page reloads.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, quote, unquote, urlsplit

from markupsafe import Markup

from sitrep.commands.serve import HTML, TEXT, _server_class, refusal
from sitrep.commands.servehosts import AllowedHosts
from sitrep.commands.servepages import internal_error_page
from sitrep.edit import desk as desk_view
from sitrep.edit.forms import editor_pages
from sitrep.edit.validate import SaveChecker, errors_of, problems_by_field
from sitrep.errors import Problem, SitrepError, display_path
from sitrep.render.contentpolicy import CONTENT_SECURITY_POLICY
from sitrep.source.config import load_config
from sitrep.source.schema import KIND_SINGULAR, KINDS
from sitrep.source.store import find_store_files
from sitrep.source.yamlsource import parse_yaml_bytes

HOST = "127.0.0.1"  # loopback only, full stop: a team puts a reverse proxy in front (docs/editor.md)
MAX_BODY = 1024 * 1024  # a form of one entry is a few kB; anything near this is not a form
TOKEN_FIELDS = ("_token", "token")  # the hidden field forms.render_form writes (either name)
DIGEST_FIELDS = ("_digest", "digest")
JSON = "application/json"
# The kinds kept in a file of their own; the others (facts, narrative) go to the newest month file.
OWN_FILE_KINDS = ("sources", "places", "actors")
MONTH_FILE = re.compile(r"\d{4}-\d{2}")
ENTRY_PATH = re.compile(r"/entry/([a-z]+)/([^/]+)")
NEW_PATH = re.compile(r"/new/([a-z]+)")


def editor_policy(script: str, preview_origin: str | None) -> str:
    """The reports' policy with what the editor needs and nothing more: its script by hash,
    forms posted to itself, fetches to itself (the check as you type), the preview framed."""
    assert "form-action 'none'" in CONTENT_SECURITY_POLICY
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = CONTENT_SECURITY_POLICY.replace("form-action 'none'", "form-action 'self'")
    frame = f"; frame-src {preview_origin}" if preview_origin else ""
    return f"{policy}; frame-ancestors 'none'; script-src 'sha256-{digest}'; connect-src 'self'{frame}"


class Refused(Exception):
    """A request answered with an error status and a line of text."""

    def __init__(self, status: int, text: str):
        super().__init__(text)
        self.status = status
        self.text = text


class EditorServer:
    """The editor's HTTP server (and the preview's, unless preview=False). start() and close()."""

    def __init__(self, config_path: Path | str = "config.yaml", *, port: int = 0, week: str | None = None,
                 allowed_hosts: tuple[str, ...] | list[str] = (), preview: bool = True,
                 log: Callable[[str], None] | None = None):
        import jinja2

        self.config_path = Path(config_path)
        self.config = load_config(self.config_path)  # raises ConfigError with check's words
        self.store_dir = self.config.store_dir
        self.week = week
        self.log = log or (lambda line: print(line, flush=True))
        self.token = secrets.token_urlsafe(32)
        self.allowed_hosts = AllowedHosts(HOST, allowed_hosts)
        self.checker = SaveChecker(self.config_path)
        self._write_lock = threading.Lock()  # one save at a time: read, check and write together
        # Each file's entries, by the file's digest: a page opened finds its entry without the
        # round-trip parser reading every file of the store again.
        self._spans: dict[Path, tuple[str, list]] = {}
        folder = editor_pages()
        self.script = (folder / "editor.js").read_text(encoding="utf-8")
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=True)
        try:
            self.httpd = _server_class(HOST)((HOST, port), _handler_for(self))
        except OSError as exc:
            raise SitrepError(Problem("--port", 0, f"cannot listen on {HOST}:{port}: {exc.strerror or exc}",
                                      hint="pass --port 0 to pick a free port")) from None
        self.port = self.httpd.server_address[1]
        self.preview = None
        if preview:
            from sitrep.commands.serve import ReportServer

            origins = f"http://{HOST}:{self.port} http://localhost:{self.port}"
            try:
                self.preview = ReportServer(self.config_path, week=week, host=HOST, port=0,
                                            allowed_hosts=allowed_hosts, log=self.log, framed_by=origins)
            except BaseException:  # the editor's port is not left bound behind the error
                self.httpd.server_close()
                raise
        self.policy = editor_policy(self.script, self.preview.url.rstrip("/") if self.preview else None)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def start(self) -> "EditorServer":
        if self.preview is not None:
            self.preview.start()
        self._thread = threading.Thread(target=lambda: self.httpd.serve_forever(poll_interval=0.2),
                                        name="sitrep-edit", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        if self._thread is None:
            self.start()
        assert self._thread is not None
        while self._thread.is_alive():
            self._thread.join(0.5)

    def close(self) -> None:
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.httpd.server_close()
        if self.preview is not None:
            self.preview.close()
        self.checker.close()

    def __enter__(self) -> "EditorServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the store's files ------------------------------------------------------------------

    def store_files(self) -> dict[str, Path]:
        """The store's files by their name inside the store folder: the only files it writes."""
        return {path.relative_to(self.store_dir).as_posix(): path for path in find_store_files(self.store_dir)}

    def store_file(self, name: str) -> Path:
        path = self.store_files().get(name)
        if path is None:  # not one of the store's files: never written, whatever the name says
            raise Refused(400, f"{name!r} is not a file of the store folder ({display_path(self.store_dir)})\n")
        return path

    def locate(self, kind: str, entry_id: str):
        """(file name, StoreText, EntrySpan) of the entry; Refused 404 when no file holds it."""
        from sitrep.edit import yamledit

        for name, path in self.store_files().items():
            stored = yamledit.read_store_file(path)
            for span in self.spans(stored):
                if span.kind == kind and span.id == entry_id:
                    return name, stored, span
        raise Refused(404, f"no {KIND_SINGULAR.get(kind, kind)} with the id {entry_id!r} in the store\n")

    def spans(self, stored) -> list:
        """yamledit.entry_spans of a StoreText, remembered while the file's bytes stay the same."""
        from sitrep.edit import yamledit

        known = self._spans.get(stored.path)
        if known is None or known[0] != stored.digest:
            known = (stored.digest, yamledit.entry_spans(stored.text))
            self._spans[stored.path] = known
        return known[1]

    def default_file(self, kind: str) -> str:
        """Where a new entry of `kind` goes: its kind's own file for sources, places and actors;
        for the rest the newest month file (2016-06-fallujah.yaml), else a file holding the kind."""
        from sitrep.edit import yamledit

        files = self.store_files()
        holding = [name for name, path in files.items()
                   if any(span.kind == kind for span in self.spans(yamledit.read_store_file(path)))]
        months = sorted(name for name in files if MONTH_FILE.match(Path(name).name))
        if kind not in OWN_FILE_KINDS and months:
            return months[-1]
        return (holding or sorted(files) or [""])[0]

    def pickers(self):
        """The form's pickers from the store as it loads; empty while it does not check."""
        from sitrep.edit import forms
        from sitrep.pipeline import Workspace

        try:
            return forms.Pickers.from_store(Workspace.load(self.config_path).store)
        except SitrepError:
            return forms.Pickers(sources=[], places=[], actors=[])

    # -- pages ------------------------------------------------------------------------------

    def page(self, template: str, title: str, **values) -> str:
        preview_url = self.preview.url if self.preview is not None else ""
        return self.templates.get_template(template).render(
            title=title, token=self.token, script=Markup(self.script), kinds=list(KINDS), singular=KIND_SINGULAR,
            preview_url=preview_url, **values)

    def desk_page(self) -> str:
        return self.page("desk.html", "Desk", desk=desk_view.load_desk(self.config_path, self.week))

    def entry_page(self, kind: str, entry_id: str, *, data: dict | None = None, new_text: str | None = None,
                   file: str | None = None, refused: list[str] = (), message: str = "",
                   unreadable: dict[str, list[str]] | None = None, digest: str | None = None) -> str:
        # `digest`: the file's as the form was first opened, kept when the form comes back (a
        # problem, a list button), so that a change on disk meanwhile is still a conflict on save.
        """The form of an entry (or of a new one, entry_id ""), with check's problems at its fields."""
        from sitrep.edit import forms, yamledit

        if entry_id:
            file, stored, span = self.locate(kind, entry_id)
            line = span.start
        else:
            file = file or self.default_file(kind)
            stored, line = yamledit.read_store_file(self.store_file(file)), 0
        if data is None:
            data = yamledit.entry_data(stored.text, kind, entry_id) if entry_id else {}
        text = stored.text if new_text is None else new_text
        path = self.store_dir / file
        data_id = str(data.get("id") or entry_id)
        at_field, other = problems_by_field(self.checker.check(path, text), path, text, (kind, data_id))
        for name, messages in (unreadable or {}).items():  # what the form could not read (a word in a number field)
            at_field[name] = [*messages, *at_field.get(name, [])]
        action = f"/entry/{quote(kind)}/{quote(entry_id)}" if entry_id else f"/new/{quote(kind)}?file={quote(file)}"
        form_html = forms.render_form(kind, data, problems=at_field, pickers=self.pickers(), token=self.token,
                                      digest=digest or stored.digest, action=action)
        singular = KIND_SINGULAR.get(kind, kind)
        heading = f"{singular.capitalize()} {entry_id}" if entry_id else f"New {singular}"
        return self.page("entry.html", heading, heading=heading, kind=kind, entry_id=entry_id, file=file, line=line,
                         files=[] if entry_id else sorted(self.store_files()), other=other, refused=list(refused),
                         message=message, restricted=data.get("sensitivity") == "restricted",
                         form_html=Markup(form_html))

    # -- saving -----------------------------------------------------------------------------

    def save(self, kind: str, entry_id: str, fields: dict[str, str], file: str | None) -> tuple[int, str, str]:
        """Check and write one posted form: (status, page or '', the entry's URL to go to)."""
        from sitrep.edit import yamledit

        self.require_token(fields)
        digest = next((fields.pop(name) for name in DIGEST_FIELDS if name in fields), "")
        fields.pop("_save", None)
        button = {name: fields.pop(name) for name in ("_add", "_remove") if name in fields}
        data, unreadable = read_form(kind, fields)
        if button:  # "Add to ..." or "Remove ...": the form again, one item more or less; nothing written
            from sitrep.edit import forms

            data = forms.list_action(kind, data, button)
            return 200, self.entry_page(kind, entry_id, data=data, file=file, unreadable=unreadable, digest=digest), ""
        if unreadable:  # refused before anything is written, each problem at its field
            page = self.entry_page(kind, entry_id, data=data, file=file, unreadable=unreadable, digest=digest,
                                   refused=[f"{name}: {message}" for name, messages in unreadable.items()
                                            for message in messages])
            return 422, page, ""
        with self._write_lock:
            if entry_id:
                file, stored, _ = self.locate(kind, entry_id)
            else:
                stored = yamledit.read_store_file(self.store_file(file or ""))
            path = self.store_dir / file
            if not hmac.compare_digest(stored.digest, digest):
                return 409, self.conflict_page(kind, entry_id, file, data, stored.text), ""
            new_text = (yamledit.replace_entry(stored.text, kind, entry_id, data) if entry_id
                        else yamledit.add_entry(stored.text, kind, data))
            problems = self.checker.check(path, new_text)
            errors = errors_of(problems)
            if errors:
                page = self.entry_page(kind, entry_id, data=data, new_text=new_text, file=file,
                                       refused=[str(problem) for problem in errors])
                return 422, page, ""
            try:
                yamledit.write_store_file(path, new_text, digest, store_dir=self.store_dir)
            except yamledit.EditConflict:  # changed between our read and the write
                return 409, self.conflict_page(kind, entry_id, file, data, yamledit.read_store_file(path).text), ""
        saved_id = str(data.get("id", entry_id))
        self.log(f"saved {display_path(path)}: {KIND_SINGULAR.get(kind, kind)} {saved_id}")
        return 303, "", f"/entry/{quote(kind)}/{quote(saved_id)}?saved={quote(file)}"

    def conflict_page(self, kind: str, entry_id: str, file: str, yours: dict, current_text: str) -> str:
        from sitrep.edit import yamledit

        try:
            theirs = yamledit.entry_data(current_text, kind, entry_id) if entry_id else {}
        except (SitrepError, KeyError, ValueError):  # the entry is gone from the file, or renamed
            theirs = {}
        mine, disk = flattened(yours), flattened(theirs)
        rows = [(name, mine.get(name, ""), disk.get(name, "")) for name in dict.fromkeys([*mine, *disk])]
        reopen = f"/entry/{quote(kind)}/{quote(entry_id)}" if entry_id else f"/new/{quote(kind)}?file={quote(file)}"
        return self.page("conflict.html", "Conflict", file=display_path(self.store_dir / file), rows=rows,
                         reopen=reopen)

    def require_token(self, fields: dict) -> None:
        token = next((str(fields.pop(name)) for name in TOKEN_FIELDS if name in fields), "")
        if not hmac.compare_digest(token.encode(), self.token.encode()):
            raise Refused(403, "refused: this request does not carry the editor's session token "
                               "(open the page again from the URL sitrep edit printed)\n")

    # -- the JSON API -------------------------------------------------------------------------

    def api_check(self, request: dict) -> dict:
        """The problems the posted form would have if saved, by field: {fields, other, errors}."""
        from sitrep.edit import yamledit

        fields = {str(name): str(value) for name, value in dict(request.get("fields") or {}).items()}
        self.require_token({**fields, "_token": str(request.get("token", ""))})
        for name in (*TOKEN_FIELDS, *DIGEST_FIELDS):
            fields.pop(name, None)
        kind, entry_id = str(request.get("kind", "")), str(request.get("id", ""))
        if kind not in KINDS:
            raise Refused(400, f"unknown kind {kind!r}\n")
        data, unreadable = read_form(kind, fields)
        if unreadable:  # what the form cannot read is all there is to say until it is fixed
            return {"fields": unreadable, "other": [], "errors": sum(map(len, unreadable.values()))}
        if entry_id:
            file, stored, _ = self.locate(kind, entry_id)
            new_text = yamledit.replace_entry(stored.text, kind, entry_id, data)
        else:
            file = str(request.get("file") or self.default_file(kind))
            stored = yamledit.read_store_file(self.store_file(file))
            new_text = yamledit.add_entry(stored.text, kind, data)
        path = self.store_dir / file
        problems = self.checker.check(path, new_text)
        at_field, other = problems_by_field(problems, path, new_text, (kind, str(data.get("id") or entry_id)))
        return {"fields": at_field, "other": other, "errors": len(errors_of(problems))}

    def api_entries(self) -> list[dict]:
        from sitrep.edit import yamledit

        entries = []
        for name, path in self.store_files().items():
            stored = yamledit.read_store_file(path)
            document = parse_yaml_bytes(stored.text.encode("utf-8"), name).data  # once a file, not once an entry
            for span in self.spans(stored):
                data = document[span.kind][span.index]
                entries.append({"kind": span.kind, "id": span.id, "file": name, "line": span.start,
                                "restricted": isinstance(data, dict) and data.get("sensitivity") == "restricted"})
        return entries


def read_form(kind: str, fields: dict[str, str]) -> tuple[dict, dict[str, list[str]]]:
    """The entry a posted form holds, and by field what it could not read (forms.FormProblems):
    then the entry holds the text typed, for the form to show again."""
    from sitrep.edit import forms

    try:
        return forms.data_from_form(kind, fields), {}
    except forms.FormProblems as problems:
        return problems.data, problems.field_problems


def flattened(data, prefix: str = "") -> dict[str, str]:
    """An entry's values by form field name ("cited.0.source" -> "un-ocha"), as text."""
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return {prefix: "" if data is None else str(data)}
    flat: dict[str, str] = {}
    for key, value in items:
        flat.update(flattened(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def _handler_for(editor: EditorServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "sitrep-edit"
        sys_version = ""

        def do_GET(self) -> None:
            self._answer(self._get)

        def do_POST(self) -> None:
            self._answer(self._post)

        def _answer(self, route) -> None:
            host = self.headers.get("Host")
            try:
                if not editor.allowed_hosts.allows(host):
                    raise Refused(403, refusal(editor.allowed_hosts.name_to_allow(host)).replace("sitrep serve",
                                                                                                 "sitrep edit"))
                route(urlsplit(self.path))
            except Refused as refused:
                self._send(refused.status, TEXT, refused.text)
            except SitrepError as error:  # the user's files: check's words, never a traceback
                self._send(500, TEXT, "".join(f"{problem}\n" for problem in error.problems))
            except (BrokenPipeError, ConnectionResetError):
                pass
            except Exception as error:  # a bug in sitrep: shown, and the server keeps running
                try:
                    self._send(500, HTML, internal_error_page(error, "sitrep edit"))
                except OSError:
                    pass

        def _get(self, url) -> None:
            query = parse_qs(url.query)
            if url.path == "/":
                self._send(200, HTML, editor.desk_page())
            elif match := ENTRY_PATH.fullmatch(url.path):
                kind, entry_id = _kind(match.group(1)), unquote(match.group(2))
                saved = query.get("saved", [""])[0]
                message = f"Saved to {saved}: only this entry's lines changed." if saved else ""
                self._send(200, HTML, editor.entry_page(kind, entry_id, message=message))
            elif match := NEW_PATH.fullmatch(url.path):
                kind = _kind(match.group(1))
                self._send(200, HTML, editor.entry_page(kind, "", file=query.get("file", [""])[0] or None))
            elif url.path == "/api/entries":
                self._send(200, JSON, json.dumps(editor.api_entries(), ensure_ascii=False))
            else:
                raise Refused(404, "not found\n")

        def _post(self, url) -> None:
            body = self._body()
            if url.path == "/api/check":
                try:
                    request = json.loads(body)
                except ValueError:
                    raise Refused(400, "expected a JSON object: {token, kind, id, fields}\n") from None
                if not isinstance(request, dict):
                    raise Refused(400, "expected a JSON object: {token, kind, id, fields}\n")
                self._send(200, JSON, json.dumps(editor.api_check(request), ensure_ascii=False))
                return
            fields = {name: values[-1] for name, values in parse_qs(body.decode("utf-8", "replace"),
                                                                    keep_blank_values=True).items()}
            if match := ENTRY_PATH.fullmatch(url.path):
                status, page, location = editor.save(_kind(match.group(1)), unquote(match.group(2)), fields, None)
            elif match := NEW_PATH.fullmatch(url.path):
                file = parse_qs(url.query).get("file", [""])[0]
                editor.require_token(dict(fields))  # before the file is even looked at
                status, page, location = editor.save(_kind(match.group(1)), "", fields, file)
            else:
                raise Refused(404, "not found\n")
            if location:
                self._send(303, TEXT, "saved\n", headers={"Location": location})
            else:
                self._send(status, HTML, page)

        def _body(self) -> bytes:
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                raise Refused(411, "a POST needs a Content-Length\n") from None
            if length < 0 or length > MAX_BODY:
                raise Refused(413, f"a form is at most {MAX_BODY} bytes\n")
            return self.rfile.read(length)

        def _send(self, status: int, content_type: str, body: str, headers: dict[str, str] | None = None) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8" if ";" not in content_type else content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("Content-Security-Policy", editor.policy)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args) -> None:  # the console shows saves only
            pass

    return Handler


def _kind(name: str) -> str:
    if name not in KINDS:
        raise Refused(404, f"no kind {name!r}: one of {', '.join(KINDS)}\n")
    return name
