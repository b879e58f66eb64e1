import datetime
import unittest

from ingest_core.lease import LeaseKeeper

T0 = datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.timezone.utc)


class Refused(Exception):
    pass


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


class Keeper(unittest.TestCase):
    def keeper(self, outcomes):
        """A keeper whose renewals succeed (None) or raise the given errors in turn; ticks are driven by the test."""
        self.clock = Clock()
        self.calls = 0

        def renew():
            outcome = outcomes[min(self.calls, len(outcomes) - 1)]
            self.calls += 1
            if outcome is not None:
                raise outcome

        return LeaseKeeper(renew, self.clock, 600, lambda e: isinstance(e, Refused))

    def test_a_refused_renewal_loses_the_lease_at_once(self):
        keeper = self.keeper([None, Refused("condition")])
        keeper.renew_now()
        self.assertFalse(keeper.tick())
        self.assertTrue(keeper.lost.is_set())
        self.assertIn("another run took", keeper.reason)

    def test_a_transient_error_is_retried_and_does_not_end_the_keeper(self):
        keeper = self.keeper([None, ConnectionError("reset"), None])
        keeper.renew_now()
        self.clock.now += datetime.timedelta(seconds=200)
        self.assertTrue(keeper.tick())
        self.clock.now += datetime.timedelta(seconds=200)
        self.assertTrue(keeper.tick())
        self.assertFalse(keeper.lost.is_set())
        self.assertEqual(keeper.errors, ["ConnectionError: reset"])
        self.assertEqual(keeper.renewed_at, self.clock.now)

    def test_errors_for_a_whole_lease_duration_lose_it_with_the_last_error(self):
        keeper = self.keeper([None, TimeoutError("slow")])
        keeper.renew_now()
        for _ in range(2):
            self.clock.now += datetime.timedelta(seconds=200)
            self.assertTrue(keeper.tick(), "still within the lease")
        self.clock.now += datetime.timedelta(seconds=200)
        self.assertFalse(keeper.tick())
        self.assertIn("no renewal succeeded for 600 s, longer than the lease (600 s); last error: TimeoutError: slow", keeper.reason)

    def test_the_thread_ends_when_the_lease_is_lost(self):
        keeper = self.keeper([None, Refused("condition")])
        keeper.seconds = 0  # no wait between ticks
        keeper.renew_now()
        keeper.start()
        keeper.join()
        self.assertTrue(keeper.lost.is_set())


if __name__ == "__main__":
    unittest.main()
