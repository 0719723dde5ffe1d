"""Refuse config keys that nothing reads, before a run starts.

mmengine builds each ``type=``'d dict as ``Class(**rest)``: a misspelt
option fails late (a hook at its first call, iteration 1000) with a bare
``TypeError`` naming neither the config path nor the options there are, or
is swallowed by a ``**kwargs``. :func:`check_config_keys` walks the config
once, resolves every ``type`` through the registries the Runner will use,
and raises :class:`ConfigKeyError` with the dotted path, the class and the
closest valid names.
"""
import difflib
import inspect
from typing import Iterator, Optional, Set, Tuple

from mmengine.config import Config

__all__ = ['ConfigKeyError', 'check_config_keys', 'accepted_keys']


class ConfigKeyError(KeyError):
    """A config key that the class it configures does not take."""

    def __str__(self) -> str:  # KeyError would print the repr
        return str(self.args[0])


#: env_cfg has no class; these are the keys mmengine's Runner reads
_ENV_KEYS = {'cudnn_benchmark', 'mp_cfg', 'dist_cfg', 'resource_limit'}
_MP_KEYS = {'mp_start_method', 'opencv_num_threads'}
#: (class, old key) -> the key's new name
_RENAMED = {('ProcedureAligner', 'fpgw_loss'): 'align_loss'}


def _registries() -> dict:
    from mmaction.registry import (DATA_SAMPLERS, DATASETS, HOOKS, METRICS,
                                   MODELS, TRANSFORMS)
    return dict(model=MODELS, dataset=DATASETS, pipeline=TRANSFORMS,
                sampler=DATA_SAMPLERS, evaluator=METRICS, hook=HOOKS)


def accepted_keys(cls) -> Optional[Set[str]]:
    """The keyword arguments ``cls(...)`` takes, following ``**kwargs`` up
    the class hierarchy (``KOTLoss(**kwargs)`` -> ``FPGWLoss``); None when
    they cannot be known (``**kwargs`` all the way up)."""
    keys: Set[str] = set()
    for klass in inspect.getmro(cls):
        init = klass.__dict__.get('__init__')
        if init is None:
            continue
        params = inspect.signature(init).parameters.values()
        keys |= {p.name for p in params
                 if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            keys.discard('self')
            return keys
    if cls.__name__ == 'CheckpointHook':  # its **kwargs go to save_checkpoint
        from mmengine.runner import Runner
        return keys | set(inspect.signature(
            Runner.save_checkpoint).parameters) - {'self'}
    return None


def _typed(node, path: str, kind: str) -> Iterator[Tuple[str, dict, str]]:
    """``(path, dict, registry kind)`` of every ``type``'d dict in node."""
    if isinstance(node, (list, tuple)):
        for i, item in enumerate(node):
            yield from _typed(item, f'{path}[{i}]', kind)
        return
    if not isinstance(node, dict):
        return
    if 'type' in node and isinstance(node['type'], str):
        yield path, node, kind
    for key, value in node.items():
        child = kind
        if key == 'pipeline':
            child = 'pipeline'
        elif key == 'sampler':
            child = 'sampler'
        elif key in ('dataset', 'datasets'):
            child = 'dataset'
        yield from _typed(value, f'{path}.{key}', child)


def _fail(path: str, key: str, owner: str, valid) -> None:
    if (owner, key) in _RENAMED:
        raise ConfigKeyError(f'config key {path}.{key}: {owner} renamed '
                             f'{key!r} to {_RENAMED[owner, key]!r}')
    close = difflib.get_close_matches(key, sorted(valid), n=3, cutoff=0.6)
    hint = f'; did you mean {" or ".join(map(repr, close))}?' if close else \
        f'; it takes {sorted(valid)}'
    raise ConfigKeyError(f'config key {path}.{key}: {owner} has no option '
                         f'{key!r}{hint}')


def check_config_keys(cfg: Config) -> None:
    """Raise :class:`ConfigKeyError` for the first key no class reads."""
    registries = _registries()
    sections = [('model', 'model'), ('test_evaluator', 'evaluator'),
                ('val_evaluator', 'evaluator')]
    sections += [(f'{s}_dataloader', 'dataset')
                 for s in ('train', 'val', 'test')]
    roots = [(name, cfg.get(name), kind) for name, kind in sections]
    hooks = cfg.get('default_hooks') or {}
    roots += [(f'default_hooks.{k}', v, 'hook') for k, v in hooks.items()]
    roots += [('custom_hooks', cfg.get('custom_hooks'), 'hook')]
    for root, node, kind in roots:
        if node is None:
            continue
        for path, typed, typed_kind in _typed(node, root, kind):
            registry = registries[typed_kind]
            cls = registry.get(typed['type'])
            if cls is None or not inspect.isclass(cls):
                continue  # the Runner reports an unknown type itself
            valid = accepted_keys(cls)
            if valid is None:
                continue
            for key in typed:
                if key not in valid and key not in ('type', '_scope_'):
                    _fail(path, key, cls.__name__, valid)
    env = cfg.get('env_cfg') or {}
    for key in env:
        if key not in _ENV_KEYS:
            _fail('env_cfg', key, 'env_cfg', _ENV_KEYS)
    for key in (env.get('mp_cfg') or {}):
        if key not in _MP_KEYS:
            _fail('env_cfg.mp_cfg', key, 'env_cfg.mp_cfg', _MP_KEYS)


