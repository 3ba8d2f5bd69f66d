"""Alert delivery: where an AlertEvent goes once the evaluator has produced it.

Channels: a log file (JSON lines or readable lines), desktop notifications (``notify-send``),
a webhook (POST JSON, timeout, retries with backoff) and plain callbacks (the TUI's toast and
bell). :class:`Deliverer` fans an event out to every channel concurrently; a failing channel
is logged and never raises into the caller, and nothing here blocks the event loop.

Secrets: a webhook URL often embeds a token (``/services/T0/B0/XXXX``, ``?token=``), so logs
and error texts show only ``scheme://host[:port]/...`` (:func:`redact_url`)."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import shutil
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import aiohttp

from hedgetui.domain.alerts.events import AlertEvent, EventKind

__all__ = [
    "Channel",
    "LogFileChannel",
    "DesktopChannel",
    "WebhookChannel",
    "CallbackChannel",
    "Deliverer",
    "redact_url",
    "event_payload",
]

log = logging.getLogger(__name__)

_TITLES = {
    EventKind.FIRED: "hedgetui alert",
    EventKind.REMINDER: "hedgetui alert (not acknowledged)",
    EventKind.EXPIRED: "hedgetui alert expired",
}


def redact_url(url: str) -> str:
    """``https://hooks.example.com/services/T0/B0/SECRET?x=1`` -> ``https://hooks.example.com/...``"""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<invalid url>"
    tail = "/..." if (parts.path not in ("", "/") or parts.query or parts.fragment) else ""
    return f"{parts.scheme or '?'}://{host}{port}{tail}"


def _iso(ms: int) -> str:
    return (
        datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )


def event_payload(event: AlertEvent) -> dict:
    """The JSON every channel writes: the event's fields, its time in ISO-8601, and ``text``
    (the one-line message, which Slack/Mattermost-style webhooks display)."""
    payload = event.to_dict()
    payload["fired_at_iso"] = _iso(event.fired_at)
    text = event.message + (f" — {event.note}" if event.note else "")
    payload["text"] = text
    return payload


class Channel(Protocol):
    name: str

    async def send(self, event: AlertEvent) -> bool:
        """Deliver one event; True on success. May raise: the Deliverer logs it."""
        ...

    async def aclose(self) -> None: ...


class LogFileChannel:
    """Appends one line per event: JSON (``fmt="jsonl"``, default) or readable text."""

    def __init__(self, path: str | Path, *, fmt: str = "jsonl") -> None:
        if fmt not in ("jsonl", "text"):
            raise ValueError(f"alert log format {fmt!r}: use 'jsonl' or 'text'")
        self.name = "log"
        self.path = Path(path).expanduser()
        self.fmt = fmt
        self._lock = asyncio.Lock()

    def _line(self, event: AlertEvent) -> str:
        if self.fmt == "jsonl":
            return json.dumps(event_payload(event), ensure_ascii=False)
        note = f" — {event.note}" if event.note else ""
        return f"{_iso(event.fired_at)} {event.kind.value.upper()} #{event.rule_id} {event.message}{note}"

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")

    async def send(self, event: AlertEvent) -> bool:
        line = self._line(event)
        async with self._lock:  # one writer at a time: lines never interleave
            await asyncio.to_thread(self._append, line)
        return True

    async def aclose(self) -> None:
        return None


