"""The preview's HTTP server: 127.0.0.1 only, a fixed list of routes, nothing else.

    /                          the page (toolbar, picker, the printed pages or an error panel)
    /content                   the same <main> content as JSON, fetched after each change
    /events                    Server-Sent Events: "change" whenever a watched file is saved
    /pages/<id>/<n>.svg        page n of rendering <id> (a hash of the PDF bytes)
    /download/docx, /download/pdf   the current report, built from the same rendering
    /static/preview.css, /static/preview.js

The survey and template set are chosen by query parameters (?survey=zhucheng&template=default)
and accepted only if they name one of the listed surveys or sets, so no request can reach a
file by path: there is no file serving, no directory listing, and anything else is a 404.
Requests whose Host is not this server (a web page using DNS rebinding) are refused.
"""

from __future__ import annotations

import json
import re
import socketserver
import unicodedata
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

from reportgen.errors import ReportgenError
from reportgen.preview import assets, page
from reportgen.preview.state import Choice, PreviewState

HOST = "127.0.0.1"
_PAGE_ROUTE = re.compile(r"/pages/([0-9a-f]{16})/([1-9][0-9]{0,3})\.svg")
_KEEPALIVE_SECONDS = 15.0

_CSP_PAGE = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
             "frame-ancestors 'none'")
