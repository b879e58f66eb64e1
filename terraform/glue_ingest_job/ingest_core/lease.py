"""Keeps the dataset's lease while the job works: renews it every third of its duration on a daemon thread.

A refused renewal (the condition runId = this run failed) means another run took the dataset: the lease is lost at
once. Any other error (throttling, a network fault, an expired token) is kept and retried on the next tick, and the
lease counts as lost only when no renewal succeeded for a whole lease duration, when it may have expired; it never
ends silently. The job checks ``lost`` (and says ``reason``) before its commit point.
"""

import threading


class LeaseKeeper(threading.Thread):
    def __init__(self, renew, clock, seconds, is_refusal):
        """renew(): renews once (raises on failure); clock(): now (aware datetime); is_refusal(error): the renewal's
        condition failed (another run holds the lease)."""
        super().__init__(daemon=True, name="lease-keeper")
        self._renew, self._clock, self.seconds, self._is_refusal = renew, clock, seconds, is_refusal
        self.stop = threading.Event()
        self.lost = threading.Event()
        self.reason = None
        self.errors = []
        self.renewed_at = None

    def renew_now(self):
        """The first renewal, on the job's own thread: its error is the job's."""
        self._renew()
        self.renewed_at = self._clock()

    def tick(self):
        """One renewal attempt; returns False once the lease is lost (the thread then ends)."""
        try:
            self._renew()
            self.renewed_at = self._clock()
            return True
        except Exception as error:  # noqa: BLE001 - every error is either a refusal or kept and retried
            if self._is_refusal(error):
                self._lose("another run took the dataset's lease (the renewal's condition failed)")
                return False
            self.errors.append(f"{type(error).__name__}: {error}")
            since = (self._clock() - self.renewed_at).total_seconds() if self.renewed_at else float("inf")
            if since >= self.seconds:
                self._lose(f"no renewal succeeded for {since:.0f} s, longer than the lease ({self.seconds} s); last error: {self.errors[-1]}")
                return False
            return True

    def _lose(self, reason):
        self.reason = reason
        self.lost.set()

    def run(self):
        while not self.stop.wait(self.seconds / 3):
            if not self.tick():
                return
