"""The `comity` console command: Comity's own subcommands plus Django's management commands.

`comity --help` lists them all; Comity's are under [core] and [accounts] (e.g. `comity audit verify`,
`comity seed-demo`). Subcommand names may use dashes or underscores.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comity.settings")
    args = list(sys.argv if argv is None else argv)
    args[0] = "comity"
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
