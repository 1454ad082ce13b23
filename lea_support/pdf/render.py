"""The one way this service makes PDFs: WeasyPrint, fed escaped HTML built from plain data, with
no access to files or the network, and limits on time, pages and size.

Callers build plain dicts (never ORM objects) and name a template; `render_pdf` renders it with
the application's Jinja environment (autoescaping on, as for every .html template) and returns
the PDF as bytes. The only things a template may load are this module's packaged assets, by
`lea-asset:name` (files in lea_support/pdf/static/), while the page is laid out. Once it is
laid out the fetcher is sealed: nothing at all is fetched while the PDF is written, so a
`rel=attachment` link or `<link rel="attachment">` embeds nothing, not even a packaged asset.
Every other URL (file:, http(s): to anywhere including 127.0.0.1, data:, a redirect, an `@import`
of any of them) is refused and logged; the PDF still renders without it.

WeasyPrint cannot be interrupted, so a server process never runs it itself: the HTML is built
here (Jinja, with the app) and only the HTML string and the limits go to a worker process from a
small warm pool (`RenderPool`: processes forked from the forkserver with WeasyPrint imported,
kept between renders). A render still going at the time limit is killed with its process, so its
CPU and memory come back at once, and the process is replaced. At most `PDF_MAX_CONCURRENT`
renders run at a time per server process; a caller that cannot get a turn within
`PDF_BUSY_WAIT_SECONDS` is refused with `PdfBusy`. Work that is itself a worker process (bulk
governor reports) renders in its own process instead (`rendering_in_process`).
"""
from __future__ import annotations

import atexit
import io
import logging
import multiprocessing
import os
import re
import signal
import threading
import time
import warnings
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..extensions import db

LOGGER = logging.getLogger(__name__)
ASSET_SCHEME = "lea-asset"
STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
ASSET_TYPES = {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}
_ASSET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.[a-z]+$")
PDF_VARIANT = "pdf/ua-1"  # tagged, with a title and language, so screen readers can read it
LANG = "en-GB"
# Outside an app (a script, a test of the renderer alone), the configured defaults.
DEFAULT_MAX_CONCURRENT = 2
DEFAULT_BUSY_WAIT_SECONDS = 2.0
DEFAULT_WORKER_MAX_RENDERS = 200


class PdfRenderError(Exception):
    """The PDF could not be made within the limits (time, pages, size) or WeasyPrint failed."""


class PdfTooLarge(PdfRenderError):
    """The document is beyond the limits: more pages or bytes than allowed, or it took longer
    than the time limit to make (its render was stopped). `why` says which, for the user."""

    def __init__(self, message: str, why: str = "") -> None:
        super().__init__(message)
        self.why = why or message


class PdfBusy(PdfRenderError):
    """Every render this server process may run at once is taken: try again shortly."""


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


class AssetOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves this module's packaged assets and refuses every
    other URL: no file:, no http(s), no data:, and so no redirects to follow either. Sealed
    (after layout), it refuses everything, so that nothing is ever attached to a PDF."""

    def __init__(self, extra: dict[str, tuple[bytes, str]] | None = None) -> None:
        super().__init__(allowed_protocols=[ASSET_SCHEME], allow_redirects=False, fail_on_errors=False)
        self.refused: list[str] = []
        self.sealed = False
        # The document's own assets, held in memory (the letterhead's logo, checked when it was saved).
        self.extra = dict(extra or {})

    def seal(self) -> None:
        self.sealed = True

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        scheme, _, name = url.partition(":")
        if not self.sealed and scheme.lower() == ASSET_SCHEME and name in self.extra:
            body, content_type = self.extra[name]
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})
        path = None if self.sealed else asset_path(url)
        if path is None:
            self.refused.append(url)
            LOGGER.warning("PDF renderer refused to fetch %.200s", url)
            raise ValueError(f"Refused to fetch {url[:200]!r}: PDFs may only use packaged assets")
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": ASSET_TYPES[path.suffix]})

    def open(self, url: Any, data: Any = None, timeout: Any = None) -> URLFetcherResponse:
        # Never fall back on urllib's opener, whatever WeasyPrint hands us.
        return self.fetch(getattr(url, "full_url", url))


def asset_path(url: str) -> Path | None:
    """The packaged file a `lea-asset:name` URL names, or None for anything else."""
    scheme, colon, name = url.partition(":")
    if not colon or scheme.lower() != ASSET_SCHEME:
        return None
    if not _ASSET_NAME.match(name):  # a flat name: no folders, no '..', no query
        return None
    path = STATIC_DIR / name
    if path.suffix not in ASSET_TYPES or not path.is_file():
        return None
    return path


def _jinja_env(app: Flask) -> Environment:
    """The app's Jinja environment (same autoescaping, filters and blueprints' templates) that
    can also see reports/templates/, which belongs to no blueprint."""
    env = app.extensions.get("lea_support.pdf_jinja")
    if env is None:
        env = app.jinja_env.overlay(loader=ChoiceLoader([FileSystemLoader(str(TEMPLATES_DIR)), app.jinja_env.loader]))
        app.extensions["lea_support.pdf_jinja"] = env
    return env


def render_html(template_name: str, *, title: str, author: str, context: dict[str, Any]) -> str:
    template = _jinja_env(current_app).get_template(template_name)
    return template.render(**context, title=title, author=author, lang=LANG)


# Setting up fonts is a good part of a small document's render: one configuration serves every
# render in the process. Only one render uses it at a time; another at the same moment (or one
# after an abandoned render still holding it) gets a fresh configuration instead of waiting.
_FONTS = FontConfiguration()
_FONTS_LOCK = threading.Lock()


def _size_words(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"


def _too_long(timeout: float) -> PdfTooLarge:
    return PdfTooLarge("The PDF took too long to make", why=f"making it took longer than {timeout:g} seconds")


class _CappedBuffer(io.BytesIO):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.limit:
            raise PdfTooLarge(f"The PDF would be larger than {self.limit} bytes",
                              why=f"it would be larger than {_size_words(self.limit)}")
        return super().write(data)


def _lay_out_and_write(html: str, *, title: str, author: str, max_bytes: int, max_pages: int,
                       fetcher: AssetOnlyFetcher, fonts: FontConfiguration, check_time: Any) -> RenderedPdf:
    """The render itself, in the calling thread: lay out, seal the fetcher, check the limits,
    set the PDF/UA metadata and write into a capped buffer."""
    document = HTML(string=html, base_url=None, url_fetcher=fetcher).render(font_config=fonts)
    # Laid out: from here on nothing is fetched, so no file is ever attached to the PDF.
    fetcher.seal()
    document.metadata.attachments = []
    check_time()
    if len(document.pages) > max_pages:
        raise PdfTooLarge(f"The PDF would have more than {max_pages} pages",
                          why=f"it would run to more than {max_pages} pages")
    pages = len(document.pages)
    document.metadata.title = title
    document.metadata.authors = [author]
    document.metadata.lang = LANG
    document.metadata.generator = "LEA Support"
    target = _CappedBuffer(max_bytes)
    # The finisher runs just before the file is written: a render that overran stops there.
    document.write_pdf(target, pdf_variant=PDF_VARIANT, finisher=check_time)
    return RenderedPdf(target.getvalue(), pages)


def _as_render_error(err: BaseException) -> PdfRenderError:
    if isinstance(err, PdfRenderError):
        return err
    if isinstance(err, MemoryError):
        return PdfTooLarge("The PDF needed more memory than this server has", why="it needed too much memory to make")
    return PdfRenderError(f"The PDF could not be made: {err}")


# --- rendering in this process (bulk workers, which are worker processes themselves) ----------------------

_IN_PROCESS: ContextVar[bool] = ContextVar("lea_support_pdf_in_process", default=False)


@contextmanager
def rendering_in_process() -> Iterator[None]:
    """Render in the calling process inside the block, not in the pool: for code that already
    runs in a worker process of its own (bulk governor reports, RQ jobs), where a pool of
    further processes would only add start-up time. The time limit there stops waiting; the
    caller's own process is what a runaway render costs."""
    token = _IN_PROCESS.set(True)
    try:
        yield
    finally:
        _IN_PROCESS.reset(token)


