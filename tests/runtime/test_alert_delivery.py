"""Alert delivery channels against real local endpoints: an aiohttp server on 127.0.0.1
(port 0) for the webhook, a fake notify-send script, a temporary log file."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
from decimal import Decimal

import pytest
from aiohttp import web

from hedgetui.domain.alerts import AlertEvent, EventKind
from hedgetui.runtime.alert_delivery import (
    CallbackChannel,
    Deliverer,
    DesktopChannel,
    LogFileChannel,
    WebhookChannel,
    redact_url,
)

SECRET = "T000/B000/s3cr3tT0ken"


def _event(**kw) -> AlertEvent:
    base = dict(
        rule_id=7,
        rule="BTC/USDT crosses 65000",
        kind=EventKind.FIRED,
        fired_at=1_767_225_600_000,
        value=65012.5,
        message="BTC/USDT last 65,012.5 crossed above 65,000 (paper)",
        note="take profit",
    )
    base.update(kw)
    return AlertEvent(**base)


class Server:
    """Fails the first ``fail`` requests with ``status``, then answers 200; or sleeps."""

    def __init__(self, fail: int = 0, status: int = 500, delay: float = 0.0) -> None:
        self.fail, self.status, self.delay = fail, status, delay
        self.requests: list[dict] = []

    async def handler(self, request: web.Request) -> web.Response:
        self.requests.append({"path": request.path_qs, "body": await request.json()})
        if self.delay:
            await asyncio.sleep(self.delay)
        if len(self.requests) <= self.fail:
            return web.Response(status=self.status)
        return web.json_response({"ok": True})

    async def __aenter__(self) -> str:
        app = web.Application()
        app.router.add_post("/{tail:.*}", self.handler)
        self.runner = web.AppRunner(app, access_log=None)  # it would log the token
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        host, port = self.runner.addresses[0][:2]
        return f"http://{host}:{port}/hooks/{SECRET}?token=abc123"

    async def __aexit__(self, *exc) -> None:
        await self.runner.cleanup()


async def test_webhook_retries_with_backoff_then_succeeds(caplog):
    caplog.set_level(logging.INFO)
    sleeps: list[float] = []

    async def fake_sleep(s: float) -> None:
        sleeps.append(s)

    server = Server(fail=2)
    async with server as url:
        hook = WebhookChannel(url, retries=3, backoff_s=0.25, sleep=fake_sleep)
        assert await hook.send(_event(value=Decimal("65012.5")))
        await hook.aclose()
    assert hook.attempts == 3 and len(server.requests) == 3
    assert sleeps == [0.25, 0.5]  # exponential backoff
    body = server.requests[-1]["body"]
    assert body["rule_id"] == 7 and body["kind"] == "fired" and body["value"] == "65012.5"
    assert body["text"] == "BTC/USDT last 65,012.5 crossed above 65,000 (paper) — take profit"
    assert body["fired_at_iso"] == "2026-01-01T00:00:00Z"
    assert server.requests[-1]["path"] == f"/hooks/{SECRET}?token=abc123"
    assert "HTTP 500" in caplog.text
    assert SECRET not in caplog.text and "abc123" not in caplog.text


async def test_webhook_gives_up_after_retries_and_never_logs_the_token(caplog):
    async def no_sleep(s: float) -> None:
        return None

    server = Server(fail=99, status=503)
    async with server as url:
        hook = WebhookChannel(url, retries=2, sleep=no_sleep)
        assert not await hook.send(_event())
        await hook.aclose()
    assert len(server.requests) == 3
    assert "gave up on alert #7 after 3 attempts: HTTP 503" in caplog.text
    assert SECRET not in caplog.text and "abc123" not in caplog.text


async def test_webhook_client_error_is_not_retried(caplog):
    server = Server(fail=99, status=404)
    async with server as url:
        hook = WebhookChannel(url, retries=3, backoff_s=0)
        assert not await hook.send(_event())
        await hook.aclose()
    assert len(server.requests) == 1
    assert "refused alert #7: HTTP 404" in caplog.text


async def test_slow_webhook_times_out_and_retries(caplog):
    server = Server(delay=0.4)
    async with server as url:
        hook = WebhookChannel(url, timeout_s=0.1, retries=1, backoff_s=0.01)
        assert not await hook.send(_event())
        await hook.aclose()
    assert hook.attempts == 2 and len(server.requests) == 2
    assert "timed out after 0.1s" in caplog.text
    assert SECRET not in caplog.text


async def test_unreachable_webhook_is_logged_redacted(caplog):
    hook = WebhookChannel(f"http://127.0.0.1:9/x/{SECRET}", retries=0, timeout_s=1)
    assert not await hook.send(_event())
    await hook.aclose()
    assert "gave up" in caplog.text and SECRET not in caplog.text


def test_redact_url():
    assert redact_url(f"https://hooks.slack.com/services/{SECRET}") == "https://hooks.slack.com/..."
    assert redact_url("https://example.com:8443/?token=x") == "https://example.com:8443/..."
    assert redact_url("https://example.com") == "https://example.com"
    with pytest.raises(ValueError, match=r"ftp://x\.com/\.\.\.: use an http") as info:
        WebhookChannel(f"ftp://x.com/{SECRET}")
    assert SECRET not in str(info.value)


async def test_log_file_jsonl_and_text(tmp_path):
    path = tmp_path / "sub" / "alerts.jsonl"
    ch = LogFileChannel(path)
    await asyncio.gather(*(ch.send(_event(rule_id=i)) for i in range(20)))
    lines = path.read_text().splitlines()
    assert sorted(json.loads(line)["rule_id"] for line in lines) == list(range(20))
    text = LogFileChannel(tmp_path / "alerts.log", fmt="text")
    await text.send(_event(kind=EventKind.REMINDER))
    assert (tmp_path / "alerts.log").read_text() == (
        "2026-01-01T00:00:00Z REMINDER #7 BTC/USDT last 65,012.5 crossed above 65,000 (paper)"
        " — take profit\n"
    )
    with pytest.raises(ValueError, match="'jsonl' or 'text'"):
        LogFileChannel(path, fmt="xml")


def _script(tmp_path, body: str) -> str:
    path = tmp_path / "notify-send"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


async def test_desktop_notification_arguments(tmp_path):
    out = tmp_path / "args"
    binary = _script(tmp_path, f'for a in "$@"; do echo "$a" >> {out}; done\n')
    ch = DesktopChannel(binary)
    assert ch.available and await ch.send(_event(message="-3% move"))
    assert out.read_text().splitlines() == [
        "--app-name=hedgetui",
        "--urgency=critical",
        "--",
        "hedgetui alert",
        "-3% move",
        "take profit",
    ]


async def test_desktop_failures_are_logged_not_raised(tmp_path, caplog):
    failing = DesktopChannel(_script(tmp_path, "echo 'no dbus' >&2; exit 3\n"))
    assert not await failing.send(_event())
    assert "notify-send failed (exit 3): no dbus" in caplog.text
    os.remove(tmp_path / "notify-send")
    slow = DesktopChannel(_script(tmp_path, "exec sleep 5\n"), timeout_s=0.1)
    assert not await slow.send(_event())
    assert "timed out" in caplog.text


async def test_desktop_without_notify_send_is_a_quiet_no_op(monkeypatch, caplog):
    caplog.set_level(logging.INFO)
    monkeypatch.setattr("shutil.which", lambda name: None)
    absent = DesktopChannel()
    assert not absent.available
    assert not await absent.send(_event()) and not await absent.send(_event())
    assert caplog.text.count("notify-send not found") == 1


async def test_deliverer_fans_out_and_isolates_failures(tmp_path, caplog):
    got: list[AlertEvent] = []

    async def async_cb(event):
        got.append(event)

    def broken(event):
        raise RuntimeError("toast widget gone")

    d = Deliverer(
        [
            CallbackChannel(got.append, "sync"),
            CallbackChannel(async_cb, "async"),
            CallbackChannel(broken, "broken"),
            LogFileChannel(tmp_path / "a.jsonl"),
        ]
    )
    result = await d.deliver(_event())
    assert result == {"sync": True, "async": True, "broken": False, "log": True}
    assert len(got) == 2
    assert (
        "alert channel broken failed for alert #7: RuntimeError: toast widget gone" in caplog.text
    )
    task = d.submit(_event(rule_id=8))
    await d.aclose()
    assert task.done() and [e.rule_id for e in got] == [7, 7, 8, 8]
