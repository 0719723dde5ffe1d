"""Clustering options and the exact chain smoother against alpha-expansion
graph cuts (PyMaxflow, the literature's solver, as the reference)."""
import itertools

import numpy as np
import pytest

from realign_mm.evaluation import KeyStepMetric
from realign_mm.evaluation.functional import (chain_energy,
                                              discover_keysteps,
                                              fuzzy_cmeans, l2_normalize,
                                              smooth_labels,
                                              spectral_clustering)


def _alpha_expansion(unary, smoothness, n_sweeps=10):
    """Alpha-expansion (Boykov, Veksler & Zabih, 2001) for the Potts chain
    energy, each move a min cut (Kolmogorov & Zabih's construction)."""
    maxflow = pytest.importorskip('maxflow')
    n, k = unary.shape
    labels = unary.argmin(1)
    best = chain_energy(labels, unary, smoothness)
    for _ in range(n_sweeps):
        improved = False
        for alpha in range(k):
            graph = maxflow.Graph[float]()
            nodes = graph.add_nodes(n)
            # x_t = 1 (sink side): switch to alpha; 0: keep labels[t]
            for t in range(n):
                cost = unary[t, alpha] - unary[t, labels[t]]
                graph.add_tedge(nodes[t], max(cost, 0), max(-cost, 0))
            for t in range(n - 1):
                p, q = labels[t], labels[t + 1]
                e00 = smoothness * (p != q)
                e01 = smoothness * (p != alpha)
                e10 = smoothness * (alpha != q)
                # E = e00 + (e10 - e00) x_t + (e11 - e10) x_t+1
                #     + (e01 + e10 - e00 - e11) (1 - x_t) x_t+1, e11 = 0
                for node, c in ((t, e10 - e00), (t + 1, -e10)):
                    graph.add_tedge(nodes[node], max(c, 0), max(-c, 0))
                graph.add_edge(nodes[t], nodes[t + 1], e01 + e10 - e00, 0)
            graph.maxflow()
            switch = np.array([graph.get_segment(nodes[t]) for t in range(n)])
            proposal = np.where(switch == 1, alpha, labels)
            energy = chain_energy(proposal, unary, smoothness)
            if energy < best - 1e-12:
                labels, best, improved = proposal, energy, True
        if not improved:
            break
    return labels, best


def test_exact_smoothing_never_loses_to_alpha_expansion():
    rng = np.random.default_rng(0)
    strictly_better = 0
    for trial in range(60):
        n, k = rng.integers(5, 60), rng.integers(2, 8)
        member = rng.dirichlet(np.full(k, 0.5), size=n)
        beta, smoothness = 1.0, rng.uniform(0.05, 1.5)
        unary = beta * (1 - member)
        exact = chain_energy(smooth_labels(member, beta, smoothness), unary,
                             smoothness)
        _, expansion = _alpha_expansion(unary, smoothness)
        assert exact <= expansion + 1e-9
        strictly_better += exact < expansion - 1e-9
    # the exact solver is the global optimum; expansion is only within 2x
    assert strictly_better > 0


def test_alpha_expansion_reference_is_sane_on_a_tiny_chain():
    """The reference itself: equals brute force on a 5-frame chain."""
    rng = np.random.default_rng(1)
    unary = rng.random((5, 3))
    brute = min(
        chain_energy(np.array(lab), unary, 0.3)
        for lab in itertools.product(range(3), repeat=5))
    _, energy = _alpha_expansion(unary, 0.3)
    assert energy >= brute - 1e-12
    assert energy <= 2 * brute + 1e-12  # the expansion bound for Potts


def _blobs(seed=0):
    rng = np.random.default_rng(seed)
    centers = np.eye(3, 16) * 5
    labels = np.repeat(np.arange(3), 40)
    return centers[labels] + 0.3 * rng.standard_normal((120, 16)), labels


def _same_partition(a, b):
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


def test_spectral_clustering_separates_blobs():
    x, truth = _blobs()
    assert _same_partition(spectral_clustering(x, 3, seed=0), truth)


@pytest.mark.parametrize('method', ['fcm', 'kmeans', 'spectral'])
def test_discovery_methods_recover_three_steps(method):
    x, truth = _blobs(1)
    videos = [x[:60], x[60:]]
    labels, order = discover_keysteps(videos, 3, method=method, seed=0)
    assert _same_partition(np.concatenate(labels), truth)
    # step order by mean normalised time: blob 0 comes first in video 1
    assert order[0] == labels[0][0]


def test_random_labels_floor_and_bad_method():
    x, _ = _blobs()
    labels, _ = discover_keysteps([x], 3, method='random', smoothness=0)
    assert set(labels[0].tolist()) == {0, 1, 2}
    with pytest.raises(ValueError, match='clustering'):
        discover_keysteps([x], 3, method='dbscan')


def test_fuzziness_softens_the_memberships_the_smoother_sees():
    """``fuzziness`` reaches fuzzy c-means: on two overlapping steps,
    4 x 15 frames, ``m = 1.1`` keeps the four segments through the
    smoothing; ``m = 3`` gives near-uniform memberships, so the Potts term
    wins and one label covers the video."""
    rng = np.random.default_rng(0)
    truth = np.repeat([0, 1, 0, 1], 15)
    x = np.eye(2, 8)[truth] + 0.6 * rng.standard_normal((60, 8))
    segments = {}
    for m in (1.1, 3.0):
        labels, _ = discover_keysteps([x], 2, seed=0, fuzziness=m)
        segments[m] = 1 + np.count_nonzero(np.diff(labels[0]))
        member = fuzzy_cmeans(l2_normalize(x), 2, m, seed=0)
        np.testing.assert_array_equal(labels[0], smooth_labels(member))
    assert segments == {1.1: 4, 3.0: 1}
    with pytest.raises(ValueError, match='fuzziness must be > 1'):
        KeyStepMetric(fuzziness=1.0)


def test_metric_reports_the_step_order():
    rng = np.random.default_rng(0)
    centers = np.eye(3, 8) * 4
    gt = np.array([1] * 10 + [2] * 10 + [3] * 10)
    samples = [
        dict(video_id=f'v{i}', task='cook', gt_frame_labels=gt,
             pred_embedding=centers[gt - 1] + 0.1 * rng.standard_normal(
                 (30, 8))) for i in range(3)
    ]
    metric = KeyStepMetric(num_keysteps=3)
    metric.process({}, samples)
    metric.compute_metrics(metric.results)
    steps = [step for _, step in metric.step_orders['cook']]
    assert steps == [1, 2, 3]
