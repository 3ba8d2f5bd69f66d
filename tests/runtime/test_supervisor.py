import asyncio
import random

from hedgetui.domain import HealthState
from hedgetui.domain.clock import ManualClock
from hedgetui.exchanges.errors import AuthenticationError, RequestTimeout
from hedgetui.runtime.supervisor import (
    HealthRecorder,
    Job,
    Supervisor,
    cancel_and_wait,
    finish_within,
)


def make(sleeps=None):
    written = []
    clock = ManualClock()
    health = HealthRecorder(written.extend, clock)

    async def fast_sleep(seconds):
        if sleeps is not None:
            sleeps.append(seconds)
        await asyncio.sleep(0)

    sup = Supervisor(
        health, base_backoff=1.0, max_backoff=8.0, rng=random.Random(1), sleep=fast_sleep
    )
    return sup, health, written


async def wait_for(predicate, turns=2000):
    for _ in range(turns):
        if predicate():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition not reached")


async def test_failing_step_restarts_with_exponential_backoff_and_jitter():
    sleeps = []
    sup, health, _ = make(sleeps)
    calls = []

    async def step():
        calls.append(1)
        if len(calls) <= 4:
            raise RequestTimeout("binance GET https://x/api?signature=abcdef timed out")

    sup.start(Job("market:paper:tickers", step, interval=0.5, exchange="paper", feed="tickers"))
    await wait_for(lambda: len(calls) >= 6)
    await sup.stop()
    backoffs = sleeps[:4]
    # 1, 2, 4, 8 seconds, each within +-25% jitter, capped at max_backoff
    for got, base in zip(backoffs, [1, 2, 4, 8], strict=True):
        assert base * 0.75 <= got <= base * 1.25
    assert len(set(backoffs)) == 4
    assert sleeps[4] == 0.5  # back to the normal interval after a success
    rec = health.records["market:paper:tickers"]
    assert rec.state is HealthState.OK
    assert rec.consecutive_errors == 0 and rec.error_count == 4
    assert sup.restarts["market:paper:tickers"] == 4


async def test_failure_is_recorded_without_secrets():
    sup, health, written = make()
    secret = "s3cr3t-api-key-value"

    async def step():
        raise RequestTimeout(f"GET https://x/api?apiKey={secret}&signature=deadbeef failed")

    job = Job(
        "account:main:balances",
        step,
        1.0,
        "binance",
        "balances",
        account="main",
        group="main",
        secrets=(secret,),
    )
    sup.start(job)
    await wait_for(lambda: health.records[job.key].error_count >= 2)
    await sup.stop()
    rec = health.records[job.key]
    assert rec.state is HealthState.BACKOFF
    assert rec.last_error.startswith("RequestTimeout:")
    assert secret not in rec.last_error and "deadbeef" not in rec.last_error
    assert all(secret not in r.last_error for r in written)


async def test_authentication_error_stops_every_poller_of_the_account():
    sup, health, _ = make()
    other_calls = []

    async def bad_keys():
        raise AuthenticationError('binance {"code":-1022,"msg":"Signature is not valid."}')

    async def other():
        other_calls.append(1)

    async def market():
        pass

    sup.start(Job("account:main:orders", other, 0.01, "binance", "orders", "main", "main"))
    sup.start(Job("market:binance:tickers", market, 0.01, "binance", "tickers", None, "x"))
    await wait_for(lambda: other_calls)
    sup.start(Job("account:main:balances", bad_keys, 1, "binance", "balances", "main", "main"))
    await wait_for(lambda: "account:main:orders" not in sup.running())
    assert health.records["account:main:balances"].state is HealthState.STOPPED
    assert "Signature is not valid" in health.records["account:main:balances"].last_error
    assert health.records["account:main:orders"].state is HealthState.STOPPED
    assert sup.running() == ["market:binance:tickers"]
    await sup.stop()
    assert sup.running() == []


async def test_stop_cancels_again_a_job_that_swallowed_the_first_cancel():
    """Python 3.11's wait_for can eat one cancel; stopping must still end such a job."""
    sup, health, _ = make()
    swallowed = []

    async def stubborn_step():
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            swallowed.append(1)  # the race: carry on as if nothing happened
            await asyncio.sleep(3600)

    sup.start(Job("market:paper:tickers", stubborn_step, 1, "paper", "tickers"))
    await asyncio.sleep(0)
    await asyncio.wait_for(sup.stop(timeout=5), 4)
    assert swallowed == [1] and sup.running() == []


async def test_stop_abandons_a_job_that_never_ends_after_the_timeout(caplog):
    sup, health, _ = make()
    release = asyncio.Event()

    async def deaf_step():
        while not release.is_set():
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                pass

    sup.start(Job("market:paper:tickers", deaf_step, 1, "paper", "tickers"))
    await asyncio.sleep(0)
    await asyncio.wait_for(sup.stop(timeout=0.2), 2)
    assert sup.running() == ["market:paper:tickers"]
    assert "market:paper:tickers did not stop within 0.2s; abandoned" in caplog.text
    release.set()  # let it end so the loop closes cleanly
    await cancel_and_wait(sup._tasks.values(), 1)
    assert sup.running() == []


async def test_finish_within_reports_and_never_raises(caplog):
    async def fine():
        return 1

    async def broken():
        raise RuntimeError("webhook down")

    async def slow():
        await asyncio.sleep(3600)

    assert await finish_within(fine(), 1, "stopping fine") is True
    assert await finish_within(broken(), 1, "stopping broken") is False
    assert "stopping broken failed: RuntimeError" in caplog.text
    assert await asyncio.wait_for(finish_within(slow(), 0.05, "stopping slow"), 2) is False
    assert "stopping slow did not finish within 0.05s; cancelled" in caplog.text
