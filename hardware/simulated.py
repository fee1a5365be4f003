"""A badge reader made of text: one line per tap, from stdin, a FIFO or a Unix socket."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import selectors
import socket
import stat
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

from hardware.badge import (
    BadgeRead,
    GarbledRead,
    OnBadge,
    OnHealth,
    ReaderHealth,
    ReaderStats,
    mask_uid,
    normalise_uid,
)

log = logging.getLogger(__name__)

MAX_LINE_BYTES = 256  # far more than any UID; a runaway writer cannot fill memory


class _Lines:
    """Splits a byte stream into lines, refusing lines longer than MAX_LINE_BYTES."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._overlong = False

    def feed(self, data: bytes) -> list[str | None]:
        """Complete lines in *data*; None stands for an overlong line."""
        lines: list[str | None] = []
        self._buf += data
        while (nl := self._buf.find(b"\n")) >= 0:
            line = bytes(self._buf[:nl])
            del self._buf[: nl + 1]
            lines.append(None if self._overlong else line.decode("utf-8", "replace"))
            self._overlong = False
        if len(self._buf) > MAX_LINE_BYTES:
            if not self._overlong:
                lines.append(None)
            self._overlong = True
            self._buf.clear()
        return lines

    def flush(self) -> list[str | None]:
        """What is left when the writer goes away: `echo -n` has no newline."""
        return self.feed(b"\n") if self._buf else []


