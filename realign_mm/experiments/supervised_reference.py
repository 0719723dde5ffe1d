"""What the embedder reaches *with* labels: a supervised reference that
bounds what a label-free loss can be asked to do with the same model and
the same discovery.

The config's own model (its neck, its input handling, its L2
normalisation) is trained on the training split with the step labels,
through a cosine classifier per task on the frame embeddings ``e_f``:

.. math::
    \\mathcal{L} = -\\frac{1}{|F|} \\sum_{f \\in F}
        \\log \\operatorname{softmax}_k
        \\Big(\\frac{\\hat w_{\\tau(f), k} \\cdot e_f}{t}\\Big)_{l_f}

(``tau(f)`` the frame's task, ``l_f`` its step, 0 = background,
``hat w`` unit rows). The classifiers are then dropped and the embeddings
of each evaluated split are scored by the config's ``test_evaluator``
(clustering, smoothing, both protocols), exactly like any method's. Labels
are read from the training split only.

A label-free method that scores near this reference has reached what the
embedder and the discovery allow on the features; a goal above it asks a
label-free loss to beat supervised training.
"""
from typing import Dict, List, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.config import Config

from realign_mm.apis import (build_dataset, embed_video, init_aligner,
                             split_videos)

__all__ = ['cosine_step_loss', 'train_supervised', 'score_embeddings',
           'supervised_reference']


def cosine_step_loss(emb: torch.Tensor, mask: torch.Tensor,
                     labels: torch.Tensor, tasks: torch.Tensor,
                     classifiers: torch.Tensor,
                     temperature: float = 0.1) -> torch.Tensor:
    """The cross-entropy above over the real frames of a batch.

    Args:
        emb (Tensor): ``(B, T, d)`` frame embeddings.
        mask (Tensor): ``(B, T)`` real frames.
        labels (Tensor): ``(B, T)`` step ids (0 = background).
        tasks (Tensor): ``(B,)`` task index of each video.
        classifiers (Tensor): ``(num_tasks, num_classes, d)``.
        temperature (float): ``t``. Defaults to 0.1.
    """
    weights = F.normalize(classifiers, dim=-1)[tasks]  # (B, K, d)
    logits = torch.einsum('btd,bkd->btk', emb, weights) / temperature
    return F.cross_entropy(logits[mask], labels[mask])


def train_supervised(cfg: Config, iters: int, seed: int = 0,
                     videos_per_batch: int = 8, lr: float = 1e-3,
                     weight_decay: float = 1e-5,
                     temperature: float = 0.1, log=None):
    """The config's model, trained with :func:`cosine_step_loss` on the
    config's training dataset (its pipeline: jittered frames with their
    context), Adam with cosine decay to ``1e-5`` and gradients clipped at
    10 (the real-data schedule's settings).

    Returns the model in eval mode.
    """
    torch.manual_seed(seed)
    np.random.seed(seed)  # the pipeline's jitter
    rng = np.random.default_rng(seed)
    model = init_aligner(cfg).train()
    dataset = build_dataset(cfg, cfg.train_dataloader.dataset)
    num_classes = 1 + max(
        (seg.step for i in range(len(dataset))
         for seg in dataset.get_data_info(i)['segments']), default=0)
    num_tasks = len(dataset.metainfo['tasks'])
    dim = model(torch.zeros(1, *dataset[0]['inputs'].shape)).shape[-1]
    classifiers = torch.nn.Parameter(
        torch.randn(num_tasks, num_classes, dim) / dim**0.5)
    params = list(model.parameters()) + [classifiers]
    optimizer = torch.optim.Adam(params, lr, weight_decay=weight_decay)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(
        optimizer, iters, eta_min=1e-5)
    for it in range(iters):
        index = rng.choice(len(dataset), videos_per_batch,
                           replace=len(dataset) < videos_per_batch)
        items = [dataset[int(i)] for i in index]
        data = model.data_preprocessor(
            dict(inputs=[item['inputs'] for item in items],
                 data_samples=[item['data_samples'] for item in items]),
            training=True)
        emb, mask = model.extract_feat(data['inputs'], data['data_samples'])
        labels = torch.zeros(mask.shape, dtype=torch.long)
        for row, sample in enumerate(data['data_samples']):
            frames = torch.as_tensor(sample.gt_frame_labels)
            labels[row, :len(frames)] = frames
        tasks = torch.tensor(
            [s.metainfo['task_id'] for s in data['data_samples']])
        loss = cosine_step_loss(emb, mask, labels, tasks, classifiers,
                                temperature)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 10.0)
        optimizer.step()
        schedule.step()
        if log is not None and (it + 1) % max(1, iters // 5) == 0:
            log(f'iter {it + 1}/{iters}: loss {loss.item():.3f}')
    return model.eval()


@torch.no_grad()
def score_embeddings(model, cfg: Config, split: str) -> Dict[str, float]:
    """The config's ``test_evaluator`` on ``model``'s embeddings of the
    test dataset's videos of ``split`` (keys without the prefix, e.g.
    ``pooled/f1``)."""
    from mmaction.registry import METRICS
    metric = METRICS.build(cfg.test_evaluator)
    for item in split_videos(cfg, split):
        sample = item['data_samples']
        metric.process(None, [dict(
            video_id=sample.metainfo['video_id'],
            task=sample.metainfo['task'],
            pred_embedding=embed_video(model, item),
            gt_frame_labels=sample.gt_frame_labels)])
    return metric.compute_metrics(metric.results)


def supervised_reference(cfg: Config, splits: Sequence[str] = ('val', ),
                         seeds: Sequence[int] = (0, 1, 2),
                         iters: int = 300, log=None,
                         **train_kwargs) -> Dict[str, List[dict]]:
    """``{split: [metrics of each seed]}`` of the supervised reference."""
    out: Dict[str, List[dict]] = {split: [] for split in splits}
    for seed in seeds:
        model = train_supervised(cfg, iters, seed, log=log, **train_kwargs)
        for split in splits:
            out[split].append(score_embeddings(model, cfg, split))
            if log is not None:
                log(f'seed {seed} {split}: F1 '
                    f'{100 * out[split][-1]["egoprocel/f1"]:.1f} / pooled '
                    f'{100 * out[split][-1]["pooled/f1"]:.1f}')
    return out
