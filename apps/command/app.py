"""command: a `wasi:cli/command` component for the command trigger.

It prints `args: <its arguments>` and returns `ok`, or `err` when the first argument is `fail`
(the process then exits with code 1).
"""

from wit_world.types import Err
from wit_world.imports import environment


class Run:
    def run(self) -> None:
        args = environment.get_arguments()
        print("args: " + " ".join(args))
        if args[:1] == ["fail"]:
            raise Err(None)