class SimulatedReader:
    """A BadgeReader for development, demos and tests: each line of text is one tap."""

    source = "simulated"

    def __init__(
        self,
        *,
        stdin: TextIO | None = None,
        fifo: str | Path | None = None,
        socket_path: str | Path | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        on_eof: Callable[[], None] | None = None,
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.stats = ReaderStats()
        # Short names for badges, e.g. the demo's number keys: "1" taps the first badge.
        self.aliases = dict(aliases or {})
        self.stdin_ended = threading.Event()  # set when the stdin stream has ended
        self.on_eof = on_eof
        self._stdin = stdin
        self._fifo = Path(fifo) if fifo is not None else None
        self._socket_path = Path(socket_path) if socket_path is not None else None
        self._monotonic = monotonic
        self._on_badge: OnBadge | None = None
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = os.pipe()  # close() writes here to stop select()
        self._closing = threading.Event()
        self._closed = False
        self._threads: list[threading.Thread] = []
        self._fifo_fd: int | None = None
        self._server: socket.socket | None = None
        self._socket_inode: int | None = None
        self._stdin_fd: int | None = None
        self._lock = threading.Lock()  # taps from the stdin thread and the select thread

    @property
    def health(self) -> ReaderHealth:
        """Always OK: there is no device to lose."""
        return ReaderHealth.OK

    def start(self, on_badge: OnBadge, on_health: OnHealth | None = None) -> None:
        """Open the configured sources and read them on background threads."""
        if self._on_badge is not None:
            raise RuntimeError("simulated reader already started")
        self._on_badge = on_badge
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        if self._fifo is not None:
            self._open_fifo(create=True)
        if self._socket_path is not None:
            self._listen(self._socket_path)
        if self._stdin is not None:
            self._watch_stdin(self._stdin)
        self._spawn(self._select_forever, "simulated-reader")
        if on_health is not None:
            on_health(ReaderHealth.OK)

    def close(self) -> None:
        """Stop every thread, close every source and remove the socket; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._closing.set()
        os.write(self._wake_w, b"x")
        for thread in self._threads:
            thread.join(timeout=2.0)
        for key in list(self._selector.get_map().values()):
            if isinstance(key.fileobj, socket.socket):
                key.fileobj.close()
            elif key.fileobj not in (self._wake_r, self._stdin_fd):
                os.close(key.fd)  # the FIFO; stdin belongs to whoever gave it to us
        self._selector.close()
        self._remove_socket_file()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def tap(self, text: str) -> None:
        """One tap from the keyboard of the demo window, handled like any other line."""
        if self._on_badge is None:
            raise RuntimeError("simulated reader not started")
        self._line("keys", text)

    def __enter__(self) -> SimulatedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- sources -----------------------------------------------------------------------

    def _open_fifo(self, *, create: bool) -> None:
        assert self._fifo is not None
        if create and not self._fifo.exists():
            os.mkfifo(self._fifo, 0o600)
        if not stat.S_ISFIFO(os.stat(self._fifo).st_mode):
            raise ValueError(f"{self._fifo} exists and is not a FIFO")
        # Non-blocking, so neither this open nor close() waits for a writer to appear.
        self._fifo_fd = os.open(self._fifo, os.O_RDONLY | os.O_NONBLOCK)
        self._selector.register(self._fifo_fd, selectors.EVENT_READ, ("fifo", _Lines()))

    def _listen(self, path: Path) -> None:
        _clear_stale_socket(path)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(path))
        # Nobody can connect before listen(), so chmod here leaves no open window.
        os.chmod(path, 0o600)
        server.listen()
        server.setblocking(False)
        self._server = server
        self._socket_inode = os.stat(path).st_ino
        self._selector.register(server, selectors.EVENT_READ, ("listen", None))

    def _watch_stdin(self, stream: TextIO) -> None:
        fd = _fileno(stream)
        if fd is not None and not stat.S_ISREG(os.fstat(fd).st_mode):
            try:
                self._selector.register(fd, selectors.EVENT_READ, ("stdin", _Lines()))
                self._stdin_fd = fd
                return
            except PermissionError:
                pass  # /dev/null and other devices epoll refuses: read them on a thread
        # An in-memory stream or a file redirected in (`< taps.txt`) never blocks, and
        # epoll refuses plain files: a plain thread reads it to the end.
        self._spawn(lambda: self._read_stream(stream), "simulated-stdin")

    def _read_stream(self, stream: TextIO) -> None:
        for line in stream:
            if self._closing.is_set():
                return
            self._line("stdin", line)
        self._stdin_eof()

    # -- the loop ----------------------------------------------------------------------

    def _select_forever(self) -> None:
        while not self._closing.is_set():
            for key, _ in self._selector.select():
                if key.data is None or self._closing.is_set():
                    return
                kind, lines = key.data
                if kind == "listen":
                    self._accept()
                else:
                    self._receive(key, kind, lines)

    def _accept(self) -> None:
        assert self._server is not None
        try:
            conn, _ = self._server.accept()
        except BlockingIOError:
            return
        conn.setblocking(False)
        self._selector.register(conn, selectors.EVENT_READ, ("socket", _Lines()))

    def _receive(self, key: selectors.SelectorKey, kind: str, lines: _Lines) -> None:
        try:
            data = os.read(key.fd, 4096)  # a socket's fd reads like any other
        except BlockingIOError:
            return
        except OSError as exc:
            log.warning("simulated %s source failed: %s", kind, exc)
            data = b""
        for line in lines.feed(data) if data else lines.flush():
            self._line(kind, line)
        if data:
            return
        # The writer is gone.
        self._selector.unregister(key.fileobj)
        if kind == "socket":
            key.fileobj.close()  # type: ignore[union-attr]
        elif kind == "fifo":
            # Reopen, so the next `echo ... > fifo` is read too.
            os.close(key.fd)
            try:
                self._open_fifo(create=True)
            except (OSError, ValueError) as exc:
                self.stats.count("errors")
                log.error("simulated reader cannot reopen its FIFO: %s", exc)
        elif kind == "stdin":
            self._stdin_eof()

    def _stdin_eof(self) -> None:
        log.info("simulated reader: stdin ended")
        self.stdin_ended.set()
        if self.on_eof is not None:
            self.on_eof()

    def _line(self, kind: str, line: str | None) -> None:
        """One line of text: a tap, nothing (blank or #comment), or a garbled read."""
        if line is None:
            self._garbled(kind, "overlong line")
            return
        text = line.strip()
        if not text or text.startswith("#"):
            return
        text = self.aliases.get(text, text)
        try:
            uid = normalise_uid(text)
        except GarbledRead as exc:
            self._garbled(kind, f"{len(text)} characters, {exc}")
            return
        self.stats.count("taps")
        log.debug("badge %s from %s", mask_uid(uid), kind)
        with self._lock:
            assert self._on_badge is not None
            try:
                self._on_badge(BadgeRead(uid=uid, source=self.source, monotonic=self._monotonic()))
            except Exception:
                # The reader outlives a bug downstream; the next tap must still arrive.
                self.stats.count("errors")
                log.exception("badge callback failed")

    def _garbled(self, kind: str, why: str) -> None:
        self.stats.count("garbled")
        # Never the text itself: a garbled line may still be most of someone's badge id.
        log.warning("garbled line from %s ignored (%s)", kind, why)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _remove_socket_file(self) -> None:
        if self._socket_path is None or self._socket_inode is None:
            return
        with contextlib.suppress(FileNotFoundError):
            # Only our own socket: another instance may have taken the path since.
            if os.stat(self._socket_path).st_ino == self._socket_inode:
                os.unlink(self._socket_path)


def _fileno(stream: TextIO) -> int | None:
    try:
        return stream.fileno()
    except (io.UnsupportedOperation, AttributeError, ValueError):
        return None


def _clear_stale_socket(path: Path) -> None:
    """Remove a socket file left by a crash; refuse if someone still listens there."""
    if not path.exists():
        return
    if not stat.S_ISSOCK(os.stat(path).st_mode):
        raise FileExistsError(f"{path} exists and is not a socket")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(str(path))
    except OSError:
        os.unlink(path)  # nobody home: a leftover
    else:
        raise RuntimeError(f"another process is listening on {path}")
    finally:
        probe.close()
