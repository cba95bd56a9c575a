"""command: a `wasi:cli/command` component for the command trigger.

It prints `args: <its arguments>`, then by the first argument:

    fail       returns `err` (exit code 1)
    exit-ok    calls `wasi:cli/exit` with `ok` (exit code 0; nothing after it runs)
    exit-err   calls `wasi:cli/exit` with `err` (exit code 1)
    otherwise  returns `ok` (exit code 0)
"""

from spin_sdk.wit.imports import environment, exit
from spin_sdk.wit.types import Err, Ok


class Run:
    def run(self) -> None:
        args = environment.get_arguments()
        print("args: " + " ".join(args))
        command = args[0] if args else ""
        if command == "fail":
            raise Err(None)
        if command in ("exit-ok", "exit-err"):
            exit.exit(Ok(None) if command == "exit-ok" else Err(None))
            print("not reached")
