"""Sampler of same-task video pairs."""
import math
from collections import defaultdict
from typing import Iterator, Optional

import numpy as np
from mmaction.registry import DATA_SAMPLERS
from mmengine.dist import get_dist_info, sync_random_seed
from torch.utils.data import Sampler

__all__ = ['SameTaskPairSampler']


@DATA_SAMPLERS.register_module()
class SameTaskPairSampler(Sampler):
    """Yield indices two by two, each pair two distinct videos of one task.

    Every epoch each video starts one pair with a random partner of its task
    (tasks with a single video are left out). Pairs are shuffled from
    ``seed + epoch``, padded to a multiple of the world size and dealt
    round-robin, so each rank gets distinct pairs. Use an even
    ``batch_size``: the model aligns samples ``(0, 1), (2, 3), ...``.

    Args:
        dataset: a procedure dataset (``get_data_info(i)['task']``).
        shuffle (bool): shuffle pairs each epoch. Defaults to True.
        seed (int, optional): shared random seed (synced across ranks).
        infinite (bool): never end, drawing epoch after epoch (for
            iteration-based training: mmengine pauses 2 s each time a
            finite dataloader restarts). Defaults to False.
    """

    def __init__(self, dataset, shuffle: bool = True,
                 seed: Optional[int] = None, infinite: bool = False) -> None:
        rank, world_size = get_dist_info()
        self.rank, self.world_size = rank, world_size
        self.dataset = dataset
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.epoch = 0
        self.infinite = infinite
        groups = defaultdict(list)
        for idx in range(len(dataset)):
            groups[dataset.get_data_info(idx)['task']].append(idx)
        self.groups = {t: v for t, v in groups.items() if len(v) >= 2}
        if not self.groups:
            raise ValueError('SameTaskPairSampler needs a task with at least '
                             'two videos')
        num_pairs = sum(len(v) for v in self.groups.values())
        self.pairs_per_rank = math.ceil(num_pairs / world_size)

    def _pairs(self) -> np.ndarray:
        rng = np.random.default_rng(self.seed + self.epoch)
        pairs = []
        for task in sorted(self.groups):
            videos = np.asarray(self.groups[task])
            # partner = any other video of the task
            shift = rng.integers(1, len(videos), size=len(videos))
            partner = videos[(np.arange(len(videos)) + shift) % len(videos)]
            pairs.append(np.stack([videos, partner], 1))
        pairs = np.concatenate(pairs)
        if self.shuffle:
            pairs = pairs[rng.permutation(len(pairs))]
        total = self.pairs_per_rank * self.world_size
        pairs = np.concatenate([pairs] * math.ceil(total / len(pairs)))[:total]
        return pairs[self.rank::self.world_size]

    def __iter__(self) -> Iterator[int]:
        if not self.infinite:
            yield from self._pairs().reshape(-1).tolist()
            return
        while True:
            yield from self._pairs().reshape(-1).tolist()
            self.epoch += 1

    def __len__(self) -> int:
        return 2 * self.pairs_per_rank

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
