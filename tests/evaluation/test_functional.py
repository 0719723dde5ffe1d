"""Key-step maths on hand-worked examples."""
import itertools

import numpy as np
import pytest

from realign_mm.evaluation.functional import (chain_energy,
                                              discover_keysteps,
                                              egoprocel_scores, fuzzy_cmeans,
                                              pooled_scores, smooth_labels)


def test_egoprocel_scores_hand_worked():
    gt = np.array([0, 0, 1, 1, 1, 1, 0, 2, 2, 0])
    pred = np.array([5, 5, 3, 3, 3, 4, 4, 4, 4, 5])
    # Hungarian on overlaps: bg<->5 (3), step1<->3 (3), step2<->4 (2)
    s = egoprocel_scores(pred, gt)
    # step 1: |p&g|=3, |g|=4, |p|=3 -> R=.75, P=1, IoU=.75
    # step 2: |p&g|=2, |g|=2, |p|=4 -> R=1, P=.5, IoU=.5
    assert s['precision'] == pytest.approx(0.75)
    assert s['recall'] == pytest.approx(0.875)
    assert s['iou'] == pytest.approx(0.625)
    assert s['f1'] == pytest.approx(2 * .75 * .875 / (.75 + .875))


def test_egoprocel_scores_edge_cases():
    assert egoprocel_scores(np.array([1, 2, 3]), np.array([0, 0, 0])) is None
    # one cluster over the whole video: matched to background -> zeros
    s = egoprocel_scores(np.zeros(6, int), np.array([0, 0, 0, 0, 1, 1]))
    assert s == dict(precision=0.0, recall=0.0, f1=0.0, iou=0.0)
    # K larger than the number of steps: extra clusters stay unmatched
    gt = np.array([1, 1, 2, 2])
    s = egoprocel_scores(np.array([0, 1, 2, 3]), gt)
    assert s['precision'] == 1 and s['recall'] == 0.5
    # a repeated step: both occurrences belong to the same class
    gt = np.array([1, 1, 0, 2, 0, 1, 1])
    s = egoprocel_scores(np.array([7, 7, 8, 9, 8, 7, 7]), gt)
    assert s['precision'] == s['recall'] == s['iou'] == 1


def test_pooled_scores_hand_worked():
    gts = [np.array([0, 1, 1, 2]), np.array([1, 2, 2, 0])]
    preds = [np.array([0, 1, 1, 1]), np.array([1, 2, 2, 2])]
    # pooled overlaps: bg:{0:1, 2:1}, 1:{1:3}, 2:{1:1, 2:2}
    # Hungarian: 1<->1, 2<->2, bg<->0; correct = 3 + 2 = 5
    # predicted = |pred in {1, 2}| = 7, labelled = 6
    s = pooled_scores(preds, gts)
    assert s['precision'] == pytest.approx(5 / 7)
    assert s['recall'] == pytest.approx(5 / 6)
    assert s['iou'] == pytest.approx(5 / 8)


def test_chain_smoothing_is_exact():
    rng = np.random.default_rng(0)
    for _ in range(20):
        member = rng.dirichlet(np.ones(3), size=6)
        unary = 1.3 * (1 - member)
        best = min(
            chain_energy(np.array(lab), unary, 0.4)
            for lab in itertools.product(range(3), repeat=6))
        labels = smooth_labels(member, beta=1.3, smoothness=0.4)
        assert chain_energy(labels, unary, 0.4) == pytest.approx(best)


def test_fuzzy_cmeans_and_discovery_on_separated_clusters():
    rng = np.random.default_rng(0)
    centers = np.eye(4)[:3] * 3
    x = np.concatenate([c + 0.1 * rng.normal(size=(20, 4)) for c in centers])
    u = fuzzy_cmeans(x, 3, seed=0)
    np.testing.assert_allclose(u.sum(1), 1)
    hard = u.argmax(1)
    assert len({tuple(hard[i * 20:(i + 1) * 20]) for i in range(3)}) == 3
    labels, order = discover_keysteps([x[:30], x[30:]], 3, smoothness=0.5)
    assert len(labels[0]) == 30 and len(order) == 3
    gt = [np.repeat([1, 2], [20, 10]), np.repeat([2, 3], [10, 20])]
    scores = egoprocel_scores(labels[0], gt[0])
    assert scores['f1'] == pytest.approx(1.0)