def _render_in_thread(html: str, *, title: str, author: str, timeout: float, max_bytes: int, max_pages: int,
                      fetcher: AssetOnlyFetcher) -> RenderedPdf:
    deadline = time.monotonic() + timeout
    outcome: dict[str, Any] = {}
    abandoned = threading.Event()

    def check_time(*_: Any) -> None:
        if abandoned.is_set() or time.monotonic() > deadline:
            raise _too_long(timeout)

    def work() -> None:
        shared = _FONTS_LOCK.acquire(blocking=False)
        try:
            outcome["pdf"] = _lay_out_and_write(
                html, title=title, author=author, max_bytes=max_bytes, max_pages=max_pages, fetcher=fetcher,
                fonts=_FONTS if shared else FontConfiguration(), check_time=check_time)
        except BaseException as err:  # handed back to the caller's thread
            outcome["error"] = err
        finally:
            if shared:
                _FONTS_LOCK.release()

    # The request stops waiting at the deadline; an abandoned render gives up at its next check.
    worker = threading.Thread(target=work, name="pdf-render", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        abandoned.set()
        raise _too_long(timeout)
    if "error" in outcome:
        err = outcome["error"]
        converted = _as_render_error(err)
        if converted is err:
            raise err
        raise converted from err
    return outcome["pdf"]  # type: ignore[no-any-return]  # bytes from the worker's reply


# --- the pool of render processes ---------------------------------------------------------------------------

# The forkserver is one per process, shared with bulk generation (governor_reports.bulk.pool): whichever starts
# it first, it imports the app's modules and WeasyPrint once, and every worker forks from it ready.
FORKSERVER_PRELOAD = ["lea_support.governor_reports.bulk.pool", "lea_support.governor_reports.services"]


def process_context() -> Any:
    """The multiprocessing context for render and bulk workers: forked from a forkserver that has
    imported WeasyPrint (cheap to start, and safe from a threaded server process)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(FORKSERVER_PRELOAD)
    return context


def _serve(conn: Any) -> None:
    """A render process: take jobs (HTML and limits) until told to stop or the server goes away.
    Each reply carries the refused URLs and warnings, for the server process to log and raise."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops us itself
    LOGGER.disabled = True  # refusals are logged by the server process, with its logging
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fetcher = AssetOnlyFetcher(job.pop("assets", None))
        timeout = job.pop("timeout")
        deadline = time.monotonic() + timeout

        def check_time(*_: Any) -> None:
            if time.monotonic() > deadline:  # the server kills us at the limit; this is a backstop
                raise _too_long(timeout)

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                rendered = _lay_out_and_write(fetcher=fetcher, fonts=_FONTS, check_time=check_time, **job)
                reply: tuple[Any, ...] = ("ok", (rendered.data, rendered.pages))
            except BaseException as err:  # noqa: BLE001 (every failure goes back as a PdfRenderError)
                reply = ("error", _as_render_error(err))
            finally:
                job = rendered = None  # not holding the last document while waiting for the next
        shown = [(w.category, str(w.message)) for w in caught]
        try:
            conn.send((*reply, fetcher.refused, shown))
        except (OSError, ValueError):
            return
        reply = None


class _Worker:
    """One render process and the pipe to it."""

    def __init__(self, context: Any) -> None:
        ours, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs,), name="lea-pdf-render", daemon=True)
        self.process.start()
        theirs.close()
        self.conn = ours
        self.pid: int = self.process.pid
        self.renders = 0

    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        """Stop at once (SIGKILL): its CPU and memory come back when this returns."""
        self.process.kill()
        self.process.join()
        self._close()

    def stop(self) -> None:
        """Ask it to finish, and kill it if it does not."""
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self._close()

    def _close(self) -> None:
        self.conn.close()
        self.process.close()