# A page drawing is shown only through <img>, where SVG never runs scripts; the policy is a
# second lock should someone open it directly. Charts are embedded as data: PNGs.
_CSP_SVG = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_DOWNLOADS = {
    "/download/docx": (".docx",
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "/download/pdf": (".pdf", "application/pdf"),
}
_STATIC = {
    "/static/preview.css": ("text/css; charset=utf-8", assets.CSS),
    "/static/preview.js": ("text/javascript; charset=utf-8", assets.JS),
}


def download_name(title: str, fallback: str, suffix: str) -> str:
    """A file name from the report title, without characters Windows or shells dislike."""
    cleaned = "".join(c for c in title if c not in '\\/:*?"<>|'
                      and unicodedata.category(c)[0] != "C").strip(" .")
    return (cleaned[:120] or fallback) + suffix


def content_disposition(filename: str, fallback: str) -> str:
    """attachment with an ASCII fallback name and the real (Chinese) name per RFC 5987."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]", "_", fallback) or "report"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "reportgen-preview"
    sys_version = ""
    protocol_version = "HTTP/1.0"  # one request per connection; the event stream ends at close

    def log_message(self, format: str, *args: object) -> None:
        pass  # the terminal stays for the address and real problems, not every request

    # ---- plumbing ---------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, *,
              headers: dict[str, str] | None = None, head: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        all_headers = {"Cache-Control": "no-store", "Content-Security-Policy": _CSP_PAGE}
        all_headers.update(headers or {})
        for name, value in all_headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _html(self, status: int, html: str, head: bool = False) -> None:
        self._send(status, html.encode("utf-8"), "text/html; charset=utf-8", head=head)

    def _message(self, status: int, title: str, message: str, head: bool = False) -> None:
        self._html(status, page.message_page(title, message), head)

    def _not_found(self, head: bool = False) -> None:
        self._message(HTTPStatus.NOT_FOUND, "没有这个页面",
                      "预览服务只提供报告预览和下载，不提供其他文件。", head)

    def _host_ok(self) -> bool:
        host = self.headers.get("Host")
        if host is None:
            return True
        port = self.server.port
        return host.lower() in (f"{HOST}:{port}", f"localhost:{port}")

    def _choice(self, params: dict[str, list[str]]) -> Choice:
        def one(name: str) -> str | None:
            values = params.get(name)
            return values[0] if values else None

        return self.server.state.choose(one("survey"), one("template"))

    # ---- methods ----------------------------------------------------------------------

    def do_GET(self) -> None:
        self._handle(head=False)

    def do_HEAD(self) -> None:
        self._handle(head=True)

    def _refuse_method(self) -> None:
        self._message(HTTPStatus.METHOD_NOT_ALLOWED, "不支持的请求", "预览服务只接受 GET 请求。")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse_method

    def _handle(self, head: bool) -> None:
        if not self._host_ok():
            self._message(HTTPStatus.FORBIDDEN, "拒绝访问",
                          f"预览服务只接受本机浏览器通过 {self.server.url} 访问。", head)
            return
        parts = urlsplit(self.path)
        try:
            params = parse_qs(parts.query, keep_blank_values=True, max_num_fields=8)
        except ValueError:
            self._not_found(head)
            return
        route = parts.path
        try:
            if route == "/":
                self._page(params, head)
            elif route == "/content":
                self._content(params, head)
            elif route == "/events" and not head:
                self._events()
            elif route in _STATIC:
                content_type, text = _STATIC[route]
                self._send(HTTPStatus.OK, text.encode("utf-8"), content_type,
                           headers={"Cache-Control": "no-cache"}, head=head)
            elif route in _DOWNLOADS:
                self._download(route, params, head)
            elif route == "/favicon.ico":  # browsers ask for it; answer "none" quietly
                self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon", head=True)
            elif match := _PAGE_ROUTE.fullmatch(route):
                self._page_svg(match.group(1), int(match.group(2)), head)
            else:
                self._not_found(head)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            pass  # the browser went away (page reloaded while loading): nothing to answer
        except ReportgenError as exc:
            self._message(HTTPStatus.INTERNAL_SERVER_ERROR, "无法生成预览", str(exc), head)

    # ---- routes -----------------------------------------------------------------------

    def _page(self, params: dict[str, list[str]], head: bool) -> None:
        state = self.server.state
        try:
            choice = self._choice(params)
        except LookupError as exc:
            panel = page.error_panel(state, ReportgenError(str(exc)))
            self._html(HTTPStatus.NOT_FOUND, page.shell(state, None, None, panel), head)
            return
        rendering = state.rendering(choice)
        main = page.content_html(state, rendering)
        self._html(HTTPStatus.OK, page.shell(state, choice, rendering, main), head)

    def _content(self, params: dict[str, list[str]], head: bool) -> None:
        state = self.server.state
        try:
            choice = self._choice(params)
        except LookupError as exc:
            data = {"id": "", "ok": False, "status": "找不到", "title": "",
                    "html": page.error_panel(state, ReportgenError(str(exc)))}
            status = HTTPStatus.NOT_FOUND
        else:
            rendering = state.rendering(choice)
            text, _ = page.status(rendering)
            data = {"id": rendering.id, "ok": rendering.ok, "status": text,
                    "title": rendering.title, "html": page.content_html(state, rendering),
                    "picker": page.picker(state, choice, rendering)}
            status = HTTPStatus.OK
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8", head=head)

    def _events(self) -> None:
        state = self.server.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        seen = state.generation
        self.wfile.write(b"retry: 1000\n\n")
        self.wfile.flush()
        while not state.stopped:
            now = state.wait_change(seen, _KEEPALIVE_SECONDS)
            if state.stopped:
                break
            if now != seen:
                seen = now
                self.wfile.write(f"event: change\ndata: {now}\n\n".encode())
            else:
                self.wfile.write(b": keep-alive\n\n")  # notices a closed tab, keeps proxies open
            self.wfile.flush()

    def _page_svg(self, rendering_id: str, number: int, head: bool) -> None:
        rendering = self.server.state.by_id(rendering_id)
        svg = rendering.page_svg(number) if rendering is not None else None
        if svg is None:
            self._not_found(head)
            return
        # The URL names the content (hash of the PDF), so the drawing never changes under it.
        self._send(HTTPStatus.OK, svg, "image/svg+xml",
                   headers={"Cache-Control": "private, max-age=86400, immutable",
                            "Content-Security-Policy": _CSP_SVG}, head=head)

    def _download(self, route: str, params: dict[str, list[str]], head: bool) -> None:
        state = self.server.state
        try:
            choice = self._choice(params)
        except LookupError as exc:
            self._message(HTTPStatus.NOT_FOUND, "找不到", str(exc), head)
            return
        rendering = state.rendering(choice)
        if not rendering.ok:
            self._message(HTTPStatus.CONFLICT, "当前报告有错误，暂时不能下载",
                          f"请先改正预览页上显示的错误：{rendering.error}", head)
            return
        suffix, content_type = _DOWNLOADS[route]
        data = rendering.pdf if suffix == ".pdf" else rendering.docx()
        stem = choice.survey.stem
        name = download_name(rendering.title, stem, suffix)
        self._send(HTTPStatus.OK, data, content_type, head=head,
                   headers={"Content-Disposition": content_disposition(name, stem + suffix)})


class PreviewServer(ThreadingHTTPServer):
    """Serves one PreviewState on 127.0.0.1; port 0 picks a free port."""

    daemon_threads = True  # an open event stream must not keep the process alive at Ctrl-C
    allow_reuse_address = True

    def __init__(self, state: PreviewState, port: int = 0) -> None:
        self.state = state
        super().__init__((HOST, port), PreviewHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks up the host's name (reverse DNS), which can hang for
        # seconds on an office machine with a bad DNS setting; the name is known.
        socketserver.TCPServer.server_bind(self)
        self.server_name = HOST
        self.server_port = self.port

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def close(self) -> None:
        """Stop the event streams and release the port (after serve_forever has returned)."""
        self.state.stop()
        self.server_close()
