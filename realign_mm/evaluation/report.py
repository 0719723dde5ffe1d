"""Plain-text tables of key-step results."""
from typing import Dict, Mapping, Sequence

__all__ = ['keystep_table']

_COLUMNS = ('precision', 'recall', 'f1', 'iou')


def keystep_table(results: Mapping[str, Mapping[str, Dict[str, float]]],
                  protocol: str = 'egoprocel',
                  methods: Sequence[str] = ()) -> str:
    """Render per-task P/R/F1/IoU (in %) of one or more methods.

    Args:
        results: ``{method: {task: {precision, recall, f1, iou}}}``; a task
            named ``'mean'`` is printed last.
        protocol (str): title of the table.
        methods (Sequence[str]): order of the methods (default: as given).

    Returns:
        str: a markdown table.
    """
    methods = list(methods) or list(results)
    tasks = sorted({t for m in methods for t in results[m] if t != 'mean'})
    tasks.append('mean')
    head = ['task'] + [f'{m} {c}' for m in methods for c in
                       ('P', 'R', 'F1', 'IoU')]
    lines = [f'Key steps ({protocol} protocol, %)', '',
             '| ' + ' | '.join(head) + ' |',
             '|' + '---|' * len(head)]
    for task in tasks:
        cells = [task]
        for m in methods:
            row = results[m].get(task)
            cells += (['-'] * 4 if row is None else
                      [f'{100 * row[c]:.1f}' for c in _COLUMNS])
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)