class RenderPool:
    """Render processes for one server process: at most `max_concurrent` renders at a time (the
    cap is read per call, from the app's settings), idle processes kept warm between renders,
    and a render that overruns its time killed with its process."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self._context = process_context()
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._running = 0
        self._closed = False
        # For tests and the benchmark: the processes killed at the time limit (pid, seconds from
        # the limit passing until the process was gone), and how many renders were made.
        self.killed: deque[tuple[int, float]] = deque(maxlen=100)
        self.renders = 0

    @contextmanager
    def slot(self, max_concurrent: int, wait: float) -> Iterator[None]:
        """A turn to render, or PdfBusy if none comes free within `wait` seconds."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._running < max(1, max_concurrent), timeout=wait):
                raise PdfBusy("Every PDF this server may make at once is being made")
            self._running += 1
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify()

    def worker_pids(self) -> list[int]:
        with self._cond:
            return [w.pid for w in self._idle]

    def _checkout(self) -> _Worker:
        dead = []
        worker = None
        with self._cond:
            while self._idle and worker is None:
                candidate = self._idle.pop()
                if candidate.alive():
                    worker = candidate
                else:
                    dead.append(candidate)
        for gone in dead:
            gone.kill()
        if worker is not None:
            return worker
        try:
            return _Worker(self._context)
        except OSError as err:  # no process to be had (the machine is out of them, or of memory)
            LOGGER.error("Could not start a PDF render process: %s", err)
            raise PdfBusy("No PDF render process could be started") from err

    def _checkin(self, worker: _Worker, keep: int, max_renders: int) -> None:
        with self._cond:
            if not self._closed and len(self._idle) < keep and worker.renders < max_renders:
                self._idle.append(worker)
                return
        worker.stop()  # a surplus process, or one retired after many renders (memory it may hold)

    def render(self, job: dict[str, Any], *, timeout: float, max_concurrent: int, wait: float,
               max_renders: int = DEFAULT_WORKER_MAX_RENDERS) -> tuple[Any, ...]:
        """Run one job in a worker within `timeout` seconds and return its reply; kill the worker
        (and raise PdfTooLarge) if it is still going then."""
        with self.slot(max_concurrent, wait):
            worker = self._checkout()
            try:
                started = time.monotonic()
                worker.conn.send({**job, "timeout": timeout})
                left = timeout - (time.monotonic() - started)
                reply = worker.conn.recv() if left > 0 and worker.conn.poll(left) else None
            except BaseException as err:
                worker.kill()
                if isinstance(err, (OSError, EOFError)):  # the process died under the render (memory, a crash)
                    LOGGER.error("A PDF render process (pid %s) stopped during a render: %s", worker.pid, err)
                    raise PdfRenderError("The PDF could not be made: its render process stopped") from err
                raise
            if reply is None:
                limit_passed = time.monotonic()
                pid = worker.pid
                worker.kill()
                self.killed.append((pid, time.monotonic() - limit_passed))
                LOGGER.warning("A PDF render went over its %g s limit: its process (pid %s) was killed", timeout, pid)
                raise _too_long(timeout)
            worker.renders += 1
            self.renders += 1
            self._checkin(worker, keep=max_concurrent, max_renders=max_renders)
            return reply  # type: ignore[no-any-return]  # the worker's reply dict

    def shutdown(self) -> None:
        """Stop the idle processes; any still rendering are stopped when they come back."""
        if os.getpid() != self.pid:  # a forked copy: the processes are the parent's
            return
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()


_POOL: RenderPool | None = None
_POOL_LOCK = (os.getpid(), threading.Lock())


def render_pool() -> RenderPool:
    """This process's pool, started on first use and stopped at exit. A forked process (a gunicorn
    worker forked after its master rendered) starts a pool of its own: the processes are the
    parent's, and so may be the lock."""
    global _POOL, _POOL_LOCK
    pid = os.getpid()
    pool = _POOL
    if pool is not None and pool.pid == pid:
        return pool
    if _POOL_LOCK[0] != pid:
        _POOL_LOCK = (pid, threading.Lock())
    with _POOL_LOCK[1]:
        if _POOL is None or _POOL.pid != pid:
            _POOL = RenderPool()
            atexit.register(_POOL.shutdown)
        return _POOL


def _pool_settings() -> tuple[int, float, int]:
    if not has_app_context():
        return DEFAULT_MAX_CONCURRENT, DEFAULT_BUSY_WAIT_SECONDS, DEFAULT_WORKER_MAX_RENDERS
    config = current_app.config
    return (int(config.get("PDF_MAX_CONCURRENT", DEFAULT_MAX_CONCURRENT)),
            float(config.get("PDF_BUSY_WAIT_SECONDS", DEFAULT_BUSY_WAIT_SECONDS)),
            int(config.get("PDF_WORKER_MAX_RENDERS", DEFAULT_WORKER_MAX_RENDERS)))


def html_to_pdf(html: str, *, title: str, author: str, timeout: float, max_bytes: int, max_pages: int,
                fetcher: AssetOnlyFetcher | None = None) -> bytes:
    """Lay out escaped HTML and write a tagged PDF, within the limits given."""
    return html_to_rendered_pdf(html, title=title, author=author, timeout=timeout, max_bytes=max_bytes,
                                max_pages=max_pages, fetcher=fetcher).data


