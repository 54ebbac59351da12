"""Three nodes, three processes trees, three databases: a request's whole life over HTTP.

FRA submits a request to MEX; MEX registers it and asks for more information; FRA answers; MEX
returns the results with a 50 MB attachment and a message. Meanwhile FRA also sends a request to
EGY, and EGY one to MEX. At the end both copies of the FRA-MEX request have the same status and
the same exchanged timeline, every message sent has its signed receipt stored on the sender and
is applied, with our receipt, on the receiver, and EGY holds nothing of the FRA-MEX request.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from comity.exchange.testing import Cluster, Node, wait_for
from tests.exchange.e2e.conftest import random_file

pytestmark = pytest.mark.e2e

RESULT_BYTES = 50 * 1024 * 1024
TIMEOUT = 180.0


def status(node: Node, request: str) -> str:
    return str(node.call("request_state", request=request).get("status") or "")


def wait_status(node: Node, request: str, expected: str) -> None:
    wait_for(
        lambda: status(node, request) == expected,
        timeout=TIMEOUT,
        what=f"{node.state} sees {request} as {expected}",
    )


def exchanged(node: Node, request: str) -> list[tuple[str, str]]:
    return [(kind, text) for kind, text, _direction in node.call("timeline", request=request)]


def test_a_request_lives_its_whole_life_between_three_nodes(tmp_path: Path) -> None:
    with Cluster(["FRA", "MEX", "EGY"]) as cluster:
        fra, mex, egy = cluster["FRA"], cluster["MEX"], cluster["EGY"]
        info = {n.state: n for n in (fra, mex, egy)}
        assert sorted(info) == ["EGY", "FRA", "MEX"]

        main = fra.call(
            "submit",
            to_state="MEX",
            title="Bank records of ACME",
            reference="FRA-1",
            attachment="%PDF-1.4 signed",
        )["request"]
        to_egy = fra.call("submit", to_state="EGY", title="Witness hearing", reference="FRA-2")["request"]
        from_egy = egy.call("submit", to_state="MEX", title="Company register", reference="EGY-1")["request"]

        wait_status(mex, main, "received")
        mex.call("register", request=main, reference="MEX-7")
        mex.call("info_request", request=main, text="Give the account holder's name.")
        wait_status(fra, main, "info_requested")
        assert fra.call("request_state", request=main)["their_reference"] == "MEX-7"
        fra.call("info_provide", request=main, text="John Doe, born 1970.")
        wait_status(mex, main, "registered")

        result = tmp_path / "statements.pdf"
        digest = random_file(result, RESULT_BYTES)
        mex.call(
            "send_result",
            request=main,
            text="Statements attached.",
            path=str(result),
            filename="statements.pdf",
        )
        mex.call("send", items=[[main, "note", "Originals follow by post."]])
        wait_status(egy, to_egy, "received")
        wait_status(mex, from_egy, "received")
        cluster.wait_settled(TIMEOUT)

        # Both copies agree: status, exchanged timeline, the 50 MB result byte for byte.
        assert status(fra, main) == status(mex, main) == "registered"
        timeline = exchanged(fra, main)
        assert timeline == exchanged(mex, main)
        assert timeline == [
            ("info_requested", "Give the account holder's name."),
            ("info_provided", "John Doe, born 1970."),
            ("result", "Statements attached."),
            ("message", "Originals follow by post."),
        ]
        [original, received] = fra.call("request_state", request=main)["attachments"]
        assert original[:2] == ["request.pdf", "original"]
        assert received == ["statements.pdf", "result", RESULT_BYTES, digest]
        assert mex.call("request_state", request=main)["attachments"][0][:2] == ["request.pdf", "original"]
        staged = fra.root / "exchange"  # the transfer buffer is emptied once the result is applied
        assert not [p for p in staged.rglob("*") if p.is_file()]

        # Every message: delivered with a signed receipt (sender), applied with ours (receiver).
        counts = {n.state: n.call("counts") for n in (fra, mex, egy)}
        assert counts["FRA"]["outbox_types"] == {"request.submitted": 2, "request.info_provided": 1}
        assert counts["FRA"]["outbox_to"] == {"mex.e2e.test": 2, "egy.e2e.test": 1}
        assert counts["MEX"]["outbox_types"] == {
            "request.registered": 1,
            "request.status_changed": 2,  # registered -> info_requested -> registered
            "request.info_requested": 1,
            "request.result": 1,
            "note": 1,
        }
        assert counts["EGY"]["outbox_types"] == {"request.submitted": 1}
        for state, count in counts.items():
            sent = sum(count["outbox"].values())
            assert count["outbox"] == {"delivered": sent}, state
            assert count["outbox_with_receipt"] == sent, state
            assert count["outbox_receipt_status"] == {"applied": sent}, state
            received = sum(count["inbox"].values())
            assert count["inbox"] == {"applied": received}, state
            assert count["inbox_with_receipt"] == received, state
        assert counts["FRA"]["inbox_from"] == {"mex.e2e.test": 6}
        assert counts["MEX"]["inbox_from"] == {"fra.e2e.test": 2, "egy.e2e.test": 1}
        assert counts["EGY"]["inbox_from"] == {"fra.e2e.test": 1}

        # EGY took part, and knows nothing of the FRA-MEX request.
        assert egy.call("request_state", request=main) == {"exists": False}
        assert egy.call("timeline", request=main) == []
        assert sorted(egy.call("requests")) == sorted(
            [[to_egy, "incoming", "received", "FRA"], [from_egy, "outgoing", "sent", "MEX"]]
        )
        assert sorted(r[0] for r in mex.call("requests")) == sorted([main, from_egy])