class DesktopChannel:
    """Desktop notification through ``notify-send`` (libnotify), when it is installed."""

    def __init__(self, binary: str | None = None, *, timeout_s: float = 5.0) -> None:
        self.name = "desktop"
        self.binary = binary if binary is not None else shutil.which("notify-send")
        self.timeout_s = timeout_s
        self._warned = False

    @property
    def available(self) -> bool:
        return self.binary is not None

    async def send(self, event: AlertEvent) -> bool:
        if self.binary is None:
            if not self._warned:
                log.info("desktop notifications off: notify-send not found")
                self._warned = True
            return False
        urgency = "critical" if event.kind is EventKind.FIRED else "normal"
        body = event.message + (f"\n{event.note}" if event.note else "")
        args = ["--app-name=hedgetui", f"--urgency={urgency}", "--", _TITLES[event.kind], body]
        proc = await asyncio.create_subprocess_exec(
            self.binary,
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, err = await asyncio.wait_for(proc.communicate(), self.timeout_s)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            log.warning("notify-send timed out after %.1fs", self.timeout_s)
            return False
        if proc.returncode != 0:
            detail = err.decode(errors="replace").strip()[:200]
            log.warning("notify-send failed (exit %s): %s", proc.returncode, detail)
            return False
        return True

    async def aclose(self) -> None:
        return None


class WebhookChannel:
    """POSTs :func:`event_payload` as JSON. Retries connection errors, timeouts, 408, 429
    and 5xx up to ``retries`` times with exponential backoff (``backoff_s`` x 2^n, capped;
    a 429's Retry-After is honoured up to the cap). Other 4xx are final: a wrong URL or
    token does not get better by retrying."""

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 5.0,
        retries: int = 3,
        backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
        headers: dict[str, str] | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"webhook url {redact_url(url)}: use an http:// or https:// URL")
        self.name = "webhook"
        self.url = url
        self.shown = redact_url(url)
        self.timeout_s = timeout_s
        self.retries = max(0, retries)
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.headers = headers or {}
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None
        self.attempts = 0  # attempts made for the last event

    def _scrub(self, text: str) -> str:
        parts = urlsplit(self.url)
        for secret in (
            self.url,
            parts.path + ("?" + parts.query if parts.query else ""),
            parts.query,
        ):
            if secret and secret not in ("/", "?"):
                text = text.replace(secret, "/...")
        return text

    def _describe(self, exc: BaseException) -> str:
        if isinstance(exc, TimeoutError):
            return f"timed out after {self.timeout_s:g}s"
        return self._scrub(f"{type(exc).__name__}: {exc}")[:300]

    async def _post(self, payload: dict) -> tuple[int, float | None]:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout_s)
            )
        async with self._session.post(self.url, json=payload, headers=self.headers) as resp:
            await resp.read()
            retry_after = None
            if resp.status == 429:
                try:
                    retry_after = float(resp.headers.get("Retry-After", ""))
                except ValueError:
                    retry_after = None
            return resp.status, retry_after

    async def send(self, event: AlertEvent) -> bool:
        payload = event_payload(event)
        self.attempts = 0
        for attempt in range(self.retries + 1):
            self.attempts = attempt + 1
            delay = min(self.backoff_s * 2**attempt, self.max_backoff_s)
            try:
                status, retry_after = await self._post(payload)
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                why = self._describe(exc)
            else:
                if 200 <= status < 300:
                    return True
                why = f"HTTP {status}"
                if status < 500 and status not in (408, 429):
                    log.warning("webhook %s refused alert #%s: %s", self.shown, event.rule_id, why)
                    return False
                if retry_after is not None:
                    delay = min(max(retry_after, 0.0), self.max_backoff_s)
            if attempt < self.retries:
                log.info(
                    "webhook %s: %s; retry %d/%d in %.2fs",
                    self.shown,
                    why,
                    attempt + 1,
                    self.retries,
                    delay,
                )
                await self._sleep(delay)
        log.warning(
            "webhook %s: gave up on alert #%s after %d attempts: %s",
            self.shown,
            event.rule_id,
            self.attempts,
            why,
        )
        return False

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class CallbackChannel:
    """Calls ``callback(event)``; sync or async (the TUI attaches its toast + bell here)."""

    def __init__(self, callback: Callable[[AlertEvent], object], name: str = "callback") -> None:
        self.name = name
        self.callback = callback

    async def send(self, event: AlertEvent) -> bool:
        result = self.callback(event)
        if inspect.isawaitable(result):
            result = await result
        return result is not False

    async def aclose(self) -> None:
        return None


class Deliverer:
    """Fans each event out to every channel at once. :meth:`deliver` awaits the outcome;
    :meth:`submit` schedules it and returns at once (the evaluator's caller never waits on
    a slow webhook). :meth:`aclose` waits for submitted deliveries and closes channels."""

    def __init__(self, channels: Iterable[Channel] = ()) -> None:
        self.channels: list[Channel] = list(channels)
        self._tasks: set[asyncio.Task] = set()

    def add(self, channel: Channel) -> None:
        self.channels.append(channel)

    async def _one(self, channel: Channel, event: AlertEvent) -> bool:
        try:
            return bool(await channel.send(event))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a broken channel must not take the others down
            text = f"{type(exc).__name__}: {exc}"
            if isinstance(channel, WebhookChannel):
                text = channel._scrub(text)
            log.warning(
                "alert channel %s failed for alert #%s: %s", channel.name, event.rule_id, text[:300]
            )
            return False

    async def deliver(self, event: AlertEvent) -> dict[str, bool]:
        """Send to every channel; returns {channel name: delivered?}."""
        results = await asyncio.gather(*(self._one(c, event) for c in self.channels))
        return {c.name: ok for c, ok in zip(self.channels, results, strict=True)}

    def submit(self, event: AlertEvent) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(self.deliver(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def aclose(self) -> None:
        await self.drain()
        for channel in self.channels:
            try:
                await channel.aclose()
            except Exception as exc:
                log.warning("closing alert channel %s: %s", channel.name, type(exc).__name__)