def html_to_rendered_pdf(html: str, *, title: str, author: str, timeout: float, max_bytes: int, max_pages: int,
                         fetcher: AssetOnlyFetcher | None = None,
                         assets: dict[str, tuple[bytes, str]] | None = None) -> RenderedPdf:
    """As `html_to_pdf`, with the number of pages. Made in a render process (killed if still
    going at `timeout`); a `fetcher` given gets the URLs the render refused, and is sealed.
    `assets` are the document's own (name: (bytes, type)), served as `lea-asset:name`."""
    if _IN_PROCESS.get():
        if fetcher is None:
            fetcher = AssetOnlyFetcher(assets)
        elif assets:
            fetcher.extra.update(assets)
        return _render_in_thread(html, title=title, author=author, timeout=timeout, max_bytes=max_bytes,
                                 max_pages=max_pages, fetcher=fetcher)
    max_concurrent, wait, max_renders = _pool_settings()
    job = {"html": html, "title": title, "author": author, "max_bytes": max_bytes, "max_pages": max_pages,
           "assets": {**(fetcher.extra if fetcher else {}), **(assets or {})}}
    outcome, payload, refused, shown = render_pool().render(job, timeout=timeout, max_concurrent=max_concurrent,
                                                            wait=wait, max_renders=max_renders)
    for url in refused:
        LOGGER.warning("PDF renderer refused to fetch %.200s", url)
    if fetcher is not None:
        fetcher.refused.extend(refused)
        fetcher.seal()
    for category, message in shown:  # so that warnings are errors in the tests, as they were in-process
        warnings.warn(message, category, stacklevel=2)
    if outcome == "error":
        raise payload
    data, pages = payload
    return RenderedPdf(data, pages)


def _require_plain(value: Any, where: str = "context") -> None:
    """Refuse ORM objects: a template handed one could reach any attribute or relationship."""
    if isinstance(value, db.Model):
        raise TypeError(f"{where} holds a {type(value).__name__}: build plain data for PDF templates")
    if isinstance(value, dict):
        for key, item in value.items():
            _require_plain(item, f"{where}[{key!r}]")
    elif isinstance(value, (list, tuple, set, frozenset)):
        for index, item in enumerate(value):
            _require_plain(item, f"{where}[{index}]")


@dataclass(frozen=True)
class PreparedHtml:
    """A document's HTML and the limits it is made within: all that crosses to a render process."""
    html: str
    title: str
    author: str
    timeout: float
    max_bytes: int
    max_pages: int
    assets: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def render(self) -> RenderedPdf:
        return html_to_rendered_pdf(self.html, title=self.title, author=self.author, timeout=self.timeout,
                                    max_bytes=self.max_bytes, max_pages=self.max_pages, assets=self.assets)


def prepare_html(template_name: str, *, title: str, author: str, context: dict[str, Any],
                 max_pages: int | None = None) -> PreparedHtml:
    """Build a document's HTML here, with the app (plain data only), and its limits."""
    from .letterhead import letterhead_for_pdf

    _require_plain(context)
    config = current_app.config
    limit = int(config.get("PDF_MAX_PAGES", 300))
    letterhead, assets = letterhead_for_pdf()  # every PDF is printed on the authority's letterhead
    html = render_html(template_name, title=title, author=author, context={"letterhead": letterhead, **context})
    return PreparedHtml(html, title, author, timeout=float(config.get("PDF_RENDER_TIMEOUT_SECONDS", 20)),
                        max_bytes=int(config.get("PDF_MAX_BYTES", 20 * 1024 * 1024)),
                        max_pages=min(limit, max_pages) if max_pages else limit, assets=assets)


def render_pdf(template_name: str, *, title: str, author: str, context: dict[str, Any]) -> bytes:
    """Render a template with plain data into a tagged (PDF/UA-1), en-GB PDF with the given
    title and author. Every PDF in the service is made here."""
    return render_document(template_name, title=title, author=author, context=context).data


def render_document(template_name: str, *, title: str, author: str, context: dict[str, Any],
                    max_pages: int | None = None) -> RenderedPdf:
    """As `render_pdf`, with the number of pages; `max_pages` may lower the configured limit
    (a one-page summary that runs over is refused rather than quietly growing)."""
    return prepare_html(template_name, title=title, author=author, context=context, max_pages=max_pages).render()
