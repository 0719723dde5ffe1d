"""Pictures of a tested model: per-task scores, timelines, a transport map."""
import os
import os.path as osp
from typing import List, Optional

import torch
from mmengine.runner import Runner

from realign_mm.visualization import (plot_task_scores, plot_timelines,
                                      plot_transport_map)

__all__ = ['visualize_run']


def _pair_plan(runner: Runner, task: str):
    """Embed the first two test videos of ``task`` and solve their plan."""
    model = runner.model
    loss = getattr(model, 'align_loss', None)
    if loss is None or not hasattr(loss, 'solve'):
        return None
    dataset = runner.test_dataloader.dataset
    picks = [i for i in range(len(dataset))
             if dataset.get_data_info(i)['task'] == task][:2]
    if len(picks) < 2:
        return None
    items = [dataset[i] for i in picks]
    batch = model.data_preprocessor(
        dict(inputs=[it['inputs'] for it in items],
             data_samples=[it['data_samples'] for it in items]))
    model.eval()
    with torch.no_grad():
        emb, mask = model.extract_feat(batch['inputs'], batch['data_samples'])
        result = loss.solve(emb[:1], emb[1:], mask[:1], mask[1:])
    n, m = int(mask[0].sum()), int(mask[1].sum())
    labels = [s.gt_frame_labels.cpu().numpy() for s in batch['data_samples']]
    names = [s.video_id for s in batch['data_samples']]
    return dict(
        plan=result.plan[0, :n, :m].cpu().numpy(),
        sink_x=result.sink_x[0, :n].cpu().numpy(),
        sink_y=result.sink_y[0, :m].cpu().numpy(),
        labels_x=labels[0][:n], labels_y=labels[1][:m], names=names)


def visualize_run(runner: Runner,
                  out_dir: str,
                  task: Optional[str] = None,
                  num_videos: int = 4,
                  protocol: str = 'egoprocel') -> List[str]:
    """Test the runner's model and draw what it found.

    Writes ``scores.png`` (F1 / IoU per task), ``timeline_<task>.png``
    (ground truth vs discovered steps of up to ``num_videos`` videos) and
    ``transport_<task>.png`` (the plan of the task's first two test
    videos, sink row / column, ground-truth boundaries) into ``out_dir``.

    Returns:
        list: the written paths.
    """
    os.makedirs(out_dir, exist_ok=True)
    runner.test()
    metric = runner.test_evaluator.metrics[0]
    paths = [
        plot_task_scores(metric.per_task[protocol],
                         osp.join(out_dir, 'scores.png'),
                         f'key-step scores per task ({protocol} protocol)')
    ]
    tasks = sorted({v['task'] for v in metric.discovered.values()})
    if task is None:
        task = tasks[0]
    elif task not in tasks:
        raise ValueError(f'task {task!r} is not in the test set: {tasks}')
    videos = sorted(v for v, d in metric.discovered.items()
                    if d['task'] == task)[:num_videos]
    paths.append(
        plot_timelines([metric.discovered[v]['gt'] for v in videos],
                       [metric.discovered[v]['labels'] for v in videos],
                       videos, osp.join(out_dir, f'timeline_{task}.png'),
                       f'{task}: ground truth vs discovered key steps'))
    pair = _pair_plan(runner, task)
    if pair is not None:
        paths.append(
            plot_transport_map(
                pair['plan'], osp.join(out_dir, f'transport_{task}.png'),
                pair['sink_x'], pair['sink_y'], pair['labels_x'],
                pair['labels_y'],
                f'{pair["names"][0]} (rows) vs {pair["names"][1]}'))
    return paths
