"""Run the ``prefork`` command with a notifier that appends each call to ``$NOTIFY_RECORD``: the seam the
sd_notify notifier (issue 6) plugs into, checked for order without systemd."""

import os
import sys

from supervisor import cli, notify


class Recorder(notify.Notifier):
    def _note(self, line: str) -> None:
        with open(os.environ["NOTIFY_RECORD"], "a") as f:
            f.write(line + "\n")

    def ready(self, status: str) -> None:
        self._note("READY")

    def reloading(self) -> None:
        self._note("RELOADING")

    def stopping(self) -> None:
        self._note("STOPPING")

    def mainpid(self, pid: int) -> None:
        self._note(f"MAINPID={pid}")


notify.from_environ = lambda environ: Recorder()

if __name__ == "__main__":
    sys.exit(cli.main())
