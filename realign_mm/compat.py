"""Compatibility with the pinned OpenMMLab stack, applied by one explicit call.

:func:`apply_compat` is called once by ``realign_mm/__init__.py``; it is
idempotent and touches nothing else at import time. It handles two known
problems of mmaction2 1.2.0 + mmengine 0.10.7 on torch >= 2.6:

1. The mmaction2 1.2.0 wheel lacks ``mmaction/models/localizers/drn/``
   (no ``__init__.py`` upstream), so ``import mmaction.models`` fails. We put
   placeholder modules for that one package into ``sys.modules``; only the
   DRN localizer is lost and it says so when built.
2. torch >= 2.6 loads checkpoints with ``weights_only=True``. mmengine pickles
   ``HistoryBuffer`` objects and numpy values into checkpoints; allow-listing
   what those pickles need (``builtins.getattr`` among them) would make
   loading unsafe. Instead :class:`~realign_mm.engine.CheckpointStateHook`
   stores that state in plain types, and we register a local checkpoint
   loader that keeps ``weights_only=True`` and, when a file holds anything
   else, refuses it with a message saying how to trust it explicitly
   (:func:`trusted_checkpoints`).
"""
import contextlib
import importlib.util
import os
import pickle
import sys
import types
from typing import Iterator

import torch

__all__ = ['apply_compat', 'trusted_checkpoints', 'UntrustedCheckpointError']

_TRUST_ENV = 'REALIGN_TRUST_CHECKPOINTS'
_applied = False


class UntrustedCheckpointError(RuntimeError):
    """A checkpoint holds objects outside torch's ``weights_only`` set."""


def _drn_missing() -> bool:
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return False
    root = list(spec.submodule_search_locations)[0]
    drn = os.path.join(root, 'models', 'localizers', 'drn')
    return not os.path.isfile(os.path.join(drn, '__init__.py'))


def _install_drn_placeholder() -> None:
    """Provide ``mmaction.models.localizers.drn(.drn).DRN`` placeholders."""
    if 'mmaction.models' in sys.modules or not _drn_missing():
        return
    name = 'mmaction.models.localizers.drn'

    class DRN:  # noqa: D401 - placeholder class
        """Placeholder: the mmaction2 1.2.0 wheel does not ship DRN."""

        def __init__(self, *args, **kwargs) -> None:
            raise ImportError(
                'mmaction.models.localizers.drn is missing from the '
                'mmaction2 1.2.0 wheel; DRN cannot be built. Install '
                'mmaction2 from source to use it.')

    package = types.ModuleType(name)
    package.__path__ = []  # type: ignore[attr-defined]
    module = types.ModuleType(name + '.drn')
    module.DRN = DRN  # type: ignore[attr-defined]
    package.drn = module  # type: ignore[attr-defined]
    sys.modules[name] = package
    sys.modules[name + '.drn'] = module


def _trusted() -> bool:
    return os.environ.get(_TRUST_ENV, '0') == '1'


@contextlib.contextmanager
def trusted_checkpoints() -> Iterator[None]:
    """Context in which checkpoints load with ``weights_only=False``.

    Use only for files you trust: unpickling can run arbitrary code. The
    same is reached for a whole run with ``REALIGN_TRUST_CHECKPOINTS=1``.
    """
    previous = os.environ.get(_TRUST_ENV)
    os.environ[_TRUST_ENV] = '1'
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(_TRUST_ENV, None)
        else:
            os.environ[_TRUST_ENV] = previous


def safe_torch_load(filename, map_location=None):
    """``torch.load`` with ``weights_only=True`` and a clear refusal."""
    if _trusted():
        return torch.load(filename, map_location=map_location,
                          weights_only=False)
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=True)
    except pickle.UnpicklingError as exc:
        raise UntrustedCheckpointError(
            f'checkpoint {filename} holds objects outside the safe '
            f'weights-only set ({str(exc).splitlines()[0]}). Checkpoints '
            'written by realign_mm store their runtime state in plain '
            'types; this one was written elsewhere. If you trust the file, '
            f'set {_TRUST_ENV}=1 or load it inside '
            'realign_mm.compat.trusted_checkpoints().') from exc


def _register_checkpoint_loader() -> None:
    from mmengine.runner.checkpoint import CheckpointLoader

    def load_from_local(filename, map_location):
        filename = os.path.expanduser(filename)
        if not os.path.isfile(filename):
            raise FileNotFoundError(f'{filename} can not be found.')
        return safe_torch_load(filename, map_location=map_location)

    CheckpointLoader.register_scheme(
        prefixes='', loader=load_from_local, force=True)


def apply_compat() -> None:
    """Apply both fixes once (idempotent)."""
    global _applied
    if _applied:
        return
    _install_drn_placeholder()
    _register_checkpoint_loader()
    _applied = True
