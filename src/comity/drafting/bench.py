"""Benchmark of the completeness checker (goal: p95 <= 10 ms for a five-page request).

    bench_checker(runs=2_000)
    python -m comity.drafting.bench [--runs N]

Times `check_request` on the largest MLA example (examples/requests/, about five pages of text)
against the requirements the demo data defines for its requested State, built in memory (the
checker never touches the database), beside a bare baseline: pydantic validating the same JSON
into a `RequestDocument`, which every caller of the checker pays first. Reports min / median /
p95 and the ratio; the goal is reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from comity.bench import _line, _stats, _time

if TYPE_CHECKING:
    from comity.drafting.profile import RequestedStateRequirements

EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "examples" / "requests"
GOAL_P95_SECONDS = 0.010


def largest_mla_example(directory: Path = EXAMPLES_DIR) -> tuple[str, dict[str, Any]]:
    """(file name, document) of the largest MLA example."""
    candidates = []
    for path in sorted(directory.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        if data.get("request_type") == "mla":
            candidates.append((len(text), path.name, data))
    if not candidates:
        raise SystemExit(f"bench: no MLA example in {directory} (run from a source checkout)")
    _size, name, data = max(candidates, key=lambda c: c[0])
    return name, data


def demo_requirements(state: str) -> RequestedStateRequirements:
    """The requirements comity.directory.demo defines for a State, without a database."""
    from comity.directory.demo import ILLUSTRATIVE, PROFILES, STATE_CONTACTS
    from comity.drafting.profile import RequestedStateRequirements, SubjectProfile

    def text(values: dict[str, Any], key: str) -> str:
        return str(values.get(key) or "")

    profiles = [
        SubjectProfile(
            subject=str(subject),
            dual_criminality_required=text(values, "dual_criminality_required"),
            judicial_order_for_coercive=text(values, "judicial_order_for_coercive"),
            minimum_penalty_months=values.get("minimum_penalty_months"),
            extradition_of_nationals=text(values, "extradition_of_nationals"),
            evidentiary_standard=text(values, "evidentiary_standard"),
            assurances_required=text(values, "assurances_required"),
            special_requirements=f"{ILLUSTRATIVE} {text(values, 'special_requirements')}".strip(),
        )
        for subject, values in PROFILES.get(state, {}).items()
    ]
    languages = STATE_CONTACTS.get(state, {}).get("languages", [])
    return RequestedStateRequirements.build(state, name=state, languages=languages, profiles=profiles)


def bench_checker(runs: int = 2_000) -> None:
    from comity.drafting.checker import check_request
    from comity.drafting.schema import RequestDocument

    name, data = largest_mla_example()
    document = RequestDocument.model_validate(data)
    requirements = demo_requirements(document.requested_state)
    result = check_request(document, requirements)
    if not result["complete"]:
        raise SystemExit(f"bench: {name} is not complete: {result['missing']}")
    for _ in range(50):  # warm-up
        check_request(document, requirements)
        RequestDocument.model_validate(data)
    ours = _time(lambda: check_request(document, requirements), runs)
    bare = _time(lambda: RequestDocument.model_validate(data), runs)
    p95 = _stats(ours)[2]
    chars = len(json.dumps(data, ensure_ascii=False))
    verdict = "met" if p95 <= GOAL_P95_SECONDS else "NOT met"
    _line(
        f"completeness check of {name} ({chars:,} characters, {len(document.measures)} measures, "
        f"requested State {document.requested_state}) vs pydantic validation of the same JSON ({runs:,} runs)",
        ours,
        bare,
        f"\n    goal p95 <= {GOAL_P95_SECONDS * 1000:g} ms: {verdict}",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=2_000)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comity.settings")
    os.environ.setdefault("COMITY_SECRET_KEY", "bench-only-key-" + "x" * 40)
    import django

    django.setup()
    bench_checker(args.runs)


if __name__ == "__main__":
    main()
