"""Works out the learning measures of stored sessions (after an upgrade, or new MEASURE_* values).

Restartable: sessions are summarised in chunks that are committed one by one, so a run that is
stopped half-way loses nothing and the next run carries on with what is still stale.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from collector.summaries import SUMMARY_CHUNK, sessions_summarise


class Command(BaseCommand):
    help = (
        "Work out the learning measures (active time, sittings, work, scores) of sessions that "
        "received events since they were last summarised; --all redoes every session."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--all",
            action="store_true",
            help="Summarise every session (after changing a MEASURE_* setting).",
        )
        parser.add_argument("--chunk", type=int, default=SUMMARY_CHUNK, help="Sessions per commit.")

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        last_report = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last_report[0] >= 2 or done == total:
                last_report[0] = now
                self.stdout.write(f"  {done:,} of {total:,} sessions summarised")

        count = sessions_summarise(
            everything=options["all"], chunk=max(1, options["chunk"]), progress=progress
        )
        took = time.monotonic() - started
        if count:
            self.stdout.write(f"Summarised {count:,} sessions in {took:.1f} s.")
        else:
            self.stdout.write("Every session's measures are up to date.")
