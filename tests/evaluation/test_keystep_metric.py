"""KeyStepMetric: per-task scores, videos counted once."""
import numpy as np
import pytest
import torch

from realign_mm.evaluation import KeyStepMetric


def _sample(video, task, labels, seed):
    rng = np.random.default_rng(seed)
    steps = np.eye(8)[labels] * 4  # one direction per step
    emb = steps + 0.05 * rng.normal(size=steps.shape)
    return dict(video_id=video, task=task,
                pred_embedding=torch.tensor(emb, dtype=torch.float32),
                gt_frame_labels=torch.tensor(labels))


def test_perfect_embeddings_score_one_and_duplicates_count_once():
    labels = np.repeat([0, 1, 0, 2, 3, 0], 5)
    samples = [_sample(f'v{i}', 'cook', labels, i) for i in range(3)]
    metric = KeyStepMetric(num_keysteps=4, smoothness=0.5)
    metric.process({}, samples)
    metric.process({}, samples[:1])  # a padded repeat from a dist sampler
    result = metric.compute_metrics(metric.results)
    assert result['egoprocel/f1'] == pytest.approx(1.0)
    assert result['egoprocel/iou/cook'] == pytest.approx(1.0)
    assert result['pooled/f1'] == pytest.approx(1.0)
    assert metric.per_task['egoprocel']['cook']['precision'] == 1.0


def test_metric_rejects_length_mismatch():
    metric = KeyStepMetric()
    bad = _sample('v', 't', np.array([0, 1, 1]), 0)
    bad['gt_frame_labels'] = torch.tensor([0, 1])
    with pytest.raises(ValueError, match='3 embeddings but 2 frame labels'):
        metric.process({}, [bad])


@pytest.mark.parametrize('k', [0, -3, 2.5, True])
def test_num_keysteps_must_be_a_positive_integer(k):
    with pytest.raises(ValueError, match='num_keysteps must be an integer'):
        KeyStepMetric(num_keysteps=k)


def test_more_clusters_than_frames_is_an_error_and_above_steps_is_logged():
    labels = np.repeat([0, 1, 2], 3)
    metric = KeyStepMetric(num_keysteps=20)
    metric.process({}, [_sample('v', 'cook', labels, 0)])
    with pytest.raises(ValueError, match="task 'cook' has only 9 frames"):
        metric.compute_metrics(metric.results)
    import logging

    from mmengine.logging import MMLogger
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        metric = KeyStepMetric(num_keysteps=4)
        metric.process({}, [_sample('v', 'cook', labels, 0)])
        metric.compute_metrics(metric.results)
    finally:
        logger.removeHandler(handler)
    assert any('above its 2 annotated key steps' in r.getMessage()
               for r in records)
