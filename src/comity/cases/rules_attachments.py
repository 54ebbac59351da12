"""Who may add attachments to a request: whoever may write a note on it (comity.cases.rules
`may_note`: the holding authority's acting roles, the assigned executing officer, the executing
authority's supervisor). Downloading needs `cases.view_request` (every download is audited).

Imported by comity.cases.attachments, so the rule exists wherever the service can be called.
"""

from __future__ import annotations

from comity.cases.rules import may_note
from comity.core.rules import comity_rules

if not comity_rules.rule_exists("cases.add_attachment"):
    comity_rules.add_rule("cases.add_attachment", may_note)
