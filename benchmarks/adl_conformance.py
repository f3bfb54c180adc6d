"""The ADL LRS conformance suite against a live Pathlens: the two steps around its own runner.

The suite (github.com/adlnet/lrs-conformance-test-suite, cloned outside this repository: none of
its code is ours to commit) names its agents by e-mail (`mbox`) and display `name`, which Pathlens
refuses by design (docs/collector.md, "Agents: opaque ids only"); even its set-up statement does,
so unchanged it stops before its first test. `adapt` rewrites its JSON templates so that every
Agent and Group identified by mbox, mbox_sha1sum or openid is an account under our learners' home
page instead (the same identifier always the same account), and drops display names; agents
written inside its JavaScript stay as they are, and fail as designed. `summary` reads the run's
log and counts passes and failures per section, the failures sorted into what Pathlens refuses or
lacks by design and the rest ("other": the ones to look at).

    python benchmarks/adl_conformance.py adapt /tmp/adl/test/v1_0_3/templates
    node bin/console_runner.js -e http://127.0.0.1:8731/xapi -a -u plk_<id> -p <secret> -x 1.0.3
    python benchmarks/adl_conformance.py summary /tmp/adl/logs/<run>.log

How to run it and the last results: docs/collector.md, "Conformance".
"""

from __future__ import annotations

import argparse
import collections
import copy
import hashlib
import json
import re
import urllib.parse
from pathlib import Path

IFIS = ("mbox", "mbox_sha1sum", "openid")


def _opaque(identity: str) -> str:
    """The same identity always as the same opaque id in the form Pathlens issues (32 lowercase
    hex digits), as the school side would give it."""
    return hashlib.sha256(identity.encode()).hexdigest()[:32]


def _not_ours(name: str) -> bool:
    """Whether an account name still needs mapping: not yet in the issued form (so that an id
    made from an mbox just now, or by an earlier `adapt` of the same templates, stays as it is)."""
    return re.fullmatch(r"[0-9a-f]{32}", name) is None


def _ours(value: object, home: str) -> object:
    """The template with its agents as accounts of ours."""
    if isinstance(value, list):
        return [_ours(item, home) for item in value]
    if not isinstance(value, dict):
        return value
    value = dict(value)
    ifi = next((key for key in IFIS if isinstance(value.get(key), str)), None)
    if ifi is not None and "account" not in value:
        value["account"] = {"homePage": home, "name": _opaque(value.pop(ifi))}
    if "account" in value or "member" in value:  # an Agent or a Group: no display name
        value.pop("name", None)
        account = value.get("account")
        if isinstance(account, dict) and {"homePage", "name"} <= account.keys():
            name = account["name"]
            value["account"] = {
                **account,
                "homePage": home,
                "name": _opaque(name) if isinstance(name, str) and _not_ours(name) else name,
            }
    return {key: _ours(item, home) for key, item in value.items()}


def adapt(templates: Path, home: str) -> None:
    changed = 0
    for path in sorted(templates.rglob("*.json")):
        try:
            template = json.loads(path.read_text())
        except ValueError:
            continue
        adapted = _ours(copy.deepcopy(template), home)
        if adapted != template:
            path.write_text(json.dumps(adapted, indent=2))
            changed += 1
    print(f"{changed} templates now name their agents by accounts under {home}")


NOT_OURS = re.compile(
    r'"(mbox|mbox_sha1sum|openid)"|"homePage":"http://www\.example'
    r'|"objectType":"Agent","name"|"name":"[^"]*","(mbox|account)'
)
CATEGORIES = (
    ("not built: the Agents, Activities and Profile resources",
     lambda log, error: re.search(r" /xapi/(agents|activities(\?| |/profile))", log)
     or "404" in error),
    ("not built: the alternate request syntax", lambda log, error: "method=" in log),
    ("attachments, signed statements",
     lambda log, error: "multipart" in log or '"attachments"' in log),
    ("agents not ours: mbox, openid, name, an account under another home page",
     lambda log, error: re.search(NOT_OURS, log)),
)  # fmt: skip


def _leaves(node: dict, section: str):
    children = node.get("tests") or []
    if not children:
        yield section, node
    for child in children:
        yield from _leaves(child, section)


def summary(logs: list[Path]) -> None:
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for path in logs:
        for section_node in json.loads(path.read_text())["log"]["tests"]:
            for section, leaf in _leaves(section_node, section_node["title"]):
                if leaf.get("status") == "passed":
                    counts[section]["passed"] += 1
                    continue
                log = urllib.parse.unquote(leaf.get("log") or "")
                error = leaf.get("error") or ""
                name = next((name for name, test in CATEGORIES if test(log, error)), "other")
                counts[section]["failed"] += 1
                counts[section][name] += 1
                if name == "other":
                    print(f"other: {section} | {leaf.get('title')} | {error[:120]!r}")
    print("\n| section | passed | failed |\n|---|---|---|")
    for section, counted in counts.items():
        print(f"| {section} | {counted['passed']} | {counted['failed']} |")
    total = sum(counts.values(), collections.Counter())
    print(f"\npassed {total.pop('passed', 0)}, failed {total.pop('failed', 0)}:")
    for name, number in total.most_common():
        print(f"  {number:>4}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    adapting = commands.add_parser("adapt", help="rewrite the suite's templates' agents")
    adapting.add_argument("templates", type=Path)
    adapting.add_argument(
        "--home", default="http://127.0.0.1:8000/learners", help="SITE_URL/learners"
    )
    summing = commands.add_parser("summary", help="count a run's results")
    summing.add_argument("logs", type=Path, nargs="+")
    args = parser.parse_args()
    if args.command == "adapt":
        adapt(args.templates, args.home)
    else:
        summary(args.logs)


if __name__ == "__main__":
    main()
