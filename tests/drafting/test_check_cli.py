"""`comity check-request FILE.json`: exit 0 complete, 1 incomplete, 2 invalid input (reason on stderr)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from comity.drafting.checker import check_request
from comity.drafting.profile import requirements_for
from comity.drafting.schema import RequestDocument
from tests.drafting.test_checker import EXAMPLES_DIR, load, seed_demo_directory, without

pytestmark = pytest.mark.django_db

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def demo_directory(db: Any) -> None:
    seed_demo_directory()


@pytest.fixture
def cli(comity_cli: Any) -> Any:
    return functools.partial(comity_cli, "check-request")


def write(tmp_path: Path, data: Any, name: str = "request.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_complete_example_exits_0_with_a_text_summary(demo_directory: None, cli: Cli) -> None:
    code, out, err = cli(str(EXAMPLES_DIR / "mla.json"))
    assert (code, err) == (0, "")
    assert out == "mla request to France (FRA): complete\n"


def test_json_is_the_checker_result(demo_directory: None, cli: Cli, tmp_path: Path) -> None:
    data = without(load("mla"), "statements.court_order")
    code, out, err = cli(write(tmp_path, data), "--format", "json")
    assert (code, err) == (1, "")
    expected = check_request(RequestDocument.model_validate(data), requirements_for("FRA"))
    assert json.loads(out) == expected
    assert [m["code"] for m in expected["missing"]] == ["court_order"]


def test_incomplete_exits_1_with_missing_and_warnings_in_text(
    demo_directory: None, cli: Cli, tmp_path: Path
) -> None:
    data = without(load("extradition"), "extradition.assurances")
    data["persons"][0]["nationalities"] = ["MEX"]
    code, out, _ = cli(write(tmp_path, data))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "extradition request to Mexico (MEX): incomplete: 1 element(s) missing"
    assert lines[2] == "Missing:"
    assert lines[3].startswith("  - assurances: Mexico (MEX) requires assurances (No death penalty")
    assert lines[5] == "Warnings:"
    assert lines[6].startswith(
        "  - national_of_requested_state: The person sought is a national of Mexico (MEX)"
    )


def test_requested_flag_overrides_the_document(demo_directory: None, cli: Cli) -> None:
    path = str(EXAMPLES_DIR / "extradition.json")  # in Spanish, to Mexico
    code, out, _ = cli(path, "--requested", "fra", "--format", "json")
    assert code == 1
    assert [m["code"] for m in json.loads(out)["missing"]] == ["language"]
    code, _, _ = cli(path, "--requested", "MEX")
    assert code == 0


@pytest.mark.parametrize(
    ("content", "args", "reason"),
    [
        ("{not json", (), "is not valid JSON"),
        ("[1, 2]", (), "must hold a JSON object"),
        (
            {"request_type": "mla", "language": "english", "requested_state": "FRA"},
            (),
            "  language: String should match pattern '^[a-z]{2}$'",
        ),
        (
            {
                "request_type": "mla",
                "language": "en",
                "requested_state": "FRA",
                "measures": [{"measure": "x"}],
            },
            (),
            "  measures[0].measure: Input should be 'taking_evidence'",
        ),
        (
            {"request_type": "arrest", "language": "en", "requested_state": "FRA"},
            (),
            "  request_type: Input should be",
        ),
        (
            {"request_type": "mla", "language": "en", "requested_state": "FRA", "colour": "blue"},
            (),
            "  colour: Extra inputs are not permitted",
        ),
        ({"language": "en", "requested_state": "FRA"}, (), "  request_type: Field required"),
        (
            {"request_type": "mla", "language": "en", "requested_state": "QQQ"},
            (),
            "Unknown State 'QQQ': not in the directory of States.",
        ),
        (
            {"request_type": "mla", "language": "en", "requested_state": "FRA"},
            ("--requested", "France"),
            "--requested: 'France' is not an ISO3 code.",
        ),
    ],
)
def test_invalid_input_exits_2_with_the_reason(
    demo_directory: None, cli: Cli, tmp_path: Path, content: Any, args: tuple[str, ...], reason: str
) -> None:
    code, out, err = cli(write(tmp_path, content), *args)
    assert code == 2
    assert out == ""
    assert reason in err


def test_missing_and_oversized_files_exit_2(demo_directory: None, cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli(str(tmp_path / "nothing.json"))
    assert code == 2
    assert "Cannot read" in err
    data = load("mla")
    data["facts_summary"] = "x" * 19_000
    data["persons"] = [dict(data["persons"][0], description="y" * 19_000) for _ in range(100)]
    data["attachments"] = []
    big = write(tmp_path, data, "big.json")
    assert Path(big).stat().st_size < 5 * 1024 * 1024  # 1.9 MB: checked, not refused
    assert cli(big)[0] == 0
    huge = write(tmp_path, " " * (5 * 1024 * 1024) + json.dumps(load("mla")), "huge.json")
    code, out, err = cli(huge)
    assert (code, out) == (2, "")
    assert "the limit is 5,242,880 (5 MB)" in err
