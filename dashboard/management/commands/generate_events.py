"""Large synthetic event sets for benchmarks, made by the demo's simulated learners."""

from __future__ import annotations

import random
import time
from datetime import date, datetime, timedelta
from datetime import time as clock_time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from collector.client import CollectorError, HttpCollector, get_client
from dashboard.demo.classroom import CLASS_MIX
from dashboard.demo.simulate import SIMULATORS, new_session_id, simulate_session
from dashboard.demo.store import learner_events_store, openings_record
from dashboard.demo.strategies import STRATEGIES
from dashboard.identities import ImportRow, learners_import
from dashboard.management.commands.seed_demo import playable_widgets
from dashboard.models import LearnerIdentity

REAL_ID_PREFIX = "gen-"


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Makes a large synthetic event set for benchmarks: N learners (real ids gen-000001…, "
        "created if missing, reused otherwise), S sessions each, of exactly E events each, played "
        "by the demo's simulated learners (valid events that make sense to each widget's "
        "reducer; a session shorter than E is padded with extra moves, a longer one is cut "
        "short). Events are stored through the collector's client, get_client().ingest_events, "
        "one learner token per learner, in batches of 1000: the ingestion API's own checks and "
        "write path, in-process (or over HTTP when COLLECTOR_URL is set); nothing is written "
        "behind the collector's back. Prints the rate achieved. The same --seed and --until give "
        "the same events: running it again stores nothing new (they count as duplicates)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--learners", type=_positive, required=True, metavar="N")
        parser.add_argument(
            "--sessions", type=_positive, required=True, metavar="S", help="Per learner."
        )
        parser.add_argument(
            "--events", type=_positive, required=True, metavar="E", help="Per session."
        )
        parser.add_argument(
            "--widgets",
            nargs="+",
            choices=sorted(SIMULATORS),
            help="Widgets to play, in turn (default: every widget the registry can take).",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--days", type=_positive, default=28, help="Spread over this many days up to --until."
        )
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            help="The last day sessions fall on, YYYY-MM-DD (default: yesterday).",
        )

    def handle(self, *args, **options) -> None:
        widgets = options["widgets"] or playable_widgets()
        refused = sorted(set(widgets) - set(playable_widgets()))
        if refused:
            raise CommandError(
                f"{', '.join(refused)}: the registry does not know all the event types its "
                "simulated learners send."
            )
        count, per_learner, length = options["learners"], options["sessions"], options["events"]
        seed, days = options["seed"], options["days"]
        until = options["until"] or timezone.localdate() - timedelta(days=1)

        started = time.perf_counter()
        learners = _learners(count)
        prepared = time.perf_counter()

        client = get_client()
        mix = [name for name, n in CLASS_MIX.items() for _ in range(n)]
        simulating = storing = 0.0
        accepted = duplicates = 0
        visits = []
        for index, learner in enumerate(learners):
            tick = time.perf_counter()
            shape = f"{per_learner}x{length}:{','.join(widgets)}"
            rng = random.Random(f"generate:{seed}:{until}:{shape}:{index}")  # noqa: S311
            strategy = STRATEGIES[rng.choice(mix)]
            skill = 0.0 if strategy.accuracy <= 0 else min(0.95, strategy.accuracy)
            events = []
            for number in range(per_learner):
                simulated = simulate_session(
                    rng,
                    widgets[(index + number) % len(widgets)],
                    strategy,
                    skill,
                    session=new_session_id(rng),
                    start_ms=_school_moment(rng, until, days),
                    events=length,
                )
                events.extend(simulated.events)
                visits.append((learner, simulated))
            tock = time.perf_counter()
            try:
                result = learner_events_store(learner=learner, events=events, client=client)
            except CollectorError as error:
                raise CommandError(f"The collector refused events: {error}") from None
            storing += time.perf_counter() - tock
            simulating += tock - tick
            accepted += result["accepted"]
            duplicates += result["duplicates"]
        tick = time.perf_counter()
        openings_record(visits=visits)
        finished = time.perf_counter()

        total = accepted + duplicates
        path = "HTTP" if isinstance(client, HttpCollector) else "in-process"
        self.stdout.write(
            f"Generated {count} learners × {per_learner} sessions × {length} events = "
            f"{total:,} events ({accepted:,} new, {duplicates:,} duplicates) "
            f"in {finished - started:.1f} s: learners {prepared - started:.1f} s, "
            f"simulation {simulating:.1f} s, ingestion {storing:.1f} s "
            f"({total / max(storing, 1e-9):,.0f} events/s through ingest_events, {path}), "
            f"openings {finished - tick:.1f} s; overall {total / (finished - started):,.0f} "
            "events/s."
        )


def _learners(count: int) -> list[LearnerIdentity]:
    """gen-000001 … gen-<count>, created where missing."""
    wanted = [f"{REAL_ID_PREFIX}{number:06d}" for number in range(1, count + 1)]
    existing = {
        learner.real_id: learner
        for learner in LearnerIdentity.objects.filter(real_id__startswith=REAL_ID_PREFIX)
    }
    missing = [real_id for real_id in wanted if real_id not in existing]
    if missing:
        learners_import(
            rows=[
                ImportRow(line=n, real_id=real_id, display_name=f"Generated learner {real_id[4:]}")
                for n, real_id in enumerate(missing, start=2)
            ]
        )
        existing = {
            learner.real_id: learner
            for learner in LearnerIdentity.objects.filter(real_id__startswith=REAL_ID_PREFIX)
        }
    return [existing[real_id] for real_id in wanted]


def _school_moment(rng: random.Random, until: date, days: int) -> int:
    """Epoch ms of a random school-day moment (08:00–15:00) in the `days` days up to `until`."""
    while True:
        day = until - timedelta(days=rng.randrange(days))
        if day.weekday() < 5 or days < 7:
            break
    start = datetime.combine(day, clock_time(8, 0), tzinfo=timezone.get_default_timezone())
    return int((start + timedelta(seconds=rng.uniform(0, 7 * 3600))).timestamp() * 1000)
