"""The sender: claims due items, posts them, and settles every outcome in the ledger.

Never a blind retry. A failure *before* the post request (connect error, media upload, login) goes back to
`approved` with exponential backoff; a 429 waits for the platform's reset, clamped to the platform's window
(pipeline/social/ratelimit.py); anything that may have reached the platform becomes `unknown` and is settled by
reading the account back to the first send (X, Bluesky, Mastodon after its key's hour) or by re-sending with the
same Idempotency-Key (Mastodon within that hour). A read-back that fails or cannot reach the send time leaves the
item `unknown`, with the reason, and is tried again with exponential backoff. A worker killed mid-send leaves a
`sending` row whose lease runs out, and the next worker treats it exactly like `unknown`.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from pipeline.config import Config, SocialAccount
from pipeline.content.assets import media_file
from pipeline.fsutil import UnsafePathError
from pipeline.platforms import PLATFORMS
from pipeline.social import health, ledger, ratelimit
from pipeline.social.ledger import Item, PartRecord
from pipeline.social.platforms import (
    Adapter,
    AuthRejected,
    Checkpoint,
    ClaimLost,
    Duplicate,
    Media,
    NotSent,
    Part,
    PlatformError,
    RateLimited,
    Rejected,
    Sent,
    Unknown,
    credentials,
    make_adapter,
)
from pipeline.social.thread import card_part
from pipeline.store import Store

log = logging.getLogger("pipeline.social")
MIN_READBACK_RETRY_S = 1.0  # a failed read-back is never retried sooner, whatever backoff_base_s says


def _as_sent(rec: PartRecord) -> Sent:
    return Sent(rec.remote_id or "", rec.remote_url or "", rec.ref)


@dataclass
class RunStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0
    reconciled: int = 0
    rate_limited: int = 0
    lateness: list[float] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "retried": self.retried,
            "failed": self.failed,
            "unknown": self.unknown,
            "reconciled": self.reconciled,
            "rate_limited": self.rate_limited,
        }


class Worker:
    def __init__(
        self,
        config: Config,
        store: Store,
        environ: Mapping[str, str] | None = None,
        record_health: bool = True,
    ) -> None:
        self.config = config
        self.social = config.social
        self.store = store
        self.id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        environ = os.environ if environ is None else environ
        self.accounts: dict[str, SocialAccount] = {}
        self.secrets: dict[str, dict[str, str]] = {}
        self.disabled: dict[str, str] = {}
        for account in config.social.accounts:
            if not account.enabled:
                self.disabled[account.name] = f"social account '{account.name}' is off: enabled = false"
                continue
            values, reason = credentials(account, environ)
            if values is None:
                self.disabled[account.name] = reason
                if record_health:  # a sender's view; the web server's environment is not the senders'
                    health.credentials_missing(store, account.name, reason)
                continue
            self.accounts[account.name] = account
            self.secrets[account.name] = values
        self._secret_values = sorted({v for s in self.secrets.values() for v in s.values() if v}, key=len)[
            ::-1
        ]
        self._local = threading.local()
        self._lock = threading.Lock()
        self.paused: dict[str, float] = {}
        self.strikes: dict[str, int] = {}  # 429s in a row per account, for waits without a usable hint
        # Claims in flight, (item id, "sending" or "unknown"): what the heartbeat renews (ledger.renew_claims).
        self._held: set[tuple[int, str]] = set()
        self._ok_written: dict[str, float] = {}  # account → when its health was last written as ok
        self.stats = RunStats()

    # --- helpers ------------------------------------------------------------------------------------------

    def redact(self, text: str) -> str:
        """Reasons come from client exceptions; make sure no credential can ride along into the ledger or a log."""
        for secret in self._secret_values:
            text = text.replace(secret, "***")
        return text[:1000]

    def adapter(self, account: SocialAccount) -> Adapter:
        cache: dict[str, Adapter] = getattr(self._local, "adapters", None) or {}
        self._local.adapters = cache
        if account.name not in cache:
            cache[account.name] = make_adapter(
                account, self.secrets[account.name], self.social.request_timeout_s, self.store
            )
        return cache[account.name]

    def active_accounts(self, now: float) -> list[str]:
        with self._lock:
            return [name for name in self.accounts if self.paused.get(name, 0.0) <= now]

    def media_for(self, item: Item) -> Media | None:
        """The card image, read fresh at send time; a missing card (cards stage not run yet) means text only."""
        if not item.media_path:
            return None
        try:
            path = media_file(item.media_path, self.config.static_root, self.config.content_root)
            data = path.read_bytes()
        except (UnsafePathError, OSError) as exc:
            log.info("item %s: no card image (%s); sending text only", item.id, type(exc).__name__)
            return None
        mime = mimetypes.guess_type(path.name)[0] or "image/jpeg"
        return Media(data=data, mime=mime, alt=item.media_alt, filename=path.name)

    def backoff(self, attempts: int) -> float:
        return min(self.social.backoff_base_s * (2 ** max(attempts - 1, 0)), self.social.backoff_max_s)

    def _rate_limited(self, account: str, exc: RateLimited) -> float:
        """Pause the account until the (clamped) reset and return that instant."""
        now = time.time()
        with self._lock:
            strikes = self.strikes.get(account, 0)
            self.strikes[account] = strikes + 1
            until = ratelimit.retry_at(now, exc.reset_at, exc.window_s, strikes)
            self.paused[account] = max(self.paused.get(account, 0.0), until)  # clamped: never past the window
            self.stats.rate_limited += 1
        log.info("%s rate limited: waiting %.0f s (%s)", account, until - now, exc.reason)
        return until

    def first_send(self, item: Item) -> float:
        """The earliest instant a post of this item can exist: its first send since absence was last proved.

        Read-backs page back to here. A human step (planned, failed, cancelled) or reconciliation proving the
        post absent (`unknown → approved`) closes the earlier attempts; a retry before the post request does not.
        """
        since: float | None = None
        for event in ledger.events(self.store, item.id):
            if event["to_state"] == "sending":
                since = event["at"] if since is None else since
            elif event["to_state"] in ("planned", "failed", "cancelled") or (
                event["from_state"] == "unknown" and event["to_state"] == "approved"
            ):
                since = None
        return item.created_at if since is None else float(since)

    def readback_delay(self, item: Item) -> float:
        """Backoff for a read-back that failed: double the previous one (kept as next_attempt_at - updated_at)."""
        base = max(self.social.backoff_base_s, MIN_READBACK_RETRY_S)
        previous = item.next_attempt_at - item.updated_at if item.next_attempt_at > item.updated_at else 0.0
        return min(max(previous * 2, base), max(self.social.backoff_max_s, base))

    def _count(self, name: str, lateness: float | None = None) -> None:
        with self._lock:
            setattr(self.stats, name, getattr(self.stats, name) + 1)
            if lateness is not None:
                self.stats.lateness.append(lateness)

    # --- one unit of work ---------------------------------------------------------------------------------

    def step(self) -> bool:
        """Do one thing (reconcile or send); False when nothing is ready for this worker right now."""
        now = time.time()
        ledger.orphan_sending(self.store, now, self.social.sending_lease_s)
        accounts = self.active_accounts(now)
        if not accounts:
            return False
        item = ledger.claim_unknown(
            self.store, self.id, now, self.social.reconcile_after_s, self.social.sending_lease_s, accounts
        )
        work = self.reconcile
        if item is None:
            item = ledger.claim_due(self.store, self.id, now, accounts)
            work = self.send
        if item is None:
            return False
        claim = (item.id, item.state)
        with self._lock:
            self._held.add(claim)
        try:
            work(item)
        finally:
            with self._lock:
                self._held.discard(claim)
        return True

    def _heartbeat(self, done: threading.Event) -> None:
        """Renew the claims of items in flight a few times per lease: only a dead worker's claims run out.

        Without this a send slower than `sending_lease_s` (login, upload and post, each up to its timeout) was
        taken for a crash by another thread or worker, reconciled before the post existed, and sent twice. A
        paused or overloaded process stops renewing along with its senders; `send` checks the claim once more.
        """
        interval = max(self.social.sending_lease_s / 3, 0.05)
        while not done.wait(interval):
            with self._lock:
                held = list(self._held)
            ledger.renew_claims(self.store, self.id, held, time.time())

    def _part(
        self, item: Item, idx: int, done: dict[int, PartRecord], media: Media | None, card_at: int
    ) -> Part:
        def sent(rec: PartRecord | None) -> Sent | None:
            return _as_sent(rec) if rec is not None and rec.state == "sent" else None

        texts = item.texts
        prepared = done.get(idx)
        return Part(
            idx,
            len(texts),
            texts[idx],
            parent=sent(done.get(idx - 1)) if idx else None,
            root=sent(done.get(0)) if idx else None,
            prepared=prepared.ref if prepared is not None and prepared.state == "prepared" else {},
            card=idx == card_at,
            media=media,
        )

    def _checkpoint(self, item: Item, idx: int) -> Checkpoint:
        """Record what a two-step platform made before its second step, or stop if the claim is gone."""

        def save(ref: dict[str, object]) -> None:
            if not ledger.record_part(self.store, item.id, idx, self.id, "prepared", ref=dict(ref)):
                raise ClaimLost("claim lost before publishing")

        return save

    def _record(self, item: Item, idx: int, sent: Sent) -> bool:
        if ledger.record_part(
            self.store, item.id, idx, self.id, "sent", sent.remote_id, sent.url, sent.ref, len(item.texts)
        ):
            return True
        log.warning("item %s: claim lost after part %d went out; another worker settles it", item.id, idx + 1)
        return False

    def send(self, item: Item) -> None:
        """Post the item's parts in order, each recorded before the next; a part already out is skipped."""
        account = self.accounts[item.account]
        media = self.media_for(item)
        texts = item.texts
        card_at = card_part(texts, item.link_url) if item.link_url else -1
        done = ledger.parts_of(self.store, item.id)
        label = ""
        try:
            adapter = self.adapter(account)
            for idx in range(len(texts)):
                if idx in done and done[idx].state == "sent":
                    continue
                part = self._part(item, idx, done, media, card_at)
                label = part.label
                # A worker slowed past its lease (load, a pause: its heartbeat stalled too) has been presumed
                # dead and its item re-sent by another: renewing the claim right before the request, and finding
                # it gone, is what keeps it from sending a second copy.
                claim = (item.id, "sending")
                if claim not in ledger.renew_claims(self.store, self.id, [claim], time.time()):
                    log.warning(
                        "item %s: claim lost before sending (lease ran out); not sent by this worker", item.id
                    )
                    return
                try:
                    sent = adapter.post(item, part, self._checkpoint(item, idx))
                except Duplicate:
                    found = self._settle_duplicate(item, part)
                    if found is None:
                        return
                    sent = found
                if not self._record(item, idx, sent):
                    return
                done[idx] = PartRecord(idx, "sent", sent.remote_id, sent.url, sent.ref, time.time())
        except ClaimLost:
            log.warning("item %s: claim lost before publishing; not sent by this worker", item.id)
        except AuthRejected as exc:
            self._auth_rejected(item, label + exc.reason)
        except RateLimited as exc:
            until = self._rate_limited(item.account, exc)
            ledger.transition(
                self.store,
                item.id,
                ["sending"],
                "approved",
                f"429: waiting {until - time.time():.0f} s for the rate-limit reset",
                next_attempt_at=until,
                attempts=max(item.attempts - 1, 0),
                claimed_by=None,
                reason=self.redact(label + exc.reason),
            )
        except NotSent as exc:
            self._retry_or_dead_letter(item, label + exc.reason, "sending")
        except Rejected as exc:
            posted = f" (parts 1-{len(done)} are posted)" if done else ""
            self._fail(item, label + exc.reason + posted, "sending")
        except Unknown as exc:
            self._mark_unknown(item, label + exc.reason)
        except Exception as exc:
            self._mark_unknown(item, f"{label}unexpected {type(exc).__name__}: {exc}")
        else:
            self._mark_sent(
                item,
                _as_sent(done[0]),
                "sending",
                "sent" if len(texts) == 1 else f"sent ({len(texts)} parts)",
            )

    def _auth_rejected(self, item: Item, reason: str) -> None:
        """The token was refused: nothing was posted. The account waits; the item goes back, no attempt counted."""
        until = time.time() + max(self.social.backoff_max_s, 60.0)
        with self._lock:
            self.paused[item.account] = max(self.paused.get(item.account, 0.0), until)
        reason = self.redact(reason)
        health.token_rejected(self.store, item.account, reason, until)
        ledger.transition(
            self.store,
            item.id,
            ["sending"],
            "approved",
            f"credentials refused: {reason}; the account waits until the token is renewed",
            next_attempt_at=until,
            attempts=max(item.attempts - 1, 0),
            claimed_by=None,
            reason=reason,
        )
        self._count("retried")
        log.warning("%s: credentials refused (%s); paused", item.account, reason)

    def _mark_sent(self, item: Item, sent: Sent, from_state: str, note: str) -> None:
        now = time.time()
        ledger.transition(
            self.store,
            item.id,
            [from_state],
            "sent",
            note,
            remote_id=sent.remote_id,
            remote_url=sent.url,
            sent_at=now,
            claimed_by=None,
            reason="",
        )
        self._count("sent", now - item.due_at)
        with self._lock:
            self.strikes.pop(item.account, None)
            last = self._ok_written.get(item.account, 0.0)
            write = now - last > health.OK_EVERY_S
            if write:
                self._ok_written[item.account] = now
        if write:
            health.sent_ok(self.store, item.account)
        log.info("item %s sent to %s as %s", item.id, item.account, sent.remote_id)

    def _mark_unknown(self, item: Item, reason: str) -> None:
        ledger.transition(
            self.store,
            item.id,
            ["sending"],
            "unknown",
            self.redact(reason),
            claimed_by=None,
            reason=self.redact(reason),
        )
        self._count("unknown")
        health.error(self.store, item.account, self.redact(reason))
        log.warning("item %s: outcome unknown (%s); will reconcile", item.id, self.redact(reason))

    def _fail(self, item: Item, reason: str, from_state: str) -> None:
        ledger.transition(
            self.store,
            item.id,
            [from_state],
            "failed",
            self.redact(reason),
            claimed_by=None,
            reason=self.redact(reason),
        )
        self._count("failed")
        health.error(self.store, item.account, self.redact(reason))
        log.warning("item %s failed: %s", item.id, self.redact(reason))

    def _retry_or_dead_letter(self, item: Item, reason: str, from_state: str) -> None:
        if item.attempts >= self.social.max_attempts:
            self._fail(item, f"dead-letter after {item.attempts} attempts: {reason}", from_state)
            return
        delay = self.backoff(item.attempts)
        ledger.transition(
            self.store,
            item.id,
            [from_state],
            "approved",
            f"retry in {delay:.0f}s: {self.redact(reason)}",
            next_attempt_at=time.time() + delay,
            claimed_by=None,
            reason=self.redact(reason),
        )
        self._count("retried")

    def _settle_duplicate(self, item: Item, part: Part) -> Sent | None:
        """X (and LinkedIn) refused the text as a duplicate: ours from an unknown earlier attempt, or a real one."""
        try:
            found = self.adapter(self.accounts[item.account]).reconcile(item, part, self.first_send(item))
        except PlatformError as exc:
            self._mark_unknown(item, f"{part.label}duplicate refused, and {exc.reason}")
            return None
        if found is not None:
            self._count("reconciled")
            return found
        self._fail(
            item,
            f"{part.label}{PLATFORMS[item.platform].label} refused the text as a duplicate of an older post; "
            "edit the text",
            "sending",
        )
        return None

    def reconcile(self, item: Item) -> None:
        """Settle an `unknown` item's next part: found → recorded (sent, or on to the next part); proved absent →
        approved again (that part is sent by the next pass); can't tell → stays unknown."""
        texts = item.texts
        done = ledger.parts_of(self.store, item.id)
        pending = [i for i in range(len(texts)) if not (i in done and done[i].state == "sent")]
        if not pending:  # every part recorded; the crash came before the item was marked
            self._mark_sent(item, _as_sent(done[0]), "unknown", "reconciled: every part was out")
            return
        idx = pending[0]
        card_at = card_part(texts, item.link_url) if item.link_url else -1
        part = self._part(item, idx, done, self.media_for(item), card_at)
        try:
            found = self.adapter(self.accounts[item.account]).reconcile(item, part, self.first_send(item))
        except RateLimited as exc:
            until = self._rate_limited(item.account, exc)
            note = f"reconcile: {self.redact(exc.reason)}; next try in {until - time.time():.0f} s"
            ledger.update_fields(
                self.store, item.id, ["unknown"], note, claimed_by=None, reason=note, next_attempt_at=until
            )
            return
        except PlatformError as exc:
            # Not settled: stays unknown, says why, and waits longer each time (a read-back failing at once
            # must not be retried in a tight loop, nor keep `run --once` from ending).
            delay = self.readback_delay(item)
            note = f"not settled: {part.label}{self.redact(exc.reason)}; next try in {delay:.0f} s"
            ledger.update_fields(
                self.store,
                item.id,
                ["unknown"],
                note,
                claimed_by=None,
                reason=note,
                next_attempt_at=time.time() + delay,
            )
            log.warning("item %s %s", item.id, note)
            return
        if found is not None:
            if not self._record(item, idx, found):
                return
            self._count("reconciled")
            if idx == len(texts) - 1:
                head = found if idx == 0 else _as_sent(done[0])
                self._mark_sent(item, head, "unknown", "reconciled: found on the platform")
            else:
                ledger.transition(
                    self.store,
                    item.id,
                    ["unknown"],
                    "approved",
                    f"reconciled: part {idx + 1} found on the platform; continuing with part {idx + 2}",
                    next_attempt_at=0.0,
                    claimed_by=None,
                    reason="",
                )
            return
        if item.attempts >= self.social.max_attempts:
            self._fail(
                item, f"dead-letter after {item.attempts} attempts: not found on the platform", "unknown"
            )
            return
        ledger.transition(
            self.store,
            item.id,
            ["unknown"],
            "approved",
            f"reconciled: {part.label}not on the platform; will send again",
            next_attempt_at=0.0,
            claimed_by=None,
        )
        self._count("reconciled")

    # --- loops --------------------------------------------------------------------------------------------

    def _drain(self) -> None:
        health.seen(self.store, list(self.accounts))

        def loop() -> None:
            while self.step():
                pass

        done = threading.Event()
        heartbeat = threading.Thread(target=self._heartbeat, args=(done,), daemon=True)
        heartbeat.start()
        threads = [threading.Thread(target=loop, daemon=True) for _ in range(self.social.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        done.set()
        heartbeat.join()

    def _rate_wait(self) -> float | None:
        """Seconds until a paused account with due items may send again (within max_rate_wait_s), else None."""
        now = time.time()
        with self._lock:
            pending = {a: t for a, t in self.paused.items() if t > now}
        if not pending:
            return None
        due = {i.account for i in ledger.list_items(self.store, state=["approved", "unknown"], until=now + 1)}
        waits = [t - now for a, t in pending.items() if a in due and t - now <= self.social.max_rate_wait_s]
        return min(waits) if waits else None

    def run_once(self) -> RunStats:
        """Send everything due now (waiting out short rate-limit resets), then return: for cron.

        The waits together stay within max_rate_wait_s, so a platform answering 429 again and again cannot keep
        a cron run alive; what is left is sent by the next run.
        """
        budget = self.social.max_rate_wait_s
        while True:
            self._drain()
            wait = self._rate_wait()
            if wait is None or wait > budget:
                return self.stats
            budget -= wait
            time.sleep(wait + 0.05)

    def run_forever(self, stop: threading.Event) -> RunStats:
        while not stop.is_set():
            self._drain()
            stop.wait(self.social.poll_interval_s)
        return self.stats
