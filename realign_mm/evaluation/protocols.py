"""Names of the two evaluation protocols of method.md section 4, as the
metric keys use them (``keystep/<protocol>/<score>[/<task>]``)."""

__all__ = ['EGOPROCEL', 'POOLED', 'EVAL_PROTOCOLS', 'SCORES', 'metric_key']

#: per-video Hungarian matching, scores averaged over videos then tasks
EGOPROCEL = 'egoprocel'
#: ProceL / CrossTask: counts pooled over the videos of a task
POOLED = 'pooled'
EVAL_PROTOCOLS = (EGOPROCEL, POOLED)
#: the scores each protocol reports (fractions)
SCORES = ('precision', 'recall', 'f1', 'iou')


def metric_key(protocol: str, score: str, task: str = None) -> str:
    """``'pooled/f1'``, or ``'pooled/f1/<task>'`` for one task (without
    the evaluator's ``keystep/`` prefix)."""
    if protocol not in EVAL_PROTOCOLS or score not in SCORES:
        raise ValueError(f'unknown metric {protocol}/{score}: protocols '
                         f'{EVAL_PROTOCOLS}, scores {SCORES}')
    return f'{protocol}/{score}' + ('' if task is None else f'/{task}')
