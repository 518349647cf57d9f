"""`reportgen watch`: rebuild the affected reports whenever a survey or template file is saved.

    session = WatchSession(paths, out_dir, formats, jobs, make_reporter)
    session.affected(changed_paths)   → (surveys to rebuild, surveys deleted): the pure decision
    session.rebuild(surveys)          → one incremental batch (build.batch.build_batch)
    session.run(stop_event)           → initial build, then watch until Ctrl-C or stop_event

What a change means:
    a survey saved or added            that survey
    a file of template set X changed   every survey that uses X (as last built or stamped)
    a survey deleted                   said so; its reports stay where they are
    anything else (outputs, editor swap files, other folders)   nothing

Each rebuild is still incremental (stamps decide), so saving a file without changing it, or
touching a template file, rebuilds nothing. The heavy libraries are imported and the fonts
registered once, in this process, so a single saved survey is rebuilt in-process without
paying for them again; several at once go to forked workers that inherit them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from reportgen.build.batch import (
    Prepare,
    Reporter,
    Summary,
    Work,
    build_batch,
    build_job,
    prepare_worker,
)
from reportgen.build.inputs import is_editor_junk, is_survey_name, resolved
from reportgen.writers import DEFAULT_FORMATS

DEBOUNCE_MS = 200  # a save is often several events (write, chmod, rename): one rebuild
STEP_MS = 50
IDLE_MS = 100  # how often the watch loop wakes when nothing changes (stop_event, first run)


class WatchSession:
    """What is watched, what each change means, and the rebuilds it causes."""

    def __init__(self, paths: Sequence[Path], out_dir: Path,
                 formats: Sequence[str] = DEFAULT_FORMATS, jobs: int | None = None,
                 make_reporter: Callable[[], Reporter] | None = None,
                 templates_root: Path | None = None,
                 say: Callable[[str], None] | None = None,
                 work: Work = build_job, prepare: Prepare = prepare_worker) -> None:
        from reportgen.templating.templateset import templates_root as default_root

        self.paths = list(paths)
        self.out_dir = out_dir
        self.formats = tuple(formats)
        self.jobs = jobs
        # The command line gives its progress display; a session made only to decide what a
        # change affects needs none.
        self.make_reporter = make_reporter
        self.templates_root = (templates_root or default_root()).resolve()
        self.say = say or (lambda text: print(text, flush=True))
        self.work = work
        self.prepare = prepare
        # survey (resolved) → the template set it used when last built or stamped
        self.template_sets: dict[Path, str] = {}
        self._dirs = {resolved(p): p for p in self.paths if p.is_dir()}
        self._files = {resolved(p): p for p in self.paths if not p.is_dir()}

    # -- what is watched ----------------------------------------------------------------

    def surveys(self) -> list[Path]:
        """The surveys the paths name now (a folder's current .yaml files, sorted)."""
        found: list[Path] = []
        for shown in self.paths:
            if shown.is_dir():
                found += sorted(p for p in shown.iterdir() if self._is_survey_name(p.name)
                                and p.is_file())
            elif shown.is_file():
                found.append(shown)
        return found

    def roots(self) -> list[Path]:
        """Folders to watch: the survey folders, the folders of single survey files, templates.

        A single file is watched through its folder: editors that save by writing a new file
        and renaming it over the old one would otherwise end the watch on the first save.
        """
        roots = {*self._dirs, *(p.parent for p in self._files)}
        if self.templates_root.is_dir():
            roots.add(self.templates_root)
        return sorted(roots)

    def _identities(self) -> dict[Path, tuple[int, int] | None]:
        """Each root folder's identity (device, inode), None while it does not exist.

        A folder deleted and made again is a new folder: the old watch on it is gone, so
        the watch must start over to see anything saved in the new one.
        """
        found: dict[Path, tuple[int, int] | None] = {}
        for root in (*self.roots(), self.templates_root):
            try:
                info = root.stat()
                found[root] = (info.st_dev, info.st_ino)
            except OSError:
                found[root] = None
        return found

    @staticmethod
    def _is_survey_name(name: str) -> bool:
        return is_survey_name(name)

    def _survey_shown(self, path: Path) -> Path | None:
        """The survey as the user named it, if `path` (absolute) is one of ours."""
        if path in self._files:
            return self._files[path]
        shown_dir = self._dirs.get(path.parent)
        if shown_dir is not None and self._is_survey_name(path.name):
            return shown_dir / path.name
        return None

    def _template_set_of(self, path: Path) -> str | None:
        try:
            parts = path.relative_to(self.templates_root).parts
        except ValueError:
            return None
        if len(parts) < 2 or any(is_editor_junk(part) for part in parts):
            return None
        return parts[0]

    # -- what a change means ------------------------------------------------------------

    def affected(self, changed: Iterable[Path]) -> tuple[list[Path], list[Path]]:
        """(surveys to rebuild, surveys deleted) for a set of changed absolute paths."""
        rebuild: dict[Path, Path] = {}
        deleted: dict[Path, Path] = {}
        sets: set[str] = set()
        for raw in changed:
            path = Path(raw)
            path = path.parent.resolve() / path.name
            shown = self._survey_shown(path)
            if shown is not None:
                if shown.is_file():
                    rebuild[path] = shown
                else:
                    deleted[path] = shown
                continue
            name = self._template_set_of(path)
            if name is not None:
                sets.add(name)
        if sets:
            for shown in self.surveys():
                if self.template_sets.get(shown.resolve()) in sets:
                    rebuild.setdefault(shown.resolve(), shown)
        return sorted(rebuild.values()), sorted(deleted.values())

    # -- rebuilding ---------------------------------------------------------------------

    def rebuild(self, surveys: Sequence[Path]) -> Summary:
        if self.make_reporter is None:
            raise ValueError("WatchSession.rebuild needs make_reporter")
        summary = build_batch(surveys, self.out_dir, self.make_reporter(),
                              formats=self.formats, jobs=self.jobs, work=self.work,
                              prepare=self.prepare)
        for path, name in summary.template_sets.items():
            self.template_sets[path.resolve()] = name
        return summary

    def handle(self, changed: Iterable[Path]) -> Summary | None:
        """Say what changed and rebuild what it affects; None if nothing needed a build."""
        changed = [Path(p) for p in changed]
        rebuild, deleted = self.affected(changed)
        for path in deleted:
            self.say(f"已删除：{path}（它的报告仍保留在 {self.out_dir}/ 中）")
        if not rebuild:
            return None
        sets = sorted({self._template_set_of(p.parent.resolve() / p.name) or ""
                       for p in changed} - {""})
        if sets:
            what = "、".join(f"模板集“{name}”" for name in sets)
        else:
            what = "、".join(str(p) for p in rebuild[:5])
            what += f" 等 {len(rebuild)} 个文件" if len(rebuild) > 5 else ""
        self.say(f"{time.strftime('%H:%M:%S')} 检测到修改：{what}；"
                 f"重新核对 {len(rebuild)} 份报告")
        return self.rebuild(rebuild)

    def run(self, stop_event: threading.Event | None = None) -> None:
        """Initial incremental build, then rebuild on every change until stopped.

        Returns when stop_event is set; KeyboardInterrupt (Ctrl-C) propagates to the caller,
        also when it arrives during a rebuild (reports in progress are finished first).
        """
        if self.prepare is not None:
            self.prepare(self.formats)
        first = True
        build = True  # an incremental build as soon as the watch is in place
        watched: dict[Path, tuple[int, int] | None] | None = None  # when the last watch began
        while not (stop_event is not None and stop_event.is_set()):
            now = self._identities()
            if watched is not None and now != watched:
                # A root folder was deleted, made again or replaced (perhaps all three since
                # the last look): say so, and check its surveys once it is watched again.
                build = self._folders_changed(watched, now) or build
            watched = now
            roots = [root for root in self.roots() if now.get(root) is not None]
            if not roots:  # every folder is gone: wait for one to come back
                time.sleep(IDLE_MS / 1000)
                continue
            if self._watch(roots, now, build, first, stop_event):
                return
            build = first = False

    def _watch(self, roots: list[Path], known: dict[Path, tuple[int, int] | None],
               build: bool, first: bool, stop_event: threading.Event | None) -> bool:
        """Watch `roots` until stopped (True) or until a root folder is deleted, made again
        or replaced (False: the caller starts the watch again on the folders as they are)."""
        import watchfiles

        # The watcher exists before the build, so a file saved during that build is still
        # seen afterwards (yield_on_timeout hands control back at once, empty).
        for changes in watchfiles.watch(*roots, watch_filter=None, debounce=DEBOUNCE_MS,
                                        step=STEP_MS, rust_timeout=IDLE_MS,
                                        yield_on_timeout=True, stop_event=stop_event):
            if build:
                build = False
                self._stop_if_interrupted(self.rebuild(self.surveys()))
            if first:
                first = False
                where = "、".join(str(p) for p in self.paths)
                self.say(f"正在监视 {where} 和模板集 {self.templates_root} 的变化"
                         "（按 Ctrl-C 停止）")
            if changes:
                summary = self.handle(Path(path) for _, path in changes)
                if summary is not None:
                    self._stop_if_interrupted(summary)
            if self._identities() != known:
                return False
        return True

    def _folders_changed(self, before: dict[Path, tuple[int, int] | None],
                         now: dict[Path, tuple[int, int] | None]) -> bool:
        """Say which watched folders went away or came back; True if one is back (its
        surveys are then checked, once the new watch is in place)."""
        back = False
        for root, was in before.items():
            if now.get(root) == was:
                continue
            if now.get(root) is None:
                self.say(f"监视的文件夹 {root} 已被删除；它重新出现后会继续监视")
            else:
                self.say(f"监视的文件夹 {root} 已重新出现，继续监视")
                back = True
        return back

    @staticmethod
    def _stop_if_interrupted(summary: Summary) -> None:
        if summary.interrupted:  # Ctrl-C arrived during the build and was handled there
            raise KeyboardInterrupt
