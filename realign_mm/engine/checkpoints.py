"""Checkpoints a kill cannot break, and a resume that checks what it takes.

* :class:`AtomicLocalBackend` (``backend_args=dict(backend='atomic_local')``
  of ``CheckpointHook``, set in ``configs/_base_/default_runtime.py``)
  writes each checkpoint to a temporary file in the same folder, flushes it
  to disk and renames it over the target: a kill during the save leaves the
  previous file, never a truncated one.
* :func:`resumable_checkpoint` is what ``tools/train.py --resume`` (without
  a path) resumes from: the work directory's latest checkpoint if it reads
  back, else the newest earlier one that does, with a warning.
"""
import logging
import os
import os.path as osp
import re
import tempfile
import zipfile
from pathlib import Path
from typing import List, Optional, Union

from mmengine.fileio import LocalBackend, register_backend
from mmengine.logging import print_log

__all__ = ['AtomicLocalBackend', 'verify_checkpoint', 'resumable_checkpoint']


class AtomicLocalBackend(LocalBackend):
    """``LocalBackend`` whose writes are atomic (temporary file + fsync +
    ``os.replace``)."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        filepath = str(filepath)
        folder = osp.dirname(osp.abspath(filepath))
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix='.tmp-',
                                   suffix=osp.basename(filepath))
        try:
            with os.fdopen(fd, 'wb') as f:
                f.write(obj)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, filepath)
        except BaseException:
            if osp.exists(tmp):
                os.remove(tmp)
            raise

    def put_text(self, obj: str, filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        self.put(obj.encode(encoding), filepath)


register_backend('atomic_local', AtomicLocalBackend)


def verify_checkpoint(path: str) -> Optional[str]:
    """None if ``path`` is a complete torch checkpoint (a zip archive whose
    every member passes its CRC check), else the reason it is not. Reads
    the file once; unpickles nothing."""
    if not osp.isfile(path):
        return 'no such file'
    if osp.getsize(path) == 0:
        return 'empty file'
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            if bad is not None:
                return f'member {bad} is corrupt'
            if not any(n.endswith('data.pkl') for n in archive.namelist()):
                return 'not a torch checkpoint (no data.pkl)'
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return f'truncated or not a checkpoint ({exc})'
    return None


def _by_progress(work_dir: str) -> List[str]:
    """``iter_N.pth`` / ``epoch_N.pth`` of ``work_dir``, newest first."""
    found = []
    for name in os.listdir(work_dir) if osp.isdir(work_dir) else []:
        match = re.fullmatch(r'(?:iter|epoch)_(\d+)\.pth', name)
        if match:
            found.append((int(match.group(1)), osp.join(work_dir, name)))
    return [p for _, p in sorted(found, reverse=True)]


def resumable_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint to resume from: the one ``last_checkpoint`` names,
    else the newest ``iter_*`` / ``epoch_*`` file, the first of them that
    :func:`verify_checkpoint` accepts; each refused one is logged with
    why. None when there is none (training starts afresh)."""
    candidates = []
    pointer = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(pointer):
        with open(pointer) as f:
            named = f.read().strip()
        if named:
            candidates.append(named)
    candidates += [p for p in _by_progress(work_dir) if p not in candidates]
    for path in candidates:
        reason = verify_checkpoint(path)
        if reason is None:
            if path != candidates[0]:
                print_log(f'--resume: resuming from {path}, the newest '
                          'checkpoint that reads back', logger='current',
                          level=logging.WARNING)
            return path
        print_log(f'--resume: skipping checkpoint {path}: {reason}',
                  logger='current', level=logging.WARNING)
    return None
