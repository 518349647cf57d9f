"""Watching the survey folder and the templates root; every relevant save wakes the pages.

The watcher does not render anything: it bumps the state's generation, the open pages hear of
it (Server-Sent Events) and ask for the content again, and the state renders then. So a missed
or doubled event costs at most one extra request, never a stale page.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from reportgen.preview.state import PreviewState

log = logging.getLogger(__name__)

# watchfiles waits `_STEP` ms after a change for more changes (an editor's save is often a
# write plus a rename) and yields at the latest after `_DEBOUNCE` ms.
_STEP = 50
_DEBOUNCE = 300


class Watcher:
    """One thread per watched folder: the templates root with its subfolders, the survey
    folder alone (it may be a big folder such as the desktop; only its .yaml files count)."""

    def __init__(self, state: PreviewState) -> None:
        self.state = state
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(path, recursive), daemon=True,
                             name=f"preview-watch-{path.name}")
            for path, recursive in self.folders()
        ]

    def folders(self) -> list[tuple[Path, bool]]:
        found = [(self.state.templates_root, True), (self.state.survey_folder, False)]
        return [(path, recursive) for path, recursive in found if path.is_dir()]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)

    def _relevant(self, _change: object, path: str) -> bool:
        return self.state.is_watched(Path(path))

    def _run(self, folder: Path, recursive: bool) -> None:
        import watchfiles

        for force_polling in (None, True):  # inotify can run out of watches: then poll
            try:
                for _ in watchfiles.watch(folder, watch_filter=self._relevant, recursive=recursive,
                                          debounce=_DEBOUNCE, step=_STEP,
                                          stop_event=self._stop, rust_timeout=500,
                                          raise_interrupt=False, force_polling=force_polling):
                    self.state.notify_change()
                return
            except (OSError, RuntimeError) as exc:
                if self._stop.is_set():
                    return
                log.warning("无法监视 %s 的变化（%s），改为定时检查", folder, exc)
